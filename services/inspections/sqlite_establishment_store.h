// EstablishmentStore on SQLite (common/storage). Thread-safe.
#ifndef PCMD_SERVICES_INSPECTIONS_SQLITE_ESTABLISHMENT_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_SQLITE_ESTABLISHMENT_STORE_H_

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "common/crypto/keyring.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/inspections/establishment_store.h"

namespace pcmd::inspections {

// The inspections database's schema, in order.
std::span<const storage::Migration> InspectionsMigrations();

class SqliteEstablishmentStore : public EstablishmentStore {
 public:
  // `db`, `outbox`, `clock` and `keys` are not owned and must outlive the store. Every
  // stored change appends its events to `outbox` in the same transaction. The owner's
  // personal data is stored only sealed with `keys` (crypto::FieldCipher), with a blind
  // index and the pseudonym of the ID number.
  SqliteEstablishmentStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock,
                           const crypto::Keyring& keys)
      : db_(db), outbox_(outbox), clock_(clock), cipher_(keys), index_(keys) {}

  absl::StatusOr<v1::Establishment> CreateEstablishment(
      absl::string_view request_id, absl::string_view fingerprint,
      const v1::Establishment& establishment) override;
  absl::StatusOr<v1::Establishment> GetEstablishment(absl::string_view id) override;
  absl::StatusOr<v1::Establishment> UpdateEstablishment(
      absl::string_view id, const std::function<absl::Status(v1::Establishment&)>& change) override;
  absl::StatusOr<v1::Establishment> CloseEstablishment(
      absl::string_view id, absl::string_view close_date, absl::string_view reason,
      const std::function<absl::Status(const v1::Establishment&)>& precondition) override;
  absl::StatusOr<std::vector<RegistryEntry>> ReadRegistry(const RegistryQuery& query) override;

  // Gives establishments stored before search existed (migration 9) their search words,
  // so that text search finds them. Idempotent; run at start-up. Returns how many were
  // indexed. Errors: storage errors.
  absl::StatusOr<int> IndexUnsearchable();

 private:
  // Replaces the sealed owner row of `id` with e.owner() (none when absent).
  absl::Status WriteOwner(storage::Transaction& tx, absl::string_view id,
                          const v1::Establishment& e);
  // Sets e.risk (on the clock's day) and e.last_inspection_date.
  absl::Status FillRisk(storage::Transaction& tx, v1::Establishment& e) const;
  // Inserts the establishment (its owner sealed) and appends EstablishmentRegistered
  // in `tx`.
  absl::Status InsertWithEvents(storage::Transaction& tx, const v1::Establishment& e);
  // The establishment with its owner opened. Errors: INTERNAL when a sealed value does
  // not open (an altered row or a missing key version: a server fault, logged); storage
  // errors.
  absl::StatusOr<std::optional<v1::Establishment>> Find(storage::Transaction& tx,
                                                        absl::string_view id) const;

  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
  const crypto::FieldCipher cipher_;
  const crypto::BlindIndex index_;
};

// Registers the inspections consumer's handlers: EstablishmentReported (from intake)
// records the tip about the establishment — an input of its risk score — asks for a
// follow-up inspection when FollowUpForTip says so, and publishes the risk change
// through `outbox` in the consumer's transaction. `outbox` must outlive `consumer`.
void RegisterInspectionsHandlers(events::EventConsumer& consumer, events::Outbox& outbox);

// Tips reported about an establishment so far (derived from events).
absl::StatusOr<int64_t> TipsReportedAbout(storage::SqliteDatabase& db,
                                          absl::string_view establishment);

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_SQLITE_ESTABLISHMENT_STORE_H_
