// What the logic needs to apply a rule's scope to records, without seeing gRPC: the
// caller, the scope its rule grants, and the tree of administrative units.
//
// Scope decisions answer PERMISSION_DENIED naming the record and the calling agency,
// never the record's contents: a caller out of scope learns nothing but that it may
// not see the record.
#ifndef PCMD_COMMON_SECURITY_SCOPE_H_
#define PCMD_COMMON_SECURITY_SCOPE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/security/access_policy.h"
#include "common/security/identity.h"

namespace pcmd::security {

// The administrative units (province → commune) as the service knows them.
// Implementations are thread-safe.
class UnitTree {
 public:
  virtual ~UnitTree() = default;
  // True when `unit` is `ancestor` or lies under it. An unknown unit is within only
  // itself. Errors: storage errors.
  virtual absl::StatusOr<bool> IsWithin(absl::string_view unit,
                                        absl::string_view ancestor) const = 0;
  // The units above `unit`, nearest first (its parent, then the parent's parent…);
  // empty for a unit at the top or unknown. Errors: storage errors.
  virtual absl::StatusOr<std::vector<std::string>> AncestorsOf(absl::string_view unit) const = 0;
  // True when `unit` is the national unit or a unit of the directory.
  // Errors: storage errors.
  virtual absl::StatusOr<bool> Knows(absl::string_view unit) const = 0;
  // `unit` and every known unit under it. Errors: storage errors.
  virtual absl::StatusOr<std::vector<std::string>> SubtreeOf(absl::string_view unit) const = 0;
};

// The national unit: agencies registered at "VN" (ministries, pcmd's own services)
// see every unit.
inline constexpr absl::string_view kNationalUnit = "VN";

// A call that was let through: who calls and how far its rule reaches.
struct Access {
  Caller caller;
  Scope scope = Scope::kOwnUnitSubtree;

  // For tests and internal calls: a caller of `kind` at `unit` with the given scope.
  static Access For(AgencyKind kind, std::string unit, std::string code, Scope scope);
};

// The facts about one record that scope rules look at.
struct RecordScope {
  std::string name;             // "tips/0192…", for the message.
  std::string unit_code;        // Where the record belongs.
  std::string assigned_agency;  // Agency code responsible now ("" when none).
  std::string provider_agency;  // Agency code of the provider addressed ("" when none).
};

// OK when `access` reaches `record`:
//   kAll                 always;
//   kOwnUnitSubtree      the record's unit is within the caller's unit (a national
//                        caller reaches all), or the record is assigned to the caller;
//   kAssignedToCaller    the record is assigned to the caller;
//   kAddressedToProvider the record is addressed to the caller as provider.
// Errors: PERMISSION_DENIED naming the record and the agency; storage errors of `units`.
absl::Status CheckScope(const Access& access, const RecordScope& record, const UnitTree& units);

}  // namespace pcmd::security

#endif  // PCMD_COMMON_SECURITY_SCOPE_H_
