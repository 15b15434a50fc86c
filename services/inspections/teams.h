// Teams 178 (interagency inspection teams, Decree 178/2004/NĐ-CP): validation, ids,
// idempotent registration and reads under unit scope. No gRPC, no SQL. Thread-safe
// when the store is.
#ifndef PCMD_SERVICES_INSPECTIONS_TEAMS_H_
#define PCMD_SERVICES_INSPECTIONS_TEAMS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/inspections/v1/inspections.pb.h"
#include "services/inspections/team_store.h"

namespace pcmd::inspections {

class Teams {
 public:
  // `store`, `clock` and `units` are not owned and must outlive this object.
  Teams(TeamStore& store, const Clock& clock, const security::UnitTree& units)
      : store_(store), clock_(clock), units_(units), ids_(clock) {}

  // Registers a team. Rules: request_id; team.display_name required ≤ 200; level
  // given; unit_code a code the directory knows (units::CheckKnownUnit); agency_code a
  // code; decision required ≤ 300; 1–30 members, each with display_name ≤ 200, agency
  // and role given; exactly one leader, from MEMBER_AGENCY_SOCIAL_AFFAIRS;
  // active_from required, active_to "" or ≥ active_from; monthly_capacity 1–500.
  // Paths are "team.members[2].role". Errors: INVALID_ARGUMENT naming every bad field;
  // PERMISSION_DENIED when unit_code is outside `access`; INVALID_ARGUMENT naming
  // request_id when it was used for a different request; storage errors. A repeated
  // request_id answers with the team created the first time.
  absl::StatusOr<v1::Team> Create(const security::Access& access,
                                  const v1::CreateTeamRequest& request);

  // Errors: INVALID_ARGUMENT for a malformed name ("teams/{id}"); NOT_FOUND;
  // PERMISSION_DENIED when the team's unit is outside `access`.
  absl::StatusOr<v1::Team> Get(const security::Access& access, absl::string_view name);

  // Teams in the caller's units (and under request.unit_code when given), by unit then
  // display name; paged (page_size 0 → 50, at most 500; the token is bound to the
  // filters: reused with others → INVALID_ARGUMENT on page_token). Errors:
  // INVALID_ARGUMENT naming bad filters (unknown unit, bad date); PERMISSION_DENIED
  // when unit_code lies outside the caller's units.
  absl::StatusOr<v1::ListTeamsResponse> List(const security::Access& access,
                                             const v1::ListTeamsRequest& request);

 private:
  TeamStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_TEAMS_H_
