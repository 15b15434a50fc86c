// The administrative units a service knows, learnt from the plans service's
// UnitCreated events, so that intake, inspections and referrals can apply "own unit
// and the units under it" without calling plans on every request.
//
// A service that applies unit scope:
//   - includes kUnitsMigrationSql in its migrations,
//   - consumes from "plans" and calls RegisterUnitHandlers on its consumer,
//   - builds a SqliteUnitTree over its database for the logic.
#ifndef PCMD_COMMON_UNITS_UNITS_H_
#define PCMD_COMMON_UNITS_UNITS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/events/consumer.h"
#include "common/security/scope.h"
#include "common/storage/sqlite_database.h"
#include "common/validation/validation.h"

namespace pcmd::units {

inline constexpr absl::string_view kUnitsMigrationSql =
    "CREATE TABLE known_units ("
    " code TEXT PRIMARY KEY,"
    " parent_code TEXT NOT NULL DEFAULT ''"
    ") WITHOUT ROWID;";

// Applies pcmd.events.v1.UnitCreated to known_units (idempotently); a reset clears it.
void RegisterUnitHandlers(events::EventConsumer& consumer);

// Records one unit directly (the plans service, which owns the directory, and tests).
// Errors: storage errors.
absl::Status RememberUnit(storage::Transaction& tx, absl::string_view code,
                          absl::string_view parent_code);

// Adds a violation on `field` when `unit` is not a unit `units` knows, naming it. Does
// nothing when `unit` is empty or `field` already has a violation (a malformed code is
// reported once). Errors: storage errors of `units`.
absl::Status CheckKnownUnit(Validator& v, absl::string_view field, absl::string_view unit,
                            const security::UnitTree& units);

// The units a list call by `access` reads, filtered to `unit_filter` and the units
// under it when not empty: nullopt means every unit (a national caller or scope kAll
// without a filter). Errors: PERMISSION_DENIED when unit_filter lies outside the
// caller's units, or the rule grants no unit scope; storage errors of `units`.
absl::StatusOr<std::optional<std::vector<std::string>>> UnitsInReach(
    const security::Access& access, absl::string_view unit_filter, const security::UnitTree& units);

// UnitTree over known_units. Thread-safe; `db` must outlive it.
class SqliteUnitTree : public security::UnitTree {
 public:
  explicit SqliteUnitTree(storage::SqliteDatabase& db) : db_(db) {}
  absl::StatusOr<bool> IsWithin(absl::string_view unit, absl::string_view ancestor) const override;
  absl::StatusOr<std::vector<std::string>> AncestorsOf(absl::string_view unit) const override;
  absl::StatusOr<bool> Knows(absl::string_view unit) const override;
  absl::StatusOr<std::vector<std::string>> SubtreeOf(absl::string_view unit) const override;

 private:
  storage::SqliteDatabase& db_;
};

}  // namespace pcmd::units

#endif  // PCMD_COMMON_UNITS_UNITS_H_
