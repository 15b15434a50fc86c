#include "services/referrals/providers.h"

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/paging/paging.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/text/text.h"
#include "common/units/units.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::referrals {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;
constexpr int kMaxCapacity = 100000;
constexpr size_t kMaxServices = 20;
constexpr size_t kMaxEtagChars = 32;

// What UpdateProvider may change, in the order the error message lists them.
constexpr absl::string_view kChangeable[] = {"display_name", "services", "capacity", "contact",
                                             "active"};
constexpr absl::string_view kChangeableList = "display_name, services, capacity, contact, active";

bool IsChangeable(absl::string_view path) {
  return std::find(std::begin(kChangeable), std::end(kChangeable), path) != std::end(kChangeable);
}

// Checks the client-set field `path` of `p` as Create and Update both do, naming it
// `prefix` + path ("services[2]", "provider.services[2]").
void ValidateField(Validator& v, absl::string_view prefix, absl::string_view path,
                   const v1::Provider& p) {
  const std::string field = absl::StrCat(prefix, path);
  if (path == "display_name") {
    v.Text(field, p.display_name(), {.required = true, .max_chars = 200});
  } else if (path == "services") {
    v.Count(field, p.services_size(), 1, kMaxServices);
    std::set<int> seen;
    for (int i = 0; i < p.services_size(); ++i) {
      const std::string at = absl::StrCat(field, "[", i, "]");
      v.Enum(at, p.services(i), v1::ServiceType_IsValid);
      if (!seen.insert(p.services(i)).second) v.Add(at, "is listed twice");
    }
  } else if (path == "capacity") {
    v.Range(field, p.capacity(), 0, kMaxCapacity);
  } else if (path == "contact") {
    v.Text(field, p.contact(), {.max_chars = 500, .multiline = true});
  }
  // "active" is a bool: either value is valid.
}

// Services are kept sorted, so that two equal lists read the same.
void SetServices(v1::Provider& p, const google::protobuf::RepeatedField<int>& services) {
  const std::set<int> sorted(services.begin(), services.end());
  p.clear_services();
  for (int s : sorted) p.add_services(static_cast<v1::ServiceType>(s));
}

// A listing's order: by display name with diacritics folded (so "Đống Đa" sorts with
// the D's, where a reader looks for it, not after "Z"), then as written, then by name.
using SortKey = std::tuple<std::string, std::string, std::string>;

SortKey KeyOf(const std::string& display_name, const std::string& name) {
  return {text::Fold(display_name), display_name, name};
}

// A page position is the display name and name of the last provider shown, split by a
// line break (display names hold no control characters).
std::string PositionOf(const v1::Provider& p) {
  return absl::StrCat(p.display_name(), "\n", p.name());
}

std::optional<SortKey> ParsePosition(absl::string_view position) {
  std::vector<std::string> parts = absl::StrSplit(position, absl::MaxSplits('\n', 1));
  if (parts.size() != 2) return std::nullopt;
  return KeyOf(parts[0], parts[1]);
}

}  // namespace

absl::StatusOr<v1::Provider> Providers::Create(const security::Access& access,
                                               const v1::CreateProviderRequest& request) {
  v1::Provider p;
  p.set_display_name(request.display_name());
  *p.mutable_services() = request.services();
  p.set_capacity(request.capacity());
  p.set_contact(request.contact());
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Enum("kind", request.kind(), v1::ProviderKind_IsValid);
  for (absl::string_view path : {"display_name", "services", "capacity", "contact"}) {
    ValidateField(v, "", path, p);
  }
  v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  v.Code("agency_code", request.agency_code());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateProviderRequest"));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access,
                           {.name = absl::StrCat("a new provider in unit ", request.unit_code()),
                            .unit_code = request.unit_code()},
                           units_));

  p.set_name(absl::StrCat("providers/", ids_.Next()));
  p.set_kind(request.kind());
  SetServices(p, request.services());
  p.set_unit_code(request.unit_code());
  p.set_agency_code(request.agency_code());
  p.set_active(true);
  *p.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return store_.CreateProvider(request.request_id(), storage::RequestFingerprint(request), p);
}

absl::StatusOr<v1::Provider> Providers::Get(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "providers"));
  return store_.GetProvider(id);
}

