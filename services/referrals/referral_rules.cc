#include "services/referrals/referral_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/validation/validation.h"

namespace pcmd::referrals {
namespace {

using v1::ReferralState;

absl::string_view StateName(ReferralState state) {
  return absl::string_view(v1::ReferralState_Name(state)).substr(sizeof("REFERRAL_STATE_") - 1);
}

// The states each step may start from, and where it leads.
struct Edge {
  ReferralStep step;
  std::vector<ReferralState> from;
  ReferralState to;  // UNSPECIFIED: stays where it is.
};

const std::vector<Edge>& Edges() {
  static const auto* edges = new std::vector<Edge>{
      {ReferralStep::kAccept, {v1::REFERRAL_STATE_SENT}, v1::REFERRAL_STATE_ACCEPTED},
      {ReferralStep::kDecline, {v1::REFERRAL_STATE_SENT}, v1::REFERRAL_STATE_DECLINED},
      {ReferralStep::kRecordDelivery,
       {v1::REFERRAL_STATE_ACCEPTED, v1::REFERRAL_STATE_IN_SERVICE},
       v1::REFERRAL_STATE_IN_SERVICE},
      {ReferralStep::kComplete,
       {v1::REFERRAL_STATE_ACCEPTED, v1::REFERRAL_STATE_IN_SERVICE},
       v1::REFERRAL_STATE_COMPLETED},
      {ReferralStep::kRevoke,
       {v1::REFERRAL_STATE_SENT, v1::REFERRAL_STATE_ACCEPTED},
       v1::REFERRAL_STATE_REVOKED},
      {ReferralStep::kWithdrawConsent,
       {v1::REFERRAL_STATE_SENT, v1::REFERRAL_STATE_ACCEPTED},
       v1::REFERRAL_STATE_REVOKED},
      {ReferralStep::kExpire, {v1::REFERRAL_STATE_SENT}, v1::REFERRAL_STATE_EXPIRED},
      {ReferralStep::kScheduleFollowUp,
       {v1::REFERRAL_STATE_SENT, v1::REFERRAL_STATE_ACCEPTED, v1::REFERRAL_STATE_IN_SERVICE},
       v1::REFERRAL_STATE_UNSPECIFIED},
  };
  return *edges;
}

template <typename List, typename T>
bool Contains(const List& list, T value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

absl::string_view StepName(ReferralStep step) {
  switch (step) {
    case ReferralStep::kAccept:
      return "accepted";
    case ReferralStep::kDecline:
      return "declined";
    case ReferralStep::kRecordDelivery:
      return "delivered";
    case ReferralStep::kComplete:
      return "completed";
    case ReferralStep::kRevoke:
      return "revoked";
    case ReferralStep::kWithdrawConsent:
      return "revoked by consent withdrawal";
    case ReferralStep::kExpire:
      return "expired";
    case ReferralStep::kScheduleFollowUp:
      return "followed up";
  }
  return "changed";
}

absl::StatusOr<ReferralState> NextState(absl::string_view referral, ReferralState state,
                                        ReferralStep step, v1::Outcome outcome) {
  for (const Edge& edge : Edges()) {
    if (edge.step != step) continue;
    std::string allowed;
    for (ReferralState from : edge.from) {
      absl::StrAppend(&allowed, allowed.empty() ? "" : " or ", StateName(from));
    }
    if (!Contains(edge.from, state)) {
      return absl::FailedPreconditionError(absl::StrCat("referral ", referral, " is ",
                                                        StateName(state), "; only a ", allowed,
                                                        " referral can be ", StepName(step)));
    }
    if (step == ReferralStep::kComplete && state == v1::REFERRAL_STATE_ACCEPTED &&
        outcome != v1::OUTCOME_DID_NOT_ATTEND) {
      return absl::FailedPreconditionError(
          absl::StrCat("referral ", referral,
                       " is ACCEPTED with no service delivered; record a delivery first, or "
                       "complete it with OUTCOME_DID_NOT_ATTEND"));
    }
    return edge.to == v1::REFERRAL_STATE_UNSPECIFIED ? state : edge.to;
  }
  return absl::InternalError("a referral step without a rule");
}

bool IsOpen(ReferralState state) {
  return state == v1::REFERRAL_STATE_SENT || state == v1::REFERRAL_STATE_ACCEPTED ||
         state == v1::REFERRAL_STATE_IN_SERVICE;
}

bool InForce(const v1::Consent& consent, absl::CivilDay today) {
  if (consent.withdrawn()) return false;
  const std::optional<absl::CivilDay> given = ParseIsoDate(consent.given_date());
  const std::optional<absl::CivilDay> expires = ParseIsoDate(consent.expire_date());
  return given.has_value() && expires.has_value() && *given <= today && today <= *expires;
}

absl::StatusOr<v1::Consent> ConsentFor(absl::string_view client,
                                       const std::vector<v1::Consent>& consents,
                                       v1::ProviderKind kind, v1::ServiceType service,
                                       absl::CivilDay today) {
  const v1::Consent* best = nullptr;
  for (const v1::Consent& c : consents) {
    if (!InForce(c, today) || !Contains(c.provider_kinds(), kind) ||
        !Contains(c.service_types(), service)) {
      continue;
    }
    if (best == nullptr || c.given_date() > best->given_date() ||
        (c.given_date() == best->given_date() && c.name() > best->name())) {
      best = &c;
    }
  }
  if (best == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("client ", client, " has no consent or protective basis in force for a ",
                     v1::ProviderKind_Name(kind), " provider and ", v1::ServiceType_Name(service),
                     "; record the client's consent (GiveConsent) first"));
  }
  return *best;
}

bool SharesIdentity(const v1::Consent& consent, v1::ReferralState state, absl::CivilDay today) {
  if (!InForce(consent, today) || !IsOpen(state)) return false;
  for (int f : consent.shared_fields()) {
    if (f == v1::SHARED_FIELD_FULL_NAME || f == v1::SHARED_FIELD_BIRTH_DATE ||
        f == v1::SHARED_FIELD_PHONE || f == v1::SHARED_FIELD_ADDRESS ||
        f == v1::SHARED_FIELD_ID_NUMBER) {
      return true;
    }
  }
  return false;
}

v1::InboxReferral Project(const InboxSource& source, absl::CivilDay today) {
  const v1::Referral& r = source.referral;
  v1::InboxReferral out;
  out.set_name(r.name());
  out.set_client_ref(source.client_ref);
  out.set_service_type(r.service_type());
  out.set_state(r.state());
  out.set_response_due_date(r.response_due_date());
  *out.mutable_create_time() = r.create_time();
  if (r.has_respond_time()) *out.mutable_respond_time() = r.respond_time();
  out.set_deliveries(r.deliveries());
  out.set_last_delivery_date(r.last_delivery_date());
  out.set_outcome(r.outcome());
  out.set_decline_reason(r.decline_reason());
  out.set_sender_agency(r.sender_agency());
  out.set_etag(r.etag());
  // A closed referral (declined, revoked, expired, completed) no longer needs the client:
  // its provider keeps the record of the service, not the person.
  out.set_consent_in_force(InForce(source.consent, today) && IsOpen(r.state()));
  if (!out.consent_in_force()) return out;
  const v1::ClientIdentity empty;
  const v1::ClientIdentity& id = source.identity.has_value() ? *source.identity : empty;
  for (int f : source.consent.shared_fields()) {
    out.add_shared_fields(static_cast<v1::SharedField>(f));
    switch (static_cast<v1::SharedField>(f)) {
      case v1::SHARED_FIELD_FULL_NAME:
        out.set_full_name(id.full_name());
        break;
      case v1::SHARED_FIELD_BIRTH_DATE:
        out.set_birth_date(id.birth_date());
        break;
      case v1::SHARED_FIELD_PHONE:
        out.set_phone(id.phone());
        break;
      case v1::SHARED_FIELD_ADDRESS:
        out.set_address(id.address());
        break;
      case v1::SHARED_FIELD_ID_NUMBER:
        out.set_id_number(id.id_number());
        break;
      case v1::SHARED_FIELD_FLAGS:
        out.set_minor(source.minor);
        out.set_trafficking_victim(source.trafficking_victim);
        break;
      case v1::SHARED_FIELD_NEED:
        out.set_need_priority(source.need_priority);
        break;
      case v1::SHARED_FIELD_REFERRAL_NOTE:
        out.set_note(r.note());
        break;
      default:
        break;
    }
  }
  return out;
}

}  // namespace pcmd::referrals
