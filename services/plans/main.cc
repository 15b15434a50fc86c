// pcmd-plans: plans and their targets measured live, hotspots, reports, and the
// directory of administrative units and agencies.
#include "common/server/service_main.h"
#include "common/units/units.h"
#include "services/plans/access_rules.h"
#include "services/plans/directory_service.h"
#include "services/plans/sqlite_unit_store.h"

namespace {

class PlansBundle : public pcmd::ServiceBundle {
 public:
  explicit PlansBundle(const pcmd::ServiceContext& ctx)
      : store_(*ctx.database, *ctx.outbox),
        directory_(store_),
        service_(
            pcmd::Guard(*ctx.gatekeeper, pcmd::plans::v1::DirectoryService::service_full_name()),
            directory_) {}
  std::vector<pcmd::HostedService> services() override {
    return {{&service_, pcmd::plans::v1::DirectoryService::service_full_name()}};
  }

 private:
  pcmd::plans::SqliteUnitStore store_;
  pcmd::plans::Directory directory_;
  pcmd::plans::DirectoryServiceImpl service_;
};

}  // namespace

int main(int argc, char** argv) {
  return pcmd::RunService(argc, argv,
                          {.name = "plans",
                           .default_listen = "127.0.0.1:50051",
                           .migrations = pcmd::plans::PlansMigrations(),
                           .consumes_from = {"intake"},
                           .register_handlers = pcmd::plans::RegisterPlansHandlers,
                           .policy = pcmd::plans::PlansAccessPolicy,
                           .build = [](const pcmd::ServiceContext& ctx)
                               -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
                             return std::make_unique<PlansBundle>(ctx);
                           }});
}
