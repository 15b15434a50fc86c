#include "services/referrals/cases.h"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/ids/calendar.h"
#include "common/paging/paging.h"
#include "common/status/status_macros.h"
#include "common/units/units.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;

constexpr absl::string_view kCases = "cases";
constexpr absl::string_view kPrefix = "cases/";
constexpr size_t kMaxPlanChars = 5000;
constexpr size_t kMaxNoteChars = 5000;
constexpr size_t kMaxNameChars = 200;  // Case workers and authors.
constexpr size_t kMaxEtagChars = 64;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

// The last day a review may be planned for: the same day a year after `today` (1 March
// after 29 February).
absl::CivilDay YearAhead(absl::CivilDay today) {
  return absl::CivilDay(today.year() + 1, today.month(), today.day());
}

// The id of resource name `name` in `collection`, or "" with the violation added.
std::string IdOf(Validator& v, absl::string_view field, absl::string_view name,
                 absl::string_view collection) {
  absl::StatusOr<std::string> id = ParseResourceName(field, name, collection);
  if (!id.ok()) {
    v.AddFrom(id.status());
    return std::string();
  }
  return *std::move(id);
}

google::protobuf::Timestamp Now(const Clock& clock) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock.Now()));
}

absl::Status MustBeOpen(const v1::Case& c, absl::string_view rpc) {
  if (c.state() == v1::CASE_STATE_OPEN) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("case ", c.name(), " is ",
                                                    v1::CaseState_Name(c.state()), "; ", rpc,
                                                    " needs CASE_STATE_OPEN"));
}

// An empty etag asks for no check.
absl::Status MustBeCurrent(const v1::Case& c, absl::string_view etag) {
  if (etag.empty() || etag == c.etag()) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat("case ", c.name(), " changed since it was read (etag ",
                                         c.etag(), ", not ", etag, "); read it again"));
}

// Page tokens carry "<unix ms>|<id>" of the last record of a page.
std::string PageToken(int64_t unix_ms, absl::string_view id, absl::string_view fingerprint) {
  return MakePageToken(absl::StrCat(unix_ms, "|", id), fingerprint);
}

// Reads request.page_token into `after`, adding a violation when it is not a token of
// this query.
void ReadPosition(Validator& v, absl::string_view token, absl::string_view fingerprint,
                  std::optional<ListPosition>& after) {
  if (token.empty()) return;
  const std::optional<std::string> plain = ReadPageToken(token, fingerprint);
  std::vector<std::string> parts;
  if (plain.has_value()) parts = absl::StrSplit(*plain, '|');
  ListPosition position;
  if (parts.size() != 2 || parts[1].empty() || !absl::SimpleAtoi(parts[0], &position.unix_ms)) {
    v.Add("page_token", "is not a page token of this query (the filters must stay the same)");
    return;
  }
  position.id = parts[1];
  after = std::move(position);
}

int PageSize(int requested) { return requested == 0 ? kDefaultPageSize : requested; }

}  // namespace

absl::StatusOr<v1::Case> Cases::CaseInScope(const security::Access& access, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(v1::Case c, store_.GetCase(id, /*with_plan=*/false));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = c.name(), .unit_code = c.unit_code(), .assigned_agency = c.agency_code()},
      units_));
  return c;
}

absl::StatusOr<v1::Case> Cases::OpenCase(const security::Access& access,
                                         const v1::OpenCaseRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  const std::string client_id = IdOf(v, "client", request.client(), "clients");
  v.Text("case_worker", request.case_worker(), {.required = true, .max_chars = kMaxNameChars});
  v.Text("plan", request.plan(), {.max_chars = kMaxPlanChars, .multiline = true});
  v.Date("next_review_date", request.next_review_date());
  // The rules that depend on the day: a retry answers what the first call opened even
  // when they would refuse it now (or the case has closed since).
  Validator on_the_day;
  const absl::CivilDay today = VietnamDay(clock_.Now());
  if (!v.Has("next_review_date")) {
    on_the_day.DateWithin("next_review_date", request.next_review_date(), today, YearAhead(today));
  }
  if (!v.ok()) {
    for (const FieldViolation& fv : on_the_day.violations()) v.Add(fv.field, fv.description);
    return v.ToStatus("invalid OpenCaseRequest");
  }
  PCMD_ASSIGN_OR_RETURN(std::optional<v1::Case> earlier, store_.FindOpenedCase(request));
  if (earlier.has_value()) {
    PCMD_RETURN_IF_ERROR(security::CheckScope(access,
                                              {.name = earlier->name(),
                                               .unit_code = earlier->unit_code(),
                                               .assigned_agency = earlier->agency_code()},
                                              units_));
    return *std::move(earlier);
  }
  PCMD_RETURN_IF_ERROR(on_the_day.ToStatus("invalid OpenCaseRequest"));

  PCMD_ASSIGN_OR_RETURN(std::string unit_code, store_.ClientUnit(client_id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = absl::StrCat("a new case of ", request.client()), .unit_code = unit_code},
      units_));
  v1::Case c;
  c.set_name(absl::StrCat(kPrefix, ids_.Next()));
  c.set_client(request.client());
  c.set_unit_code(unit_code);
  c.set_agency_code(access.caller.agency.code);
  c.set_case_worker(request.case_worker());
  c.set_plan(request.plan());
  c.set_state(v1::CASE_STATE_OPEN);
  c.set_next_review_date(request.next_review_date());
  *c.mutable_open_time() = Now(clock_);
  return store_.OpenCase(request, c);
}

