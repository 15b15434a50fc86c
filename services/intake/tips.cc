#include "services/intake/tips.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/paging/paging.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/text/text.h"
#include "common/units/units.h"
#include "common/validation/person_fields.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/intake/clocks.h"

namespace pcmd::intake {
namespace {

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
  ValidateBirthDate(v, at + "birth_date", p.birth_date(), today);
  ValidateIdNumber(v, at + "id_number", p.id_number());
  ValidatePhone(v, at + "phone", p.phone());
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
  ValidatePhone(v, "reporter.phone", r.phone());
  ValidateIdNumber(v, "reporter.id_number", r.id_number());
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

absl::StatusOr<v1::Tip> Tips::Submit(const security::Caller& receiver,
                                     const v1::SubmitTipRequest& request) {
  PCMD_ASSIGN_OR_RETURN(PreparedTip prepared, Prepare(receiver, request));
  PCMD_ASSIGN_OR_RETURN(
      v1::Tip stored,
      store_.CreateTip(request.request_id(), prepared.fingerprint, prepared.tip,
                       request.has_reporter() ? &request.reporter() : nullptr, prepared.received));
  return Annotated(std::move(stored));
}

absl::StatusOr<PreparedTip> Tips::Prepare(const security::Caller& receiver,
                                          const v1::SubmitTipRequest& request, bool check_unit) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Enum("channel", request.channel(), v1::Channel_IsValid);
  v.Enum("legal_kind", request.legal_kind(), v1::LegalKind_IsValid);
  v.Enum("category", request.category(), v1::Category_IsValid);
  v.Code("unit_code", request.unit_code());
  if (!request.establishment().empty()) {
    v.AddFrom(
        ParseResourceName("establishment", request.establishment(), "establishments").status());
  }
  if (!request.hotspot().empty()) {
    v.AddFrom(ParseResourceName("hotspot", request.hotspot(), "hotspots").status());
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
  if (check_unit) {
    PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid SubmitTipRequest"));

  v1::Tip tip;
  tip.set_name(absl::StrCat("tips/", ids_.Next()));
  tip.set_channel(request.channel());
  tip.set_legal_kind(request.legal_kind());
  tip.set_category(request.category());
  tip.set_unit_code(request.unit_code());
  tip.set_establishment(request.establishment());
  tip.set_hotspot(request.hotspot());
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
  // The receiving agency holds the first stage.
  tip.set_receiving_agency(receiver.agency.code);
  tip.set_responsible_agency(receiver.agency.code);
  tip.set_responsible_unit(receiver.agency.unit_code);
  const absl::CivilDay legal = LegalDeadline(tip.legal_kind(), today, {});
  tip.set_legal_deadline(IsoDate(legal));
  if (std::optional<absl::CivilDay> stage =
          StageDeadline(tip.state(), tip.category(), today, legal);
      stage.has_value()) {
    tip.set_stage_deadline(IsoDate(*stage));
  }
  PCMD_ASSIGN_OR_RETURN(std::optional<v1::RouteProposal> route, router_.Propose(tip, units_));
  if (route.has_value()) *tip.mutable_proposed_route() = *std::move(route);
  v1::StageChange received;
  received.set_from_state(v1::TIP_STATE_UNSPECIFIED);
  received.set_to_state(v1::TIP_STATE_RECEIVED);
  received.set_agency_code(receiver.agency.code);
  received.set_end_user(receiver.end_user);
  *received.mutable_change_time() = tip.receive_time();
  return PreparedTip{.tip = std::move(tip),
                     .received = std::move(received),
                     .fingerprint = storage::RequestFingerprint(request, keys_.index_key())};
}

absl::StatusOr<v1::Tip> Tips::Get(const security::Access& access, absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "tips"));
  // Scope first, from the stage facts alone: nothing is opened for a caller out of
  // scope. The agency responsible for the tip reaches it wherever it is.
  PCMD_ASSIGN_OR_RETURN(TipStage stage, store_.GetTipStage(id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(access,
                                            {.name = absl::StrCat("tips/", id),
                                             .unit_code = stage.unit_code,
                                             .assigned_agency = stage.responsible_agency},
                                            units_));
  PCMD_ASSIGN_OR_RETURN(v1::Tip tip, store_.GetTip(id));
  return Annotated(std::move(tip));
}

absl::StatusOr<v1::Reporter> Tips::RevealReporter(const security::Access& access,
                                                  const v1::RevealReporterRequest& request) {
  Validator v;
  absl::StatusOr<std::string> id = ParseResourceName("name", request.name(), "tips");
  if (!id.ok()) v.AddFrom(id.status());
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

namespace {

// "RESOLVED" for TIP_STATE_RESOLVED.
std::string StateName(v1::TipState state) {
  absl::string_view name = v1::TipState_Name(state);
  absl::ConsumePrefix(&name, "TIP_STATE_");
  return std::string(name);
}

std::string StateNames(const std::vector<v1::TipState>& states) {
  std::string out;
  for (size_t i = 0; i < states.size(); ++i) {
    if (i > 0) absl::StrAppend(&out, i + 1 == states.size() ? " or " : ", ");
    absl::StrAppend(&out, StateName(states[i]));
  }
  return out;
}

absl::CivilDay DayOf(const google::protobuf::Timestamp& t) {
  return VietnamDay(
      absl::FromUnixMillis(google::protobuf::util::TimeUtil::TimestampToMilliseconds(t)));
}

std::vector<v1::ExtensionBasis> BasesOf(const v1::Tip& tip) {
  std::vector<v1::ExtensionBasis> bases;
  for (const v1::DeadlineExtension& e : tip.extensions()) bases.push_back(e.basis());
  return bases;
}

}  // namespace

absl::StatusOr<v1::Tip> Tips::ChangeStage(const security::Access& access, const StageRule& rule,
                                          Validator& v, const google::protobuf::Message& request,
                                          absl::string_view name, absl::string_view etag,
                                          absl::string_view request_id, Apply apply) {
  absl::StatusOr<std::string> id = ParseResourceName("name", name, "tips");
  if (!id.ok()) v.AddFrom(id.status());
  v.Text("etag", etag, {.max_chars = 64});
  if (rule.request_id_required || !request_id.empty()) v.RequestId("request_id", request_id);
  PCMD_RETURN_IF_ERROR(v.ToStatus(absl::StrCat("invalid ", rule.rpc, "Request")));

  // Scope first, from the stage facts alone: nothing is opened for a caller out of
  // scope. The agency that may act reaches the tip wherever it is.
  PCMD_ASSIGN_OR_RETURN(TipStage stage, store_.GetTipStage(*id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access,
      {.name = std::string(name),
       .unit_code = stage.unit_code,
       .assigned_agency = rule.actor == Actor::kTransferReceiver ? stage.transfer_to_agency
                                                                 : stage.responsible_agency},
      units_));

  const security::Caller& caller = access.caller;
  const StageRequestKey key{.rpc = std::string(rule.rpc),
                            .request_id = std::string(request_id),
                            .fingerprint = storage::RequestFingerprint(request, keys_.index_key())};
  absl::StatusOr<v1::Tip> changed =
      store_.ChangeStage(*id, key, [&](const v1::Tip& current) -> absl::StatusOr<StageUpdate> {
        if (!etag.empty() && etag != current.etag()) {
          return absl::AbortedError(absl::StrCat("tip ", name, " changed since it was read (etag ",
                                                 current.etag(), "); read it again"));
        }
        if (std::find(rule.from.begin(), rule.from.end(), current.state()) == rule.from.end()) {
          return absl::FailedPreconditionError(
              absl::StrCat("tip ", name, " is ", StateName(current.state()), "; ", rule.rpc,
                           " needs ", StateNames(rule.from)));
        }
        switch (rule.actor) {
          case Actor::kResponsible:
            if (caller.agency.code != current.responsible_agency()) {
              return absl::PermissionDeniedError(absl::StrCat(
                  "tip ", name, " is the responsibility of agency ", current.responsible_agency(),
                  "; only it may call ", rule.rpc, ", not ", caller.agency.code));
            }
            break;
          case Actor::kTransferReceiver:
            if (caller.agency.code != current.pending_transfer().to_agency()) {
              return absl::PermissionDeniedError(
                  absl::StrCat("tip ", name, " is being transferred to agency ",
                               current.pending_transfer().to_agency(), "; only it may call ",
                               rule.rpc, ", not ", caller.agency.code));
            }
            break;
          case Actor::kProcuracy:
            if (caller.agency.kind != security::AgencyKind::kProcuracy) {
              return absl::PermissionDeniedError(absl::StrCat(
                  "only the procuracy grants EXTENSION_BASIS_PROCURACY_EXTENSION on tip ", name,
                  " (Criminal Procedure Code 2015 Art. 147(2)), not ", caller.agency.code));
            }
            break;
        }
        const absl::Time now = clock_.Now();
        StageUpdate update;
        update.tip = current;
        update.change.set_from_state(current.state());
        update.change.set_agency_code(caller.agency.code);
        update.change.set_end_user(caller.end_user);
        *update.change.mutable_change_time() =
            google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(now));
        PCMD_RETURN_IF_ERROR(apply(current, update));
        update.change.set_to_state(update.tip.state());
        if (update.tip.state() != current.state()) {
          // A new stage starts its own clock today.
          update.tip.clear_stage_deadline();
          absl::CivilDay legal;
          if (std::optional<absl::CivilDay> day = ParseIsoDate(update.tip.legal_deadline());
              day.has_value()) {
            legal = *day;
          } else {
            legal = LegalDeadline(current.legal_kind(), DayOf(current.receive_time()),
                                  BasesOf(current));
            update.tip.set_legal_deadline(IsoDate(legal));
          }
          if (std::optional<absl::CivilDay> stage_day =
                  StageDeadline(update.tip.state(), current.category(), VietnamDay(now), legal);
              stage_day.has_value()) {
            update.tip.set_stage_deadline(IsoDate(*stage_day));
          }
        }
        return update;
      });
  if (!changed.ok()) return changed.status();
  return Annotated(*std::move(changed));
}

absl::StatusOr<v1::Tip> Tips::Verify(const security::Access& access,
                                     const v1::VerifyTipRequest& request) {
  Validator v;
  return ChangeStage(access, {.rpc = "VerifyTip", .from = {v1::TIP_STATE_RECEIVED}}, v, request,
                     request.name(), request.etag(), request.request_id(),
                     [&](const v1::Tip& current, StageUpdate& update) {
                       update.tip.set_state(v1::TIP_STATE_VERIFIED);
                       auto e = std::make_unique<events::v1::TipVerified>();
                       e->set_tip(current.name());
                       e->set_unit_code(current.unit_code());
                       e->set_agency_code(access.caller.agency.code);
                       e->set_state(v1::TIP_STATE_VERIFIED);
                       e->set_verify_date(IsoDate(VietnamDay(clock_.Now())));
                       update.events.push_back(std::move(e));
                       return absl::OkStatus();
                     });
}

absl::StatusOr<v1::Tip> Tips::Classify(const security::Access& access,
                                       const v1::ClassifyTipRequest& request) {
  Validator v;
  v.Enum("classification", request.classification(), v1::Classification_IsValid);
  return ChangeStage(access, {.rpc = "ClassifyTip", .from = {v1::TIP_STATE_VERIFIED}}, v, request,
                     request.name(), request.etag(), request.request_id(),
                     [&](const v1::Tip& current, StageUpdate& update) {
                       update.tip.set_state(v1::TIP_STATE_CLASSIFIED);
                       update.tip.set_classification(request.classification());
                       auto e = std::make_unique<events::v1::TipClassified>();
                       e->set_tip(current.name());
                       e->set_unit_code(current.unit_code());
                       e->set_agency_code(access.caller.agency.code);
                       e->set_state(v1::TIP_STATE_CLASSIFIED);
                       e->set_classification(request.classification());
                       e->set_classify_date(IsoDate(VietnamDay(clock_.Now())));
                       update.events.push_back(std::move(e));
                       return absl::OkStatus();
                     });
}

absl::StatusOr<v1::Tip> Tips::Assign(const security::Access& access,
                                     const v1::AssignTipRequest& request) {
  Validator v;
  v.Code("agency_code", request.agency_code());
  v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  return ChangeStage(access, {.rpc = "AssignTip", .from = {v1::TIP_STATE_CLASSIFIED}}, v, request,
                     request.name(), request.etag(), request.request_id(),
                     [&](const v1::Tip& current, StageUpdate& update) {
                       update.tip.set_state(v1::TIP_STATE_ASSIGNED);
                       update.tip.set_responsible_agency(request.agency_code());
                       update.tip.set_responsible_unit(request.unit_code());
                       auto e = std::make_unique<events::v1::TipAssigned>();
                       e->set_tip(current.name());
                       e->set_unit_code(current.unit_code());
                       e->set_agency_code(access.caller.agency.code);
                       e->set_state(v1::TIP_STATE_ASSIGNED);
                       e->set_assigned_agency(request.agency_code());
                       e->set_assigned_unit(request.unit_code());
                       e->set_assign_date(IsoDate(VietnamDay(clock_.Now())));
                       e->set_legal_deadline(current.legal_deadline());
                       update.events.push_back(std::move(e));
                       return absl::OkStatus();
                     });
}

absl::StatusOr<v1::Tip> Tips::Transfer(const security::Access& access,
                                       const v1::TransferTipRequest& request) {
  Validator v;
  v.Code("to_agency", request.to_agency());
  v.Code("to_unit", request.to_unit());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "to_unit", request.to_unit(), units_));
  if (!request.to_agency().empty() && request.to_agency() == access.caller.agency.code) {
    v.Add("to_agency", "is the calling agency; name the agency the tip goes to");
  }
  return ChangeStage(access,
                     {.rpc = "TransferTip",
                      .from = {v1::TIP_STATE_RECEIVED, v1::TIP_STATE_VERIFIED,
                               v1::TIP_STATE_CLASSIFIED, v1::TIP_STATE_ASSIGNED},
                      .request_id_required = true},
                     v, request, request.name(), request.etag(), request.request_id(),
                     [&](const v1::Tip& current, StageUpdate& update) {
                       update.tip.set_state(v1::TIP_STATE_TRANSFER_PENDING);
                       v1::PendingTransfer& pending = *update.tip.mutable_pending_transfer();
                       pending.set_to_agency(request.to_agency());
                       pending.set_to_unit(request.to_unit());
                       pending.set_return_state(current.state());
                       auto e = std::make_unique<events::v1::TipTransferred>();
                       e->set_tip(current.name());
                       e->set_unit_code(current.unit_code());
                       e->set_from_agency(current.responsible_agency());
                       e->set_to_agency(request.to_agency());
                       e->set_to_unit(request.to_unit());
                       e->set_state(v1::TIP_STATE_TRANSFER_PENDING);
                       e->set_transfer_date(IsoDate(VietnamDay(clock_.Now())));
                       update.events.push_back(std::move(e));
                       return absl::OkStatus();
                     });
}

