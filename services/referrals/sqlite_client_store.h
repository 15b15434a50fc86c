// ClientStore on SQLite (common/storage), the schema in schema.h. Thread-safe.
#ifndef PCMD_SERVICES_REFERRALS_SQLITE_CLIENT_STORE_H_
#define PCMD_SERVICES_REFERRALS_SQLITE_CLIENT_STORE_H_

#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/referrals/client_store.h"

namespace pcmd::referrals {

// Reading helpers shared with the referral store: the consents of a client inside a
// transaction, newest first. Errors: storage errors.
absl::StatusOr<std::vector<v1::Consent>> ReadConsents(storage::Transaction& tx,
                                                      absl::string_view client_id);

// The sealing context of a client's identity.
std::string IdentityContext(absl::string_view client_id);

class SqliteClientStore : public ClientStore {
 public:
  // `db`, `outbox`, `clock` and `keys` are not owned and must outlive the store.
  SqliteClientStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock,
                    const crypto::Keyring& keys)
      : db_(db), outbox_(outbox), clock_(clock), cipher_(keys) {}

  absl::StatusOr<v1::Client> RegisterClient(absl::string_view request_id,
                                            absl::string_view fingerprint, const v1::Client& client,
                                            v1::Client* holder) override;
  absl::StatusOr<v1::Client> GetClient(absl::string_view id, bool with_identity) override;
  absl::StatusOr<ClientPage> ListClients(const ClientQuery& query) override;
  absl::StatusOr<v1::OutreachTask> GetOutreachTask(absl::string_view id) override;
  absl::StatusOr<v1::Consent> GiveConsent(absl::string_view request_id,
                                          absl::string_view fingerprint,
                                          absl::string_view client_id, absl::string_view unit_code,
                                          const v1::Consent& consent) override;
  absl::StatusOr<std::vector<v1::Consent>> ListConsents(absl::string_view client_id) override;
  absl::StatusOr<v1::Client> AssessNeeds(absl::string_view client_id,
                                         const std::vector<v1::Need>& needs,
                                         absl::string_view assessed_date) override;

 private:
  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
  const crypto::FieldCipher cipher_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_SQLITE_CLIENT_STORE_H_
