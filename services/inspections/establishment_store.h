// Where the registry of risky businesses is kept. The logic depends only on this
// interface; sqlite_establishment_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_INSPECTIONS_ESTABLISHMENT_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_ESTABLISHMENT_STORE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd::inspections {

// Implementations are thread-safe.
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
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_ESTABLISHMENT_STORE_H_
