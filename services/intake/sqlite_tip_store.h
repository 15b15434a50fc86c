// TipStore on SQLite (common/storage). Thread-safe.
#ifndef PCMD_SERVICES_INTAKE_SQLITE_TIP_STORE_H_
#define PCMD_SERVICES_INTAKE_SQLITE_TIP_STORE_H_

#include <span>

#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/intake/tip_store.h"

namespace pcmd::intake {

// The intake database's schema, in order; passed to SqliteDatabase::Open.
std::span<const storage::Migration> IntakeMigrations();

class SqliteTipStore : public TipStore {
 public:
  // `db` (opened with IntakeMigrations), `outbox` and `clock` are not owned and must
  // outlive the store. Every stored change appends its events to `outbox` in the same
  // transaction.
  SqliteTipStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  absl::StatusOr<v1::Tip> CreateTip(absl::string_view request_id, absl::string_view fingerprint,
                                    const v1::Tip& tip) override;
  absl::StatusOr<v1::Tip> GetTip(absl::string_view tip_id) override;

 private:
  // Inserts the tip and appends TipReceived (and EstablishmentReported when it names
  // an establishment) in `tx`.
  absl::Status InsertWithEvents(storage::Transaction& tx, const v1::Tip& tip);

  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_SQLITE_TIP_STORE_H_
