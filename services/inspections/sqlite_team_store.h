// TeamStore on SQLite (common/storage). Thread-safe.
#ifndef PCMD_SERVICES_INSPECTIONS_SQLITE_TEAM_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_SQLITE_TEAM_STORE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/inspections/team_store.h"

namespace pcmd::inspections {

// The schema of Teams 178, one migration step; it needs kIdempotencyMigrationSql
// applied too. Members are officials acting in office (names with titles), not
// personal data, so they are stored plainly. Dates are ISO strings, which compare in
// calendar order; active_to '' means open-ended.
inline constexpr absl::string_view kTeamsMigrationSql =
    "CREATE TABLE teams ("
    " id TEXT PRIMARY KEY,"
    " display_name TEXT NOT NULL,"
    " level INTEGER NOT NULL,"
    " unit_code TEXT NOT NULL,"
    " agency_code TEXT NOT NULL,"
    " decision TEXT NOT NULL,"
    " active_from TEXT NOT NULL,"
    " active_to TEXT NOT NULL DEFAULT '',"
    " monthly_capacity INTEGER NOT NULL CHECK (monthly_capacity BETWEEN 1 AND 500),"
    " create_unix_ms INTEGER NOT NULL,"
    " CHECK (active_to = '' OR active_to >= active_from)"
    ") WITHOUT ROWID;"
    // The order of ListTeams within a unit.
    "CREATE INDEX teams_by_unit ON teams(unit_code, display_name, id);"
    "CREATE TABLE team_members ("
    " team_id TEXT NOT NULL REFERENCES teams(id),"
    " position INTEGER NOT NULL,"  // 0-based, the order given at creation.
    " display_name TEXT NOT NULL,"
    " agency INTEGER NOT NULL,"  // MemberAgency.
    " role INTEGER NOT NULL,"    // MemberRole.
    " PRIMARY KEY (team_id, position)"
    ") WITHOUT ROWID;";

class SqliteTeamStore : public TeamStore {
 public:
  // `db` and `clock` are not owned and must outlive the store. `db` must have been
  // migrated with kIdempotencyMigrationSql and kTeamsMigrationSql. `clock` dates the
  // idempotency keys.
  SqliteTeamStore(storage::SqliteDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}

  absl::StatusOr<v1::Team> CreateTeam(absl::string_view request_id, absl::string_view fingerprint,
                                      const v1::Team& team) override;
  absl::StatusOr<v1::Team> GetTeam(absl::string_view id) override;
  absl::StatusOr<std::vector<v1::Team>> ListTeams(const TeamQuery& query) override;

 private:
  storage::SqliteDatabase& db_;
  const Clock& clock_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_SQLITE_TEAM_STORE_H_
