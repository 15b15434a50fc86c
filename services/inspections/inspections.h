// Inspections by Teams 178: scheduling, results with their legal references, and the
// schedule proposals and coverage the plans' rules ask for. No gRPC, no SQL.
// Thread-safe when the stores are.
#ifndef PCMD_SERVICES_INSPECTIONS_INSPECTIONS_H_
#define PCMD_SERVICES_INSPECTIONS_INSPECTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/inspections/v1/inspections.pb.h"
#include "services/inspections/establishment_store.h"
#include "services/inspections/inspection_store.h"
#include "services/inspections/legal.h"
#include "services/inspections/team_store.h"

namespace pcmd::inspections {

class Inspections {
 public:
  // Nothing is owned; everything must outlive this object. `fingerprint_key` keys the
  // idempotency fingerprints of requests that carry personal data (the index key).
  Inspections(InspectionStore& inspections, EstablishmentStore& establishments, TeamStore& teams,
              const LegalCatalogue& catalogue, const Clock& clock, const security::UnitTree& units,
              std::string fingerprint_key)
      : inspections_(inspections),
        establishments_(establishments),
        teams_(teams),
        catalogue_(catalogue),
        clock_(clock),
        units_(units),
        ids_(clock),
        fingerprint_key_(std::move(fingerprint_key)) {}

  // Plans an inspection. The establishment must be OPERATING and within the caller's
  // units; the team active on planned_date, and the establishment's unit within the
  // team's. Errors: INVALID_ARGUMENT naming bad fields (planned_date before today,
  // the team not active then or not reaching the establishment's unit);
  // NOT_FOUND naming the establishment or team; FAILED_PRECONDITION when the
  // establishment is CLOSED; PERMISSION_DENIED outside the caller's units.
  absl::StatusOr<v1::Inspection> Schedule(const security::Access& access,
                                          const v1::ScheduleInspectionRequest& request);

  // Errors: INVALID_ARGUMENT for a malformed name; NOT_FOUND; PERMISSION_DENIED when
  // its unit is outside the caller's and the caller is not the inspecting team.
  absl::StatusOr<v1::Inspection> Get(const security::Access& access, absl::string_view name);

  // Inspections in the caller's units, newest planned date first, without results.
  // Errors: INVALID_ARGUMENT naming bad filters or a page token of another query;
  // PERMISSION_DENIED when unit_code lies outside the caller's units.
  absl::StatusOr<v1::ListInspectionsResponse> List(const security::Access& access,
                                                   const v1::ListInspectionsRequest& request);

  // SCHEDULED → COMPLETED with the result (legal.h ValidateResult; inspection_date not
  // in the future and not before the planned date's month). Only the team's agency.
  // Errors: INVALID_ARGUMENT naming each bad field ("result.sanctions[0].fine_amount_vnd");
  // NOT_FOUND; PERMISSION_DENIED for another agency; FAILED_PRECONDITION naming the
  // current state; ABORTED on a stale etag. A repeated request_id answers the
  // inspection as recorded.
  absl::StatusOr<v1::Inspection> Record(const security::Access& access,
                                        const v1::RecordInspectionResultRequest& request);

  // SCHEDULED → CANCELLED. Errors as Record; reason required ≤ 500.
  absl::StatusOr<v1::Inspection> Cancel(const security::Access& access,
                                        const v1::CancelInspectionRequest& request);

  // The catalogue, or its references valid on request.valid_on. Errors:
  // INVALID_ARGUMENT for a bad date.
  absl::StatusOr<v1::ListLegalReferencesResponse> ListLegalReferences(
      const v1::ListLegalReferencesRequest& request) const;

  // schedule.h ProposeSchedule over the operating registry of the team's unit subtree.
  // Errors: INVALID_ARGUMENT (team name, period dates in order and at most 12 months,
  // capacity 0–100,000, programme_end not before period_from); NOT_FOUND naming the
  // team; PERMISSION_DENIED when the team's unit is outside the caller's.
  absl::StatusOr<v1::ProposeScheduleResponse> ProposeSchedule(
      const security::Access& access, const v1::ProposeScheduleRequest& request);

  // schedule.h Coverage of the unit's subtree. Errors: INVALID_ARGUMENT (unit code known,
  // year 2000–2100 or 0, programme dates in order); PERMISSION_DENIED outside the
  // caller's units.
  absl::StatusOr<v1::GetCoverageResponse> GetCoverage(const security::Access& access,
                                                      const v1::GetCoverageRequest& request);

 private:
  InspectionStore& inspections_;
  EstablishmentStore& establishments_;
  TeamStore& teams_;
  const LegalCatalogue& catalogue_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
  const std::string fingerprint_key_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_INSPECTIONS_H_
