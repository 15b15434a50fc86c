// pcmd-inspections: the registry of risky businesses and the Teams 178 that inspect them.
#include "common/log/log.h"
#include "common/server/service_main.h"
#include "common/units/units.h"
#include "services/inspections/access_rules.h"
#include "services/inspections/inspections_service.h"
#include "services/inspections/sqlite_establishment_store.h"
#include "services/inspections/sqlite_inspection_store.h"
#include "services/inspections/sqlite_team_store.h"

namespace {

class InspectionsBundle : public pcmd::ServiceBundle {
 public:
  explicit InspectionsBundle(const pcmd::ServiceContext& ctx)
      : outbox_(*ctx.outbox),
        store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        team_store_(*ctx.database, *ctx.clock),
        inspection_store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys,
                          pcmd::inspections::LegalCatalogue::Default()),
        establishments_(store_, *ctx.clock, *ctx.units, ctx.keys->index_key()),
        teams_(team_store_, *ctx.clock, *ctx.units),
        inspections_(inspection_store_, store_, team_store_,
                     pcmd::inspections::LegalCatalogue::Default(), *ctx.clock, *ctx.units,
                     ctx.keys->index_key()),
        service_(pcmd::Guard(*ctx.gatekeeper,
                             pcmd::inspections::v1::InspectionsService::service_full_name()),
                 establishments_, teams_, inspections_) {}
  // Establishments stored before search existed get their search words.
  absl::Status Prepare() {
    absl::StatusOr<int> indexed = store_.IndexUnsearchable();
    if (!indexed.ok()) return indexed.status();
    if (*indexed > 0) pcmd::log::Info("establishments_indexed", {{"count", *indexed}});
    return absl::OkStatus();
  }
  std::vector<pcmd::HostedService> services() override {
    return {{&service_, pcmd::inspections::v1::InspectionsService::service_full_name()}};
  }
  // Tips about establishments (intake) move their risk and may ask for a follow-up.
  void RegisterHandlers(pcmd::events::EventConsumer& consumer) override {
    pcmd::inspections::RegisterInspectionsHandlers(consumer, outbox_);
  }

 private:
  pcmd::events::Outbox& outbox_;
  pcmd::inspections::SqliteEstablishmentStore store_;
  pcmd::inspections::SqliteTeamStore team_store_;
  pcmd::inspections::SqliteInspectionStore inspection_store_;
  pcmd::inspections::Establishments establishments_;
  pcmd::inspections::Teams teams_;
  pcmd::inspections::Inspections inspections_;
  pcmd::inspections::InspectionsServiceImpl service_;
};

}  // namespace

int main(int argc, char** argv) {
  return pcmd::RunService(argc, argv,
                          {.name = "inspections",
                           .default_listen = "127.0.0.1:50053",
                           .migrations = pcmd::inspections::InspectionsMigrations(),
                           .consumes_from = {"intake", "plans"},
                           .register_handlers = pcmd::units::RegisterUnitHandlers,
                           .policy = pcmd::inspections::InspectionsAccessPolicy,
                           .build = [](const pcmd::ServiceContext& ctx)
                               -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
                             auto bundle = std::make_unique<InspectionsBundle>(ctx);
                             if (absl::Status s = bundle->Prepare(); !s.ok()) return s;
                             return bundle;
                           }});
}
