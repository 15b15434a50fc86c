#include "services/referrals/referrals.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/ids/calendar.h"
#include "common/paging/paging.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kMaxPageSize = 200;
constexpr absl::string_view kPrefix = "referrals/";

// The given etag is not echoed: it is whatever the caller sent.
absl::Status StaleEtag(absl::string_view name, absl::string_view now) {
  return absl::AbortedError(
      absl::StrCat(name, " changed since it was read (etag now ", now, "); read it again"));
}

// A provider answers by the end of the response due date; after it the referral is
// expiring (the overdue job closes it), whether or not the job has run yet.
absl::Status AnswerInTime(const v1::Referral& referral, const Clock& clock) {
  const std::string today = IsoDate(VietnamDay(clock.Now()));
  if (referral.response_due_date() < today) {
    return absl::FailedPreconditionError(
        absl::StrCat("referral ", referral.name(), " had to be answered by ",
                     referral.response_due_date(), "; it has expired"));
  }
  return absl::OkStatus();
}

// The page size and the position of a list request. Errors: INVALID_ARGUMENT naming
// page_size or page_token.
template <typename Request>
void Paging(Validator& v, const Request& request, const std::string& fingerprint,
            std::optional<std::string>& after) {
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  if (!request.page_token().empty()) {
    after = ReadPageToken(request.page_token(), fingerprint);
    if (!after.has_value()) v.Add("page_token", "is not a token of this listing");
  }
}

}  // namespace

absl::StatusOr<v1::Referral> Referrals::InUnits(const security::Access& access,
                                                absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "referrals"));
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, store_.GetReferral(id, false));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access, {.name = r.name(), .unit_code = r.unit_code()}, units_));
  return r;
}

absl::StatusOr<v1::Referral> Referrals::Addressed(const security::Access& access,
                                                  absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "referrals"));
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, store_.GetReferral(id, false));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = r.name(), .provider_agency = r.provider_agency()}, units_));
  return r;
}

absl::StatusOr<v1::Referral> Referrals::Step(absl::string_view id, absl::string_view etag,
                                             ReferralStep step, v1::Outcome outcome,
                                             absl::FunctionRef<absl::Status(v1::Referral&)> edit,
                                             absl::string_view delivery_date) {
  return store_.UpdateReferral(id, [&](const v1::Referral& now) -> absl::StatusOr<ReferralChange> {
    if (!etag.empty() && etag != now.etag()) return StaleEtag(now.name(), now.etag());
    PCMD_ASSIGN_OR_RETURN(v1::ReferralState next,
                          NextState(now.name(), now.state(), step, outcome));
    ReferralChange change{.after = now, .step = step, .delivery_date = std::string(delivery_date)};
    change.after.set_state(next);
    PCMD_RETURN_IF_ERROR(edit(change.after));
    return change;
  });
}

absl::StatusOr<v1::InboxReferral> Referrals::Project(absl::string_view name) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  PCMD_ASSIGN_OR_RETURN(InboxSource source,
                        store_.GetInboxSource(absl::StripPrefix(name, kPrefix), today));
  return referrals::Project(source, today);
}

