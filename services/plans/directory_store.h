// Where the directory of administrative units is kept. The logic depends only on this
// interface; sqlite_unit_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_PLANS_UNIT_STORE_H_
#define PCMD_SERVICES_PLANS_UNIT_STORE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/plans/v1/directory.pb.h"

namespace pcmd::plans {

// Implementations are thread-safe.
class UnitStore {
 public:
  virtual ~UnitStore() = default;

  // Stores `unit` under its code. Returns the stored unit: `unit` itself, or the one
  // already there when it is identical. Errors: NOT_FOUND naming parent_code when the
  // parent does not exist; ALREADY_EXISTS when the code holds a different unit;
  // storage errors. Nothing is written on error.
  virtual absl::StatusOr<v1::Unit> CreateUnit(const v1::Unit& unit) = 0;

  // Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Unit> GetUnit(absl::string_view code) = 0;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_UNIT_STORE_H_
