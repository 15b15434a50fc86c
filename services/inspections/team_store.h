// Where Teams 178 are kept. The logic depends only on this interface;
// sqlite_team_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_INSPECTIONS_TEAM_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_TEAM_STORE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd::inspections {

// Implementations are thread-safe.
class TeamStore {
 public:
  virtual ~TeamStore() = default;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_TEAM_STORE_H_
