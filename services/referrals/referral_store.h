// Where referrals and their change log are kept. The logic (referrals.h) depends only
// on this interface; sqlite_referral_store.h implements it on SQLite.
//
// Every decision that must hold at the moment of writing (the consent gate, the state
// machine) is taken by a callback from the logic that the store runs inside its write
// transaction, so that no concurrent change slips between the check and the write.
#ifndef PCMD_SERVICES_REFERRALS_REFERRAL_STORE_H_
#define PCMD_SERVICES_REFERRALS_REFERRAL_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/referrals/referral_rules.h"

namespace pcmd::referrals {

// What the creation of a referral is decided on, read in the creating transaction.
struct ReferralFacts {
  v1::Client client;  // Without identity.
  std::optional<v1::Provider> provider;
  std::vector<v1::Consent> consents;
  // An open referral of the client for the same service, if any ("referrals/…").
  std::string open_referral;
};

// A change decided by the logic from the referral as it is now.
struct ReferralChange {
  v1::Referral after;
  ReferralStep step;
  // For kRecordDelivery: the day delivered. A day already recorded for the referral
  // makes the change a retry, which writes nothing.
  std::string delivery_date;
};

struct ReferralQuery {
  // nullopt: every unit.
  std::optional<std::vector<std::string>> units;
  // "" for any.
  std::string provider_agency;
  std::string client_id;
  std::string provider_id;
  v1::ReferralState state = v1::REFERRAL_STATE_UNSPECIFIED;
  bool overdue_only = false;
  std::string after;  // Position from a page token; "" for the first page.
  int limit = 50;
};

struct ReferralPage {
  std::vector<v1::Referral> referrals;  // Newest first, without notes.
  std::string next;                     // "" at the end.
};

// Implementations are thread-safe.
class ReferralStore {
 public:
  virtual ~ReferralStore() = default;

  // Unless `request_id` was seen (then the referral created first is returned): reads
  // the facts for `referral.client()`/`referral.provider()`, lets `decide` refuse or
  // complete the referral (consent, provider agency), and stores it SENT with
  // ReferralSent and a change for the provider. Errors: INVALID_ARGUMENT naming
  // request_id when reused for another request; NOT_FOUND for the client; `decide`'s
  // errors; storage errors. Nothing is written on any error.
  virtual absl::StatusOr<v1::Referral> CreateReferral(
      absl::string_view request_id, absl::string_view fingerprint, const v1::Referral& referral,
      absl::FunctionRef<absl::Status(const ReferralFacts&, v1::Referral&)> decide) = 0;

  // Errors: NOT_FOUND; DATA_LOSS when the note cannot be opened; storage errors.
  virtual absl::StatusOr<v1::Referral> GetReferral(absl::string_view id, bool with_note) = 0;

  // One page of `query`. Errors: storage errors.
  virtual absl::StatusOr<ReferralPage> ListReferrals(const ReferralQuery& query) = 0;

  // Reads referral `id`, lets `change` decide from it, writes the result with the
  // step's event and a change for the provider. Errors: NOT_FOUND; `change`'s errors;
  // storage errors.
  virtual absl::StatusOr<v1::Referral> UpdateReferral(
      absl::string_view id,
      absl::FunctionRef<absl::StatusOr<ReferralChange>(const v1::Referral&)> change) = 0;

  // Withdraws consent `consent_id` of `client_id` on `date` after `check` accepted it
  // as it is now, revoking its SENT and ACCEPTED referrals (ConsentWithdrawn,
  // ReferralRevoked for each, a change for each provider concerned). Returns the
  // consent and the referrals revoked. Errors: NOT_FOUND; `check`'s errors; storage errors.
  virtual absl::StatusOr<std::pair<v1::Consent, std::vector<std::string>>> WithdrawConsent(
      absl::string_view client_id, absl::string_view consent_id, absl::string_view date,
      absl::FunctionRef<absl::Status(const v1::Consent&)> check) = 0;

  // What the provider's view of referral `id` on `today` is drawn from; the identity is
  // opened only when the consent shares some of it then. Errors: NOT_FOUND; DATA_LOSS;
  // storage errors.
  virtual absl::StatusOr<InboxSource> GetInboxSource(absl::string_view id,
                                                     absl::CivilDay today) = 0;

  // Expires SENT referrals whose response due date is before `today` and raises open
  // referrals whose follow-up date is before `today`, each once, with ReferralOverdue.
  // Returns how many were raised. Errors: storage errors.
  virtual absl::StatusOr<int> RaiseOverdue(absl::CivilDay today) = 0;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_REFERRAL_STORE_H_
