// The intake domain logic for tips: validation, ids, receipt time, idempotent submit.
// It sees neither gRPC nor SQL: requests and tips are protobuf messages, storage is a
// TipStore, time is a Clock. Thread-safe when the store is.
#ifndef PCMD_SERVICES_INTAKE_TIPS_H_
#define PCMD_SERVICES_INTAKE_TIPS_H_

#include "absl/status/statusor.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/intake/v1/intake.pb.h"
#include "services/intake/tip_store.h"

namespace pcmd::intake {

class Tips {
 public:
  // `store`, `clock` and `units` are not owned and must outlive this object.
  Tips(TipStore& store, const Clock& clock, const security::UnitTree& units)
      : store_(store), clock_(clock), units_(units), ids_(clock) {}

  // Validates and records a tip in state RECEIVED, stamped with the receipt time.
  // Returns the stored tip (the earlier one for a repeated request_id). Errors:
  // INVALID_ARGUMENT with a field violation per bad field; storage errors.
  absl::StatusOr<v1::Tip> Submit(const v1::SubmitTipRequest& request);

  // Returns the tip when `access` reaches it (security::CheckScope). Errors:
  // INVALID_ARGUMENT for a malformed name; NOT_FOUND; PERMISSION_DENIED out of scope.
  absl::StatusOr<v1::Tip> Get(const security::Access& access, absl::string_view name);

 private:
  TipStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_TIPS_H_
