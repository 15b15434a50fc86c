// ReferralStore on SQLite (common/storage), the schema in schema.h. Thread-safe.
//
// Every change to a referral is also appended to referral_changes, the log a provider's
// WatchInbox reads (referral_feed.h), in the same transaction as the change and its
// event: a provider sees a change if and only if it happened.
#ifndef PCMD_SERVICES_REFERRALS_SQLITE_REFERRAL_STORE_H_
#define PCMD_SERVICES_REFERRALS_SQLITE_REFERRAL_STORE_H_

#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/referrals/referral_store.h"

namespace pcmd::referrals {

class SqliteReferralStore : public ReferralStore {
 public:
  // `db`, `outbox`, `clock` and `keys` are not owned and must outlive the store.
  SqliteReferralStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock,
                      const crypto::Keyring& keys)
      : db_(db), outbox_(outbox), clock_(clock), cipher_(keys), index_(keys) {}

  absl::StatusOr<v1::Referral> CreateReferral(
      absl::string_view request_id, absl::string_view fingerprint, const v1::Referral& referral,
      absl::FunctionRef<absl::Status(const ReferralFacts&, v1::Referral&)> decide) override;
  absl::StatusOr<v1::Referral> GetReferral(absl::string_view id, bool with_note) override;
  absl::StatusOr<ReferralPage> ListReferrals(const ReferralQuery& query) override;
  absl::StatusOr<v1::Referral> UpdateReferral(
      absl::string_view id,
      absl::FunctionRef<absl::StatusOr<ReferralChange>(const v1::Referral&)> change) override;
  absl::StatusOr<std::pair<v1::Consent, std::vector<std::string>>> WithdrawConsent(
      absl::string_view client_id, absl::string_view consent_id, absl::string_view date,
      absl::FunctionRef<absl::Status(const v1::Consent&)> check) override;
  absl::StatusOr<InboxSource> GetInboxSource(absl::string_view id, absl::CivilDay today) override;
  absl::StatusOr<int> RaiseOverdue(absl::CivilDay today) override;

 private:
  // Writes `after` over the stored referral, with the step's event and change.
  absl::Status Write(storage::Transaction& tx, const v1::Referral& after, ReferralStep step);

  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
  const crypto::FieldCipher cipher_;
  const crypto::BlindIndex index_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_SQLITE_REFERRAL_STORE_H_
