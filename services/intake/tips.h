// The intake domain logic for tips: validation, ids, receipt time, pseudonyms,
// idempotent submit, scope, and the break-glass opening of a reporter's identity.
// It sees neither gRPC nor SQL: requests and tips are protobuf messages, storage is a
// TipStore, time is a Clock. Thread-safe when the store is.
#ifndef PCMD_SERVICES_INTAKE_TIPS_H_
#define PCMD_SERVICES_INTAKE_TIPS_H_

#include "absl/status/statusor.h"
#include "common/crypto/keyring.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/intake/v1/intake.pb.h"
#include "services/intake/tip_store.h"

namespace pcmd::intake {

// Limits of a tip, in Unicode code points or items (intake.proto documents them).
inline constexpr size_t kMaxPersons = 50;
inline constexpr size_t kMaxAttachments = 20;
inline constexpr size_t kMinRevealReasonChars = 20;
inline constexpr size_t kMaxRevealReasonChars = 1000;

class Tips {
 public:
  // `store`, `clock`, `units` and `keys` are not owned and must outlive this object.
  // `keys` gives the persons' pseudonyms and keys the idempotency fingerprint of
  // requests (which carry personal data) with the index key.
  Tips(TipStore& store, const Clock& clock, const security::UnitTree& units,
       const crypto::Keyring& keys)
      : store_(store), clock_(clock), units_(units), keys_(keys), index_(keys), ids_(clock) {}

  // Validates and records a tip in state RECEIVED, stamped with the receipt time, its
  // reporter (when given) in the vault. Returns the stored tip (the earlier one for a
  // repeated request_id), with pseudonyms and has_reporter and without the reporter.
  // Errors: INVALID_ARGUMENT with a field violation per bad field, named by its path
  // ("persons[3].full_name", "reporter.email"); storage errors.
  absl::StatusOr<v1::Tip> Submit(const v1::SubmitTipRequest& request);

  // Returns the tip when `access` reaches it (security::CheckScope), its personal
  // fields opened, never its reporter. Errors: INVALID_ARGUMENT for a malformed name;
  // NOT_FOUND; PERMISSION_DENIED out of scope (nothing is opened then); INTERNAL when a
  // stored value cannot be opened; storage errors.
  absl::StatusOr<v1::Tip> Get(const security::Access& access, absl::string_view name);

  // Break-glass: returns the tip's reporter to a caller within scope that states a
  // reason, records the reveal with its reason sealed, emits ReporterRevealed in the
  // same transaction and logs the warning reporter_revealed (tip and agency only).
  // Errors: INVALID_ARGUMENT naming "name" or "reason" (required, 20–1000
  // characters); NOT_FOUND when the tip does not exist or has no reporter;
  // PERMISSION_DENIED out of scope; INTERNAL when the vault cannot be opened; storage
  // errors. Nothing is recorded when it fails (the guard still audits the call).
  absl::StatusOr<v1::Reporter> RevealReporter(const security::Access& access,
                                              const v1::RevealReporterRequest& request);

 private:
  TipStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  const crypto::Keyring& keys_;
  const crypto::BlindIndex index_;
  IdGenerator ids_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_TIPS_H_
