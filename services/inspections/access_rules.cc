#include "services/inspections/access_rules.h"

#include <cstdlib>

#include "common/events/admin_rules.h"

namespace pcmd::inspections {
namespace {

using K = security::AgencyKind;

// A rule table that does not load is a programming error caught by the tests.
void Must(const absl::Status& status) {
  if (!status.ok()) std::abort();
}

}  // namespace

security::AccessPolicy InspectionsAccessPolicy() {
  security::AccessPolicy policy;
  // The agencies that license and inspect risky businesses keep the registry. The
  // owner is a person: personal data.
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/CreateEstablishment",
                   .kinds = {K::kInspectionTeam, K::kPolice, K::kCulture, K::kSocialAffairs},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  // Business records are shared with every agency working on the plan in the unit, and
  // with pcmd's own services (intake checks the establishment a tip names); the owner
  // makes them personal data, so every read is audited.
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/GetEstablishment",
                   .kinds = {K::kInspectionTeam, K::kPolice, K::kCulture, K::kSocialAffairs,
                             K::kHealth, K::kMinistry, K::kService},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  Must(events::AddEventAdminRules(policy));
  return policy;
}

}  // namespace pcmd::inspections
