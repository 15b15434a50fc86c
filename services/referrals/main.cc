// pcmd-referrals: consent-based support referrals, followed until the loop closes.
#include "common/server/service_main.h"
#include "common/units/units.h"
#include "services/referrals/access_rules.h"
#include "services/referrals/cases_service.h"
#include "services/referrals/referrals_service.h"
#include "services/referrals/schema.h"
#include "services/referrals/sqlite_case_store.h"
#include "services/referrals/sqlite_client_store.h"
#include "services/referrals/sqlite_outreach_store.h"
#include "services/referrals/sqlite_provider_store.h"
#include "services/referrals/sqlite_referral_store.h"

namespace {

namespace r = pcmd::referrals;

class ReferralsBundle : public pcmd::ServiceBundle {
 public:
  explicit ReferralsBundle(const pcmd::ServiceContext& ctx)
      : outbox_(*ctx.outbox),
        clock_(*ctx.clock),
        provider_store_(*ctx.database, *ctx.outbox, *ctx.clock),
        providers_(provider_store_, *ctx.clock, *ctx.units),
        outreach_store_(*ctx.database, *ctx.outbox, *ctx.clock),
        outreach_(outreach_store_, *ctx.clock, *ctx.units),
        client_store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        clients_(client_store_, *ctx.clock, *ctx.units, *ctx.keys),
        referral_store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        referrals_(referral_store_, clients_, *ctx.clock, *ctx.units, *ctx.keys),
        feed_(*ctx.database, *ctx.clock, {}),
        case_store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        cases_(case_store_, *ctx.clock, *ctx.units),
        referrals_service_(Guard(ctx, r::v1::ReferralsService::service_full_name()), Logic()),
        inbox_service_(Guard(ctx, r::v1::ProviderInboxService::service_full_name()), Logic()),
        cases_service_(Guard(ctx, r::v1::CasesService::service_full_name()), cases_),
        jobs_(referral_store_, feed_, *ctx.clock,
              ctx.config->GetDuration("overdue-scan-interval")) {}

  std::vector<pcmd::HostedService> services() override {
    return {{&referrals_service_, r::v1::ReferralsService::service_full_name()},
            {&inbox_service_, r::v1::ProviderInboxService::service_full_name()},
            {&cases_service_, r::v1::CasesService::service_full_name()}};
  }
  void RegisterHandlers(pcmd::events::EventConsumer& consumer) override {
    r::RegisterOutreachHandlers(consumer, outbox_, clock_);
  }

 private:
  static pcmd::Guard Guard(const pcmd::ServiceContext& ctx, const std::string& service) {
    return pcmd::Guard(*ctx.gatekeeper, service);
  }
  r::ReferralsLogic Logic() { return {&providers_, &outreach_, &clients_, &referrals_, &feed_}; }

  pcmd::events::Outbox& outbox_;
  const pcmd::Clock& clock_;
  r::SqliteProviderStore provider_store_;
  r::Providers providers_;
  r::SqliteOutreachStore outreach_store_;
  r::Outreach outreach_;
  r::SqliteClientStore client_store_;
  r::Clients clients_;
  r::SqliteReferralStore referral_store_;
  r::Referrals referrals_;
  r::ReferralFeed feed_;
  r::SqliteCaseStore case_store_;
  r::Cases cases_;
  r::ReferralsServiceImpl referrals_service_;
  r::ProviderInboxServiceImpl inbox_service_;
  r::CasesServiceImpl cases_service_;
  r::ReferralJobs jobs_;
};

}  // namespace

int main(int argc, char** argv) {
  return pcmd::RunService(
      argc, argv,
      {.name = "referrals",
       .default_listen = "127.0.0.1:50054",
       .migrations = r::ReferralsMigrations(),
       // Units from plans; people who may need support from intake and inspections.
       .consumes_from = {"plans", "intake", "inspections"},
       .register_handlers = pcmd::units::RegisterUnitHandlers,
       .define_options =
           [](pcmd::Config& config) {
             config.DefineDuration("overdue-scan-interval", absl::Minutes(1),
                                   "how often unanswered referrals are expired, passed "
                                   "follow-ups raised (ReferralOverdue) and the provider "
                                   "change log purged");
           },
       .policy = r::ReferralsAccessPolicy,
       .build = [](const pcmd::ServiceContext& ctx)
           -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
         return std::make_unique<ReferralsBundle>(ctx);
       }});
}
