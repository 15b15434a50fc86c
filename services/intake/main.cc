// pcmd-intake: tips from police, social affairs, Teams 178 and citizens.
#include "common/server/peer.h"
#include "common/server/service_main.h"
#include "common/units/units.h"
#include "services/intake/access_rules.h"
#include "services/intake/intake_service.h"
#include "services/intake/sqlite_tip_store.h"

namespace {

class IntakeBundle : public pcmd::ServiceBundle {
 public:
  IntakeBundle(const pcmd::ServiceContext& ctx, pcmd::PeerClient inspections)
      : store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        tips_(store_, *ctx.clock, *ctx.units, *ctx.keys),
        establishments_(std::move(inspections)),
        service_(pcmd::Guard(*ctx.gatekeeper, pcmd::intake::v1::IntakeService::service_full_name()),
                 tips_, establishments_) {}
  std::vector<pcmd::HostedService> services() override {
    return {{&service_, pcmd::intake::v1::IntakeService::service_full_name()}};
  }

 private:
  pcmd::intake::SqliteTipStore store_;
  pcmd::intake::Tips tips_;
  pcmd::intake::GrpcEstablishmentRegistry establishments_;
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
                           .define_options =
                               [](pcmd::Config& config) {
                                 config.DefineString("inspections", "127.0.0.1:50053",
                                                     "host:port of the inspections service "
                                                     "(establishments named by tips)");
                               },
                           .policy = pcmd::intake::IntakeAccessPolicy,
                           .build = [](const pcmd::ServiceContext& ctx)
                               -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
                             absl::StatusOr<pcmd::PeerClient> inspections =
                                 pcmd::PeerClient::Connect(ctx.config->GetString("inspections"),
                                                           ctx.peer_tls, "intake");
                             if (!inspections.ok()) return inspections.status();
                             return std::make_unique<IntakeBundle>(ctx, *std::move(inspections));
                           }});
}
