#include "services/inspections/establishments.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/paging/paging.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/text/text.h"
#include "common/units/units.h"
#include "common/validation/person_fields.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"
#include "services/inspections/registry_facts.h"

namespace pcmd::inspections {
namespace {

// The same person rules as intake's, so that an owner's ID number gives the pseudonym
// a tip naming them gives.
void ValidateOwner(Validator& v, const v1::BusinessOwner& owner, absl::CivilDay today) {
  v.Text("owner.full_name", owner.full_name(), {.required = true, .max_chars = 200});
  ValidateIdNumber(v, "owner.id_number", owner.id_number());
  ValidatePhone(v, "owner.phone", owner.phone());
  ValidateBirthDate(v, "owner.birth_date", owner.birth_date(), today);
}

void ValidateLicences(Validator& v,
                      const google::protobuf::RepeatedPtrField<v1::Licence>& licences) {
  v.Count("licences", licences.size(), 0, 20);
  if (licences.size() > 20) return;
  for (int i = 0; i < licences.size(); ++i) {
    const v1::Licence& l = licences[i];
    const std::string at = absl::StrCat("licences[", i, "]");
    v.Enum(at + ".kind", l.kind(), v1::LicenceKind_IsValid);
    v.Text(at + ".number", l.number(), {.required = true, .max_chars = 64});
    v.Text(at + ".issuer", l.issuer(), {.required = true, .max_chars = 200});
    v.Date(at + ".valid_from", l.valid_from(), /*required=*/true);
    v.Date(at + ".valid_to", l.valid_to());
    const std::optional<absl::CivilDay> from = ParseIsoDate(l.valid_from());
    const std::optional<absl::CivilDay> to = ParseIsoDate(l.valid_to());
    if (from.has_value() && to.has_value() && *to < *from) {
      v.Add(at + ".valid_to", "is before valid_from");
    }
  }
}

// The fields a client sets on an establishment (create and update share them).
void ValidateDetails(Validator& v, const v1::Establishment& e, absl::CivilDay today) {
  v.Text("display_name", e.display_name(), {.required = true, .max_chars = 200});
  v.Enum("business_type", e.business_type(), v1::BusinessType_IsValid);
  v.Text("business_registration_number", e.business_registration_number(), {.max_chars = 32});
  v.Text("address", e.address(), {.required = true, .max_chars = 300});
  if (e.has_owner()) ValidateOwner(v, e.owner(), today);
  ValidateLicences(v, e.licences());
  if (!e.hotspot().empty())
    v.AddFrom(ParseResourceName("hotspot", e.hotspot(), "hotspots").status());
  v.Date("commitment_date", e.commitment_date());
  if (std::optional<absl::CivilDay> signed_on = ParseIsoDate(e.commitment_date());
      signed_on.has_value() && *signed_on > today) {
    v.Add("commitment_date", "is in the future");
  }
}

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

// Riskiest first, then by name: the order lists use.
bool Riskier(const v1::Establishment& a, const v1::Establishment& b) {
  if (a.risk().score() != b.risk().score()) return a.risk().score() > b.risk().score();
  return a.name() < b.name();
}

}  // namespace

absl::StatusOr<v1::Establishment> Establishments::Create(
    const security::Access& access, const v1::CreateEstablishmentRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  v1::Establishment given;
  given.set_display_name(request.display_name());
  given.set_business_type(request.business_type());
  given.set_business_registration_number(request.business_registration_number());
  given.set_address(request.address());
  if (request.has_owner()) *given.mutable_owner() = request.owner();
  *given.mutable_licences() = request.licences();
  given.set_hotspot(request.hotspot());
  given.set_commitment_date(request.commitment_date());
  ValidateDetails(v, given, VietnamDay(clock_.Now()));
  v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateEstablishmentRequest"));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access,
      {.name = absl::StrCat("a new establishment in unit ", request.unit_code()),
       .unit_code = request.unit_code()},
      units_));

  v1::Establishment e = std::move(given);
  e.set_name(absl::StrCat("establishments/", ids_.Next()));
  e.set_unit_code(request.unit_code());
  e.set_status(v1::ESTABLISHMENT_STATUS_OPERATING);
  if (e.has_owner()) e.mutable_owner()->clear_pseudonym();  // Computed by the store.
  *e.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return store_.CreateEstablishment(request.request_id(),
                                    storage::RequestFingerprint(request, fingerprint_key_), e);
}

