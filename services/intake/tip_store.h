// Where tips are kept. The logic (tips.h) depends only on this interface; the SQLite
// implementation is sqlite_tip_store.h, and a PostgreSQL one would sit beside it.
#ifndef PCMD_SERVICES_INTAKE_TIP_STORE_H_
#define PCMD_SERVICES_INTAKE_TIP_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/intake/v1/intake.pb.h"

namespace pcmd::intake {

// Implementations are thread-safe.
class TipStore {
 public:
  virtual ~TipStore() = default;

  // Stores `tip` durably unless `request_id` was seen before, in which case the tip
  // created then is returned and nothing is written. Errors: INVALID_ARGUMENT naming
  // request_id when it was used for a different request (`fingerprint` differs);
  // storage errors (ABORTED: retry, UNAVAILABLE, INTERNAL).
  virtual absl::StatusOr<v1::Tip> CreateTip(absl::string_view request_id,
                                            absl::string_view fingerprint, const v1::Tip& tip) = 0;

  // Errors: NOT_FOUND when no tip has this id; storage errors.
  virtual absl::StatusOr<v1::Tip> GetTip(absl::string_view tip_id) = 0;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_TIP_STORE_H_
