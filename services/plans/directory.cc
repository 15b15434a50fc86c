#include "services/plans/directory.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/ids/calendar.h"
#include "common/paging/paging.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/text/text.h"
#include "common/validation/validation.h"

namespace pcmd::plans {
namespace {

int PageSize(Validator& v, int32_t requested) {
  v.Range("page_size", requested, 0, 500);
  return requested <= 0 ? 100 : std::min(requested, 500);
}

absl::Status Prefixed(absl::string_view prefix, const absl::Status& s) {
  std::vector<FieldViolation> fields = FieldViolationsOf(s);
  if (fields.empty()) return s;
  for (FieldViolation& f : fields) f.field = absl::StrCat(prefix, ".", f.field);
  return StatusWithFields(s.code(), absl::StrCat(prefix, ": ", s.message()), fields);
}

}  // namespace

absl::StatusOr<v1::Unit> Directory::CreateUnit(const v1::CreateUnitRequest& request) {
  Validator v;
  v.Code("code", request.code());
  v.Text("display_name", request.display_name(), {.required = true, .max_chars = 100});
  v.Enum("level", request.level(), v1::UnitLevel_IsValid);
  const bool national = request.level() == v1::UNIT_LEVEL_NATIONAL;
  if (national && !request.parent_code().empty()) {
    v.Add("parent_code", "must be empty for the national level");
  } else if (!national && request.level() != v1::UNIT_LEVEL_UNSPECIFIED) {
    v.Code("parent_code", request.parent_code());
  }
  if (!request.parent_code().empty() && request.parent_code() == request.code()) {
    v.Add("parent_code", "must differ from code");
  }
  v.DateRange("valid_from", request.valid_from(), "valid_to", request.valid_to());
  v.Count("successor_codes", request.successor_codes_size(), 0, 50);
  for (int i = 0; i < request.successor_codes_size(); ++i) {
    v.Code(absl::StrCat("successor_codes[", i, "]"), request.successor_codes(i));
  }
  if (request.successor_codes_size() > 0 && request.valid_to().empty()) {
    v.Add("valid_to", "a unit with successors has ended: give the last day it was valid");
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateUnitRequest"));

  v1::Unit unit;
  unit.set_name(absl::StrCat("units/", request.code()));
  unit.set_code(request.code());
  unit.set_display_name(request.display_name());
  unit.set_level(request.level());
  unit.set_parent_code(request.parent_code());
  unit.set_valid_from(request.valid_from());
  unit.set_valid_to(request.valid_to());
  *unit.mutable_successor_codes() = request.successor_codes();
  return store_.CreateUnit(unit);
}

absl::StatusOr<v1::Unit> Directory::GetUnit(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string code, ParseResourceName("name", name, "units"));
  return store_.GetUnit(code);
}

absl::StatusOr<v1::ListUnitsResponse> Directory::ListUnits(const v1::ListUnitsRequest& request) {
  Validator v;
  if (!request.parent_code().empty()) v.Code("parent_code", request.parent_code());
  if (!request.subtree_of().empty()) v.Code("subtree_of", request.subtree_of());
  v.Enum("level", request.level(), v1::UnitLevel_IsValid, /*required=*/false);
  v.Date("valid_on", request.valid_on());
  v.Text("text", request.text(), {.max_chars = 100});
  UnitQuery q;
  q.limit = PageSize(v, request.page_size());
  const std::string fingerprint = QueryFingerprint(request);
  if (!request.page_token().empty()) {
    std::optional<std::string> after = ReadPageToken(request.page_token(), fingerprint);
    if (!after.has_value()) {
      v.Add("page_token", "is not a token of this listing");
    } else {
      q.after_code = *after;
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListUnitsRequest"));
  q.parent_code = request.parent_code();
  q.subtree_of = request.subtree_of();
  q.level = request.level();
  q.valid_on = request.valid_on();
  q.words = text::Words(request.text());
  const int wanted = q.limit;
  q.limit = wanted + 1;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Unit> units, store_.ListUnits(q));
  v1::ListUnitsResponse response;
  for (int i = 0; i < static_cast<int>(units.size()) && i < wanted; ++i) {
    *response.add_units() = units[i];
  }
  if (static_cast<int>(units.size()) > wanted) {
    response.set_next_page_token(MakePageToken(units[wanted - 1].code(), fingerprint));
  }
  return response;
}

absl::StatusOr<v1::ResolveUnitResponse> Directory::ResolveUnit(
    const v1::ResolveUnitRequest& request) {
  Validator v;
  absl::StatusOr<std::string> code = ParseResourceName("name", request.name(), "units");
  v.AddFrom(code.status());
  v.Date("date", request.date());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ResolveUnitRequest"));
  const std::string day =
      request.date().empty() ? IsoDate(VietnamDay(clock_.Now())) : request.date();

  v1::ResolveUnitResponse response;
  std::set<std::string> seen;
  std::vector<std::string> todo = {*code};
  while (!todo.empty()) {
    const std::string c = todo.back();
    todo.pop_back();
    if (!seen.insert(c).second) continue;
    absl::StatusOr<v1::Unit> unit = store_.GetUnit(c);
    // NOT_FOUND can only be the unit asked about: the store refuses dangling successors.
    if (!unit.ok()) return unit.status();
    const bool valid = (unit->valid_from().empty() || unit->valid_from() <= day) &&
                       (unit->valid_to().empty() || day <= unit->valid_to());
    if (valid) {
      *response.add_units() = *unit;
    } else if (unit->valid_from().empty() || unit->valid_from() <= day) {
      // Ended before the date: its successors hold the area now.
      for (const std::string& s : unit->successor_codes()) todo.push_back(s);
    }
  }
  return response;
}

absl::StatusOr<v1::Agency> Directory::CreateAgency(const v1::CreateAgencyRequest& request) {
  Validator v;
  v.Code("code", request.code());
  v.Text("display_name", request.display_name(), {.required = true, .max_chars = 200});
  v.Enum("kind", request.kind(), v1::AgencyKind_IsValid);
  v.Code("unit_code", request.unit_code());
  if (!request.parent_code().empty()) {
    v.Code("parent_code", request.parent_code());
    if (request.parent_code() == request.code()) v.Add("parent_code", "must differ from code");
  }
  v.DateRange("valid_from", request.valid_from(), "valid_to", request.valid_to());
  v.Count("successor_codes", request.successor_codes_size(), 0, 20);
  for (int i = 0; i < request.successor_codes_size(); ++i) {
    v.Code(absl::StrCat("successor_codes[", i, "]"), request.successor_codes(i));
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateAgencyRequest"));
  v1::Agency agency;
  agency.set_name(absl::StrCat("agencies/", request.code()));
  agency.set_code(request.code());
  agency.set_display_name(request.display_name());
  agency.set_kind(request.kind());
  agency.set_unit_code(request.unit_code());
  agency.set_parent_code(request.parent_code());
  agency.set_valid_from(request.valid_from());
  agency.set_valid_to(request.valid_to());
  *agency.mutable_successor_codes() = request.successor_codes();
  return store_.CreateAgency(agency);
}

absl::StatusOr<v1::Agency> Directory::GetAgency(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string code, ParseResourceName("name", name, "agencies"));
  return store_.GetAgency(code);
}

absl::StatusOr<v1::ListAgenciesResponse> Directory::ListAgencies(
    const v1::ListAgenciesRequest& request) {
  Validator v;
  v.Enum("kind", request.kind(), v1::AgencyKind_IsValid, /*required=*/false);
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  v.Date("valid_on", request.valid_on());
  v.Text("text", request.text(), {.max_chars = 100});
  AgencyQuery q;
  const int wanted = PageSize(v, request.page_size());
  const std::string fingerprint = QueryFingerprint(request);
  if (!request.page_token().empty()) {
    std::optional<std::string> after = ReadPageToken(request.page_token(), fingerprint);
    if (!after.has_value()) {
      v.Add("page_token", "is not a token of this listing");
    } else {
      q.after_code = *after;
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListAgenciesRequest"));
  q.kind = request.kind();
  q.unit_code = request.unit_code();
  q.valid_on = request.valid_on();
  q.words = text::Words(request.text());
  q.limit = wanted + 1;
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Agency> agencies, store_.ListAgencies(q));
  v1::ListAgenciesResponse response;
  for (int i = 0; i < static_cast<int>(agencies.size()) && i < wanted; ++i) {
    *response.add_agencies() = agencies[i];
  }
  if (static_cast<int>(agencies.size()) > wanted) {
    response.set_next_page_token(MakePageToken(agencies[wanted - 1].code(), fingerprint));
  }
  return response;
}

absl::StatusOr<int> Directory::LoadSeed(const v1::DirectorySeed& seed) {
  int created = 0;
  for (int i = 0; i < seed.units_size(); ++i) {
    if (store_.GetUnit(seed.units(i).code()).ok()) continue;
    absl::StatusOr<v1::Unit> unit = CreateUnit(seed.units(i));
    if (!unit.ok()) return Prefixed(absl::StrCat("units[", i, "]"), unit.status());
    ++created;
  }
  for (int i = 0; i < seed.agencies_size(); ++i) {
    if (store_.GetAgency(seed.agencies(i).code()).ok()) continue;
    absl::StatusOr<v1::Agency> agency = CreateAgency(seed.agencies(i));
    if (!agency.ok()) return Prefixed(absl::StrCat("agencies[", i, "]"), agency.status());
    ++created;
  }
  return created;
}

}  // namespace pcmd::plans
