// UnitStore on SQLite (common/storage). Thread-safe.
#ifndef PCMD_SERVICES_PLANS_SQLITE_UNIT_STORE_H_
#define PCMD_SERVICES_PLANS_SQLITE_UNIT_STORE_H_

#include <span>

#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/storage/sqlite_database.h"
#include "services/plans/unit_store.h"

namespace pcmd::plans {

// The plans database's schema, in order.
std::span<const storage::Migration> PlansMigrations();

class SqliteUnitStore : public UnitStore {
 public:
  // `db` and `outbox` are not owned and must outlive the store. Every stored change
  // appends its events to `outbox` in the same transaction.
  SqliteUnitStore(storage::SqliteDatabase& db, events::Outbox& outbox) : db_(db), outbox_(outbox) {}

  absl::StatusOr<v1::Unit> CreateUnit(const v1::Unit& unit) override;
  absl::StatusOr<v1::Unit> GetUnit(absl::string_view code) override;

 private:
  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
};

// Registers the plans consumer's handlers: TipReceived (from intake) feeds the
// counter of tips received per unit and day that plan targets are measured from.
void RegisterPlansHandlers(events::EventConsumer& consumer);

// Tips received in `unit_code` on dates in [from, to] (ISO dates), from the counters.
absl::StatusOr<int64_t> TipsReceived(storage::SqliteDatabase& db, absl::string_view unit_code,
                                     absl::string_view from, absl::string_view to);

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_SQLITE_UNIT_STORE_H_
