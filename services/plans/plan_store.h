// Where plans, hotspots, activities and reports are kept. The logic (plans.h) depends
// only on this interface; sqlite_plan_store.h implements it on SQLite. Each method is
// one transaction: it changes everything it names or nothing, with its events in the
// outbox. State checks happen inside that transaction, so two racing calls cannot both
// pass them.
#ifndef PCMD_SERVICES_PLANS_PLAN_STORE_H_
#define PCMD_SERVICES_PLANS_PLAN_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/plans/v1/plans.pb.h"

namespace pcmd::plans {

struct PlanQuery {
  std::vector<std::string> units;  // Empty: every unit.
  v1::PlanLevel level = v1::PLAN_LEVEL_UNSPECIFIED;
  v1::PlanState state = v1::PLAN_STATE_UNSPECIFIED;
  int year = 0;
  std::string after_code;
  int limit = 100;
};

struct ActivityQuery {
  std::vector<std::string> units;
  v1::ActivityKind kind = v1::ACTIVITY_KIND_UNSPECIFIED;
  std::string from, to;
  std::string after_id;
  int limit = 100;
};

struct HotspotQuery {
  std::vector<std::string> units;
  v1::HotspotState state = v1::HOTSPOT_STATE_UNSPECIFIED;
  std::vector<std::string> words;  // Folded.
  std::string after_code;
  int limit = 100;
};

struct ObligationQuery {
  std::string plan_code;
  std::string agency_code;
  v1::ObligationState state = v1::OBLIGATION_STATE_UNSPECIFIED;
  std::string today;  // To tell PENDING from OVERDUE.
  std::string after;  // "period|agency".
  int limit = 100;
};

struct ReportQuery {
  std::string plan_code;
  std::string agency_code;
  std::string period;
  std::string after_id;
  int limit = 100;
};

// The idempotency of a create: the client's request_id and the request's fingerprint.
struct CreateKey {
  std::string request_id;
  std::string fingerprint;
};

// Implementations are thread-safe. Errors besides those named: storage errors.
class PlanStore {
 public:
  virtual ~PlanStore() = default;

  // Stores a DRAFT plan. Returns it, or the plan the same request_id created before.
  // Errors: INVALID_ARGUMENT naming request_id reused for another request;
  // ALREADY_EXISTS when the code holds another plan.
  virtual absl::StatusOr<v1::Plan> CreatePlan(const v1::Plan& plan, const CreateKey& key) = 0;
  // Errors: NOT_FOUND.
  virtual absl::StatusOr<v1::Plan> GetPlan(absl::string_view code) = 0;
  virtual absl::StatusOr<std::vector<v1::Plan>> ListPlans(const PlanQuery& query) = 0;
  // Replaces a DRAFT's document. Errors: NOT_FOUND; FAILED_PRECONDITION naming the
  // state; ABORTED when `etag` is not the stored one.
  virtual absl::StatusOr<v1::Plan> ReplaceDraft(const v1::Plan& plan, absl::string_view etag) = 0;
  // DRAFT → ISSUED with its report obligations, registering (or linking) its hotspots;
  // publishes PlanIssued. Errors: NOT_FOUND; FAILED_PRECONDITION naming the state.
  virtual absl::StatusOr<v1::Plan> IssuePlan(absl::string_view code, absl::string_view issue_date,
                                             const std::vector<v1::ReportObligation>& due) = 0;
  // ISSUED → SUPERSEDED. Errors: NOT_FOUND naming superseded_by for an unknown
  // replacement; FAILED_PRECONDITION naming the state.
  virtual absl::StatusOr<v1::Plan> SupersedePlan(absl::string_view code,
                                                 absl::string_view by_code) = 0;
  // Appends a status update to a task of an ISSUED plan, by one of its lead agencies.
  // Errors: NOT_FOUND naming task_number; PERMISSION_DENIED when `update.agency_code`
  // is not among the task's lead_agencies; FAILED_PRECONDITION naming the state.
  virtual absl::StatusOr<v1::Task> AddTaskUpdate(absl::string_view code,
                                                 absl::string_view task_number,
                                                 const v1::TaskUpdate& update) = 0;

  // Stores an activity and counts its facts. Returns it, or the first for a retry.
  virtual absl::StatusOr<v1::Activity> RecordActivity(const v1::Activity& activity,
                                                      const CreateKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Activity>> ListActivities(const ActivityQuery& q) = 0;

  // Errors: ALREADY_EXISTS when the code holds another hotspot.
  virtual absl::StatusOr<v1::Hotspot> CreateHotspot(const v1::Hotspot& hotspot,
                                                    const CreateKey& key) = 0;
  // Errors: NOT_FOUND.
  virtual absl::StatusOr<v1::Hotspot> GetHotspot(absl::string_view code) = 0;
  virtual absl::StatusOr<std::vector<v1::Hotspot>> ListHotspots(const HotspotQuery& q) = 0;
  // Moves a hotspot on its lifecycle (see UpdateHotspotStateRequest); publishes
  // HotspotStateChanged. Errors: NOT_FOUND; FAILED_PRECONDITION naming the state.
  virtual absl::StatusOr<v1::Hotspot> ChangeHotspotState(absl::string_view code,
                                                         v1::HotspotState state,
                                                         absl::string_view date,
                                                         int target_year) = 0;

  virtual absl::StatusOr<std::vector<v1::ReportObligation>> ListObligations(
      const ObligationQuery& q) = 0;
  // Stores an agency's report for a period it owes, replacing an earlier unapproved
  // one; marks it late after the deadline. Publishes ReportSubmitted. Errors:
  // INVALID_ARGUMENT naming period when the plan asks no such report of the agency;
  // NOT_FOUND for the plan; FAILED_PRECONDITION when that report is approved.
  virtual absl::StatusOr<v1::Report> SubmitReport(const v1::Report& report,
                                                  const CreateKey& key) = 0;
  // Errors: NOT_FOUND; PERMISSION_DENIED when `approver` is not the plan's
  // issuer_agency; FAILED_PRECONDITION when already approved.
  virtual absl::StatusOr<v1::Report> ApproveReport(absl::string_view id, absl::string_view approver,
                                                   absl::string_view date) = 0;
  virtual absl::StatusOr<std::vector<v1::Report>> ListReports(const ReportQuery& q) = 0;
  // Raises ReportDue for deadlines within 7 days and ReportOverdue for passed ones
  // without a report, each once. Returns how many events it raised.
  virtual absl::StatusOr<int> ScanDeadlines(absl::string_view today) = 0;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_PLAN_STORE_H_
