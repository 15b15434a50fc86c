#include "services/intake/tips.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::intake {
namespace {

// Birth dates and "today" are calendar dates in Vietnam (UTC+7, no daylight saving).
absl::TimeZone VietnamTime() { return absl::FixedTimeZone(7 * 3600); }

// CCCD (12 digits), older ID cards (9 digits) and passports ("B1234567"): letters and
// digits only.
bool IsIdNumber(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// An optional leading "+", then 3–15 digits (short hotlines to E.164's longest), which
// may be grouped with single spaces, ".", "-" or parentheses.
bool IsPhone(absl::string_view s) {
  if (absl::ConsumePrefix(&s, "+") && s.empty()) return false;
  int digits = 0;
  char previous = '0';
  for (char c : s) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '(' || c == ')') {
      // Grouping: fine anywhere a separator is.
    } else if (c == ' ' || c == '.' || c == '-') {
      if (previous == ' ' || previous == '.' || previous == '-') return false;
    } else {
      return false;
    }
    previous = c;
  }
  return digits >= 3 && digits <= 15;
}

// "local@domain.tld": one "@", no spaces or control characters, a dot inside the
// domain. Deliverability is not ours to check.
bool IsEmail(absl::string_view s) {
  const size_t at = s.find('@');
  if (at == absl::string_view::npos || at == 0 || s.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return false;
  }
  const absl::string_view domain = s.substr(at + 1);
  const size_t dot = domain.find('.');
  return dot != absl::string_view::npos && dot != 0 && !absl::EndsWith(domain, ".") &&
         !absl::StrContains(domain, "..");
}

bool IsSha256Hex(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

// RFC 6838 "type/subtype", restricted-name characters, each part 1–63 characters
// beginning with a letter or digit.
bool IsMediaType(absl::string_view s) {
  const size_t slash = s.find('/');
  if (slash == absl::string_view::npos) return false;
  for (absl::string_view part : {s.substr(0, slash), s.substr(slash + 1)}) {
    if (part.empty() || part.size() > 63 ||
        !absl::ascii_isalnum(static_cast<unsigned char>(part[0]))) {
      return false;
    }
    for (char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
          absl::string_view("!#$&-^_.+").find(c) == absl::string_view::npos) {
        return false;
      }
    }
  }
  return true;
}

void IdNumber(Validator& v, const std::string& field, absl::string_view value) {
  v.Text(field, value, {.max_chars = 20});
  if (!IsIdNumber(value)) v.Add(field, "must be letters and digits only (CCCD: 12 digits)");
}

void Phone(Validator& v, const std::string& field, absl::string_view value) {
  v.Text(field, value, {.max_chars = 20});
  if (!value.empty() && !IsPhone(value)) {
    v.Add(field, "must be an optional +, then 3-15 digits grouped by spaces, '.', '-' or ()");
  }
}

void BirthDate(Validator& v, const std::string& field, absl::string_view value,
               absl::CivilDay today) {
  v.Date(field, value);
  if (std::optional<absl::CivilDay> day = ParseIsoDate(value); day.has_value()) {
    if (*day > today) v.Add(field, "is in the future");
    if (day->year() < 1900) v.Add(field, "is before 1900");
  }
}

void ValidatePlace(Validator& v, const v1::Place& place) {
  v.Text("place.address", place.address(), {.max_chars = 500});
  if (place.has_coordinates()) {
    const double lat = place.coordinates().latitude();
    const double lon = place.coordinates().longitude();
    // Written so that NaN fails too.
    if (!(lat >= -90.0 && lat <= 90.0)) {
      v.Add("place.coordinates.latitude", "must be between -90 and 90 degrees");
    }
    if (!(lon >= -180.0 && lon <= 180.0)) {
      v.Add("place.coordinates.longitude", "must be between -180 and 180 degrees");
    }
  } else if (place.address().empty()) {
    v.Add("place", "give an address or coordinates, or leave place out");
  }
}

void ValidatePerson(Validator& v, int i, const v1::NamedPerson& p, absl::CivilDay today) {
  const std::string at = absl::StrCat("persons[", i, "].");
  v.Enum(at + "role", p.role(), v1::PersonRole_IsValid);
  v.Text(at + "full_name", p.full_name(), {.required = true, .max_chars = 200});
  BirthDate(v, at + "birth_date", p.birth_date(), today);
  IdNumber(v, at + "id_number", p.id_number());
  Phone(v, at + "phone", p.phone());
  v.Text(at + "description", p.description(), {.max_chars = 2000, .multiline = true});
}

void ValidateAttachment(Validator& v, int i, const v1::Attachment& a) {
  const std::string at = absl::StrCat("attachments[", i, "].");
  if (!IsSha256Hex(a.sha256())) v.Add(at + "sha256", "must be 64 lowercase hex characters");
  v.Text(at + "media_type", a.media_type(), {.required = true, .max_chars = 100});
  if (!a.media_type().empty() && !IsMediaType(a.media_type())) {
    v.Add(at + "media_type", "must be a media type such as image/jpeg");
  }
}

