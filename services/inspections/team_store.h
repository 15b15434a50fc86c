// Where Teams 178 are kept. The logic depends only on this interface;
// sqlite_team_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_INSPECTIONS_TEAM_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_TEAM_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd::inspections {

// A team's place in the order of ListTeams: by unit code, then display name (both
// compared byte by byte, as UTF-8), then id.
struct TeamPosition {
  std::string unit_code;
  std::string display_name;
  std::string id;  // Without "teams/".

  friend bool operator==(const TeamPosition&, const TeamPosition&) = default;
};

// What ListTeams selects. The logic has validated and resolved every field.
struct TeamQuery {
  // The team's unit is one of these (the caller's reach, units::UnitsInReach); every
  // unit when nullopt.
  std::optional<std::vector<std::string>> units;
  // An ISO date ("2024-06-01"): only teams with active_from <= it and active_to empty
  // or >= it. No condition when empty.
  std::string active_on;
  // Only teams strictly after this position, when set.
  std::optional<TeamPosition> after;
  // At most this many teams.
  int limit = 50;
};

// Implementations are thread-safe.
class TeamStore {
 public:
  virtual ~TeamStore() = default;

  // Stores `team` (name "teams/{id}", members in the order given) durably unless
  // `request_id` was seen before, in which case the team created then is returned and
  // nothing is written. Returns the stored team. Errors: INVALID_ARGUMENT naming
  // request_id when it was used for a different request (`fingerprint` differs);
  // storage errors (ABORTED: retry, UNAVAILABLE, INTERNAL).
  virtual absl::StatusOr<v1::Team> CreateTeam(absl::string_view request_id,
                                              absl::string_view fingerprint,
                                              const v1::Team& team) = 0;

  // The team with id `id` (without "teams/"), members in their stored order.
  // Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Team> GetTeam(absl::string_view id) = 0;

  // The teams `query` selects, in TeamPosition order, with their members; at most
  // query.limit of them. Errors: storage errors.
  virtual absl::StatusOr<std::vector<v1::Team>> ListTeams(const TeamQuery& query) = 0;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_TEAM_STORE_H_
