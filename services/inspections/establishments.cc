#include "services/inspections/establishments.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::inspections {

absl::StatusOr<v1::Establishment> Establishments::Create(
    const security::Access& access, const v1::CreateEstablishmentRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Text("display_name", request.display_name(), {.required = true, .max_chars = 200});
  v.Enum("business_type", request.business_type(), v1::BusinessType_IsValid);
  v.Text("business_registration_number", request.business_registration_number(), {.max_chars = 32});
  v.Text("address", request.address(), {.required = true, .max_chars = 300});
  v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateEstablishmentRequest"));
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access,
      {.name = absl::StrCat("a new establishment in unit ", request.unit_code()),
       .unit_code = request.unit_code()},
      units_));

  v1::Establishment e;
  e.set_name(absl::StrCat("establishments/", ids_.Next()));
  e.set_display_name(request.display_name());
  e.set_business_type(request.business_type());
  e.set_business_registration_number(request.business_registration_number());
  e.set_address(request.address());
  e.set_unit_code(request.unit_code());
  e.set_status(v1::ESTABLISHMENT_STATUS_OPERATING);
  *e.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return store_.CreateEstablishment(request.request_id(), storage::RequestFingerprint(request), e);
}

absl::StatusOr<v1::Establishment> Establishments::Get(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "establishments"));
  return store_.GetEstablishment(id);
}

}  // namespace pcmd::inspections
