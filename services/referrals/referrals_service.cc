#include "services/referrals/referrals_service.h"

#include "common/status/status_macros.h"

namespace pcmd::referrals {

grpc::Status ReferralsServiceImpl::CreateProvider(grpc::ServerContext* context,
                                                  const v1::CreateProviderRequest* request,
                                                  v1::CreateProviderResponse* response) {
  return guard_.Run(context, "CreateProvider", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_provider(),
                          providers_.Create(call.access(), *request));
    call.Touch(response->provider().name());
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::GetProvider(grpc::ServerContext* context,
                                               const v1::GetProviderRequest* request,
                                               v1::GetProviderResponse* response) {
  return guard_.Run(context, "GetProvider", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_provider(), providers_.Get(request->name()));
    call.Touch(response->provider().name());
    return absl::OkStatus();
  });
}

}  // namespace pcmd::referrals
