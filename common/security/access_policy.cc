#include "common/security/access_policy.h"

#include "absl/strings/str_cat.h"

namespace pcmd::security {

absl::Status AccessPolicy::Add(AccessRule rule) {
  const size_t slash = rule.method.rfind('/');
  if (rule.method.empty() || rule.method[0] != '/' || slash == 0 ||
      slash + 1 >= rule.method.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("method \"", rule.method, "\" is not /package.Service/Method"));
  }
  if (rule.kinds.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the rule for ", rule.method, " allows no agency kind; leave it out"));
  }
  if (rules_.count(rule.method) != 0) {
    return absl::AlreadyExistsError(absl::StrCat(rule.method, " already has a rule"));
  }
  const std::string method = rule.method;
  rules_.emplace(method, std::move(rule));
  return absl::OkStatus();
}

absl::StatusOr<AccessRule> AccessPolicy::Check(absl::string_view method,
                                               const Caller& caller) const {
  auto it = rules_.find(std::string(method));
  if (it == rules_.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat(method, " has no access rule, so nobody may call it"));
  }
  const AccessRule& rule = it->second;
  if (rule.kinds.count(caller.agency.kind) == 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("agencies of kind ", KindName(caller.agency.kind), " may not call ", method));
  }
  if (rule.personal_data && (caller.end_user.empty() || caller.purpose.empty())) {
    return absl::UnauthenticatedError(
        absl::StrCat(method, " touches personal data: state the end user (", kEndUserHeader,
                     ") and the purpose of use (", kPurposeHeader, ") with the call"));
  }
  return rule;
}

std::vector<std::string> AccessPolicy::MissingRules(
    const google::protobuf::ServiceDescriptor& service) const {
  std::vector<std::string> missing;
  for (int i = 0; i < service.method_count(); ++i) {
    const std::string method =
        absl::StrCat("/", service.full_name(), "/", service.method(i)->name());
    if (rules_.count(method) == 0) missing.push_back(method);
  }
  return missing;
}

}  // namespace pcmd::security
