// The gRPC adapter for pcmd.referrals.v1.ReferralsService. Thread-safe.
#ifndef PCMD_SERVICES_REFERRALS_REFERRALS_SERVICE_H_
#define PCMD_SERVICES_REFERRALS_REFERRALS_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "services/referrals/providers.h"

namespace pcmd::referrals {

class ReferralsServiceImpl final : public v1::ReferralsService::Service {
 public:
  // `providers` is not owned and must outlive the service.
  // Every call goes through `guard` (access_rules.h). `providers` is not owned and must
  // outlive the service.
  ReferralsServiceImpl(Guard guard, Providers& providers)
      : guard_(std::move(guard)), providers_(providers) {}

  grpc::Status CreateProvider(grpc::ServerContext* context,
                              const v1::CreateProviderRequest* request,
                              v1::CreateProviderResponse* response) override;
  grpc::Status GetProvider(grpc::ServerContext* context, const v1::GetProviderRequest* request,
                           v1::GetProviderResponse* response) override;

 private:
  const Guard guard_;
  Providers& providers_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_REFERRALS_SERVICE_H_
