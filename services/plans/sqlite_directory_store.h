// DirectoryStore on SQLite (common/storage). Thread-safe.
#ifndef PCMD_SERVICES_PLANS_SQLITE_DIRECTORY_STORE_H_
#define PCMD_SERVICES_PLANS_SQLITE_DIRECTORY_STORE_H_

#include "common/events/outbox.h"
#include "common/storage/sqlite_database.h"
#include "services/plans/directory_store.h"
#include "services/plans/schema.h"

namespace pcmd::plans {

class SqliteDirectoryStore : public DirectoryStore {
 public:
  // `db` and `outbox` are not owned and must outlive the store. Every stored unit
  // appends UnitCreated to `outbox` in the same transaction.
  SqliteDirectoryStore(storage::SqliteDatabase& db, events::Outbox& outbox)
      : db_(db), outbox_(outbox) {}

  absl::StatusOr<v1::Unit> CreateUnit(const v1::Unit& unit) override;
  absl::StatusOr<v1::Unit> GetUnit(absl::string_view code) override;
  absl::StatusOr<std::vector<v1::Unit>> ListUnits(const UnitQuery& query) override;
  absl::StatusOr<v1::Agency> CreateAgency(const v1::Agency& agency) override;
  absl::StatusOr<v1::Agency> GetAgency(absl::string_view code) override;
  absl::StatusOr<std::vector<v1::Agency>> ListAgencies(const AgencyQuery& query) override;

 private:
  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
};

// Inside a transaction on the plans database: the unit with `code`, or nullopt.
absl::StatusOr<std::optional<v1::Unit>> FindUnit(storage::Transaction& tx, absl::string_view code);

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_SQLITE_DIRECTORY_STORE_H_
