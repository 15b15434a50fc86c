// The gRPC adapter for pcmd.plans.v1.PlansService: every call goes through the guard
// (access_rules.cc), then the logic (plans.h); statuses keep their codes and field
// violations. Thread-safe.
#ifndef PCMD_SERVICES_PLANS_PLANS_SERVICE_H_
#define PCMD_SERVICES_PLANS_PLANS_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/plans/v1/plans.grpc.pb.h"
#include "services/plans/plans.h"

namespace pcmd::plans {

class PlansServiceImpl final : public v1::PlansService::Service {
 public:
  // `plans` is not owned and must outlive the service.
  PlansServiceImpl(Guard guard, Plans& plans) : guard_(std::move(guard)), plans_(plans) {}

#define PCMD_PLANS_RPC(Rpc)                                                       \
  grpc::Status Rpc(grpc::ServerContext* context, const v1::Rpc##Request* request, \
                   v1::Rpc##Response* response) override;
  PCMD_PLANS_RPC(CreatePlan)
  PCMD_PLANS_RPC(GetPlan)
  PCMD_PLANS_RPC(ListPlans)
  PCMD_PLANS_RPC(UpdatePlan)
  PCMD_PLANS_RPC(IssuePlan)
  PCMD_PLANS_RPC(SupersedePlan)
  PCMD_PLANS_RPC(ImportPlan)
  PCMD_PLANS_RPC(ExportPlan)
  PCMD_PLANS_RPC(UpdateTaskStatus)
  PCMD_PLANS_RPC(GetPlanProgress)
  PCMD_PLANS_RPC(ListTargetRecords)
  PCMD_PLANS_RPC(ListMetrics)
  PCMD_PLANS_RPC(RecordActivity)
  PCMD_PLANS_RPC(ListActivities)
  PCMD_PLANS_RPC(CreateHotspot)
  PCMD_PLANS_RPC(GetHotspot)
  PCMD_PLANS_RPC(ListHotspots)
  PCMD_PLANS_RPC(UpdateHotspotState)
  PCMD_PLANS_RPC(ListReportObligations)
  PCMD_PLANS_RPC(SubmitReport)
  PCMD_PLANS_RPC(ApproveReport)
  PCMD_PLANS_RPC(ListReports)
  PCMD_PLANS_RPC(GetReportingRates)
  PCMD_PLANS_RPC(GenerateReport)
#undef PCMD_PLANS_RPC

 private:
  const Guard guard_;
  Plans& plans_;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_PLANS_SERVICE_H_
