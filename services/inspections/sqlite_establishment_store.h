// EstablishmentStore on SQLite (common/storage). Thread-safe.
#ifndef PCMD_SERVICES_INSPECTIONS_SQLITE_ESTABLISHMENT_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_SQLITE_ESTABLISHMENT_STORE_H_

#include <span>

#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/inspections/establishment_store.h"

namespace pcmd::inspections {

// The inspections database's schema, in order.
std::span<const storage::Migration> InspectionsMigrations();

class SqliteEstablishmentStore : public EstablishmentStore {
 public:
  // `db` and `clock` are not owned and must outlive the store.
  SqliteEstablishmentStore(storage::SqliteDatabase& db, const Clock& clock)
      : db_(db), clock_(clock) {}

  absl::StatusOr<v1::Establishment> CreateEstablishment(
      absl::string_view request_id, absl::string_view fingerprint,
      const v1::Establishment& establishment) override;
  absl::StatusOr<v1::Establishment> GetEstablishment(absl::string_view id) override;

 private:
  storage::SqliteDatabase& db_;
  const Clock& clock_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_SQLITE_ESTABLISHMENT_STORE_H_
