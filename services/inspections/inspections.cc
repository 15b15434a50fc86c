#include "services/inspections/inspections.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/paging/paging.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"
#include "services/inspections/registry_facts.h"
#include "services/inspections/schedule.h"

namespace pcmd::inspections {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

absl::Status Stale(const v1::Inspection& i) {
  return absl::AbortedError(absl::StrCat(
      "inspection ", i.name(), " changed since it was read (etag ", i.etag(), "); read it again"));
}

absl::Status NotScheduled(const v1::Inspection& i, absl::string_view rpc) {
  return absl::FailedPreconditionError(absl::StrCat("inspection ", i.name(), " is ",
                                                    v1::InspectionState_Name(i.state()), "; ", rpc,
                                                    " needs INSPECTION_STATE_SCHEDULED"));
}

// The team of an inspection acts through its agency's certificate.
absl::Status MustBeTheTeam(const security::Access& access, const v1::Inspection& i) {
  if (access.caller.agency.code != i.team_agency()) {
    return absl::PermissionDeniedError(absl::StrCat("inspection ", i.name(),
                                                    " is recorded by agency ", i.team_agency(),
                                                    ", not ", access.caller.agency.code));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Inspection> Inspections::Schedule(const security::Access& access,
                                                     const v1::ScheduleInspectionRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.RequestId("request_id", request.request_id());
  absl::StatusOr<std::string> establishment_id =
      ParseResourceName("establishment", request.establishment(), "establishments");
  if (!establishment_id.ok()) v.AddFrom(establishment_id.status());
  absl::StatusOr<std::string> team_id = ParseResourceName("team", request.team(), "teams");
  if (!team_id.ok()) v.AddFrom(team_id.status());
  v.Enum("kind", request.kind(), v1::InspectionKind_IsValid);
  v.Date("planned_date", request.planned_date(), /*required=*/true);
  if (!request.tip().empty()) v.AddFrom(ParseResourceName("tip", request.tip(), "tips").status());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ScheduleInspectionRequest"));
  // A retry answers what the first call created, even when the day, the establishment
  // or the team has changed since.
  const std::string fingerprint = storage::RequestFingerprint(request, fingerprint_key_);
  PCMD_ASSIGN_OR_RETURN(std::optional<v1::Inspection> earlier,
                        inspections_.FindScheduled(request.request_id(), fingerprint));
  if (earlier.has_value()) {
    PCMD_RETURN_IF_ERROR(security::CheckScope(
        access, {.name = earlier->name(), .unit_code = earlier->unit_code()}, units_));
    return *std::move(earlier);
  }
  if (ParseIsoDate(request.planned_date()) < today) {
    Validator past;
    past.Add("planned_date", absl::StrCat("is before today (", IsoDate(today), ")"));
    return past.ToStatus("invalid ScheduleInspectionRequest");
  }

  PCMD_ASSIGN_OR_RETURN(v1::Establishment establishment,
                        establishments_.GetEstablishment(*establishment_id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = establishment.name(), .unit_code = establishment.unit_code()}, units_));
  if (establishment.status() == v1::ESTABLISHMENT_STATUS_CLOSED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "establishment ", establishment.name(), " is CLOSED since ", establishment.close_date()));
  }
  PCMD_ASSIGN_OR_RETURN(v1::Team team, teams_.GetTeam(*team_id));
  Validator fit;
  if (request.planned_date() < team.active_from() ||
      (!team.active_to().empty() && request.planned_date() > team.active_to())) {
    fit.Add("team", absl::StrCat("team ", team.name(), " is active from ", team.active_from(),
                                 team.active_to().empty() ? "" : " to ", team.active_to(),
                                 ", not on ", request.planned_date()));
  }
  PCMD_ASSIGN_OR_RETURN(bool reaches, units_.IsWithin(establishment.unit_code(), team.unit_code()));
  if (!reaches) {
    fit.Add("team", absl::StrCat("team ", team.name(), " of unit ", team.unit_code(),
                                 " does not reach unit ", establishment.unit_code()));
  }
  PCMD_RETURN_IF_ERROR(fit.ToStatus("invalid ScheduleInspectionRequest"));

  v1::Inspection i;
  i.set_name(absl::StrCat("inspections/", ids_.Next()));
  i.set_establishment(establishment.name());
  i.set_team(team.name());
  i.set_kind(request.kind());
  i.set_state(v1::INSPECTION_STATE_SCHEDULED);
  i.set_planned_date(request.planned_date());
  i.set_unit_code(establishment.unit_code());
  i.set_team_agency(team.agency_code());
  i.set_tip(request.tip());
  *i.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return inspections_.ScheduleInspection(request.request_id(), fingerprint, i);
}

absl::StatusOr<v1::Inspection> Inspections::Get(const security::Access& access,
                                                absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "inspections"));
  PCMD_ASSIGN_OR_RETURN(v1::Inspection i, inspections_.GetInspection(id, /*with_result=*/true));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = i.name(), .unit_code = i.unit_code(), .assigned_agency = i.team_agency()},
      units_));
  return i;
}

