#include "services/referrals/providers.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::referrals {

absl::StatusOr<v1::Provider> Providers::Create(const security::Access& access,
                                               const v1::CreateProviderRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Text("display_name", request.display_name(), {.required = true, .max_chars = 200});
  v.Enum("kind", request.kind(), v1::ProviderKind_IsValid);
  v.Count("services", request.services_size(), 1, 20);
  std::set<int> seen;
  for (int i = 0; i < request.services_size(); ++i) {
    const std::string field = absl::StrCat("services[", i, "]");
    v.Enum(field, request.services(i), v1::ServiceType_IsValid);
    if (!seen.insert(request.services(i)).second) v.Add(field, "is listed twice");
  }
  v.Code("unit_code", request.unit_code());
  v.Range("capacity", request.capacity(), 0, 100000);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateProviderRequest"));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access,
                           {.name = absl::StrCat("a new provider in unit ", request.unit_code()),
                            .unit_code = request.unit_code()},
                           units_));

  v1::Provider p;
  p.set_name(absl::StrCat("providers/", ids_.Next()));
  p.set_display_name(request.display_name());
  p.set_kind(request.kind());
  std::set<int> sorted(request.services().begin(), request.services().end());
  for (int s : sorted) p.add_services(static_cast<v1::ServiceType>(s));
  p.set_unit_code(request.unit_code());
  p.set_capacity(request.capacity());
  p.set_active(true);
  *p.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return store_.CreateProvider(request.request_id(), storage::RequestFingerprint(request), p);
}

absl::StatusOr<v1::Provider> Providers::Get(absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "providers"));
  return store_.GetProvider(id);
}

}  // namespace pcmd::referrals
