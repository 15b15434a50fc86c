// For tests that need a unit tree: records units directly, as plans' UnitCreated
// events would.
#ifndef PCMD_COMMON_UNITS_UNITS_TESTING_H_
#define PCMD_COMMON_UNITS_UNITS_TESTING_H_

#include <string>
#include <utility>
#include <vector>

#include "common/units/units.h"

namespace pcmd::units {

// Records each (code, parent code) in one transaction, in order. Errors: storage
// errors (nothing is recorded then).
inline absl::Status RememberUnits(storage::SqliteDatabase& db,
                                  const std::vector<std::pair<std::string, std::string>>& units) {
  return db.Write([&](storage::Transaction& tx) -> absl::Status {
    for (const auto& [code, parent] : units) {
      if (absl::Status s = RememberUnit(tx, code, parent); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

}  // namespace pcmd::units

#endif  // PCMD_COMMON_UNITS_UNITS_TESTING_H_
