#include "common/security/scope.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace pcmd::security {

Access Access::For(AgencyKind kind, std::string unit, std::string code, Scope scope) {
  return Access{.caller = {.agency = {kind, std::move(unit), std::move(code)},
                           .end_user = "test-user",
                           .purpose = "test"},
                .scope = scope};
}

absl::Status CheckScope(const Access& access, const RecordScope& record, const UnitTree& units) {
  const Agency& agency = access.caller.agency;
  const bool assigned = !record.assigned_agency.empty() && record.assigned_agency == agency.code;
  bool allowed = false;
  switch (access.scope) {
    case Scope::kAll:
      allowed = true;
      break;
    case Scope::kOwnUnitSubtree:
      if (assigned || agency.unit_code == kNationalUnit) {
        allowed = true;
      } else {
        PCMD_ASSIGN_OR_RETURN(allowed, units.IsWithin(record.unit_code, agency.unit_code));
      }
      break;
    case Scope::kAssignedToCaller:
      allowed = assigned;
      break;
    case Scope::kAddressedToProvider:
      allowed = !record.provider_agency.empty() && record.provider_agency == agency.code;
      break;
  }
  if (allowed) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(record.name, " is outside the scope of agency ", agency.code));
}

}  // namespace pcmd::security
