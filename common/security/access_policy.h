// Access rules: every RPC of a service has exactly one rule, kept in one readable
// table per service (services/<name>/access_rules.cc); anything without a rule is
// denied. A rule says which agency kinds may call the RPC, with what scope, and
// whether the call touches personal data (then the end user and purpose are required).
//
// Scope is checked where the records are known: the policy hands the rule's scope to
// the logic, which filters or refuses per record (own unit subtree, assigned to the
// caller, addressed to the caller as provider).
//
// An AccessPolicy is built once at start-up and then only read; reading is thread-safe.
#ifndef PCMD_COMMON_SECURITY_ACCESS_POLICY_H_
#define PCMD_COMMON_SECURITY_ACCESS_POLICY_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/security/identity.h"
#include "google/protobuf/descriptor.h"

namespace pcmd::security {

enum class Scope {
  kAll,                  // Anything of the service (directory reads, own services).
  kOwnUnitSubtree,       // Records in the caller's unit and the units under it.
  kAssignedToCaller,     // Records whose current responsible agency is the caller.
  kAddressedToProvider,  // Referrals addressed to the calling provider.
};

struct AccessRule {
  // Full method name: "/pcmd.intake.v1.IntakeService/SubmitTip".
  std::string method;
  std::set<AgencyKind> kinds;
  Scope scope = Scope::kOwnUnitSubtree;
  bool personal_data = false;
};

class AccessPolicy {
 public:
  // Adds a rule. Errors: ALREADY_EXISTS when the method has a rule (one rule each);
  // INVALID_ARGUMENT when the method is not "/package.Service/Method" or no kind is
  // allowed.
  absl::Status Add(AccessRule rule);

  // Decides one call. Returns the rule (its scope still to be applied by the logic).
  // Errors: PERMISSION_DENIED when the method has no rule (deny by default) or the
  // caller's kind is not allowed; UNAUTHENTICATED when the rule touches personal data
  // and the call does not state its end user or purpose.
  absl::StatusOr<AccessRule> Check(absl::string_view method, const Caller& caller) const;

  // Methods of `service` without a rule — must be empty; the access-matrix tests
  // assert it so that adding an RPC without a rule fails them.
  std::vector<std::string> MissingRules(const google::protobuf::ServiceDescriptor& service) const;

  const std::map<std::string, AccessRule>& rules() const { return rules_; }

 private:
  std::map<std::string, AccessRule> rules_;
};

}  // namespace pcmd::security

#endif  // PCMD_COMMON_SECURITY_ACCESS_POLICY_H_