absl::StatusOr<v1::Establishment> Establishments::Get(const security::Access& access,
                                                      absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "establishments"));
  PCMD_ASSIGN_OR_RETURN(v1::Establishment e, store_.GetEstablishment(id));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access, {.name = e.name(), .unit_code = e.unit_code()}, units_));
  return e;
}

absl::StatusOr<v1::ListEstablishmentsResponse> Establishments::List(
    const security::Access& access, const v1::ListEstablishmentsRequest& request) {
  Validator v;
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  for (int i = 0; i < request.business_types_size(); ++i) {
    v.Enum(absl::StrCat("business_types[", i, "]"), request.business_types(i),
           v1::BusinessType_IsValid);
  }
  for (int i = 0; i < request.risk_categories_size(); ++i) {
    v.Enum(absl::StrCat("risk_categories[", i, "]"), request.risk_categories(i),
           v1::RiskCategory_IsValid);
  }
  v.Date("last_inspected_before", request.last_inspected_before());
  v.Text("text", request.text(), {.max_chars = 200});
  const std::string query_print = QueryFingerprint(request);
  int64_t offset = 0;
  if (!request.page_token().empty()) {
    std::optional<std::string> at = ReadPageToken(request.page_token(), query_print);
    if (!at.has_value() || !absl::SimpleAtoi(*at, &offset) || offset < 0) {
      v.Add("page_token", "is not a page token of this query (the filters must stay the same)");
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListEstablishmentsRequest"));

  RegistryQuery query;
  query.include_closed = request.include_closed();
  query.words = text::Words(request.text());
  PCMD_ASSIGN_OR_RETURN(query.units, units::UnitsInReach(access, request.unit_code(), units_));
  PCMD_ASSIGN_OR_RETURN(std::vector<RegistryEntry> entries, store_.ReadRegistry(query));

  const std::optional<absl::CivilDay> before = ParseIsoDate(request.last_inspected_before());
  std::vector<v1::Establishment> matching;
  for (RegistryEntry& entry : entries) {
    const v1::Establishment& e = entry.establishment;
    if (!request.business_types().empty() &&
        std::find(request.business_types().begin(), request.business_types().end(),
                  e.business_type()) == request.business_types().end()) {
      continue;
    }
    if (!request.risk_categories().empty() &&
        std::find(request.risk_categories().begin(), request.risk_categories().end(),
                  e.risk().category()) == request.risk_categories().end()) {
      continue;
    }
    if (before.has_value() && !e.last_inspection_date().empty() &&
        ParseIsoDate(e.last_inspection_date()) >= before) {
      continue;
    }
    matching.push_back(std::move(entry.establishment));
  }
  std::sort(matching.begin(), matching.end(), Riskier);
  const int64_t page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  v1::ListEstablishmentsResponse response;
  // A token is not authenticated: an offset past the end is an empty last page.
  offset = std::min<int64_t>(offset, static_cast<int64_t>(matching.size()));
  for (int64_t i = offset; i < static_cast<int64_t>(matching.size()) && i < offset + page_size;
       ++i) {
    *response.add_establishments() = std::move(matching[i]);
  }
  if (offset + page_size < static_cast<int64_t>(matching.size())) {
    response.set_next_page_token(MakePageToken(absl::StrCat(offset + page_size), query_print));
  }
  return response;
}

absl::StatusOr<v1::Establishment> Establishments::Update(
    const security::Access& access, const v1::UpdateEstablishmentRequest& request) {
  static const std::set<std::string, std::less<>> kChangeable = {
      "display_name", "business_type",  "business_registration_number",
      "address",      "owner",          "licences",
      "hotspot",      "commitment_date"};
  Validator v;
  absl::StatusOr<std::string> id =
      ParseResourceName("establishment.name", request.establishment().name(), "establishments");
  if (!id.ok()) v.AddFrom(id.status());
  v.Count("update_mask", request.update_mask_size(), 1, kChangeable.size());
  for (int i = 0; i < request.update_mask_size(); ++i) {
    if (!kChangeable.contains(request.update_mask(i))) {
      v.Add(absl::StrCat("update_mask[", i, "]"),
            absl::StrCat("\"", request.update_mask(i),
                         "\" cannot be changed; give one of display_name, business_type, "
                         "business_registration_number, address, owner, licences, hotspot, "
                         "commitment_date"));
    }
  }
  v.Text("etag", request.etag(), {.max_chars = 64});
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid UpdateEstablishmentRequest"));
  // Scope from the stored record before anything of it is shown or changed.
  PCMD_ASSIGN_OR_RETURN(v1::Establishment stored, store_.GetEstablishment(*id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = stored.name(), .unit_code = stored.unit_code()}, units_));
  const absl::CivilDay today = VietnamDay(clock_.Now());
  return store_.UpdateEstablishment(*id, [&](v1::Establishment& e) -> absl::Status {
    if (e.status() == v1::ESTABLISHMENT_STATUS_CLOSED) {
      return absl::FailedPreconditionError(
          absl::StrCat("establishment ", e.name(), " is CLOSED; it cannot be changed"));
    }
    if (!request.etag().empty() && request.etag() != e.etag()) {
      return absl::AbortedError(absl::StrCat("establishment ", e.name(),
                                             " changed since it was read (etag ", e.etag(),
                                             "); read it again"));
    }
    const v1::Establishment& given = request.establishment();
    for (const std::string& path : request.update_mask()) {
      if (path == "display_name") e.set_display_name(given.display_name());
      if (path == "business_type") e.set_business_type(given.business_type());
      if (path == "business_registration_number") {
        e.set_business_registration_number(given.business_registration_number());
      }
      if (path == "address") e.set_address(given.address());
      if (path == "owner") {
        if (given.has_owner()) {
          *e.mutable_owner() = given.owner();
          e.mutable_owner()->clear_pseudonym();
        } else {
          e.clear_owner();
        }
      }
      if (path == "licences") *e.mutable_licences() = given.licences();
      if (path == "hotspot") e.set_hotspot(given.hotspot());
      if (path == "commitment_date") e.set_commitment_date(given.commitment_date());
    }
    Validator details;
    ValidateDetails(details, e, today);
    // Paths as the caller sent them: under "establishment.".
    Validator named;
    for (const FieldViolation& fv : details.violations()) {
      named.Add(absl::StrCat("establishment.", fv.field), fv.description);
    }
    return named.ToStatus("invalid UpdateEstablishmentRequest");
  });
}

absl::StatusOr<v1::Establishment> Establishments::Close(
    const security::Access& access, const v1::CloseEstablishmentRequest& request) {
  Validator v;
  absl::StatusOr<std::string> id = ParseResourceName("name", request.name(), "establishments");
  if (!id.ok()) v.AddFrom(id.status());
  v.Date("close_date", request.close_date(), /*required=*/true);
  if (std::optional<absl::CivilDay> day = ParseIsoDate(request.close_date());
      day.has_value() && *day > VietnamDay(clock_.Now())) {
    v.Add("close_date", "is in the future");
  }
  v.Text("reason", request.reason(), {.required = true, .max_chars = 500});
  v.Text("etag", request.etag(), {.max_chars = 64});
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CloseEstablishmentRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Establishment stored, store_.GetEstablishment(*id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = stored.name(), .unit_code = stored.unit_code()}, units_));
  return store_.CloseEstablishment(
      *id, request.close_date(), request.reason(), [&](const v1::Establishment& e) {
        if (e.status() == v1::ESTABLISHMENT_STATUS_CLOSED) {
          return absl::FailedPreconditionError(
              absl::StrCat("establishment ", e.name(), " is CLOSED since ", e.close_date()));
        }
        if (!request.etag().empty() && request.etag() != e.etag()) {
          return absl::AbortedError(absl::StrCat("establishment ", e.name(),
                                                 " changed since it was read (etag ", e.etag(),
                                                 "); read it again"));
        }
        return absl::OkStatus();
      });
}

}  // namespace pcmd::inspections
