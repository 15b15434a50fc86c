#include "services/inspections/establishments.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::inspections {
namespace {

// True when every character of `s` passes `is_allowed` or is in `punctuation`.
bool AllOf(absl::string_view s, int (*is_allowed)(int), absl::string_view punctuation) {
  for (char c : s) {
    if (!is_allowed(static_cast<unsigned char>(c)) &&
        punctuation.find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

void ValidateOwner(Validator& v, const v1::BusinessOwner& owner) {
  v.Text("owner.full_name", owner.full_name(), {.required = true, .max_chars = 200});
  v.Text("owner.id_number", owner.id_number(), {.max_chars = 20});
  // CCCD (digits) or a passport number (letters and digits).
  if (!AllOf(owner.id_number(), isalnum, "")) {
    v.Add("owner.id_number", "must be letters and digits only");
  }
  v.Text("owner.phone", owner.phone(), {.max_chars = 20});
  if (!AllOf(owner.phone(), isdigit, " +-.")) {
    v.Add("owner.phone", "must be digits, spaces, +, - or . only");
  }
  v.Date("owner.birth_date", owner.birth_date());
}

}  // namespace

absl::StatusOr<v1::Establishment> Establishments::Create(
    const security::Access& access, const v1::CreateEstablishmentRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Text("display_name", request.display_name(), {.required = true, .max_chars = 200});
  v.Enum("business_type", request.business_type(), v1::BusinessType_IsValid);
  v.Text("business_registration_number", request.business_registration_number(), {.max_chars = 32});
  v.Text("address", request.address(), {.required = true, .max_chars = 300});
  v.Code("unit_code", request.unit_code());
  if (request.has_owner()) ValidateOwner(v, request.owner());
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
  if (request.has_owner()) {
    *e.mutable_owner() = request.owner();
    e.mutable_owner()->clear_pseudonym();  // Computed by the store.
  }
  *e.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return store_.CreateEstablishment(request.request_id(),
                                    storage::RequestFingerprint(request, fingerprint_key_), e);
}

absl::StatusOr<v1::Establishment> Establishments::Get(const security::Access& access,
                                                      absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "establishments"));
  PCMD_ASSIGN_OR_RETURN(v1::Establishment e, store_.GetEstablishment(id));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access, {.name = e.name(), .unit_code = e.unit_code()}, units_));
  return e;
}

}  // namespace pcmd::inspections
