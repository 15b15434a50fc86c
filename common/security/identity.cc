#include "common/security/identity.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace pcmd::security {
namespace {

struct KindEntry {
  AgencyKind kind;
  absl::string_view name;
};

constexpr KindEntry kKinds[] = {
    {AgencyKind::kPolice, "police"},
    {AgencyKind::kSocialAffairs, "social_affairs"},
    {AgencyKind::kInspectionTeam, "inspection_team"},
    {AgencyKind::kProvider, "provider"},
    {AgencyKind::kProcuracy, "procuracy"},
    {AgencyKind::kCourt, "court"},
    {AgencyKind::kCulture, "culture"},
    {AgencyKind::kHealth, "health"},
    {AgencyKind::kMinistry, "ministry"},
    {AgencyKind::kService, "service"},
    {AgencyKind::kOperator, "operator"},
};

bool IsCode(absl::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::string_view KindName(AgencyKind kind) {
  for (const KindEntry& e : kKinds) {
    if (e.kind == kind) return e.name;
  }
  return "unknown";
}

std::optional<AgencyKind> KindFromName(absl::string_view name) {
  for (const KindEntry& e : kKinds) {
    if (e.name == name) return e.kind;
  }
  return std::nullopt;
}

const std::vector<AgencyKind>& AllKinds() {
  static const auto* kinds = [] {
    auto* v = new std::vector<AgencyKind>();
    for (const KindEntry& e : kKinds) v->push_back(e.kind);
    return v;
  }();
  return *kinds;
}

absl::StatusOr<Agency> ParseAgencyUri(absl::string_view uri) {
  constexpr absl::string_view kPrefix = "urn:pcmd:agency:";
  if (uri.substr(0, kPrefix.size()) != kPrefix) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", uri, "\" is not urn:pcmd:agency:<kind>:<unit>:<code>"));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(uri.substr(kPrefix.size()), ':');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", uri, "\" needs exactly <kind>:<unit>:<code> after urn:pcmd:agency:"));
  }
  const auto kind = KindFromName(parts[0]);
  if (!kind.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown agency kind \"", parts[0], "\""));
  }
  if (!IsCode(parts[1])) {
    return absl::InvalidArgumentError(absl::StrCat("bad unit code \"", parts[1], "\""));
  }
  if (!IsCode(parts[2])) {
    return absl::InvalidArgumentError(absl::StrCat("bad agency code \"", parts[2], "\""));
  }
  return Agency{*kind, std::string(parts[1]), std::string(parts[2])};
}

std::string AgencyUri(const Agency& agency) {
  return absl::StrCat("urn:pcmd:agency:", KindName(agency.kind), ":", agency.unit_code, ":",
                      agency.code);
}

}  // namespace pcmd::security
