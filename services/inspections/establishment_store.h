// Where the registry of risky businesses is kept. The logic depends only on this
// interface; sqlite_establishment_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_INSPECTIONS_ESTABLISHMENT_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_ESTABLISHMENT_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd::inspections {

// Which establishments a registry read returns.
struct RegistryQuery {
  // Only these units (nullopt: every unit).
  std::optional<std::vector<std::string>> units;
  bool include_closed = false;
  // Folded words (text::Words) that must all appear in the name or address.
  std::vector<std::string> words;
};

// One establishment as the schedule and coverage rules see it: the record (risk
// included, owner left out), its completed inspection days and its open follow-up.
struct RegistryEntry {
  v1::Establishment establishment;
  std::vector<absl::CivilDay> inspection_dates;
  std::optional<absl::CivilDay> follow_up_by;
};

// Implementations are thread-safe. Records come back with their risk assessed on the
// store clock's day and last_inspection_date filled.
class EstablishmentStore {
 public:
  virtual ~EstablishmentStore() = default;

  // Stores `establishment` durably unless `request_id` was seen before, in which case
  // the one created then is returned. Errors: INVALID_ARGUMENT naming request_id when
  // it was used for a different request; storage errors.
  virtual absl::StatusOr<v1::Establishment> CreateEstablishment(
      absl::string_view request_id, absl::string_view fingerprint,
      const v1::Establishment& establishment) = 0;

  // Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Establishment> GetEstablishment(absl::string_view id) = 0;

  // Reads establishment `id`, lets `change` modify it (name, unit_code, status,
  // create_time, risk and output fields are kept as stored whatever it does) and
  // stores the result with a new etag, in one transaction. `change` answers an error
  // to abandon the change (returned as is). Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Establishment> UpdateEstablishment(
      absl::string_view id, const std::function<absl::Status(v1::Establishment&)>& change) = 0;

  // Marks `id` CLOSED on `close_date` with `reason` if `precondition` (given the
  // stored record) answers OK. Errors: those of `precondition`; NOT_FOUND; storage
  // errors.
  virtual absl::StatusOr<v1::Establishment> CloseEstablishment(
      absl::string_view id, absl::string_view close_date, absl::string_view reason,
      const std::function<absl::Status(const v1::Establishment&)>& precondition) = 0;

  // Every establishment matching `query`, without owners. Errors: storage errors.
  virtual absl::StatusOr<std::vector<RegistryEntry>> ReadRegistry(const RegistryQuery& query) = 0;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_ESTABLISHMENT_STORE_H_
