#include "services/plans/directory_service.h"

#include "common/status/status_macros.h"

namespace pcmd::plans {

#define PCMD_DIRECTORY_BODY(Rpc, ...)                                                  \
  grpc::Status DirectoryServiceImpl::Rpc(grpc::ServerContext* context,                 \
                                         const v1::Rpc##Request* request,              \
                                         v1::Rpc##Response* response) {                \
    return guard_.Run(context, #Rpc, [&](Call& call) -> absl::Status { __VA_ARGS__ }); \
  }

PCMD_DIRECTORY_BODY(CreateUnit, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_unit(), directory_.CreateUnit(*request));
  call.Touch(response->unit().name());
  return absl::OkStatus();
})
PCMD_DIRECTORY_BODY(GetUnit, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_unit(), directory_.GetUnit(request->name()));
  call.Touch(response->unit().name());
  return absl::OkStatus();
})
PCMD_DIRECTORY_BODY(ListUnits, {
  (void)call;
  PCMD_ASSIGN_OR_RETURN(*response, directory_.ListUnits(*request));
  return absl::OkStatus();
})
PCMD_DIRECTORY_BODY(ResolveUnit, {
  call.Touch(request->name());
  PCMD_ASSIGN_OR_RETURN(*response, directory_.ResolveUnit(*request));
  return absl::OkStatus();
})
PCMD_DIRECTORY_BODY(CreateAgency, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_agency(), directory_.CreateAgency(*request));
  call.Touch(response->agency().name());
  return absl::OkStatus();
})
PCMD_DIRECTORY_BODY(GetAgency, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_agency(), directory_.GetAgency(request->name()));
  call.Touch(response->agency().name());
  return absl::OkStatus();
})
PCMD_DIRECTORY_BODY(ListAgencies, {
  (void)call;
  PCMD_ASSIGN_OR_RETURN(*response, directory_.ListAgencies(*request));
  return absl::OkStatus();
})

#undef PCMD_DIRECTORY_BODY

}  // namespace pcmd::plans
