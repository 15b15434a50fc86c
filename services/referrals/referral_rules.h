// The rules of a referral, as pure functions over records: which step may follow which
// (the state machine), whether a consent lets a client be referred (the consent gate),
// and what a provider may see (the projection). No storage, no gRPC: thread-safe.
#ifndef PCMD_SERVICES_REFERRALS_REFERRAL_RULES_H_
#define PCMD_SERVICES_REFERRALS_REFERRAL_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "pcmd/referrals/v1/referrals.pb.h"

namespace pcmd::referrals {

// What someone does to a referral.
enum class ReferralStep {
  kAccept,            // The provider takes it.
  kDecline,           // The provider refuses it.
  kRecordDelivery,    // The provider delivered a session of the service.
  kComplete,          // The provider closes it with an outcome.
  kRevoke,            // The sender withdraws it.
  kWithdrawConsent,   // The client withdrew the consent it was made under.
  kExpire,            // The response due date passed unanswered.
  kScheduleFollowUp,  // The case worker sets the next check.
};

// "accepted", "declined"... for messages.
absl::string_view StepName(ReferralStep step);

// The state after `step` from `state`. `outcome` matters only for kComplete: from
// ACCEPTED only OUTCOME_DID_NOT_ATTEND completes. Errors: FAILED_PRECONDITION naming
// `referral` and its current state when the step is not allowed from it.
absl::StatusOr<v1::ReferralState> NextState(absl::string_view referral, v1::ReferralState state,
                                            ReferralStep step,
                                            v1::Outcome outcome = v1::OUTCOME_UNSPECIFIED);

// True for SENT, ACCEPTED and IN_SERVICE: the loop is not closed yet.
bool IsOpen(v1::ReferralState state);

// True when `consent` is in force on `today`: not withdrawn, given on or before today
// and expiring on or after it.
bool InForce(const v1::Consent& consent, absl::CivilDay today);

// The consent under which `client` may be referred to a provider of `kind` for
// `service` on `today`: the most recently given one in force that names both.
// Errors: FAILED_PRECONDITION naming the client, the kind and the service when none does.
absl::StatusOr<v1::Consent> ConsentFor(absl::string_view client,
                                       const std::vector<v1::Consent>& consents,
                                       v1::ProviderKind kind, v1::ServiceType service,
                                       absl::CivilDay today);

// Everything the projection may draw from. The identity is opened by the caller only
// when the consent shares some of it.
struct InboxSource {
  v1::Referral referral;  // With its note.
  v1::Consent consent;
  bool minor = false;
  bool trafficking_victim = false;
  std::optional<v1::ClientIdentity> identity;
  v1::NeedPriority need_priority = v1::NEED_PRIORITY_UNSPECIFIED;
  std::string client_ref;
};

// The referral as its provider sees it on `today`: the service, dates and state
// always; each client field only while the referral is open and the consent is in
// force and lists it.
v1::InboxReferral Project(const InboxSource& source, absl::CivilDay today);

// True when the projection of a referral in `state` under `consent` on `today` needs
// the sealed identity.
bool SharesIdentity(const v1::Consent& consent, v1::ReferralState state, absl::CivilDay today);

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_REFERRAL_RULES_H_