absl::StatusOr<v1::Referral> Referrals::Create(const security::Access& access,
                                               const v1::CreateReferralRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.AddFrom(ParseResourceName("client", request.client(), "clients").status());
  v.AddFrom(ParseResourceName("provider", request.provider(), "providers").status());
  v.Enum("service_type", request.service_type(), v1::ServiceType_IsValid);
  v.Text("note", request.note(), {.max_chars = 2000, .multiline = true});
  v.Date("response_due_date", request.response_due_date());
  v.Date("follow_up_date", request.follow_up_date());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateReferralRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Client client, clients_.Reachable(access, "client", request.client()));

  v1::Referral r;
  r.set_name(absl::StrCat(kPrefix, ids_.Next()));
  r.set_client(client.name());
  r.set_provider(request.provider());
  r.set_service_type(request.service_type());
  r.set_state(v1::REFERRAL_STATE_SENT);
  r.set_unit_code(client.unit_code());
  r.set_sender_agency(access.caller.agency.code);
  r.set_note(request.note());
  r.set_response_due_date(request.response_due_date().empty() ? IsoDate(today + 7)
                                                              : request.response_due_date());
  r.set_follow_up_date(request.follow_up_date());
  *r.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  // Keyed: the note is personal data.
  return store_.CreateReferral(
      request.request_id(), storage::RequestFingerprint(request, keys_.index_key()), r,
      [&](const ReferralFacts& facts, v1::Referral& referral) -> absl::Status {
        // Checked only for a new request: a retry after midnight answers the referral
        // created the day before instead of refusing its dates.
        Validator on_the_day;
        on_the_day.DateWithin("response_due_date", request.response_due_date(), today, today + 60,
                              false);
        on_the_day.DateWithin("follow_up_date", request.follow_up_date(), today, today + 365,
                              false);
        PCMD_RETURN_IF_ERROR(on_the_day.ToStatus("invalid CreateReferralRequest"));
        if (!facts.provider.has_value()) {
          return StatusWithFields(absl::StatusCode::kNotFound,
                                  absl::StrCat("provider: ", request.provider(), " not found"),
                                  {{"provider", "names no provider"}});
        }
        const v1::Provider& p = *facts.provider;
        if (!p.active()) {
          return absl::FailedPreconditionError(
              absl::StrCat("provider ", p.name(), " is inactive; refer to an active provider"));
        }
        if (std::find(p.services().begin(), p.services().end(), request.service_type()) ==
            p.services().end()) {
          return absl::FailedPreconditionError(
              absl::StrCat("provider ", p.name(), " does not offer ",
                           v1::ServiceType_Name(request.service_type())));
        }
        if (p.agency_code().empty()) {
          return absl::FailedPreconditionError(
              absl::StrCat("provider ", p.name(),
                           " has no agency system to receive referrals; set its "
                           "agency_code first"));
        }
        if (!facts.open_referral.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "client ", referral.client(), " already has open referral ", facts.open_referral,
              " for ", v1::ServiceType_Name(request.service_type())));
        }
        PCMD_ASSIGN_OR_RETURN(
            v1::Consent consent,
            ConsentFor(referral.client(), facts.consents, p.kind(), request.service_type(), today));
        referral.set_consent(consent.name());
        referral.set_provider_agency(p.agency_code());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Referral> Referrals::Get(const security::Access& access,
                                            absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, InUnits(access, name));
  return store_.GetReferral(absl::StripPrefix(r.name(), kPrefix), true);
}

absl::StatusOr<v1::ListReferralsResponse> Referrals::List(const security::Access& access,
                                                          const v1::ListReferralsRequest& request) {
  Validator v;
  v.Code("unit_code", request.unit_code(), /*required=*/false);
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  std::string client_id, provider_id;
  if (!request.client().empty()) {
    absl::StatusOr<std::string> id = ParseResourceName("client", request.client(), "clients");
    v.AddFrom(id.status());
    if (id.ok()) client_id = *id;
  }
  if (!request.provider().empty()) {
    absl::StatusOr<std::string> id = ParseResourceName("provider", request.provider(), "providers");
    v.AddFrom(id.status());
    if (id.ok()) provider_id = *id;
  }
  v.Enum("state", request.state(), v1::ReferralState_IsValid, /*required=*/false);
  const std::string fingerprint = QueryFingerprint(request);
  std::optional<std::string> after;
  Paging(v, request, fingerprint, after);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListReferralsRequest"));
  PCMD_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> units,
                        units::UnitsInReach(access, request.unit_code(), units_));
  PCMD_ASSIGN_OR_RETURN(
      ReferralPage page,
      store_.ListReferrals({.units = std::move(units),
                            .client_id = client_id,
                            .provider_id = provider_id,
                            .state = request.state(),
                            .overdue_only = request.overdue_only(),
                            .after = after.value_or(""),
                            .limit = request.page_size() == 0 ? 50 : request.page_size()}));
  v1::ListReferralsResponse response;
  for (v1::Referral& r : page.referrals) *response.add_referrals() = std::move(r);
  if (!page.next.empty()) response.set_next_page_token(MakePageToken(page.next, fingerprint));
  return response;
}

