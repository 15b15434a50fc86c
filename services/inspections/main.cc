// pcmd-inspections: the registry of risky businesses and the Teams 178 that inspect them.
#include "common/server/service_main.h"
#include "common/units/units.h"
#include "services/inspections/access_rules.h"
#include "services/inspections/inspections_service.h"
#include "services/inspections/sqlite_establishment_store.h"

namespace {

class InspectionsBundle : public pcmd::ServiceBundle {
 public:
  explicit InspectionsBundle(const pcmd::ServiceContext& ctx)
      : store_(*ctx.database, *ctx.outbox, *ctx.clock, *ctx.keys),
        establishments_(store_, *ctx.clock, *ctx.units, ctx.keys->index_key()),
        service_(pcmd::Guard(*ctx.gatekeeper,
                             pcmd::inspections::v1::InspectionsService::service_full_name()),
                 establishments_) {}
  std::vector<pcmd::HostedService> services() override {
    return {{&service_, pcmd::inspections::v1::InspectionsService::service_full_name()}};
  }

 private:
  pcmd::inspections::SqliteEstablishmentStore store_;
  pcmd::inspections::Establishments establishments_;
  pcmd::inspections::InspectionsServiceImpl service_;
};

}  // namespace

int main(int argc, char** argv) {
  return pcmd::RunService(argc, argv,
                          {.name = "inspections",
                           .default_listen = "127.0.0.1:50053",
                           .migrations = pcmd::inspections::InspectionsMigrations(),
                           .consumes_from = {"intake", "plans"},
                           .register_handlers =
                               [](pcmd::events::EventConsumer& consumer) {
                                 pcmd::inspections::RegisterInspectionsHandlers(consumer);
                                 pcmd::units::RegisterUnitHandlers(consumer);
                               },
                           .policy = pcmd::inspections::InspectionsAccessPolicy,
                           .build = [](const pcmd::ServiceContext& ctx)
                               -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
                             return std::make_unique<InspectionsBundle>(ctx);
                           }});
}
