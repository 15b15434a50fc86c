#include "services/plans/access_rules.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/events/admin_rules.h"

namespace pcmd::plans {
namespace {

using K = security::AgencyKind;

// A rule table that does not load is a programming error caught by the tests.
void Must(const absl::Status& status) {
  if (!status.ok()) std::abort();
}

// Every agency that takes part in the plans (not pcmd's own tools).
const std::set<K> kAgencies = {K::kPolice,   K::kSocialAffairs, K::kInspectionTeam,
                               K::kProvider, K::kProcuracy,     K::kCourt,
                               K::kCulture,  K::kHealth,        K::kMinistry};

void Add(security::AccessPolicy& policy, absl::string_view service, absl::string_view rpc,
         std::set<K> kinds, security::Scope scope) {
  Must(policy.Add({.method = absl::StrCat("/pcmd.plans.v1.", service, "/", rpc),
                   .kinds = std::move(kinds),
                   .scope = scope,
                   .personal_data = false}));
}

}  // namespace

security::AccessPolicy PlansAccessPolicy() {
  security::AccessPolicy policy;
  using security::Scope;
  // Administrative units and agencies are national reference data, maintained
  // centrally: by the ministry's system or pcmd's operators. Every agency reads them.
  std::set<K> readers = kAgencies;
  readers.insert({K::kService, K::kOperator});
  for (const char* rpc : {"CreateUnit", "CreateAgency"}) {
    Add(policy, "DirectoryService", rpc, {K::kMinistry, K::kOperator}, Scope::kAll);
  }
  for (const char* rpc : {"GetUnit", "ListUnits", "ResolveUnit", "GetAgency", "ListAgencies"}) {
    Add(policy, "DirectoryService", rpc, readers, Scope::kAll);
  }

  // Plans are drafted and issued by the social-affairs authority (for its People's
  // Committee) or a ministry, within its own unit; operators load the seed plans.
  const std::set<K> owners = {K::kSocialAffairs, K::kMinistry, K::kOperator};
  for (const char* rpc : {"CreatePlan", "UpdatePlan", "IssuePlan", "SupersedePlan", "ImportPlan"}) {
    Add(policy, "PlansService", rpc, owners, Scope::kOwnUnitSubtree);
  }
  // Plans and their figures are public documents without personal data: every
  // agency reads them, and pcmd's services and operators too.
  for (const char* rpc :
       {"GetPlan", "ListPlans", "ExportPlan", "GetPlanProgress", "ListTargetRecords", "ListMetrics",
        "ListActivities", "GetHotspot", "ListHotspots", "ListReportObligations", "ListReports",
        "GetReportingRates", "GenerateReport"}) {
    Add(policy, "PlansService", rpc, readers, Scope::kAll);
  }
  // The lead agency of a task (checked against the task) reports its status; agencies
  // report for themselves.
  for (const char* rpc : {"UpdateTaskStatus", "SubmitReport"}) {
    Add(policy, "PlansService", rpc, kAgencies, Scope::kOwnUnitSubtree);
  }
  // Communication and training are done by most agencies (culture, health, police,
  // social affairs, Teams 178, providers).
  Add(policy, "PlansService", "RecordActivity", kAgencies, Scope::kOwnUnitSubtree);
  // Hotspots are registered and moved on by social affairs and police, within their
  // unit, or nationally.
  for (const char* rpc : {"CreateHotspot", "UpdateHotspotState"}) {
    Add(policy, "PlansService", rpc, {K::kSocialAffairs, K::kPolice, K::kMinistry},
        Scope::kOwnUnitSubtree);
  }
  // The plan's owner (checked against the plan's issuer_agency) approves reports.
  Add(policy, "PlansService", "ApproveReport", {K::kSocialAffairs, K::kMinistry},
      Scope::kOwnUnitSubtree);
  Must(events::AddEventAdminRules(policy));
  return policy;
}

}  // namespace pcmd::plans