absl::StatusOr<v1::Case> Cases::GetCase(const security::Access& access,
                                        const v1::GetCaseRequest& request) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", request.name(), kCases));
  PCMD_ASSIGN_OR_RETURN(v1::Case c, store_.GetCase(id, /*with_plan=*/true));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = c.name(), .unit_code = c.unit_code(), .assigned_agency = c.agency_code()},
      units_));
  return c;
}

absl::StatusOr<v1::ListCasesResponse> Cases::ListCases(const security::Access& access,
                                                       const v1::ListCasesRequest& request) {
  Validator v;
  CaseQuery query;
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  v.Enum("state", request.state(), v1::CaseState_IsValid, /*required=*/false);
  v.Text("case_worker", request.case_worker(), {.max_chars = kMaxNameChars});
  v.Date("review_due_by", request.review_due_by());
  if (!request.client().empty()) query.client_id = IdOf(v, "client", request.client(), "clients");
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  const std::string fingerprint = QueryFingerprint(request);
  ReadPosition(v, request.page_token(), fingerprint, query.after);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListCasesRequest"));

  PCMD_ASSIGN_OR_RETURN(query.units, units::UnitsInReach(access, request.unit_code(), units_));
  query.state = request.state();
  query.case_worker = request.case_worker();
  query.review_due_by = request.review_due_by();
  const int page_size = PageSize(request.page_size());
  query.limit = page_size + 1;  // One more tells whether another page follows.
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Case> found, store_.ListCases(query));
  const bool more = static_cast<int>(found.size()) > page_size;
  if (more) found.resize(page_size);
  v1::ListCasesResponse response;
  for (v1::Case& c : found) *response.add_cases() = std::move(c);
  if (more) {
    const v1::Case& last = *response.cases().rbegin();
    response.set_next_page_token(PageToken(TimeUtil::TimestampToMilliseconds(last.open_time()),
                                           absl::string_view(last.name()).substr(kPrefix.size()),
                                           fingerprint));
  }
  return response;
}

