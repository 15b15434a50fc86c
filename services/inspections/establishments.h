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
  // `store`, `clock` and `units` are not owned and must outlive this object.
  // `fingerprint_key` keys the idempotency fingerprint of requests, which carry the
  // owner's personal data (storage::RequestFingerprint); pass the index key.
  Establishments(EstablishmentStore& store, const Clock& clock, const security::UnitTree& units,
                 std::string fingerprint_key)
      : store_(store),
        clock_(clock),
        units_(units),
        ids_(clock),
        fingerprint_key_(std::move(fingerprint_key)) {}

  // Registers an operating business. Returns the stored record (the earlier one for a
  // repeated request_id). Errors: INVALID_ARGUMENT with a violation per bad field
  // ("owner.id_number"); PERMISSION_DENIED when unit_code is outside `access`; storage
  // errors.
  absl::StatusOr<v1::Establishment> Create(const security::Access& access,
                                           const v1::CreateEstablishmentRequest& request);

  // Errors: INVALID_ARGUMENT for a malformed name; NOT_FOUND; PERMISSION_DENIED when the
  // establishment lies outside `access`.
  absl::StatusOr<v1::Establishment> Get(const security::Access& access, absl::string_view name);

  // Establishments in the caller's units (and under request.unit_code), riskiest first
  // (score, then name), without owners; paged by a token bound to the filters.
  // Errors: INVALID_ARGUMENT naming bad filters (unknown unit, bad date or enum, a
  // page token of another query); PERMISSION_DENIED when unit_code lies outside the
  // caller's units; storage errors.
  absl::StatusOr<v1::ListEstablishmentsResponse> List(const security::Access& access,
                                                      const v1::ListEstablishmentsRequest& request);

  // Changes the fields of update_mask (see the proto). Errors: INVALID_ARGUMENT naming
  // bad fields or an unknown or unchangeable mask path; NOT_FOUND; PERMISSION_DENIED
  // outside the caller's units; FAILED_PRECONDITION when CLOSED; ABORTED when etag is
  // given and differs; storage errors.
  absl::StatusOr<v1::Establishment> Update(const security::Access& access,
                                           const v1::UpdateEstablishmentRequest& request);

  // OPERATING → CLOSED. Errors: INVALID_ARGUMENT (name, close_date not in the future,
  // reason required ≤ 500); NOT_FOUND; PERMISSION_DENIED; FAILED_PRECONDITION when
  // already CLOSED; ABORTED on a stale etag; storage errors.
  absl::StatusOr<v1::Establishment> Close(const security::Access& access,
                                          const v1::CloseEstablishmentRequest& request);

 private:
  EstablishmentStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
  const std::string fingerprint_key_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_ESTABLISHMENTS_H_
