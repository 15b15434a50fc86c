// Plans, their targets measured live, tasks, activities, hotspots and reports: the
// logic behind PlansService. Validation, reach and state rules; no gRPC, no SQL.
// Thread-safe when its stores are.
//
// Reach: a caller changes plans, activities, hotspots and reports of its own unit and
// the units under it (its rule's scope, common/security/scope.h); national callers
// reach all. Reading plans and their progress is open to every agency: plans are
// public documents and figures carry no personal data.
#ifndef PCMD_SERVICES_PLANS_PLANS_H_
#define PCMD_SERVICES_PLANS_PLANS_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/ids/clock.h"
#include "common/security/scope.h"
#include "pcmd/plans/v1/plans.pb.h"
#include "services/plans/directory_store.h"
#include "services/plans/plan_store.h"
#include "services/plans/progress.h"

namespace pcmd::plans {

class Plans {
 public:
  // Nothing is owned; everything must outlive this object.
  Plans(PlanStore& store, DirectoryStore& directory, Figures& figures,
        const security::UnitTree& units, const Clock& clock)
      : store_(store), directory_(directory), figures_(figures), units_(units), clock_(clock) {}

  // Every method answers INVALID_ARGUMENT with the offending fields for a malformed
  // request, PERMISSION_DENIED for a unit beyond the caller's reach, and the store's
  // errors (plan_store.h) otherwise.
  absl::StatusOr<v1::Plan> CreatePlan(const security::Access& access,
                                      const v1::CreatePlanRequest& request);
  absl::StatusOr<v1::Plan> GetPlan(absl::string_view name);
  absl::StatusOr<v1::ListPlansResponse> ListPlans(const v1::ListPlansRequest& request);
  absl::StatusOr<v1::Plan> UpdatePlan(const security::Access& access,
                                      const v1::UpdatePlanRequest& request);
  absl::StatusOr<v1::Plan> IssuePlan(const security::Access& access,
                                     const v1::IssuePlanRequest& request);
  absl::StatusOr<v1::Plan> SupersedePlan(const security::Access& access,
                                         const v1::SupersedePlanRequest& request);
  // Also ALREADY_EXISTS when the code holds a different plan that is not a draft (a
  // draft is replaced by the document).
  absl::StatusOr<v1::Plan> ImportPlan(const security::Access& access,
                                      const v1::ImportPlanRequest& request);
  absl::StatusOr<std::string> ExportPlan(absl::string_view name);
  absl::StatusOr<v1::Task> UpdateTaskStatus(const security::Access& access,
                                            const v1::UpdateTaskStatusRequest& request);

  absl::StatusOr<v1::PlanProgress> GetPlanProgress(const v1::GetPlanProgressRequest& request);
  // Also FAILED_PRECONDITION for a reported target; NOT_FOUND naming target_id.
  absl::StatusOr<v1::ListTargetRecordsResponse> ListTargetRecords(
      const v1::ListTargetRecordsRequest& request);
  static v1::ListMetricsResponse ListMetrics();

  absl::StatusOr<v1::Activity> RecordActivity(const security::Access& access,
                                              const v1::RecordActivityRequest& request);
  absl::StatusOr<v1::ListActivitiesResponse> ListActivities(
      const v1::ListActivitiesRequest& request);

  absl::StatusOr<v1::Hotspot> CreateHotspot(const security::Access& access,
                                            const v1::CreateHotspotRequest& request);
  absl::StatusOr<v1::Hotspot> GetHotspot(absl::string_view name);
  absl::StatusOr<v1::ListHotspotsResponse> ListHotspots(const v1::ListHotspotsRequest& request);
  absl::StatusOr<v1::Hotspot> UpdateHotspotState(const security::Access& access,
                                                 const v1::UpdateHotspotStateRequest& request);

  absl::StatusOr<v1::ListReportObligationsResponse> ListReportObligations(
      const v1::ListReportObligationsRequest& request);
  // The calling agency reports for itself.
  absl::StatusOr<v1::Report> SubmitReport(const security::Access& access,
                                          const v1::SubmitReportRequest& request);
  absl::StatusOr<v1::Report> ApproveReport(const security::Access& access,
                                           const v1::ApproveReportRequest& request);
  absl::StatusOr<v1::ListReportsResponse> ListReports(const v1::ListReportsRequest& request);
  absl::StatusOr<v1::GetReportingRatesResponse> GetReportingRates(
      const v1::GetReportingRatesRequest& request);
  absl::StatusOr<v1::GenerateReportResponse> GenerateReport(
      const v1::GenerateReportRequest& request);

  // ReportDue / ReportOverdue for today (report scanner).
  absl::StatusOr<int> ScanDeadlines();

 private:
  std::string Today() const;
  absl::Status CheckReach(const security::Access& access, absl::string_view record,
                          absl::string_view unit) const;
  absl::StatusOr<v1::Plan> Import(const security::Access& access, const v1::Plan& plan,
                                  const v1::ImportPlanRequest& request);

  PlanStore& store_;
  DirectoryStore& directory_;
  Figures& figures_;
  const security::UnitTree& units_;
  const Clock& clock_;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_PLANS_H_