absl::StatusOr<v1::ListProvidersResponse> Providers::List(const security::Access& access,
                                                          const v1::ListProvidersRequest& request) {
  Validator v;
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  v.Code("unit_code", request.unit_code(), /*required=*/false);
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  v.Enum("service", request.service(), v1::ServiceType_IsValid, /*required=*/false);
  v.Enum("kind", request.kind(), v1::ProviderKind_IsValid, /*required=*/false);
  v.Text("query", request.query(), {.max_chars = 200});
  const std::string fingerprint = QueryFingerprint(request);
  std::optional<SortKey> after;
  if (!request.page_token().empty()) {
    const std::optional<std::string> position = ReadPageToken(request.page_token(), fingerprint);
    if (position.has_value()) after = ParsePosition(*position);
    if (!after.has_value()) {
      v.Add("page_token", "is not a page token of this query (the filters must stay the same)");
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListProvidersRequest"));

  // The directory rules grant scope kAll: no unit limit beyond the filter's subtree.
  PCMD_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> units,
                        units::UnitsInReach(access, request.unit_code(), units_));
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Provider> found,
                        store_.ListProviders({.units = std::move(units),
                                              .service = request.service(),
                                              .kind = request.kind(),
                                              .include_inactive = request.include_inactive(),
                                              .words = text::Words(request.query())}));
  std::vector<std::pair<SortKey, v1::Provider*>> ordered;
  ordered.reserve(found.size());
  for (v1::Provider& p : found) {
    SortKey key = KeyOf(p.display_name(), p.name());
    if (after.has_value() && key <= *after) continue;
    ordered.emplace_back(std::move(key), &p);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const size_t page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  v1::ListProvidersResponse response;
  for (size_t i = 0; i < ordered.size() && i < page_size; ++i) {
    *response.add_providers() = std::move(*ordered[i].second);
  }
  if (ordered.size() > page_size) {
    response.set_next_page_token(
        MakePageToken(PositionOf(response.providers(response.providers_size() - 1)), fingerprint));
  }
  return response;
}

absl::StatusOr<v1::Provider> Providers::Update(const security::Access& access,
                                               const v1::UpdateProviderRequest& request) {
  const v1::Provider& given = request.provider();
  Validator v;
  absl::StatusOr<std::string> id = ParseResourceName("provider.name", given.name(), "providers");
  v.AddFrom(id.status());
  const auto& paths = request.update_mask().paths();
  if (paths.empty()) {
    v.Add("update_mask.paths", absl::StrCat("names no field; give one of ", kChangeableList));
  }
  std::set<std::string, std::less<>> changed;
  for (int i = 0; i < paths.size(); ++i) {
    if (!IsChangeable(paths[i])) {
      v.Add(absl::StrCat("update_mask.paths[", i, "]"),
            absl::StrCat("\"", paths[i], "\" cannot be changed; give one of ", kChangeableList));
      continue;
    }
    if (changed.insert(paths[i]).second) ValidateField(v, "provider.", paths[i], given);
  }
  v.Text("etag", request.etag(), {.max_chars = kMaxEtagChars});
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid UpdateProviderRequest"));

  // Scope from the stored record: the unit cannot change, so this holds in the write.
  PCMD_ASSIGN_OR_RETURN(v1::Provider stored, store_.GetProvider(*id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = stored.name(), .unit_code = stored.unit_code()}, units_));
  return store_.UpdateProvider(*id, [&](v1::Provider& p) -> absl::Status {
    if (!request.etag().empty() && request.etag() != p.etag()) {
      return absl::AbortedError(absl::StrCat("provider ", p.name(),
                                             " changed since it was read (etag ", p.etag(),
                                             ", not ", request.etag(), "); read it again"));
    }
    if (changed.contains("display_name")) p.set_display_name(given.display_name());
    if (changed.contains("services")) SetServices(p, given.services());
    if (changed.contains("capacity")) p.set_capacity(given.capacity());
    if (changed.contains("contact")) p.set_contact(given.contact());
    if (changed.contains("active")) p.set_active(given.active());
    return absl::OkStatus();
  });
}

}  // namespace pcmd::referrals
