// Who may call each RPC of the plans service: one rule per RPC, in one place
// (common/security/access_policy.h). Anything without a rule is denied.
#ifndef PCMD_SERVICES_PLANS_ACCESS_RULES_H_
#define PCMD_SERVICES_PLANS_ACCESS_RULES_H_

#include "common/security/access_policy.h"

namespace pcmd::plans {

// The service's rules, including the EventAdminService every service hosts.
security::AccessPolicy PlansAccessPolicy();

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_ACCESS_RULES_H_
