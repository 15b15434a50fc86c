// Where tips are kept. The logic (tips.h) depends only on this interface; the SQLite
// implementation is sqlite_tip_store.h, and a PostgreSQL one would sit beside it.
//
// Personal data at rest: implementations store every personal field of a tip
// (description, place, the persons' names, dates, ID numbers, phones and descriptions)
// only sealed (crypto::FieldCipher), keep the reporter apart in a sealed vault, and
// return plaintext only to the logic. Tips pass through the interface in plaintext.
#ifndef PCMD_SERVICES_INTAKE_TIP_STORE_H_
#define PCMD_SERVICES_INTAKE_TIP_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/intake/v1/intake.pb.h"

namespace pcmd::intake {

// One break-glass opening of a reporter's identity, as recorded with it.
struct RevealRecord {
  std::string reveal_id;    // UUIDv7 chosen by the logic.
  std::string agency_code;  // The calling agency.
  std::string agency_kind;  // "police", "procuracy".
  std::string end_user;     // Account id stated by the agency.
  std::string purpose;      // Stated purpose of use.
  std::string reason;       // Free text; may hold personal data: stored sealed only.
};

// Implementations are thread-safe.
class TipStore {
 public:
  virtual ~TipStore() = default;

  // Stores `tip` durably, with `reporter` in the vault when it is not null (not
  // retained), unless `request_id` was seen before, in which case the tip created then
  // is returned and nothing is written. The tip's persons carry their pseudonyms
  // already. Returns the stored tip, with has_reporter set and never the reporter.
  // Errors: INVALID_ARGUMENT naming request_id when it was used for a different request
  // (`fingerprint` differs); INTERNAL when a stored value cannot be opened; storage
  // errors (ABORTED: retry, UNAVAILABLE, INTERNAL).
  virtual absl::StatusOr<v1::Tip> CreateTip(absl::string_view request_id,
                                            absl::string_view fingerprint, const v1::Tip& tip,
                                            const v1::Reporter* reporter) = 0;

  // Returns the tip with its personal fields opened, never the reporter. Errors:
  // NOT_FOUND when no tip has this id; INTERNAL when a stored value cannot be opened
  // (altered, moved from another row, or sealed under a key the keyring lacks); storage
  // errors.
  virtual absl::StatusOr<v1::Tip> GetTip(absl::string_view tip_id) = 0;

  // The unit code of the tip, for scope checks, without opening anything. Errors:
  // NOT_FOUND when no tip has this id; storage errors.
  virtual absl::StatusOr<std::string> GetTipUnit(absl::string_view tip_id) = 0;

  // Opens the tip's reporter and, in the same transaction, records `record` (its
  // reason sealed) and emits ReporterRevealed; nothing is recorded when it fails.
  // Returns the reporter. Errors: NOT_FOUND when no tip has this id or it has no
  // reporter; INTERNAL when the vault entry cannot be opened; storage errors.
  virtual absl::StatusOr<v1::Reporter> RevealReporter(absl::string_view tip_id,
                                                      const RevealRecord& record) = 0;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_TIP_STORE_H_
