#include "services/plans/plans_service.h"

#include "common/status/status_macros.h"

namespace pcmd::plans {

// Each body: the guarded call, the logic's answer into the response, the record it
// touched named for the audit log.
#define PCMD_PLANS_BODY(Rpc, ...)                                                      \
  grpc::Status PlansServiceImpl::Rpc(grpc::ServerContext* context,                     \
                                     const v1::Rpc##Request* request,                  \
                                     v1::Rpc##Response* response) {                    \
    return guard_.Run(context, #Rpc, [&](Call& call) -> absl::Status { __VA_ARGS__ }); \
  }

PCMD_PLANS_BODY(CreatePlan, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_plan(), plans_.CreatePlan(call.access(), *request));
  call.Touch(response->plan().name());
  return absl::OkStatus();
})
PCMD_PLANS_BODY(GetPlan, {
  call.Touch(request->name());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_plan(), plans_.GetPlan(request->name()));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ListPlans, {
  PCMD_ASSIGN_OR_RETURN(*response, plans_.ListPlans(*request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(UpdatePlan, {
  call.Touch(request->plan().name());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_plan(), plans_.UpdatePlan(call.access(), *request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(IssuePlan, {
  call.Touch(request->name());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_plan(), plans_.IssuePlan(call.access(), *request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(SupersedePlan, {
  call.Touch(request->name());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_plan(), plans_.SupersedePlan(call.access(), *request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ImportPlan, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_plan(), plans_.ImportPlan(call.access(), *request));
  call.Touch(response->plan().name());
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ExportPlan, {
  call.Touch(request->name());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_document(), plans_.ExportPlan(request->name()));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(UpdateTaskStatus, {
  call.Touch(request->plan());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_task(),
                        plans_.UpdateTaskStatus(call.access(), *request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(GetPlanProgress, {
  call.Touch(request->plan());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_progress(), plans_.GetPlanProgress(*request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ListTargetRecords, {
  call.Touch(request->plan());
  PCMD_ASSIGN_OR_RETURN(*response, plans_.ListTargetRecords(*request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ListMetrics, {
  (void)request;
  *response = Plans::ListMetrics();
  return absl::OkStatus();
})
PCMD_PLANS_BODY(RecordActivity, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_activity(),
                        plans_.RecordActivity(call.access(), *request));
  call.Touch(response->activity().name());
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ListActivities, {
  PCMD_ASSIGN_OR_RETURN(*response, plans_.ListActivities(*request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(CreateHotspot, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_hotspot(),
                        plans_.CreateHotspot(call.access(), *request));
  call.Touch(response->hotspot().name());
  return absl::OkStatus();
})
PCMD_PLANS_BODY(GetHotspot, {
  call.Touch(request->name());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_hotspot(), plans_.GetHotspot(request->name()));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ListHotspots, {
  PCMD_ASSIGN_OR_RETURN(*response, plans_.ListHotspots(*request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(UpdateHotspotState, {
  call.Touch(request->name());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_hotspot(),
                        plans_.UpdateHotspotState(call.access(), *request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ListReportObligations, {
  call.Touch(request->plan());
  PCMD_ASSIGN_OR_RETURN(*response, plans_.ListReportObligations(*request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(SubmitReport, {
  PCMD_ASSIGN_OR_RETURN(*response->mutable_report(), plans_.SubmitReport(call.access(), *request));
  call.Touch(response->report().name());
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ApproveReport, {
  call.Touch(request->name());
  PCMD_ASSIGN_OR_RETURN(*response->mutable_report(), plans_.ApproveReport(call.access(), *request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(ListReports, {
  PCMD_ASSIGN_OR_RETURN(*response, plans_.ListReports(*request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(GetReportingRates, {
  PCMD_ASSIGN_OR_RETURN(*response, plans_.GetReportingRates(*request));
  return absl::OkStatus();
})
PCMD_PLANS_BODY(GenerateReport, {
  call.Touch(request->plan());
  PCMD_ASSIGN_OR_RETURN(*response, plans_.GenerateReport(*request));
  return absl::OkStatus();
})

#undef PCMD_PLANS_BODY

}  // namespace pcmd::plans