absl::StatusOr<v1::Referral> Referrals::Revoke(const security::Access& access,
                                               const v1::RevokeReferralRequest& request) {
  Validator v;
  v.AddFrom(ParseResourceName("name", request.name(), "referrals").status());
  v.Enum("reason", request.reason(), v1::RevokeReason_IsValid);
  if (request.reason() == v1::REVOKE_REASON_CONSENT_WITHDRAWN) {
    v.Add("reason", "is set by WithdrawConsent; withdraw the consent instead");
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid RevokeReferralRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, InUnits(access, request.name()));
  const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
  return Step(absl::StripPrefix(r.name(), kPrefix), request.etag(), ReferralStep::kRevoke,
              v1::OUTCOME_UNSPECIFIED, [&](v1::Referral& after) {
                after.set_revoke_reason(request.reason());
                *after.mutable_end_time() = TimeUtil::MillisecondsToTimestamp(now_ms);
                return absl::OkStatus();
              });
}

absl::StatusOr<v1::Referral> Referrals::ScheduleFollowUp(
    const security::Access& access, const v1::ScheduleReferralFollowUpRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.AddFrom(ParseResourceName("name", request.name(), "referrals").status());
  v.DateWithin("follow_up_date", request.follow_up_date(), today, today + 365, /*required=*/true);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ScheduleReferralFollowUpRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, InUnits(access, request.name()));
  return Step(absl::StripPrefix(r.name(), kPrefix), request.etag(), ReferralStep::kScheduleFollowUp,
              v1::OUTCOME_UNSPECIFIED, [&](v1::Referral& after) {
                after.set_follow_up_date(request.follow_up_date());
                // Expired referrals are closed; an open one is no longer behind.
                after.set_overdue(false);
                return absl::OkStatus();
              });
}

absl::StatusOr<v1::WithdrawConsentResponse> Referrals::WithdrawConsent(
    const security::Access& access, const v1::WithdrawConsentRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  absl::StatusOr<std::pair<std::string, std::string>> ids =
      ParseConsentName("name", request.name());
  v.AddFrom(ids.status());
  v.DateNotAfter("withdrawn_date", request.withdrawn_date(), today, /*required=*/true);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid WithdrawConsentRequest"));
  PCMD_RETURN_IF_ERROR(
      clients_.Reachable(access, "name", absl::StrCat("clients/", ids->first)).status());
  PCMD_ASSIGN_OR_RETURN(
      auto result, store_.WithdrawConsent(
                       ids->first, ids->second, request.withdrawn_date(),
                       [&](const v1::Consent& consent) -> absl::Status {
                         if (consent.withdrawn()) {
                           return absl::FailedPreconditionError(
                               absl::StrCat("consent ", consent.name(), " is already withdrawn (",
                                            consent.withdrawn_date(), ")"));
                         }
                         if (request.withdrawn_date() < consent.given_date()) {
                           return StatusWithFields(
                               absl::StatusCode::kInvalidArgument,
                               absl::StrCat("withdrawn_date is before the consent was given (",
                                            consent.given_date(), ")"),
                               {{"withdrawn_date", "must not be before given_date"}});
                         }
                         return absl::OkStatus();
                       }));
  v1::WithdrawConsentResponse response;
  *response.mutable_consent() = std::move(result.first);
  for (std::string& r : result.second) response.add_revoked_referrals(std::move(r));
  return response;
}

absl::StatusOr<v1::InboxReferral> Referrals::GetInbox(const security::Access& access,
                                                      absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, Addressed(access, name));
  return Project(r.name());
}

absl::StatusOr<v1::ListInboxReferralsResponse> Referrals::ListInbox(
    const security::Access& access, const v1::ListInboxReferralsRequest& request) {
  Validator v;
  v.Enum("state", request.state(), v1::ReferralState_IsValid, /*required=*/false);
  const std::string fingerprint = QueryFingerprint(request);
  std::optional<std::string> after;
  Paging(v, request, fingerprint, after);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListInboxReferralsRequest"));
  // "" would mean every provider to the store.
  if (access.caller.agency.code.empty()) {
    return absl::PermissionDeniedError("the calling provider has no agency code");
  }
  PCMD_ASSIGN_OR_RETURN(
      ReferralPage page,
      store_.ListReferrals({.provider_agency = access.caller.agency.code,
                            .state = request.state(),
                            .after = after.value_or(""),
                            .limit = request.page_size() == 0 ? 50 : request.page_size()}));
  const absl::CivilDay today = VietnamDay(clock_.Now());
  v1::ListInboxReferralsResponse response;
  for (v1::Referral& r : page.referrals) {
    // No consent in the source: the list shows no client field (GetInboxReferral does).
    InboxSource source;
    source.referral = std::move(r);
    *response.add_referrals() = referrals::Project(source, today);
  }
  if (!page.next.empty()) response.set_next_page_token(MakePageToken(page.next, fingerprint));
  return response;
}

