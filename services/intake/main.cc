// pcmd-intake: tips from police, social affairs, Teams 178 and citizens.
#include "common/server/service_main.h"
#include "common/units/units.h"
#include "services/intake/access_rules.h"
#include "services/intake/intake_service.h"
#include "services/intake/sqlite_tip_store.h"

namespace {

class IntakeBundle : public pcmd::ServiceBundle {
 public:
  explicit IntakeBundle(const pcmd::ServiceContext& ctx)
      : store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        tips_(store_, *ctx.clock, *ctx.units, *ctx.keys),
        service_(pcmd::Guard(*ctx.gatekeeper, pcmd::intake::v1::IntakeService::service_full_name()),
                 tips_) {}
  std::vector<pcmd::HostedService> services() override {
    return {{&service_, pcmd::intake::v1::IntakeService::service_full_name()}};
  }

 private:
  pcmd::intake::SqliteTipStore store_;
  pcmd::intake::Tips tips_;
  pcmd::intake::IntakeServiceImpl service_;
};

}  // namespace

int main(int argc, char** argv) {
  return pcmd::RunService(argc, argv,
                          {.name = "intake",
                           .default_listen = "127.0.0.1:50052",
                           .migrations = pcmd::intake::IntakeMigrations(),
                           .consumes_from = {"plans"},
                           .register_handlers = pcmd::units::RegisterUnitHandlers,
                           .policy = pcmd::intake::IntakeAccessPolicy,
                           .build = [](const pcmd::ServiceContext& ctx)
                               -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
                             return std::make_unique<IntakeBundle>(ctx);
                           }});
}
