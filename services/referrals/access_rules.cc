#include "services/referrals/access_rules.h"

#include <cstdlib>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/events/admin_rules.h"

namespace pcmd::referrals {
namespace {

using K = security::AgencyKind;

// A rule table that does not load is a programming error caught by the tests.
void Must(const absl::Status& status) {
  if (!status.ok()) std::abort();
}

// One rule: `kinds` may call `method` of `service` with `scope`.
void Rule(security::AccessPolicy& policy, absl::string_view service, absl::string_view method,
          std::set<K> kinds, security::Scope scope, bool personal_data) {
  Must(policy.Add({.method = absl::StrCat("/pcmd.referrals.v1.", service, "/", method),
                   .kinds = std::move(kinds),
                   .scope = scope,
                   .personal_data = personal_data}));
}

}  // namespace

security::AccessPolicy ReferralsAccessPolicy() {
  using security::Scope;
  security::AccessPolicy policy;
  // Case workers: the social-affairs authority and, since the 2025 reorganisation, the
  // health departments that took over its social work.
  const std::set<K> case_workers = {K::kSocialAffairs, K::kHealth};
  // Anyone who refers a person to support needs to find providers.
  const std::set<K> directory_readers = {K::kSocialAffairs,  K::kHealth,   K::kProvider, K::kPolice,
                                         K::kInspectionTeam, K::kMinistry, K::kService};
  constexpr absl::string_view kReferrals = "ReferralsService";
  Rule(policy, kReferrals, "CreateProvider", case_workers, Scope::kOwnUnitSubtree, false);
  Rule(policy, kReferrals, "UpdateProvider", case_workers, Scope::kOwnUnitSubtree, false);
  Rule(policy, kReferrals, "GetProvider", directory_readers, Scope::kAll, false);
  Rule(policy, kReferrals, "ListProviders", directory_readers, Scope::kAll, false);
  // Outreach tasks carry pseudonyms and the minor/victim flags of a person.
  for (absl::string_view method :
       {"ListOutreachTasks", "CloseOutreachTask", "RecordOutreachContact", "RegisterClient",
        "GetClient", "ListClients", "GiveConsent", "WithdrawConsent", "ListConsents", "AssessNeeds",
        "CreateReferral", "GetReferral", "ListReferrals", "RevokeReferral",
        "ScheduleReferralFollowUp"}) {
    Rule(policy, kReferrals, method, case_workers, Scope::kOwnUnitSubtree, true);
  }
  // Providers reach only what is addressed to them. The list and the watch carry no
  // client field; the rest show what the client's consent allows.
  constexpr absl::string_view kInbox = "ProviderInboxService";
  Rule(policy, kInbox, "ListInboxReferrals", {K::kProvider}, Scope::kAddressedToProvider, false);
  Rule(policy, kInbox, "WatchInbox", {K::kProvider}, Scope::kAddressedToProvider, false);
  for (absl::string_view method : {"GetInboxReferral", "AcceptReferral", "DeclineReferral",
                                   "RecordServiceDelivery", "CompleteReferral"}) {
    Rule(policy, kInbox, method, {K::kProvider}, Scope::kAddressedToProvider, true);
  }
  for (absl::string_view method : {"OpenCase", "GetCase", "ListCases", "UpdateCase", "AddCaseNote",
                                   "ListCaseNotes", "ReviewCase", "CloseCase"}) {
    Rule(policy, "CasesService", method, case_workers, Scope::kOwnUnitSubtree, true);
  }
  Must(events::AddEventAdminRules(policy));
  return policy;
}

}  // namespace pcmd::referrals
