#include "common/events/admin_rules.h"

#include "common/status/status_macros.h"

namespace pcmd::events {

absl::Status AddEventAdminRules(security::AccessPolicy& policy) {
  using K = security::AgencyKind;
  for (const char* method : {"GetEventStats", "ResetConsumer", "RepublishEvents"}) {
    PCMD_RETURN_IF_ERROR(
        policy.Add({.method = std::string("/pcmd.events.v1.EventAdminService/") + method,
                    .kinds = {K::kOperator},
                    .scope = security::Scope::kAll,
                    .personal_data = false}));
  }
  return absl::OkStatus();
}

}  // namespace pcmd::events