absl::StatusOr<v1::Tip> Tips::AcceptTransfer(const security::Access& access,
                                             const v1::AcceptTransferRequest& request) {
  Validator v;
  return ChangeStage(access,
                     {.rpc = "AcceptTransfer",
                      .from = {v1::TIP_STATE_TRANSFER_PENDING},
                      .actor = Actor::kTransferReceiver},
                     v, request, request.name(), request.etag(), request.request_id(),
                     [&](const v1::Tip& current, StageUpdate& update) {
                       const v1::PendingTransfer& pending = current.pending_transfer();
                       update.tip.set_state(v1::TIP_STATE_ASSIGNED);
                       update.tip.set_responsible_agency(pending.to_agency());
                       update.tip.set_responsible_unit(pending.to_unit());
                       update.tip.clear_pending_transfer();
                       auto e = std::make_unique<events::v1::TipTransferAccepted>();
                       e->set_tip(current.name());
                       e->set_unit_code(current.unit_code());
                       e->set_from_agency(current.responsible_agency());
                       e->set_to_agency(pending.to_agency());
                       e->set_to_unit(pending.to_unit());
                       e->set_state(v1::TIP_STATE_ASSIGNED);
                       e->set_accept_date(IsoDate(VietnamDay(clock_.Now())));
                       update.events.push_back(std::move(e));
                       return absl::OkStatus();
                     });
}