absl::StatusOr<v1::Case> Cases::UpdateCase(const security::Access& access,
                                           const v1::UpdateCaseRequest& request) {
  static const std::set<std::string, std::less<>> kChangeable = {"plan", "case_worker",
                                                                 "next_review_date"};
  const absl::CivilDay today = VietnamDay(clock_.Now());
  const v1::Case& given = request.case_();
  Validator v;
  const std::string id = IdOf(v, "case.name", given.name(), kCases);
  const auto& paths = request.update_mask().paths();
  if (paths.empty()) {
    v.Add("update_mask.paths", "names no field; give plan, case_worker or next_review_date");
  }
  std::set<std::string, std::less<>> changed;
  for (int i = 0; i < paths.size(); ++i) {
    if (kChangeable.contains(paths[i])) {
      changed.insert(paths[i]);
      continue;
    }
    v.Add(absl::StrCat("update_mask.paths[", i, "]"),
          absl::StrCat("\"", paths[i],
                       "\" cannot be changed; give plan, case_worker or next_review_date"));
  }
  if (changed.contains("plan")) {
    v.Text("case.plan", given.plan(), {.max_chars = kMaxPlanChars, .multiline = true});
  }
  if (changed.contains("case_worker")) {
    v.Text("case.case_worker", given.case_worker(), {.required = true, .max_chars = kMaxNameChars});
  }
  if (changed.contains("next_review_date")) {
    v.DateWithin("case.next_review_date", given.next_review_date(), today, YearAhead(today));
  }
  v.Text("etag", request.etag(), {.max_chars = kMaxEtagChars});
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid UpdateCaseRequest"));

  PCMD_RETURN_IF_ERROR(CaseInScope(access, id).status());
  return store_.UpdateCase(id, [&](v1::Case& c) -> absl::Status {
    PCMD_RETURN_IF_ERROR(MustBeOpen(c, "UpdateCase"));
    PCMD_RETURN_IF_ERROR(MustBeCurrent(c, request.etag()));
    if (changed.contains("plan")) c.set_plan(given.plan());
    if (changed.contains("case_worker")) c.set_case_worker(given.case_worker());
    if (changed.contains("next_review_date")) c.set_next_review_date(given.next_review_date());
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::CaseNote> Cases::AddCaseNote(const security::Access& access,
                                                const v1::AddCaseNoteRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.RequestId("request_id", request.request_id());
  const std::string case_id = IdOf(v, "case", request.case_(), kCases);
  v.Text("text", request.text(), {.required = true, .max_chars = kMaxNoteChars, .multiline = true});
  v.DateNotAfter("note_date", request.note_date(), today, /*required=*/true);
  v.Text("author", request.author(), {.required = true, .max_chars = kMaxNameChars});
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid AddCaseNoteRequest"));

  PCMD_RETURN_IF_ERROR(CaseInScope(access, case_id).status());
  v1::CaseNote note;
  note.set_name(absl::StrCat(kPrefix, case_id, "/notes/", ids_.Next()));
  note.set_text(request.text());
  note.set_note_date(request.note_date());
  note.set_author(request.author());
  *note.mutable_create_time() = Now(clock_);
  return store_.AddCaseNote(request, note,
                            [](const v1::Case& c) { return MustBeOpen(c, "AddCaseNote"); });
}

absl::StatusOr<v1::ListCaseNotesResponse> Cases::ListCaseNotes(
    const security::Access& access, const v1::ListCaseNotesRequest& request) {
  Validator v;
  NoteQuery query;
  query.case_id = IdOf(v, "case", request.case_(), kCases);
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  const std::string fingerprint = QueryFingerprint(request);
  ReadPosition(v, request.page_token(), fingerprint, query.after);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListCaseNotesRequest"));

  PCMD_RETURN_IF_ERROR(CaseInScope(access, query.case_id).status());
  const int page_size = PageSize(request.page_size());
  query.limit = page_size + 1;  // One more tells whether another page follows.
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::CaseNote> found, store_.ListCaseNotes(query));
  const bool more = static_cast<int>(found.size()) > page_size;
  if (more) found.resize(page_size);
  v1::ListCaseNotesResponse response;
  for (v1::CaseNote& note : found) *response.add_notes() = std::move(note);
  if (more) {
    const v1::CaseNote& last = *response.notes().rbegin();
    const absl::string_view name = last.name();
    response.set_next_page_token(PageToken(TimeUtil::TimestampToMilliseconds(last.create_time()),
                                           name.substr(name.rfind('/') + 1), fingerprint));
  }
  return response;
}

absl::StatusOr<v1::Case> Cases::ReviewCase(const security::Access& access,
                                           const v1::ReviewCaseRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  const std::string id = IdOf(v, "name", request.name(), kCases);
  v.DateNotAfter("review_date", request.review_date(), today, /*required=*/true);
  v.Text("summary", request.summary(), {.max_chars = kMaxNoteChars, .multiline = true});
  v.Date("next_review_date", request.next_review_date());
  const std::optional<absl::CivilDay> reviewed = ParseIsoDate(request.review_date());
  const std::optional<absl::CivilDay> next = ParseIsoDate(request.next_review_date());
  if (reviewed.has_value() && next.has_value()) {
    if (*next <= *reviewed) {
      v.Add("next_review_date",
            absl::StrCat("must be after review_date (", request.review_date(), ")"));
    } else if (*next > YearAhead(today)) {
      v.Add("next_review_date", absl::StrCat("is more than a year ahead (the latest is ",
                                             IsoDate(YearAhead(today)), ")"));
    }
  }
  v.Text("etag", request.etag(), {.max_chars = kMaxEtagChars});
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ReviewCaseRequest"));

  PCMD_RETURN_IF_ERROR(CaseInScope(access, id).status());
  CaseReview review{.review_date = request.review_date(),
                    .next_review_date = request.next_review_date()};
  if (!request.summary().empty()) {
    v1::CaseNote& note = review.summary.emplace();
    note.set_name(absl::StrCat(kPrefix, id, "/notes/", ids_.Next()));
    note.set_text(request.summary());
    note.set_note_date(request.review_date());
    // The end user is an account id the guard has checked; a system calling without
    // one is known by its agency.
    note.set_author(access.caller.end_user.empty() ? access.caller.agency.code
                                                   : access.caller.end_user);
    *note.mutable_create_time() = Now(clock_);
  }
  return store_.ReviewCase(id, review, [&](const v1::Case& c) -> absl::Status {
    PCMD_RETURN_IF_ERROR(MustBeOpen(c, "ReviewCase"));
    PCMD_RETURN_IF_ERROR(MustBeCurrent(c, request.etag()));
    // ISO dates compare in calendar order.
    if (!c.last_review_date().empty() && request.review_date() < c.last_review_date()) {
      Validator order;
      order.Add("review_date", absl::StrCat("is before the last review of ", c.name(), " (",
                                            c.last_review_date(), ")"));
      return order.ToStatus("invalid ReviewCaseRequest");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Case> Cases::CloseCase(const security::Access& access,
                                          const v1::CloseCaseRequest& request) {
  Validator v;
  const std::string id = IdOf(v, "name", request.name(), kCases);
  v.Enum("reason", request.reason(), v1::CloseReason_IsValid);
  v.Text("etag", request.etag(), {.max_chars = kMaxEtagChars});
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CloseCaseRequest"));

  PCMD_RETURN_IF_ERROR(CaseInScope(access, id).status());
  return store_.CloseCase(id, request.reason(), [&](const v1::Case& c) -> absl::Status {
    PCMD_RETURN_IF_ERROR(MustBeOpen(c, "CloseCase"));
    return MustBeCurrent(c, request.etag());
  });
}

}  // namespace pcmd::referrals
