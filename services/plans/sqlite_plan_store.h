// PlanStore on SQLite (common/storage), and the hotspot relapse check the event
// handlers run. Thread-safe.
#ifndef PCMD_SERVICES_PLANS_SQLITE_PLAN_STORE_H_
#define PCMD_SERVICES_PLANS_SQLITE_PLAN_STORE_H_

#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/storage/sqlite_database.h"
#include "services/plans/plan_store.h"

namespace pcmd::plans {

class SqlitePlanStore : public PlanStore {
 public:
  // `db`, `outbox` and `clock` are not owned and must outlive the store.
  SqlitePlanStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock)
      : db_(db), outbox_(outbox), clock_(clock), ids_(clock) {}

  absl::StatusOr<v1::Plan> CreatePlan(const v1::Plan& plan, const CreateKey& key) override;
  absl::StatusOr<v1::Plan> GetPlan(absl::string_view code) override;
  absl::StatusOr<std::vector<v1::Plan>> ListPlans(const PlanQuery& query) override;
  absl::StatusOr<v1::Plan> ReplaceDraft(const v1::Plan& plan, absl::string_view etag) override;
  absl::StatusOr<v1::Plan> IssuePlan(absl::string_view code, absl::string_view issue_date,
                                     const std::vector<v1::ReportObligation>& due) override;
  absl::StatusOr<v1::Plan> SupersedePlan(absl::string_view code,
                                         absl::string_view by_code) override;
  absl::StatusOr<v1::Task> AddTaskUpdate(absl::string_view code, absl::string_view task_number,
                                         const v1::TaskUpdate& update) override;
  absl::StatusOr<v1::Activity> RecordActivity(const v1::Activity& activity,
                                              const CreateKey& key) override;
  absl::StatusOr<std::vector<v1::Activity>> ListActivities(const ActivityQuery& q) override;
  absl::StatusOr<v1::Hotspot> CreateHotspot(const v1::Hotspot& hotspot,
                                            const CreateKey& key) override;
  absl::StatusOr<v1::Hotspot> GetHotspot(absl::string_view code) override;
  absl::StatusOr<std::vector<v1::Hotspot>> ListHotspots(const HotspotQuery& q) override;
  absl::StatusOr<v1::Hotspot> ChangeHotspotState(absl::string_view code, v1::HotspotState state,
                                                 absl::string_view date, int target_year) override;
  absl::StatusOr<std::vector<v1::ReportObligation>> ListObligations(
      const ObligationQuery& q) override;
  absl::StatusOr<v1::Report> SubmitReport(const v1::Report& report, const CreateKey& key) override;
  absl::StatusOr<v1::Report> ApproveReport(absl::string_view id, absl::string_view approver,
                                           absl::string_view date) override;
  absl::StatusOr<std::vector<v1::Report>> ListReports(const ReportQuery& q) override;
  absl::StatusOr<int> ScanDeadlines(absl::string_view today) override;

 private:
  int64_t NowMs() const;

  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
  IdGenerator ids_;
};

// Inside a transaction: a tip or violation (`record`, on `day`) touched the hotspot
// "hotspots/{code}". When the hotspot is ELIMINATED or HANDED_OVER (and `day` is not
// before its elimination) it becomes RELAPSED, counted in hotspots.relapsed, and
// HotspotRelapsed is appended to `outbox`. Unknown hotspots and other states: nothing.
absl::Status NoteHotspotActivity(storage::Transaction& tx, events::Outbox& outbox,
                                 absl::string_view hotspot, absl::string_view record,
                                 absl::string_view day);

// Inside a transaction: the plan with `code`, or nullopt.
absl::StatusOr<std::optional<v1::Plan>> FindPlan(storage::Transaction& tx, absl::string_view code);

// Inside a transaction: the hotspot with `code`, or nullopt.
absl::StatusOr<std::optional<v1::Hotspot>> FindHotspot(storage::Transaction& tx,
                                                       absl::string_view code);

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_SQLITE_PLAN_STORE_H_
