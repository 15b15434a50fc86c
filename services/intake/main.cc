// pcmd-intake: tips from police, social affairs, Teams 178 and citizens.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/server/peer.h"
#include "common/server/service_main.h"
#include "common/units/units.h"
#include "services/intake/access_rules.h"
#include "services/intake/crime_reports.h"
#include "services/intake/intake_service.h"
#include "services/intake/overdue.h"
#include "services/intake/routing.h"
#include "services/intake/sqlite_handover_store.h"
#include "services/intake/sqlite_tip_store.h"

namespace {

class IntakeBundle : public pcmd::ServiceBundle {
 public:
  IntakeBundle(const pcmd::ServiceContext& ctx, pcmd::PeerClient inspections,
               pcmd::intake::Router router)
      : router_(std::move(router)),
        store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        tips_(store_, *ctx.clock, *ctx.units, *ctx.keys, router_),
        establishments_(std::move(inspections)),
        feed_(*ctx.database, *ctx.units, *ctx.clock, {}),
        handover_store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        hand_overs_(handover_store_, store_, *ctx.clock, *ctx.units, *ctx.keys),
        service_(pcmd::Guard(*ctx.gatekeeper, pcmd::intake::v1::IntakeService::service_full_name()),
                 tips_, establishments_, feed_, hand_overs_),
        overdue_(*ctx.database, *ctx.outbox, *ctx.units, *ctx.clock),
        scheduler_(overdue_, feed_, ctx.config->GetDuration("overdue-scan-interval")) {}
  std::vector<pcmd::HostedService> services() override {
    return {{&service_, pcmd::intake::v1::IntakeService::service_full_name()}};
  }
  void RegisterHandlers(pcmd::events::EventConsumer& consumer) override {
    pcmd::intake::RegisterCrimeReportHandler(consumer, tips_, store_);
  }

 private:
  const pcmd::intake::Router router_;
  pcmd::intake::SqliteTipStore store_;
  pcmd::intake::Tips tips_;
  pcmd::intake::GrpcEstablishmentRegistry establishments_;
  pcmd::intake::TipFeed feed_;
  pcmd::intake::SqliteHandOverStore handover_store_;
  pcmd::intake::HandOvers hand_overs_;
  pcmd::intake::IntakeServiceImpl service_;
  pcmd::intake::OverdueScanner overdue_;
  pcmd::intake::OverdueScheduler scheduler_;
};

// The rules in --routing-rules, or the shipped ones.
absl::StatusOr<pcmd::intake::Router> LoadRouter(const std::string& path) {
  if (path.empty()) return pcmd::intake::Router::Parse(pcmd::intake::DefaultRoutingRules());
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read routing rules ", path));
  std::stringstream text;
  text << in.rdbuf();
  return pcmd::intake::Router::Parse(text.str());
}

}  // namespace

int main(int argc, char** argv) {
  return pcmd::RunService(
      argc, argv,
      {.name = "intake",
       .default_listen = "127.0.0.1:50052",
       .migrations = pcmd::intake::IntakeMigrations(),
       // Units from plans; crimes suspected during inspections.
       .consumes_from = {"plans", "inspections"},
       .register_handlers = pcmd::units::RegisterUnitHandlers,
       .define_options =
           [](pcmd::Config& config) {
             config.DefineString("inspections", "127.0.0.1:50053",
                                 "host:port of the inspections service "
                                 "(establishments named by tips)");
             config.DefineString("routing-rules", "",
                                 "file of pcmd.intake.v1.RoutingRules in "
                                 "text format (default: the shipped "
                                 "services/intake/routing_rules.textproto)");
             config.DefineDuration("overdue-scan-interval", absl::Minutes(1),
                                   "how often passed deadlines are raised "
                                   "(TipOverdue) and the change log purged");
           },
       .policy = pcmd::intake::IntakeAccessPolicy,
       .build = [](const pcmd::ServiceContext& ctx)
           -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
         absl::StatusOr<pcmd::PeerClient> inspections = pcmd::PeerClient::Connect(
             ctx.config->GetString("inspections"), ctx.peer_tls, "intake");
         if (!inspections.ok()) return inspections.status();
         absl::StatusOr<pcmd::intake::Router> router =
             LoadRouter(ctx.config->GetString("routing-rules"));
         if (!router.ok()) return router.status();
         return std::make_unique<IntakeBundle>(ctx, *std::move(inspections), *std::move(router));
       }});
}
