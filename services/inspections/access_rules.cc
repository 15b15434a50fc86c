#include "services/inspections/access_rules.h"

#include <cstdlib>
#include <set>

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
  const std::set<K> registry_keepers = {K::kInspectionTeam, K::kPolice, K::kCulture,
                                        K::kSocialAffairs};
  const std::set<K> registry_readers = {K::kInspectionTeam, K::kPolice, K::kCulture,
                                        K::kSocialAffairs,  K::kHealth, K::kMinistry,
                                        K::kService};
  // The list leaves owners out: no personal data.
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/ListEstablishments",
                   .kinds = registry_readers,
                   .scope = security::Scope::kOwnUnitSubtree}));
  // Both answer the record with its owner.
  for (const char* method : {"/pcmd.inspections.v1.InspectionsService/UpdateEstablishment",
                             "/pcmd.inspections.v1.InspectionsService/CloseEstablishment"}) {
    Must(policy.Add({.method = method,
                     .kinds = registry_keepers,
                     .scope = security::Scope::kOwnUnitSubtree,
                     .personal_data = true}));
  }
  // The social-affairs authority leads Teams 178 and keeps their records (Decree
  // 178/2004/NĐ-CP); members are officials acting in office.
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/CreateTeam",
                   .kinds = {K::kSocialAffairs},
                   .scope = security::Scope::kOwnUnitSubtree}));
  for (const char* method : {"/pcmd.inspections.v1.InspectionsService/GetTeam",
                             "/pcmd.inspections.v1.InspectionsService/ListTeams",
                             "/pcmd.inspections.v1.InspectionsService/ListInspections"}) {
    Must(policy.Add(
        {.method = method, .kinds = registry_readers, .scope = security::Scope::kOwnUnitSubtree}));
  }
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/ScheduleInspection",
                   .kinds = registry_keepers,
                   .scope = security::Scope::kOwnUnitSubtree}));
  // The result names the people met: the team and the agencies that act on it.
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/GetInspection",
                   .kinds = {K::kInspectionTeam, K::kPolice, K::kSocialAffairs},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  // Only the inspecting team records or cancels (the logic checks it is that team).
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/RecordInspectionResult",
                   .kinds = {K::kInspectionTeam},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/CancelInspection",
                   .kinds = {K::kInspectionTeam},
                   .scope = security::Scope::kOwnUnitSubtree}));
  // Public law, read by anyone with a certificate.
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/ListLegalReferences",
                   .kinds = {security::AllKinds().begin(), security::AllKinds().end()},
                   .scope = security::Scope::kAll}));
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/ProposeSchedule",
                   .kinds = {K::kInspectionTeam, K::kSocialAffairs},
                   .scope = security::Scope::kOwnUnitSubtree}));
  Must(policy.Add({.method = "/pcmd.inspections.v1.InspectionsService/GetCoverage",
                   .kinds = registry_readers,
                   .scope = security::Scope::kOwnUnitSubtree}));
  Must(events::AddEventAdminRules(policy));
  return policy;
}

}  // namespace pcmd::inspections