absl::StatusOr<v1::ListInspectionsResponse> Inspections::List(
    const security::Access& access, const v1::ListInspectionsRequest& request) {
  Validator v;
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  InspectionQuery query;
  if (!request.establishment().empty()) {
    absl::StatusOr<std::string> id =
        ParseResourceName("establishment", request.establishment(), "establishments");
    if (id.ok()) query.establishment_id = *id;
    v.AddFrom(id.status());
  }
  if (!request.team().empty()) {
    absl::StatusOr<std::string> id = ParseResourceName("team", request.team(), "teams");
    if (id.ok()) query.team_id = *id;
    v.AddFrom(id.status());
  }
  for (int i = 0; i < request.states_size(); ++i) {
    v.Enum(absl::StrCat("states[", i, "]"), request.states(i), v1::InspectionState_IsValid);
    query.states.push_back(static_cast<v1::InspectionState>(request.states(i)));
  }
  v.DateRange("date_from", request.date_from(), "date_to", request.date_to());
  const std::string fingerprint = QueryFingerprint(request);
  if (!request.page_token().empty()) {
    std::optional<std::string> at = ReadPageToken(request.page_token(), fingerprint);
    std::vector<std::string> parts;
    if (at.has_value()) parts = absl::StrSplit(*at, '|');
    if (parts.size() != 2) {
      v.Add("page_token", "is not a page token of this query (the filters must stay the same)");
    } else {
      query.after = std::pair(parts[0], parts[1]);
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListInspectionsRequest"));
  PCMD_ASSIGN_OR_RETURN(query.units, units::UnitsInReach(access, request.unit_code(), units_));
  query.date_from = request.date_from();
  query.date_to = request.date_to();
  const int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  query.limit = page_size + 1;  // One more tells whether another page follows.
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Inspection> found, inspections_.ListInspections(query));
  v1::ListInspectionsResponse response;
  for (int i = 0; i < static_cast<int>(found.size()) && i < page_size; ++i) {
    *response.add_inspections() = std::move(found[i]);
  }
  if (static_cast<int>(found.size()) > page_size) {
    const v1::Inspection& last = *response.inspections().rbegin();
    response.set_next_page_token(
        MakePageToken(absl::StrCat(last.planned_date(), "|", last.name().substr(12)), fingerprint));
  }
  return response;
}

absl::StatusOr<v1::Inspection> Inspections::Record(
    const security::Access& access, const v1::RecordInspectionResultRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  absl::StatusOr<std::string> id = ParseResourceName("name", request.name(), "inspections");
  if (!id.ok()) v.AddFrom(id.status());
  if (!request.request_id().empty()) v.RequestId("request_id", request.request_id());
  v.Text("etag", request.etag(), {.max_chars = 64});
  v.Date("inspection_date", request.inspection_date(), /*required=*/true);
  const std::optional<absl::CivilDay> held = ParseIsoDate(request.inspection_date());
  if (held.has_value() && *held > today) v.Add("inspection_date", "is in the future");
  if (held.has_value()) ValidateResult(v, "result", request.result(), *held, catalogue_);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid RecordInspectionResultRequest"));
  // Who may act, from the stored record; its sealed result stays closed.
  PCMD_ASSIGN_OR_RETURN(v1::Inspection stored,
                        inspections_.GetInspection(*id, /*with_result=*/false));
  PCMD_RETURN_IF_ERROR(MustBeTheTeam(access, stored));
  // A retry after re-reading carries a newer etag; it is still the same request.
  v1::RecordInspectionResultRequest without_etag = request;
  without_etag.clear_etag();
  return inspections_.CompleteInspection(
      *id, request.request_id(), storage::RequestFingerprint(without_etag, fingerprint_key_),
      [&](v1::Inspection& i) -> absl::Status {
        if (i.state() != v1::INSPECTION_STATE_SCHEDULED) {
          return NotScheduled(i, "RecordInspectionResult");
        }
        if (!request.etag().empty() && request.etag() != i.etag()) return Stale(i);
        const std::optional<absl::CivilDay> planned = ParseIsoDate(i.planned_date());
        if (planned.has_value() && absl::CivilMonth(*held) < absl::CivilMonth(*planned)) {
          Validator early;
          early.Add("inspection_date",
                    absl::StrCat("is before the month of the planned date ", i.planned_date()));
          return early.ToStatus("invalid RecordInspectionResultRequest");
        }
        i.set_inspection_date(request.inspection_date());
        *i.mutable_result() = request.result();
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Inspection> Inspections::Cancel(const security::Access& access,
                                                   const v1::CancelInspectionRequest& request) {
  Validator v;
  absl::StatusOr<std::string> id = ParseResourceName("name", request.name(), "inspections");
  if (!id.ok()) v.AddFrom(id.status());
  v.Text("reason", request.reason(), {.required = true, .max_chars = 500});
  v.Text("etag", request.etag(), {.max_chars = 64});
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CancelInspectionRequest"));
  // Who may act, from the stored record; its sealed result stays closed.
  PCMD_ASSIGN_OR_RETURN(v1::Inspection stored,
                        inspections_.GetInspection(*id, /*with_result=*/false));
  PCMD_RETURN_IF_ERROR(MustBeTheTeam(access, stored));
  return inspections_.CancelInspection(*id, [&](v1::Inspection& i) -> absl::Status {
    if (i.state() != v1::INSPECTION_STATE_SCHEDULED) return NotScheduled(i, "CancelInspection");
    if (!request.etag().empty() && request.etag() != i.etag()) return Stale(i);
    i.set_cancel_reason(request.reason());
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListLegalReferencesResponse> Inspections::ListLegalReferences(
    const v1::ListLegalReferencesRequest& request) const {
  Validator v;
  v.Date("valid_on", request.valid_on());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListLegalReferencesRequest"));
  v1::ListLegalReferencesResponse response;
  for (v1::LegalReference& ref : catalogue_.ValidOn(ParseIsoDate(request.valid_on()))) {
    *response.add_legal_references() = std::move(ref);
  }
  return response;
}

namespace {

std::vector<Candidate> Candidates(std::vector<RegistryEntry> entries) {
  std::vector<Candidate> out;
  out.reserve(entries.size());
  for (RegistryEntry& e : entries) {
    out.push_back({.establishment = e.establishment.name(),
                   .display_name = e.establishment.display_name(),
                   .risk = e.establishment.risk(),
                   .inspection_dates = std::move(e.inspection_dates),
                   .follow_up_by = e.follow_up_by});
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::ProposeScheduleResponse> Inspections::ProposeSchedule(
    const security::Access& access, const v1::ProposeScheduleRequest& request) {
  Validator v;
  absl::StatusOr<std::string> team_id = ParseResourceName("team", request.team(), "teams");
  if (!team_id.ok()) v.AddFrom(team_id.status());
  v.Date("period_from", request.period_from(), /*required=*/true);
  v.Date("period_to", request.period_to(), /*required=*/true);
  const std::optional<absl::CivilDay> from = ParseIsoDate(request.period_from());
  const std::optional<absl::CivilDay> to = ParseIsoDate(request.period_to());
  if (from.has_value() && to.has_value()) {
    if (*to < *from) v.Add("period_to", "is before period_from");
    if (*to > AddMonths(*from, 12) - 1)
      v.Add("period_to", "is more than 12 months after period_from");
  }
  v.Range("capacity", request.capacity(), 0, 100'000);
  v.Date("programme_end", request.programme_end());
  const std::optional<absl::CivilDay> programme_end = ParseIsoDate(request.programme_end());
  if (programme_end.has_value() && from.has_value() && *programme_end < *from) {
    v.Add("programme_end", "is before period_from");
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ProposeScheduleRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Team team, teams_.GetTeam(*team_id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access,
      {.name = team.name(), .unit_code = team.unit_code(), .assigned_agency = team.agency_code()},
      units_));
  RegistryQuery query;
  PCMD_ASSIGN_OR_RETURN(query.units, units_.SubtreeOf(team.unit_code()));
  PCMD_ASSIGN_OR_RETURN(std::vector<RegistryEntry> entries, establishments_.ReadRegistry(query));
  // Whole months, rounded up: the smallest m with from + m months past `to`.
  int months = 1;
  while (AddMonths(*from, months) <= *to) ++months;
  const int capacity =
      request.capacity() > 0 ? request.capacity() : team.monthly_capacity() * months;
  return inspections::ProposeSchedule(Candidates(std::move(entries)),
                                      {.period_from = *from,
                                       .period_to = *to,
                                       .capacity = capacity,
                                       .programme_end = programme_end});
}

absl::StatusOr<v1::GetCoverageResponse> Inspections::GetCoverage(
    const security::Access& access, const v1::GetCoverageRequest& request) {
  Validator v;
  v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  if (request.year() != 0) v.Range("year", request.year(), 2000, 2100);
  v.DateRange("programme_from", request.programme_from(), "programme_to", request.programme_to());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid GetCoverageRequest"));
  RegistryQuery query;
  PCMD_ASSIGN_OR_RETURN(query.units, units::UnitsInReach(access, request.unit_code(), units_));
  PCMD_ASSIGN_OR_RETURN(std::vector<RegistryEntry> entries, establishments_.ReadRegistry(query));
  const int year =
      request.year() != 0 ? request.year() : static_cast<int>(VietnamDay(clock_.Now()).year());
  return Coverage(Candidates(std::move(entries)), year, ParseIsoDate(request.programme_from()),
                  ParseIsoDate(request.programme_to()));
}

}  // namespace pcmd::inspections
