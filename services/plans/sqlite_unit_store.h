// UnitStore on SQLite (common/storage). Thread-safe.
#ifndef PCMD_SERVICES_PLANS_SQLITE_UNIT_STORE_H_
#define PCMD_SERVICES_PLANS_SQLITE_UNIT_STORE_H_

#include <span>

#include "common/storage/sqlite_database.h"
#include "services/plans/unit_store.h"

namespace pcmd::plans {

// The plans database's schema, in order.
std::span<const storage::Migration> PlansMigrations();

class SqliteUnitStore : public UnitStore {
 public:
  // `db` is not owned and must outlive the store.
  explicit SqliteUnitStore(storage::SqliteDatabase& db) : db_(db) {}

  absl::StatusOr<v1::Unit> CreateUnit(const v1::Unit& unit) override;
  absl::StatusOr<v1::Unit> GetUnit(absl::string_view code) override;

 private:
  storage::SqliteDatabase& db_;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_SQLITE_UNIT_STORE_H_
