#include "services/referrals/referrals_service.h"

#include "common/server/handler.h"
#include "common/status/status_macros.h"

namespace pcmd::referrals {

grpc::Status ReferralsServiceImpl::CreateProvider(grpc::ServerContext* context,
                                                  const v1::CreateProviderRequest* request,
                                                  v1::CreateProviderResponse* response) {
  return Handle(context, [&]() -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_provider(), providers_.Create(*request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::GetProvider(grpc::ServerContext* context,
                                               const v1::GetProviderRequest* request,
                                               v1::GetProviderResponse* response) {
  return Handle(context, [&]() -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_provider(), providers_.Get(request->name()));
    return absl::OkStatus();
  });
}

}  // namespace pcmd::referrals
