// Who may call each RPC of the inspections service: one rule per RPC, in one place
// (common/security/access_policy.h). Anything without a rule is denied.
#ifndef PCMD_SERVICES_INSPECTIONS_ACCESS_RULES_H_
#define PCMD_SERVICES_INSPECTIONS_ACCESS_RULES_H_

#include "common/security/access_policy.h"

namespace pcmd::inspections {

// The service's rules, including the EventAdminService every service hosts.
security::AccessPolicy InspectionsAccessPolicy();

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_ACCESS_RULES_H_
