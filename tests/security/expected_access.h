// The expected access matrix, written by hand and independently of the rule tables
// (services/*/access_rules.cc): for every RPC of every service, the agency kinds allowed
// to call it and whether it touches personal data (then an end user and a purpose are
// required too). Shared by the in-process matrix test and the one over real gRPC calls,
// so a change to the rules that the matrix does not share fails both.
#ifndef PCMD_TESTS_SECURITY_EXPECTED_ACCESS_H_
#define PCMD_TESTS_SECURITY_EXPECTED_ACCESS_H_

#include <map>
#include <string>

namespace pcmd::security {

struct Expected {
  const char* allowed;  // Kind names, space-separated.
  bool personal_data;
};

inline const std::map<std::string, Expected>& Matrix() {
  static const auto* m = new std::map<std::string, Expected>{
      {"/pcmd.intake.v1.IntakeService/SubmitTip",
       {"police social_affairs inspection_team ministry service", true}},
      {"/pcmd.intake.v1.IntakeService/GetTip",
       {"police social_affairs procuracy inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/RevealReporter", {"police procuracy", true}},
      {"/pcmd.intake.v1.IntakeService/VerifyTip", {"police social_affairs inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/ClassifyTip",
       {"police social_affairs inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/AssignTip", {"police social_affairs inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/TransferTip",
       {"police social_affairs inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/AcceptTransfer",
       {"police social_affairs inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/RejectTransfer",
       {"police social_affairs inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/ExtendTipDeadline",
       {"police social_affairs inspection_team procuracy", true}},
      {"/pcmd.intake.v1.IntakeService/ResolveTip", {"police social_affairs inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/MarkTipDuplicate",
       {"police social_affairs inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/ListTips",
       {"police social_affairs procuracy inspection_team ministry", true}},
      {"/pcmd.intake.v1.IntakeService/ListLikelyDuplicates",
       {"police social_affairs procuracy inspection_team", true}},
      {"/pcmd.intake.v1.IntakeService/WatchTips",
       {"police social_affairs procuracy inspection_team", false}},
      {"/pcmd.intake.v1.IntakeService/CreateHandOver", {"police", true}},
      {"/pcmd.intake.v1.IntakeService/GetHandOver", {"police social_affairs", true}},
      {"/pcmd.inspections.v1.InspectionsService/CreateEstablishment",
       {"inspection_team police culture social_affairs", true}},
      {"/pcmd.inspections.v1.InspectionsService/GetEstablishment",
       {"inspection_team police culture social_affairs health ministry service", true}},
      {"/pcmd.inspections.v1.InspectionsService/ListEstablishments",
       {"inspection_team police culture social_affairs health ministry service", false}},
      {"/pcmd.inspections.v1.InspectionsService/UpdateEstablishment",
       {"inspection_team police culture social_affairs", true}},
      {"/pcmd.inspections.v1.InspectionsService/CloseEstablishment",
       {"inspection_team police culture social_affairs", true}},
      {"/pcmd.inspections.v1.InspectionsService/CreateTeam", {"social_affairs", false}},
      {"/pcmd.inspections.v1.InspectionsService/GetTeam",
       {"inspection_team police culture social_affairs health ministry service", false}},
      {"/pcmd.inspections.v1.InspectionsService/ListTeams",
       {"inspection_team police culture social_affairs health ministry service", false}},
      {"/pcmd.inspections.v1.InspectionsService/ScheduleInspection",
       {"inspection_team police culture social_affairs", false}},
      {"/pcmd.inspections.v1.InspectionsService/GetInspection",
       {"inspection_team police social_affairs", true}},
      {"/pcmd.inspections.v1.InspectionsService/ListInspections",
       {"inspection_team police culture social_affairs health ministry service", false}},
      {"/pcmd.inspections.v1.InspectionsService/RecordInspectionResult", {"inspection_team", true}},
      {"/pcmd.inspections.v1.InspectionsService/CancelInspection", {"inspection_team", false}},
      {"/pcmd.inspections.v1.InspectionsService/ListLegalReferences",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.inspections.v1.InspectionsService/ProposeSchedule",
       {"inspection_team social_affairs", false}},
      {"/pcmd.inspections.v1.InspectionsService/GetCoverage",
       {"inspection_team police culture social_affairs health ministry service", false}},
      {"/pcmd.referrals.v1.ReferralsService/CreateProvider", {"social_affairs health", false}},
      {"/pcmd.referrals.v1.ReferralsService/GetProvider",
       {"social_affairs health provider police inspection_team ministry service", false}},
      {"/pcmd.referrals.v1.ReferralsService/ListProviders",
       {"social_affairs health provider police inspection_team ministry service", false}},
      {"/pcmd.referrals.v1.ReferralsService/UpdateProvider", {"social_affairs health", false}},
      {"/pcmd.referrals.v1.ReferralsService/ListOutreachTasks", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/CloseOutreachTask", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/RecordOutreachContact",
       {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/RegisterClient", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/GetClient", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/ListClients", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/GiveConsent", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/WithdrawConsent", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/ListConsents", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/AssessNeeds", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/CreateReferral", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/GetReferral", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/ListReferrals", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/RevokeReferral", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.ReferralsService/ScheduleReferralFollowUp",
       {"social_affairs health", true}},
      // A provider reaches only what is addressed to it (checked per referral).
      {"/pcmd.referrals.v1.ProviderInboxService/GetInboxReferral", {"provider", true}},
      {"/pcmd.referrals.v1.ProviderInboxService/ListInboxReferrals", {"provider", false}},
      {"/pcmd.referrals.v1.ProviderInboxService/WatchInbox", {"provider", false}},
      {"/pcmd.referrals.v1.ProviderInboxService/AcceptReferral", {"provider", true}},
      {"/pcmd.referrals.v1.ProviderInboxService/DeclineReferral", {"provider", true}},
      {"/pcmd.referrals.v1.ProviderInboxService/RecordServiceDelivery", {"provider", true}},
      {"/pcmd.referrals.v1.ProviderInboxService/CompleteReferral", {"provider", true}},
      {"/pcmd.referrals.v1.CasesService/OpenCase", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.CasesService/GetCase", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.CasesService/ListCases", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.CasesService/UpdateCase", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.CasesService/AddCaseNote", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.CasesService/ListCaseNotes", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.CasesService/ReviewCase", {"social_affairs health", true}},
      {"/pcmd.referrals.v1.CasesService/CloseCase", {"social_affairs health", true}},
      {"/pcmd.plans.v1.DirectoryService/CreateUnit", {"ministry operator", false}},
      {"/pcmd.plans.v1.DirectoryService/CreateAgency", {"ministry operator", false}},
      {"/pcmd.plans.v1.DirectoryService/GetUnit",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.DirectoryService/ListUnits",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.DirectoryService/ResolveUnit",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.DirectoryService/GetAgency",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.DirectoryService/ListAgencies",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      // Plans are public documents without personal data.
      {"/pcmd.plans.v1.PlansService/CreatePlan", {"social_affairs ministry operator", false}},
      {"/pcmd.plans.v1.PlansService/UpdatePlan", {"social_affairs ministry operator", false}},
      {"/pcmd.plans.v1.PlansService/IssuePlan", {"social_affairs ministry operator", false}},
      {"/pcmd.plans.v1.PlansService/SupersedePlan", {"social_affairs ministry operator", false}},
      {"/pcmd.plans.v1.PlansService/ImportPlan", {"social_affairs ministry operator", false}},
      {"/pcmd.plans.v1.PlansService/GetPlan",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/ListPlans",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/ExportPlan",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/GetPlanProgress",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/ListTargetRecords",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/ListMetrics",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/ListActivities",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/GetHotspot",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/ListHotspots",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/ListReportObligations",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/ListReports",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/GetReportingRates",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/GenerateReport",
       {"police social_affairs inspection_team provider procuracy court culture health ministry "
        "service operator",
        false}},
      {"/pcmd.plans.v1.PlansService/UpdateTaskStatus",
       {"police social_affairs inspection_team provider procuracy court culture health ministry",
        false}},
      {"/pcmd.plans.v1.PlansService/SubmitReport",
       {"police social_affairs inspection_team provider procuracy court culture health ministry",
        false}},
      {"/pcmd.plans.v1.PlansService/RecordActivity",
       {"police social_affairs inspection_team provider procuracy court culture health ministry",
        false}},
      {"/pcmd.plans.v1.PlansService/CreateHotspot", {"social_affairs police ministry", false}},
      {"/pcmd.plans.v1.PlansService/UpdateHotspotState", {"social_affairs police ministry", false}},
      {"/pcmd.plans.v1.PlansService/ApproveReport", {"social_affairs ministry", false}},
      // Only pcmd's operators run the bus; a service's own certificate does not.
      {"/pcmd.events.v1.EventAdminService/GetEventStats", {"operator", false}},
      {"/pcmd.events.v1.EventAdminService/ResetConsumer", {"operator", false}},
      {"/pcmd.events.v1.EventAdminService/RepublishEvents", {"operator", false}},
  };
  return *m;
}

}  // namespace pcmd::security

#endif  // PCMD_TESTS_SECURITY_EXPECTED_ACCESS_H_
