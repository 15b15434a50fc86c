// HandOverStore on SQLite (common/storage). Thread-safe.
//
// Layout (migration 15 in migrations.cc):
//   handovers         one row per hand-over: unit, linked tip id, date found, police
//                     agency, creation time; nothing personal.
//   handover_persons  one row per person: the minor and trafficking-victim flags, the
//                     pseudonym and the blind index of the ID number in clear, every
//                     other field sealed (NULL when not given).
// Each sealed value is bound to where it lives ("handovers/<id>#persons/2.full_name"),
// so a value copied to another row or column does not open: GetHandOver then answers
// INTERNAL and logs sealed_field_unreadable with the record and field path (never the
// value).
#ifndef PCMD_SERVICES_INTAKE_SQLITE_HANDOVER_STORE_H_
#define PCMD_SERVICES_INTAKE_SQLITE_HANDOVER_STORE_H_

#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/intake/handover_store.h"

namespace pcmd::intake {

class SqliteHandOverStore : public HandOverStore {
 public:
  // `db` (opened with IntakeMigrations, sqlite_tip_store.h), `outbox`, `clock` and
  // `keys` are not owned and must outlive the store. A created hand-over appends its
  // events to `outbox` in the same transaction. New values are sealed with the
  // keyring's current key version; older ones open while `keys` still holds them.
  SqliteHandOverStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock,
                      const crypto::Keyring& keys)
      : db_(db), outbox_(outbox), clock_(clock), cipher_(keys), index_(keys) {}

  absl::StatusOr<v1::HandOver> CreateHandOver(absl::string_view request_id,
                                              absl::string_view fingerprint,
                                              const v1::HandOver& hand_over) override;
  absl::StatusOr<v1::HandOver> GetHandOver(absl::string_view handover_id) override;
  absl::StatusOr<HandOverScope> GetHandOverScope(absl::string_view handover_id) override;

 private:
  // Inserts the hand-over and its persons and appends one SupportOutreachRequested per
  // person in `tx`.
  absl::Status InsertWithEvents(storage::Transaction& tx, const v1::HandOver& hand_over);

  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
  const crypto::FieldCipher cipher_;
  const crypto::BlindIndex index_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_SQLITE_HANDOVER_STORE_H_
