#include "services/inspections/inspections_service.h"

#include "common/status/status_macros.h"

namespace pcmd::inspections {

grpc::Status InspectionsServiceImpl::CreateEstablishment(
    grpc::ServerContext* context, const v1::CreateEstablishmentRequest* request,
    v1::CreateEstablishmentResponse* response) {
  return guard_.Run(context, "CreateEstablishment", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_establishment(),
                          establishments_.Create(call.access(), *request));
    call.Touch(response->establishment().name());
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::GetEstablishment(grpc::ServerContext* context,
                                                      const v1::GetEstablishmentRequest* request,
                                                      v1::GetEstablishmentResponse* response) {
  return guard_.Run(context, "GetEstablishment", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_establishment(),
                          establishments_.Get(call.access(), request->name()));
    return absl::OkStatus();
  });
}

}  // namespace pcmd::inspections
