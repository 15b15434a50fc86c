// The registry of risky businesses (karaoke, massage, sauna, lodging...): validation,
// ids and idempotent registration. No gRPC, no SQL. Thread-safe when the store is.
#ifndef PCMD_SERVICES_INSPECTIONS_ESTABLISHMENTS_H_
#define PCMD_SERVICES_INSPECTIONS_ESTABLISHMENTS_H_

#include "absl/status/statusor.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/inspections/v1/inspections.pb.h"
#include "services/inspections/establishment_store.h"

namespace pcmd::inspections {

class Establishments {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  Establishments(EstablishmentStore& store, const Clock& clock, const security::UnitTree& units)
      : store_(store), clock_(clock), units_(units), ids_(clock) {}

  // Registers an operating business. Returns the stored record (the earlier one for a
  // repeated request_id). Errors: INVALID_ARGUMENT with a violation per bad field;
  // storage errors.
  absl::StatusOr<v1::Establishment> Create(const security::Access& access,
                                           const v1::CreateEstablishmentRequest& request);

  // Errors: INVALID_ARGUMENT for a malformed name; NOT_FOUND.
  absl::StatusOr<v1::Establishment> Get(absl::string_view name);

 private:
  EstablishmentStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_ESTABLISHMENTS_H_
