#include "services/plans/directory_service.h"

#include "common/status/status_macros.h"

namespace pcmd::plans {

grpc::Status DirectoryServiceImpl::CreateUnit(grpc::ServerContext* context,
                                              const v1::CreateUnitRequest* request,
                                              v1::CreateUnitResponse* response) {
  return guard_.Run(context, "CreateUnit", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_unit(), directory_.CreateUnit(*request));
    call.Touch(response->unit().name());
    return absl::OkStatus();
  });
}

grpc::Status DirectoryServiceImpl::GetUnit(grpc::ServerContext* context,
                                           const v1::GetUnitRequest* request,
                                           v1::GetUnitResponse* response) {
  return guard_.Run(context, "GetUnit", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_unit(), directory_.GetUnit(request->name()));
    call.Touch(response->unit().name());
    return absl::OkStatus();
  });
}

}  // namespace pcmd::plans
