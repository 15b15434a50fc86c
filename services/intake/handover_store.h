// Where hand-overs are kept. The logic (handovers.h) depends only on this interface;
// the SQLite implementation is sqlite_handover_store.h.
//
// Personal data at rest: implementations store every personal field of a handed-over
// person (name, birth date, ID number, phone, needs) only sealed (crypto::FieldCipher),
// with the pseudonym, the flags and a blind index of the ID number in clear, and return
// plaintext only to the logic. Hand-overs pass through the interface in plaintext.
#ifndef PCMD_SERVICES_INTAKE_HANDOVER_STORE_H_
#define PCMD_SERVICES_INTAKE_HANDOVER_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/intake/v1/intake.pb.h"

namespace pcmd::intake {

// What scope checks need of a hand-over, read without opening anything.
struct HandOverScope {
  std::string unit_code;    // Where the people were found.
  std::string from_agency;  // The police agency that handed them over.
};

// Implementations are thread-safe.
class HandOverStore {
 public:
  virtual ~HandOverStore() = default;

  // Stores `hand_over` durably and, in the same transaction, one
  // SupportOutreachRequested event per person (pseudonym, flags and codes only), unless
  // `request_id` was seen before, in which case the hand-over created then is returned
  // and nothing is written. The persons carry their pseudonyms already; `hand_over.tip`
  // names a tip that exists (the logic checked). Returns the stored hand-over. Errors:
  // INVALID_ARGUMENT naming request_id when it was used for a different request
  // (`fingerprint` differs); INTERNAL when a stored value cannot be opened; storage
  // errors (ABORTED: retry, UNAVAILABLE, INTERNAL).
  virtual absl::StatusOr<v1::HandOver> CreateHandOver(absl::string_view request_id,
                                                      absl::string_view fingerprint,
                                                      const v1::HandOver& hand_over) = 0;

  // Returns the hand-over with its persons opened. Errors: NOT_FOUND when no hand-over
  // has this id; INTERNAL when a stored value cannot be opened (altered, moved from
  // another row or field, or sealed under a key the keyring lacks); storage errors.
  virtual absl::StatusOr<v1::HandOver> GetHandOver(absl::string_view handover_id) = 0;

  // The scope facts of the hand-over, without opening anything. Errors: NOT_FOUND when
  // no hand-over has this id; storage errors.
  virtual absl::StatusOr<HandOverScope> GetHandOverScope(absl::string_view handover_id) = 0;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_HANDOVER_STORE_H_