absl::StatusOr<v1::InboxReferral> Referrals::Accept(const security::Access& access,
                                                    const v1::AcceptReferralRequest& request) {
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, Addressed(access, request.name()));
  const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
  PCMD_RETURN_IF_ERROR(Step(absl::StripPrefix(r.name(), kPrefix), request.etag(),
                            ReferralStep::kAccept, v1::OUTCOME_UNSPECIFIED,
                            [&](v1::Referral& after) {
                              PCMD_RETURN_IF_ERROR(AnswerInTime(after, clock_));
                              *after.mutable_respond_time() =
                                  TimeUtil::MillisecondsToTimestamp(now_ms);
                              return absl::OkStatus();
                            })
                           .status());
  return Project(r.name());
}

absl::StatusOr<v1::InboxReferral> Referrals::Decline(const security::Access& access,
                                                     const v1::DeclineReferralRequest& request) {
  Validator v;
  v.AddFrom(ParseResourceName("name", request.name(), "referrals").status());
  v.Enum("reason", request.reason(), v1::DeclineReason_IsValid);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid DeclineReferralRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, Addressed(access, request.name()));
  const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
  PCMD_RETURN_IF_ERROR(Step(absl::StripPrefix(r.name(), kPrefix), request.etag(),
                            ReferralStep::kDecline, v1::OUTCOME_UNSPECIFIED,
                            [&](v1::Referral& after) {
                              PCMD_RETURN_IF_ERROR(AnswerInTime(after, clock_));
                              after.set_decline_reason(request.reason());
                              *after.mutable_respond_time() =
                                  TimeUtil::MillisecondsToTimestamp(now_ms);
                              return absl::OkStatus();
                            })
                           .status());
  return Project(r.name());
}

absl::StatusOr<v1::InboxReferral> Referrals::RecordDelivery(
    const security::Access& access, const v1::RecordServiceDeliveryRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.AddFrom(ParseResourceName("name", request.name(), "referrals").status());
  v.DateNotAfter("delivery_date", request.delivery_date(), today, /*required=*/true);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid RecordServiceDeliveryRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, Addressed(access, request.name()));
  const std::string sent =
      IsoDate(VietnamDay(absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(r.create_time()))));
  if (request.delivery_date() < sent) {
    return StatusWithFields(absl::StatusCode::kInvalidArgument,
                            absl::StrCat("delivery_date ", request.delivery_date(),
                                         " is before the referral was sent (", sent, ")"),
                            {{"delivery_date", "must not be before the referral was sent"}});
  }
  PCMD_RETURN_IF_ERROR(Step(
                           absl::StripPrefix(r.name(), kPrefix), request.etag(),
                           ReferralStep::kRecordDelivery, v1::OUTCOME_UNSPECIFIED,
                           [&](v1::Referral& after) {
                             after.set_deliveries(after.deliveries() + 1);
                             after.set_last_delivery_date(
                                 std::max(after.last_delivery_date(), request.delivery_date()));
                             return absl::OkStatus();
                           },
                           request.delivery_date())
                           .status());
  return Project(r.name());
}

absl::StatusOr<v1::InboxReferral> Referrals::Complete(const security::Access& access,
                                                      const v1::CompleteReferralRequest& request) {
  Validator v;
  v.AddFrom(ParseResourceName("name", request.name(), "referrals").status());
  v.Enum("outcome", request.outcome(), v1::Outcome_IsValid);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CompleteReferralRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Referral r, Addressed(access, request.name()));
  const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
  PCMD_RETURN_IF_ERROR(Step(absl::StripPrefix(r.name(), kPrefix), request.etag(),
                            ReferralStep::kComplete, request.outcome(),
                            [&](v1::Referral& after) {
                              after.set_outcome(request.outcome());
                              *after.mutable_complete_time() =
                                  TimeUtil::MillisecondsToTimestamp(now_ms);
                              return absl::OkStatus();
                            })
                           .status());
  return Project(r.name());
}

}  // namespace pcmd::referrals
