// pcmd-referrals: consent-based support referrals, followed until the loop closes.
#include "common/server/service_main.h"
#include "common/units/units.h"
#include "services/referrals/access_rules.h"
#include "services/referrals/referrals_service.h"
#include "services/referrals/sqlite_provider_store.h"

namespace {

class ReferralsBundle : public pcmd::ServiceBundle {
 public:
  explicit ReferralsBundle(const pcmd::ServiceContext& ctx)
      : store_(*ctx.database, *ctx.outbox, *ctx.clock),
        providers_(store_, *ctx.clock, *ctx.units),
        service_(pcmd::Guard(*ctx.gatekeeper,
                             pcmd::referrals::v1::ReferralsService::service_full_name()),
                 providers_) {}
  std::vector<pcmd::HostedService> services() override {
    return {{&service_, pcmd::referrals::v1::ReferralsService::service_full_name()}};
  }

 private:
  pcmd::referrals::SqliteProviderStore store_;
  pcmd::referrals::Providers providers_;
  pcmd::referrals::ReferralsServiceImpl service_;
};

}  // namespace

int main(int argc, char** argv) {
  return pcmd::RunService(argc, argv,
                          {.name = "referrals",
                           .default_listen = "127.0.0.1:50054",
                           .migrations = pcmd::referrals::ReferralsMigrations(),
                           .consumes_from = {"plans"},
                           .register_handlers = pcmd::units::RegisterUnitHandlers,
                           .policy = pcmd::referrals::ReferralsAccessPolicy,
                           .build = [](const pcmd::ServiceContext& ctx)
                               -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
                             return std::make_unique<ReferralsBundle>(ctx);
                           }});
}
