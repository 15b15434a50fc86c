// Access rules of pcmd.events.v1.EventAdminService, which every service hosts: only
// pcmd's own operators and services (agency kind "service") operate the bus.
#ifndef PCMD_COMMON_EVENTS_ADMIN_RULES_H_
#define PCMD_COMMON_EVENTS_ADMIN_RULES_H_

#include "common/security/access_policy.h"

namespace pcmd::events {

// Adds one rule per EventAdminService method. Errors: those of AccessPolicy::Add.
absl::Status AddEventAdminRules(security::AccessPolicy& policy);

}  // namespace pcmd::events

#endif  // PCMD_COMMON_EVENTS_ADMIN_RULES_H_
