#include "services/plans/access_rules.h"

#include <cstdlib>

#include "common/events/admin_rules.h"

namespace pcmd::plans {
namespace {

using K = security::AgencyKind;

// A rule table that does not load is a programming error caught by the tests.
void Must(const absl::Status& status) {
  if (!status.ok()) std::abort();
}

}  // namespace

security::AccessPolicy PlansAccessPolicy() {
  security::AccessPolicy policy;
  // Administrative units are national reference data, maintained centrally: by the
  // ministry's system or pcmd's operators.
  Must(policy.Add({.method = "/pcmd.plans.v1.DirectoryService/CreateUnit",
                   .kinds = {K::kMinistry, K::kOperator},
                   .scope = security::Scope::kAll,
                   .personal_data = false}));
  // Every agency refers to units.
  Must(policy.Add(
      {.method = "/pcmd.plans.v1.DirectoryService/GetUnit",
       .kinds = {K::kPolice, K::kSocialAffairs, K::kInspectionTeam, K::kProvider, K::kProcuracy,
                 K::kCourt, K::kCulture, K::kHealth, K::kMinistry, K::kService, K::kOperator},
       .scope = security::Scope::kAll,
       .personal_data = false}));
  Must(events::AddEventAdminRules(policy));
  return policy;
}

}  // namespace pcmd::plans