absl::StatusOr<v1::Tip> Tips::RejectTransfer(const security::Access& access,
                                             const v1::RejectTransferRequest& request) {
  Validator v;
  v.Text("reason", request.reason(), {.required = true, .max_chars = 2000, .multiline = true});
  return ChangeStage(access,
                     {.rpc = "RejectTransfer",
                      .from = {v1::TIP_STATE_TRANSFER_PENDING},
                      .actor = Actor::kTransferReceiver},
                     v, request, request.name(), request.etag(), request.request_id(),
                     [&](const v1::Tip& current, StageUpdate& update) {
                       const v1::PendingTransfer& pending = current.pending_transfer();
                       const v1::TipState back = pending.return_state() == v1::TIP_STATE_UNSPECIFIED
                                                     ? v1::TIP_STATE_RECEIVED
                                                     : pending.return_state();
                       update.tip.set_state(back);
                       update.tip.clear_pending_transfer();
                       update.change.set_note(request.reason());
                       auto e = std::make_unique<events::v1::TipTransferRejected>();
                       e->set_tip(current.name());
                       e->set_unit_code(current.unit_code());
                       e->set_from_agency(current.responsible_agency());
                       e->set_to_agency(pending.to_agency());
                       e->set_state(back);
                       e->set_reject_date(IsoDate(VietnamDay(clock_.Now())));
                       update.events.push_back(std::move(e));
                       return absl::OkStatus();
                     });
}

