// Where the directory of administrative units and agencies is kept. The logic depends
// only on this interface; sqlite_directory_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_PLANS_DIRECTORY_STORE_H_
#define PCMD_SERVICES_PLANS_DIRECTORY_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/plans/v1/directory.pb.h"

namespace pcmd::plans {

struct UnitQuery {
  std::string parent_code;
  std::string subtree_of;
  v1::UnitLevel level = v1::UNIT_LEVEL_UNSPECIFIED;
  std::string valid_on;
  // Folded words (common/text) every name must hold.
  std::vector<std::string> words;
  std::string after_code;  // Paging: codes greater than this.
  int limit = 100;
};

struct AgencyQuery {
  v1::AgencyKind kind = v1::AGENCY_KIND_UNSPECIFIED;
  std::string unit_code;  // This unit and its subtree.
  std::string valid_on;
  std::vector<std::string> words;
  std::string after_code;
  int limit = 100;
};

// Implementations are thread-safe.
class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  // Stores `unit` under its code. Returns the stored unit: `unit` itself, or the one
  // already there when it is identical. Errors: NOT_FOUND naming parent_code (or
  // successor_codes) when the parent (a successor) does not exist; ALREADY_EXISTS when
  // the code holds a different unit; storage errors. Nothing is written on error.
  virtual absl::StatusOr<v1::Unit> CreateUnit(const v1::Unit& unit) = 0;

  // Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Unit> GetUnit(absl::string_view code) = 0;

  // Units matching `query`, by code. Errors: storage errors.
  virtual absl::StatusOr<std::vector<v1::Unit>> ListUnits(const UnitQuery& query) = 0;

  // As CreateUnit, for agencies: NOT_FOUND naming unit_code, parent_code or
  // successor_codes; ALREADY_EXISTS for a code holding a different agency.
  virtual absl::StatusOr<v1::Agency> CreateAgency(const v1::Agency& agency) = 0;

  // Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Agency> GetAgency(absl::string_view code) = 0;

  virtual absl::StatusOr<std::vector<v1::Agency>> ListAgencies(const AgencyQuery& query) = 0;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_DIRECTORY_STORE_H_
