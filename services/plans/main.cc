// pcmd-plans: plans and their targets measured live, hotspots, reports, and the
// directory of administrative units and agencies.
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/log/log.h"
#include "common/server/service_main.h"
#include "google/protobuf/text_format.h"
#include "services/plans/access_rules.h"
#include "services/plans/counters.h"
#include "services/plans/directory_service.h"
#include "services/plans/plans_service.h"
#include "services/plans/schema.h"
#include "services/plans/sqlite_directory_store.h"
#include "services/plans/sqlite_figures.h"
#include "services/plans/sqlite_plan_store.h"

namespace {

// Raises ReportDue and ReportOverdue every `interval` on its own thread; stops (and
// joins) when destroyed.
class DeadlineScheduler {
 public:
  DeadlineScheduler(pcmd::plans::Plans& plans, absl::Duration interval)
      : thread_([this, &plans, interval] {
          while (!stop_.WaitForNotificationWithTimeout(interval)) {
            if (absl::StatusOr<int> raised = plans.ScanDeadlines(); !raised.ok()) {
              pcmd::log::Error("report_deadline_scan_failed", {{"error", raised.status()}});
            }
          }
        }) {}
  ~DeadlineScheduler() {
    stop_.Notify();
    thread_.join();
  }

 private:
  absl::Notification stop_;
  std::thread thread_;
};

class PlansBundle : public pcmd::ServiceBundle {
 public:
  explicit PlansBundle(const pcmd::ServiceContext& ctx)
      : outbox_(*ctx.outbox),
        directory_store_(*ctx.database, *ctx.outbox),
        directory_(directory_store_, *ctx.clock),
        plan_store_(*ctx.database, *ctx.outbox, *ctx.clock),
        figures_(*ctx.database),
        plans_(plan_store_, directory_store_, figures_, *ctx.units, *ctx.clock),
        directory_service_(
            pcmd::Guard(*ctx.gatekeeper, pcmd::plans::v1::DirectoryService::service_full_name()),
            directory_),
        plans_service_(
            pcmd::Guard(*ctx.gatekeeper, pcmd::plans::v1::PlansService::service_full_name()),
            plans_),
        scheduler_(plans_, ctx.config->GetDuration("report-scan-interval")) {}

  std::vector<pcmd::HostedService> services() override {
    return {{&directory_service_, pcmd::plans::v1::DirectoryService::service_full_name()},
            {&plans_service_, pcmd::plans::v1::PlansService::service_full_name()}};
  }
  void RegisterHandlers(pcmd::events::EventConsumer& consumer) override {
    pcmd::plans::RegisterCounterHandlers(consumer, outbox_);
  }

  pcmd::plans::Directory& directory() { return directory_; }

 private:
  pcmd::events::Outbox& outbox_;
  pcmd::plans::SqliteDirectoryStore directory_store_;
  pcmd::plans::Directory directory_;
  pcmd::plans::SqlitePlanStore plan_store_;
  pcmd::plans::SqliteFigures figures_;
  pcmd::plans::Plans plans_;
  pcmd::plans::DirectoryServiceImpl directory_service_;
  pcmd::plans::PlansServiceImpl plans_service_;
  DeadlineScheduler scheduler_;
};

// The DirectorySeed in text format at `path`. Errors: NOT_FOUND when unreadable,
// INVALID_ARGUMENT when it does not parse.
absl::StatusOr<pcmd::plans::v1::DirectorySeed> ReadSeed(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read directory seed ", path));
  std::stringstream text;
  text << in.rdbuf();
  pcmd::plans::v1::DirectorySeed seed;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &seed)) {
    return absl::InvalidArgumentError(absl::StrCat("directory seed ", path, " does not parse"));
  }
  return seed;
}

}  // namespace

int main(int argc, char** argv) {
  return pcmd::RunService(
      argc, argv,
      {.name = "plans",
       .default_listen = "127.0.0.1:50051",
       .migrations = pcmd::plans::PlansMigrations(),
       // The work the targets count.
       .consumes_from = {"intake", "inspections", "referrals"},
       .define_options =
           [](pcmd::Config& config) {
             config.DefineString("directory-seed", "",
                                 "file of pcmd.plans.v1.DirectorySeed in text format whose "
                                 "units and agencies are created at start when missing "
                                 "(services/plans/data/directory.textproto)");
             config.DefineDuration("report-scan-interval", absl::Minutes(1),
                                   "how often report deadlines are checked "
                                   "(ReportDue, ReportOverdue)");
           },
       .policy = pcmd::plans::PlansAccessPolicy,
       .build = [](const pcmd::ServiceContext& ctx)
           -> absl::StatusOr<std::unique_ptr<pcmd::ServiceBundle>> {
         auto bundle = std::make_unique<PlansBundle>(ctx);
         if (const std::string path = ctx.config->GetString("directory-seed"); !path.empty()) {
           absl::StatusOr<pcmd::plans::v1::DirectorySeed> seed = ReadSeed(path);
           if (!seed.ok()) return seed.status();
           absl::StatusOr<int> created = bundle->directory().LoadSeed(*seed);
           if (!created.ok()) return created.status();
           pcmd::log::Info("directory_seeded", {{"file", path}, {"created", *created}});
         }
         return bundle;
       }});
}