absl::StatusOr<v1::Tip> Tips::ExtendDeadline(const security::Access& access,
                                             const v1::ExtendTipDeadlineRequest& request) {
  Validator v;
  v.Enum("basis", request.basis(), v1::ExtensionBasis_IsValid);
  const bool by_procuracy = request.basis() == v1::EXTENSION_BASIS_PROCURACY_EXTENSION;
  return ChangeStage(
      access,
      {.rpc = "ExtendTipDeadline",
       .from = {std::begin(kOpenStates), std::end(kOpenStates)},
       .actor = by_procuracy ? Actor::kProcuracy : Actor::kResponsible,
       .request_id_required = true},
      v, request, request.name(), request.etag(), request.request_id(),
      [&](const v1::Tip& current, StageUpdate& update) -> absl::Status {
        std::vector<v1::ExtensionBasis> bases = BasesOf(current);
        if (absl::Status s = CheckExtension(current.legal_kind(), bases, request.basis());
            !s.ok()) {
          return absl::Status(s.code(), absl::StrCat("tip ", current.name(), ": ", s.message()));
        }
        const absl::Time now = clock_.Now();
        v1::DeadlineExtension& extension = *update.tip.add_extensions();
        extension.set_basis(request.basis());
        extension.set_agency_code(access.caller.agency.code);
        *extension.mutable_extend_time() =
            google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(now));
        bases.push_back(request.basis());
        const absl::CivilDay legal =
            LegalDeadline(current.legal_kind(), DayOf(current.receive_time()), bases);
        update.tip.set_legal_deadline(IsoDate(legal));
        // The stage keeps the day it was entered; only the cap moves.
        const absl::CivilDay entered = current.history().empty()
                                           ? DayOf(current.receive_time())
                                           : DayOf(current.history().rbegin()->change_time());
        if (std::optional<absl::CivilDay> stage_day =
                StageDeadline(current.state(), current.category(), entered, legal);
            stage_day.has_value()) {
          update.tip.set_stage_deadline(IsoDate(*stage_day));
        }
        auto e = std::make_unique<events::v1::TipDeadlineExtended>();
        e->set_tip(current.name());
        e->set_unit_code(current.unit_code());
        e->set_agency_code(access.caller.agency.code);
        e->set_state(current.state());
        e->set_basis(request.basis());
        e->set_legal_deadline(IsoDate(legal));
        e->set_extend_date(IsoDate(VietnamDay(now)));
        update.events.push_back(std::move(e));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Tip> Tips::Resolve(const security::Access& access,
                                      const v1::ResolveTipRequest& request) {
  Validator v;
  v.Enum("outcome", request.outcome(), v1::Outcome_IsValid);
  v.Count("references", request.references_size(), 1, 10);
  for (int i = 0; i < request.references_size() && i < 10; ++i) {
    v.Text(absl::StrCat("references[", i, "]"), request.references(i),
           {.required = true, .max_chars = 64});
  }
  v.Text("note", request.note(), {.max_chars = 4000, .multiline = true});
  return ChangeStage(
      access, {.rpc = "ResolveTip", .from = {v1::TIP_STATE_ASSIGNED}}, v, request, request.name(),
      request.etag(), request.request_id(), [&](const v1::Tip& current, StageUpdate& update) {
        const absl::Time now = clock_.Now();
        const absl::CivilDay today = VietnamDay(now);
        std::optional<absl::CivilDay> legal = ParseIsoDate(current.legal_deadline());
        if (!legal.has_value()) {
          legal =
              LegalDeadline(current.legal_kind(), DayOf(current.receive_time()), BasesOf(current));
          update.tip.set_legal_deadline(IsoDate(*legal));
        }
        const bool on_time = OnTime(today, *legal);
        update.tip.set_state(v1::TIP_STATE_RESOLVED);
        v1::Resolution& resolution = *update.tip.mutable_resolution();
        resolution.set_outcome(request.outcome());
        *resolution.mutable_references() = request.references();
        *resolution.mutable_resolve_time() =
            google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(now));
        resolution.set_on_time(on_time);
        update.change.set_note(request.note());
        auto e = std::make_unique<events::v1::TipResolved>();
        e->set_tip(current.name());
        e->set_unit_code(current.unit_code());
        e->set_agency_code(access.caller.agency.code);
        e->set_state(v1::TIP_STATE_RESOLVED);
        e->set_outcome(request.outcome());
        e->set_legal_kind(current.legal_kind());
        e->set_category(current.category());
        e->set_legal_deadline(IsoDate(*legal));
        e->set_resolve_date(IsoDate(today));
        e->set_on_time(on_time);
        update.events.push_back(std::move(e));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Tip> Tips::MarkDuplicate(const security::Access& access,
                                            const v1::MarkTipDuplicateRequest& request) {
  Validator v;
  absl::StatusOr<std::string> original =
      ParseResourceName("duplicate_of", request.duplicate_of(), "tips");
  if (!original.ok()) {
    v.AddFrom(original.status());
  } else if (request.duplicate_of() == request.name()) {
    v.Add("duplicate_of", "names this tip; name the earlier tip it repeats");
  }
  if (v.ok() && ParseResourceName("name", request.name(), "tips").ok()) {
    if (absl::StatusOr<TipStage> found = store_.GetTipStage(*original); !found.ok()) {
      if (found.status().code() != absl::StatusCode::kNotFound) return found.status();
      return absl::NotFoundError(
          absl::StrCat("duplicate_of: tip ", request.duplicate_of(), " not found"));
    }
  }
  return ChangeStage(
      access, {.rpc = "MarkTipDuplicate", .from = {std::begin(kOpenStates), std::end(kOpenStates)}},
      v, request, request.name(), request.etag(), request.request_id(),
      [&](const v1::Tip& current, StageUpdate& update) {
        update.tip.set_state(v1::TIP_STATE_DUPLICATE);
        update.tip.set_duplicate_of(request.duplicate_of());
        update.tip.clear_pending_transfer();
        auto e = std::make_unique<events::v1::TipMarkedDuplicate>();
        e->set_tip(current.name());
        e->set_unit_code(current.unit_code());
        e->set_agency_code(access.caller.agency.code);
        e->set_state(v1::TIP_STATE_DUPLICATE);
        e->set_duplicate_of(request.duplicate_of());
        e->set_mark_date(IsoDate(VietnamDay(clock_.Now())));
        update.events.push_back(std::move(e));
        return absl::OkStatus();
      });
}

bool IsOverdue(const v1::Tip& tip, absl::CivilDay today) {
  if (std::find(std::begin(kOpenStates), std::end(kOpenStates), tip.state()) ==
      std::end(kOpenStates)) {
    return false;
  }
  for (const std::string& deadline : {tip.legal_deadline(), tip.stage_deadline()}) {
    std::optional<absl::CivilDay> day = ParseIsoDate(deadline);
    if (day.has_value() && *day < today) return true;
  }
  return false;
}

v1::Tip Tips::Annotated(v1::Tip tip) const {
  tip.set_overdue(IsOverdue(tip, VietnamDay(clock_.Now())));
  return tip;
}

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr size_t kMaxSearchChars = 200;

// Where the next page starts: "<receive unix ms>.<tip id>", bound to the query by
// common/paging.
std::string PageToken(const v1::Tip& last, const std::string& fingerprint) {
  return MakePageToken(
      absl::StrCat(google::protobuf::util::TimeUtil::TimestampToMilliseconds(last.receive_time()),
                   ".", last.name().substr(5)),
      fingerprint);
}

std::optional<std::pair<int64_t, std::string>> ParsePageToken(absl::string_view token,
                                                              const std::string& fingerprint) {
  const std::optional<std::string> plain = ReadPageToken(token, fingerprint);
  if (!plain.has_value()) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(*plain, '.');
  int64_t ms = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &ms) || parts[1].empty()) {
    return std::nullopt;
  }
  return std::pair<int64_t, std::string>(ms, parts[1]);
}

template <typename Enum>
std::vector<Enum> ValidEnums(Validator& v, absl::string_view field,
                             const google::protobuf::RepeatedField<int>& values,
                             bool (*is_valid)(int)) {
  std::vector<Enum> out;
  for (int i = 0; i < values.size(); ++i) {
    v.Enum(absl::StrCat(field, "[", i, "]"), values[i], is_valid);
    out.push_back(static_cast<Enum>(values[i]));
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::ListTipsResponse> Tips::List(const security::Access& access,
                                                const v1::ListTipsRequest& request) {
  Validator v;
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  TipQuery query;
  query.states = ValidEnums<v1::TipState>(v, "states", request.states(), v1::TipState_IsValid);
  query.legal_kinds =
      ValidEnums<v1::LegalKind>(v, "legal_kinds", request.legal_kinds(), v1::LegalKind_IsValid);
  query.categories =
      ValidEnums<v1::Category>(v, "categories", request.categories(), v1::Category_IsValid);
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  if (!request.responsible_agency().empty()) {
    v.Code("responsible_agency", request.responsible_agency());
  }
  std::optional<absl::CivilDay> from, to;
  if (!request.receive_date_from().empty()) {
    v.Date("receive_date_from", request.receive_date_from());
    from = ParseIsoDate(request.receive_date_from());
  }
  if (!request.receive_date_to().empty()) {
    v.Date("receive_date_to", request.receive_date_to());
    to = ParseIsoDate(request.receive_date_to());
  }
  if (from.has_value() && to.has_value() && *to < *from) {
    v.Add("receive_date_to", "is before receive_date_from");
  }
  v.Text("text", request.text(), {.max_chars = kMaxSearchChars});
  // Unspecified means the basic view.
  if (request.view() != v1::TIP_VIEW_UNSPECIFIED)
    v.Enum("view", request.view(), v1::TipView_IsValid);
  const std::string fingerprint = QueryFingerprint(request);
  if (!request.page_token().empty()) {
    query.after = ParsePageToken(request.page_token(), fingerprint);
    if (!query.after.has_value()) {
      v.Add("page_token", "is not a page token of this query (the filters must stay the same)");
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListTipsRequest"));

  const security::Caller& caller = access.caller;
  const bool everywhere =
      access.scope == security::Scope::kAll || caller.agency.unit_code == security::kNationalUnit;
  if (!everywhere) {
    if (access.scope != security::Scope::kOwnUnitSubtree) {
      return absl::PermissionDeniedError("ListTips needs a unit scope");
    }
    PCMD_ASSIGN_OR_RETURN(query.scope_units, units_.SubtreeOf(caller.agency.unit_code));
    query.scope_agency = caller.agency.code;
  }
  if (!request.unit_code().empty()) {
    if (!everywhere) {
      PCMD_ASSIGN_OR_RETURN(bool within,
                            units_.IsWithin(request.unit_code(), caller.agency.unit_code));
      if (!within) {
        return absl::PermissionDeniedError(absl::StrCat("unit ", request.unit_code(),
                                                        " lies outside the units of agency ",
                                                        caller.agency.code));
      }
    }
    PCMD_ASSIGN_OR_RETURN(query.units, units_.SubtreeOf(request.unit_code()));
  }
  query.responsible_agency = request.responsible_agency();
  const absl::CivilDay today = VietnamDay(clock_.Now());
  if (request.overdue_only()) query.overdue_on = IsoDate(today);
  const absl::TimeZone vietnam = absl::FixedTimeZone(7 * 3600);
  if (from.has_value()) query.received_from = absl::FromCivil(*from, vietnam);
  if (to.has_value()) query.received_before = absl::FromCivil(*to + 1, vietnam);
  query.words = text::Words(request.text());
  query.full = request.view() == v1::TIP_VIEW_FULL;
  const int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  // One more than the page tells whether another page follows.
  query.limit = page_size + 1;

  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Tip> tips, store_.ListTips(query));
  v1::ListTipsResponse response;
  const bool more = static_cast<int>(tips.size()) > page_size;
  if (more) tips.resize(page_size);
  for (v1::Tip& tip : tips) *response.add_tips() = Annotated(std::move(tip));
  if (more) response.set_next_page_token(PageToken(response.tips().rbegin()[0], fingerprint));
  return response;
}

absl::StatusOr<std::vector<v1::LikelyDuplicate>> Tips::LikelyDuplicates(
    const security::Access& access, absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "tips"));
  PCMD_ASSIGN_OR_RETURN(TipStage stage, store_.GetTipStage(id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(access,
                                            {.name = std::string(name),
                                             .unit_code = stage.unit_code,
                                             .assigned_agency = stage.responsible_agency},
                                            units_));
  PCMD_ASSIGN_OR_RETURN(std::vector<DuplicateCandidate> candidates,
                        store_.ListLikelyDuplicates(id));
  std::vector<v1::LikelyDuplicate> out;
  for (const DuplicateCandidate& c : candidates) {
    const std::string other = absl::StrCat("tips/", c.tip_id);
    absl::Status visible = security::CheckScope(
        access, {.name = other, .unit_code = c.unit_code, .assigned_agency = c.responsible_agency},
        units_);
    if (absl::IsPermissionDenied(visible)) continue;
    PCMD_RETURN_IF_ERROR(visible);
    v1::LikelyDuplicate& d = out.emplace_back();
    d.set_tip(other);
    for (const std::string& reason : c.reasons) d.add_reasons(reason);
  }
  return out;
}

}  // namespace pcmd::intake