void ValidateReporter(Validator& v, const v1::Reporter& r) {
  v.Text("reporter.full_name", r.full_name(), {.max_chars = 200});
  Phone(v, "reporter.phone", r.phone());
  IdNumber(v, "reporter.id_number", r.id_number());
  v.Text("reporter.address", r.address(), {.max_chars = 500});
  v.Text("reporter.email", r.email(), {.max_chars = 254});
  if (!r.email().empty() && !IsEmail(r.email())) {
    v.Add("reporter.email", "must be an address such as name@example.vn");
  }
  if (r.ByteSizeLong() == 0) {
    v.Add("reporter", "give at least one of its fields, or leave reporter out");
  }
}

}  // namespace

absl::StatusOr<v1::Tip> Tips::Submit(const v1::SubmitTipRequest& request) {
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), VietnamTime());
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Enum("channel", request.channel(), v1::Channel_IsValid);
  v.Enum("legal_kind", request.legal_kind(), v1::LegalKind_IsValid);
  v.Enum("category", request.category(), v1::Category_IsValid);
  v.Code("unit_code", request.unit_code());
  if (!request.establishment().empty()) {
    if (absl::Status s =
            ParseResourceName("establishment", request.establishment(), "establishments").status();
        !s.ok()) {
      for (const FieldViolation& fv : FieldViolationsOf(s)) v.Add(fv.field, fv.description);
    }
  }
  v.Text("description", request.description(), {.max_chars = 8000, .multiline = true});
  if (request.has_place()) ValidatePlace(v, request.place());
  v.Count("persons", request.persons_size(), 0, kMaxPersons);
  // Over the limit, the elements are not examined: one violation, not thousands.
  if (request.persons_size() <= static_cast<int>(kMaxPersons)) {
    for (int i = 0; i < request.persons_size(); ++i) {
      ValidatePerson(v, i, request.persons(i), today);
    }
  }
  v.Count("attachments", request.attachments_size(), 0, kMaxAttachments);
  if (request.attachments_size() <= static_cast<int>(kMaxAttachments)) {
    for (int i = 0; i < request.attachments_size(); ++i) {
      ValidateAttachment(v, i, request.attachments(i));
    }
  }
  if (request.has_reporter()) ValidateReporter(v, request.reporter());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid SubmitTipRequest"));

  v1::Tip tip;
  tip.set_name(absl::StrCat("tips/", ids_.Next()));
  tip.set_channel(request.channel());
  tip.set_legal_kind(request.legal_kind());
  tip.set_category(request.category());
  tip.set_unit_code(request.unit_code());
  tip.set_establishment(request.establishment());
  tip.set_state(v1::TIP_STATE_RECEIVED);
  *tip.mutable_receive_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  tip.set_description(request.description());
  if (request.has_place()) *tip.mutable_place() = request.place();
  for (const v1::NamedPerson& given : request.persons()) {
    v1::NamedPerson& person = *tip.add_persons();
    person = given;
    // Output only: whatever the caller sent is replaced.
    person.set_pseudonym(given.id_number().empty() ? std::string()
                                                   : index_.Pseudonym(given.id_number()));
  }
  *tip.mutable_attachments() = request.attachments();
  return store_.CreateTip(request.request_id(),
                          storage::RequestFingerprint(request, keys_.index_key()), tip,
                          request.has_reporter() ? &request.reporter() : nullptr);
}

absl::StatusOr<v1::Tip> Tips::Get(const security::Access& access, absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "tips"));
  // Scope first, from the unit alone: nothing is opened for a caller out of scope.
  PCMD_ASSIGN_OR_RETURN(std::string unit_code, store_.GetTipUnit(id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = absl::StrCat("tips/", id), .unit_code = unit_code}, units_));
  return store_.GetTip(id);
}

absl::StatusOr<v1::Reporter> Tips::RevealReporter(const security::Access& access,
                                                  const v1::RevealReporterRequest& request) {
  Validator v;
  absl::StatusOr<std::string> id = ParseResourceName("name", request.name(), "tips");
  if (!id.ok()) {
    for (const FieldViolation& fv : FieldViolationsOf(id.status())) v.Add(fv.field, fv.description);
  }
  v.Text("reason", request.reason(),
         {.required = true, .max_chars = kMaxRevealReasonChars, .multiline = true});
  if (!request.reason().empty() && IsValidUtf8(request.reason()) &&
      Utf8Length(absl::StripAsciiWhitespace(request.reason())) < kMinRevealReasonChars) {
    v.Add("reason", absl::StrCat("must say why the reporter's identity is needed, in at least ",
                                 kMinRevealReasonChars, " characters"));
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid RevealReporterRequest"));

  PCMD_ASSIGN_OR_RETURN(std::string unit_code, store_.GetTipUnit(*id));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access, {.name = request.name(), .unit_code = unit_code}, units_));
  const security::Caller& caller = access.caller;
  RevealRecord record{.reveal_id = ids_.Next(),
                      .agency_code = caller.agency.code,
                      .agency_kind = std::string(security::KindName(caller.agency.kind)),
                      .end_user = caller.end_user,
                      .purpose = caller.purpose,
                      .reason = request.reason()};
  PCMD_ASSIGN_OR_RETURN(v1::Reporter reporter, store_.RevealReporter(*id, record));
  // Raised to supervisors: the ReporterRevealed event went out with the record; this
  // line reaches whoever watches the logs. Names and reason stay out of both.
  log::Warning("reporter_revealed", {{"tip", request.name()},
                                     {"unit_code", unit_code},
                                     {"agency", caller.agency.code},
                                     {"agency_kind", record.agency_kind},
                                     {"reveal_id", record.reveal_id}});
  return reporter;
}

}  // namespace pcmd::intake
