#include "services/plans/directory.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/validation/validation.h"

namespace pcmd::plans {

absl::StatusOr<v1::Unit> Directory::CreateUnit(const v1::CreateUnitRequest& request) {
  Validator v;
  v.Code("code", request.code());
  v.Text("display_name", request.display_name(), {.required = true, .max_chars = 100});
  v.Enum("level", request.level(), v1::UnitLevel_IsValid);
  const bool national = request.level() == v1::UNIT_LEVEL_NATIONAL;
  if (national && !request.parent_code().empty()) {
    v.Add("parent_code", "must be empty for the national level");
  } else if (!national && request.level() != v1::UNIT_LEVEL_UNSPECIFIED) {
    v.Code("parent_code", request.parent_code());
  }
  if (!request.parent_code().empty() && request.parent_code() == request.code()) {
    v.Add("parent_code", "must differ from code");
  }
  v.DateRange("valid_from", request.valid_from(), "valid_to", request.valid_to());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateUnitRequest"));

  v1::Unit unit;
  unit.set_name(absl::StrCat("units/", request.code()));
  unit.set_code(request.code());
  unit.set_display_name(request.display_name());
  unit.set_level(request.level());
  unit.set_parent_code(request.parent_code());
  unit.set_valid_from(request.valid_from());
  unit.set_valid_to(request.valid_to());
  return store_.CreateUnit(unit);
}

absl::StatusOr<v1::Unit> Directory::GetUnit(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string code, ParseResourceName("name", name, "units"));
  return store_.GetUnit(code);
}

}  // namespace pcmd::plans
