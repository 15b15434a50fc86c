// Referrals: one client, one provider, one service, followed from SENT until the loop
// closes. Validation, the consent gate and the state machine (referral_rules.h),
// scope for case workers and for providers, the provider's projection. No gRPC, no
// SQL. Thread-safe when the store is.
//
// Case workers (social-affairs and health agencies) reach referrals of their units;
// a provider reaches only referrals addressed to its agency, and sees them through
// InboxReferral, whose client fields the consent decides.
#ifndef PCMD_SERVICES_REFERRALS_REFERRALS_H_
#define PCMD_SERVICES_REFERRALS_REFERRALS_H_

#include "absl/status/statusor.h"
#include "common/crypto/keyring.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/referrals/clients.h"
#include "services/referrals/referral_store.h"

namespace pcmd::referrals {

class Referrals {
 public:
  // `store`, `clients`, `clock`, `units` and `keys` are not owned and must outlive this.
  Referrals(ReferralStore& store, Clients& clients, const Clock& clock,
            const security::UnitTree& units, const crypto::Keyring& keys)
      : store_(store), clients_(clients), clock_(clock), units_(units), keys_(keys), ids_(clock) {}

  // The case worker's side. Errors: as the RPCs of ReferralsService in referrals.proto.
  absl::StatusOr<v1::Referral> Create(const security::Access& access,
                                      const v1::CreateReferralRequest& request);
  absl::StatusOr<v1::Referral> Get(const security::Access& access, absl::string_view name);
  absl::StatusOr<v1::ListReferralsResponse> List(const security::Access& access,
                                                 const v1::ListReferralsRequest& request);
  absl::StatusOr<v1::Referral> Revoke(const security::Access& access,
                                      const v1::RevokeReferralRequest& request);
  absl::StatusOr<v1::Referral> ScheduleFollowUp(const security::Access& access,
                                                const v1::ScheduleReferralFollowUpRequest& request);
  absl::StatusOr<v1::WithdrawConsentResponse> WithdrawConsent(
      const security::Access& access, const v1::WithdrawConsentRequest& request);

  // The provider's side. Errors: as the RPCs of ProviderInboxService; PERMISSION_DENIED
  // for a referral addressed to another provider.
  absl::StatusOr<v1::InboxReferral> GetInbox(const security::Access& access,
                                             absl::string_view name);
  absl::StatusOr<v1::ListInboxReferralsResponse> ListInbox(
      const security::Access& access, const v1::ListInboxReferralsRequest& request);
  absl::StatusOr<v1::InboxReferral> Accept(const security::Access& access,
                                           const v1::AcceptReferralRequest& request);
  absl::StatusOr<v1::InboxReferral> Decline(const security::Access& access,
                                            const v1::DeclineReferralRequest& request);
  absl::StatusOr<v1::InboxReferral> RecordDelivery(const security::Access& access,
                                                   const v1::RecordServiceDeliveryRequest& request);
  absl::StatusOr<v1::InboxReferral> Complete(const security::Access& access,
                                             const v1::CompleteReferralRequest& request);

 private:
  // The referral `name` names (validated as "name") as the provider sees it, after
  // checking it is addressed to the caller. Errors: INVALID_ARGUMENT, NOT_FOUND,
  // PERMISSION_DENIED.
  absl::StatusOr<v1::Referral> Addressed(const security::Access& access, absl::string_view name);
  // Likewise for the case worker's units.
  absl::StatusOr<v1::Referral> InUnits(const security::Access& access, absl::string_view name);
  // Applies `step` to the referral, after `etag` (when given) matched and `edit` made
  // its changes (`delivery_date`: see ReferralChange); answers the referral after it.
  // Errors: ABORTED for a stale etag, those of NextState, of `edit`, and of the store.
  absl::StatusOr<v1::Referral> Step(absl::string_view id, absl::string_view etag, ReferralStep step,
                                    v1::Outcome outcome,
                                    absl::FunctionRef<absl::Status(v1::Referral&)> edit,
                                    absl::string_view delivery_date = {});
  absl::StatusOr<v1::InboxReferral> Project(absl::string_view name);

  ReferralStore& store_;
  Clients& clients_;
  const Clock& clock_;
  const security::UnitTree& units_;
  const crypto::Keyring& keys_;
  IdGenerator ids_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_REFERRALS_H_
