// Routing: the rules (data, pcmd.intake.v1.RoutingRules) that propose who should handle
// a new tip, from its category, legal kind and place. The service ships
// routing_rules.textproto, compiled in; --routing_rules names another file.
#ifndef PCMD_SERVICES_INTAKE_ROUTING_H_
#define PCMD_SERVICES_INTAKE_ROUTING_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/security/scope.h"
#include "pcmd/intake/v1/intake.pb.h"
#include "pcmd/intake/v1/routing.pb.h"

namespace pcmd::intake {

// The shipped rules (services/intake/routing_rules.textproto), as text.
absl::string_view DefaultRoutingRules();

class Router;
// The shipped rules, parsed once (they are checked by the tests, so a failure to parse
// them is a build defect: it aborts).
const Router& DefaultRouter();

// Immutable once parsed; thread-safe.
class Router {
 public:
  // Parses and checks rules in protobuf text format. Errors: INVALID_ARGUMENT naming
  // the rule and what is wrong (unparsable text, a missing or repeated id, an unknown
  // agency kind, enum value or level).
  static absl::StatusOr<Router> Parse(absl::string_view text);

  // The proposal of the first rule that matches `tip` (its category, legal kind and
  // unit_code), its unit found with `units`; nullopt when no rule matches. A rule
  // asking for the province or parent of a unit the tree does not know proposes the
  // tip's own unit. Errors: storage errors of `units`.
  absl::StatusOr<std::optional<v1::RouteProposal>> Propose(const v1::Tip& tip,
                                                           const security::UnitTree& units) const;

  const v1::RoutingRules& rules() const { return rules_; }

 private:
  explicit Router(v1::RoutingRules rules) : rules_(std::move(rules)) {}
  v1::RoutingRules rules_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_ROUTING_H_
