#include "services/referrals/access_rules.h"

#include <cstdlib>

#include "common/events/admin_rules.h"

namespace pcmd::referrals {
namespace {

using K = security::AgencyKind;

// A rule table that does not load is a programming error caught by the tests.
void Must(const absl::Status& status) {
  if (!status.ok()) std::abort();
}

}  // namespace

security::AccessPolicy ReferralsAccessPolicy() {
  security::AccessPolicy policy;
  // The social-affairs authority and health departments keep the directory of support
  // providers.
  Must(policy.Add({.method = "/pcmd.referrals.v1.ReferralsService/CreateProvider",
                   .kinds = {K::kSocialAffairs, K::kHealth},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = false}));
  // Anyone who refers a person to support needs to find providers.
  Must(policy.Add({.method = "/pcmd.referrals.v1.ReferralsService/GetProvider",
                   .kinds = {K::kSocialAffairs, K::kHealth, K::kProvider, K::kPolice,
                             K::kInspectionTeam, K::kMinistry, K::kService},
                   .scope = security::Scope::kAll,
                   .personal_data = false}));
  Must(events::AddEventAdminRules(policy));
  return policy;
}

}  // namespace pcmd::referrals
