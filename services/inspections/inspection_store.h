// Where inspections and their results are kept. The logic depends only on this
// interface; sqlite_inspection_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_INSPECTIONS_INSPECTION_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_INSPECTION_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd::inspections {

struct InspectionQuery {
  // Only these units (nullopt: every unit).
  std::optional<std::vector<std::string>> units;
  std::string establishment_id;  // "" for any
  std::string team_id;           // "" for any
  std::vector<v1::InspectionState> states;
  // Planned (or, when completed, held) within [date_from, date_to]; "" for open.
  std::string date_from;
  std::string date_to;
  // Newest planned date first; the page starts after (planned_date, id) when given.
  std::optional<std::pair<std::string, std::string>> after;
  int limit = 50;
};

// Implementations are thread-safe.
class InspectionStore {
 public:
  virtual ~InspectionStore() = default;

  // Stores `inspection` (SCHEDULED) with its InspectionScheduled event unless
  // `request_id` was seen before, in which case the one created then is returned
  // (without its result, whatever happened to it since).
  // Errors: INVALID_ARGUMENT naming request_id when it was used for a different
  // request; storage errors.
  virtual absl::StatusOr<v1::Inspection> ScheduleInspection(absl::string_view request_id,
                                                            absl::string_view fingerprint,
                                                            const v1::Inspection& inspection) = 0;

  // The inspection a ScheduleInspection with `request_id` created (without its
  // result), or nullopt when the id is new. Errors: INVALID_ARGUMENT naming request_id when it was
  // used for a different request; storage errors.
  virtual absl::StatusOr<std::optional<v1::Inspection>> FindScheduled(
      absl::string_view request_id, absl::string_view fingerprint) = 0;

  // With its result opened when `with_result` (otherwise nothing sealed is opened).
  // Errors: NOT_FOUND; INTERNAL when the sealed result does not open (logged); storage
  // errors.
  virtual absl::StatusOr<v1::Inspection> GetInspection(absl::string_view id, bool with_result) = 0;

  // Without results. Errors: storage errors.
  virtual absl::StatusOr<std::vector<v1::Inspection>> ListInspections(
      const InspectionQuery& query) = 0;

  // In one transaction: reads inspection `id`, lets `complete` check it and fill in
  // inspection_date and result (pseudonyms of persons met are set by the store), stores
  // it COMPLETED with its events (InspectionCompleted, ViolationRecorded,
  // SanctionIssued, PersonMayNeedSupport, CrimeSuspected), closes the establishment's
  // open follow-ups, opens the one the result asks for, and refreshes its risk. A
  // repeated non-empty `request_id` with the same fingerprint answers the inspection as
  // it is, changing nothing. Errors: those of `complete`; NOT_FOUND; INVALID_ARGUMENT
  // naming request_id when it was used for a different request; storage errors.
  virtual absl::StatusOr<v1::Inspection> CompleteInspection(
      absl::string_view id, absl::string_view request_id, absl::string_view fingerprint,
      const std::function<absl::Status(v1::Inspection&)>& complete) = 0;

  // In one transaction: reads `id`, lets `cancel` check it and set cancel_reason, and
  // stores it CANCELLED; answers it without a result. Errors: those of `cancel`; NOT_FOUND; storage
  // errors.
  virtual absl::StatusOr<v1::Inspection> CancelInspection(
      absl::string_view id, const std::function<absl::Status(v1::Inspection&)>& cancel) = 0;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_INSPECTION_STORE_H_
