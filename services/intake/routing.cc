#include "services/intake/routing.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/security/identity.h"
#include "common/status/status_macros.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace pcmd::intake {
namespace {

bool IsRuleId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

template <typename Enum>
bool Contains(const google::protobuf::RepeatedField<int>& values, Enum value) {
  return values.empty() ||
         std::find(values.begin(), values.end(), static_cast<int>(value)) != values.end();
}

}  // namespace

absl::StatusOr<Router> Router::Parse(absl::string_view text) {
  v1::RoutingRules rules;
  // Collects protobuf's "line:column: what" so an operator sees where a file is wrong.
  class Errors : public google::protobuf::io::ErrorCollector {
   public:
    void AddError(int line, int column, const std::string& message) override {
      if (first.empty()) first = absl::StrCat(line + 1, ":", column + 1, ": ", message);
    }
    std::string first;
  } errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &rules)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "routing rules are not valid pcmd.intake.v1.RoutingRules text: ", errors.first));
  }
  std::set<std::string> ids;
  for (int i = 0; i < rules.rules_size(); ++i) {
    const v1::RoutingRule& rule = rules.rules(i);
    const std::string where = absl::StrCat("routing rule ", i, " (\"", rule.id(), "\")");
    if (!IsRuleId(rule.id())) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": id must be 1-64 of [a-z0-9-]"));
    }
    if (!ids.insert(rule.id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": id is used twice"));
    }
    if (!security::KindFromName(rule.agency_kind()).has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": unknown agency_kind \"", rule.agency_kind(), "\""));
    }
    if (rule.level() == v1::ROUTE_LEVEL_UNSPECIFIED || !v1::RouteLevel_IsValid(rule.level())) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": level is required"));
    }
    for (int c : rule.categories()) {
      if (c == 0 || !v1::Category_IsValid(c)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": unknown category ", c));
      }
    }
    for (int k : rule.legal_kinds()) {
      if (k == 0 || !v1::LegalKind_IsValid(k)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": unknown legal kind ", k));
      }
    }
  }
  return Router(std::move(rules));
}

const Router& DefaultRouter() {
  static const Router* router = [] {
    absl::StatusOr<Router> parsed = Router::Parse(DefaultRoutingRules());
    if (!parsed.ok()) std::abort();
    return new Router(*std::move(parsed));
  }();
  return *router;
}

absl::StatusOr<std::optional<v1::RouteProposal>> Router::Propose(
    const v1::Tip& tip, const security::UnitTree& units) const {
  for (const v1::RoutingRule& rule : rules_.rules()) {
    if (!Contains(rule.categories(), tip.category()) ||
        !Contains(rule.legal_kinds(), tip.legal_kind())) {
      continue;
    }
    if (!rule.within_unit().empty()) {
      PCMD_ASSIGN_OR_RETURN(bool within, units.IsWithin(tip.unit_code(), rule.within_unit()));
      if (!within) continue;
    }
    std::string unit = tip.unit_code();
    if (rule.level() != v1::ROUTE_LEVEL_PLACE) {
      PCMD_ASSIGN_OR_RETURN(std::vector<std::string> ancestors, units.AncestorsOf(unit));
      // The national level is not a place anyone is sent to.
      std::erase(ancestors, std::string(security::kNationalUnit));
      if (!ancestors.empty()) {
        unit = rule.level() == v1::ROUTE_LEVEL_PARENT ? ancestors.front() : ancestors.back();
      }
    }
    v1::RouteProposal proposal;
    proposal.set_agency_kind(rule.agency_kind());
    proposal.set_unit_code(unit);
    proposal.set_rule(rule.id());
    return std::optional<v1::RouteProposal>(std::move(proposal));
  }
  return std::optional<v1::RouteProposal>();
}

}  // namespace pcmd::intake
