// Who may call each RPC of the intake service: one rule per RPC, in one place
// (common/security/access_policy.h). Anything without a rule is denied.
#ifndef PCMD_SERVICES_INTAKE_ACCESS_RULES_H_
#define PCMD_SERVICES_INTAKE_ACCESS_RULES_H_

#include "common/security/access_policy.h"

namespace pcmd::intake {

// The service's rules, including the EventAdminService every service hosts.
security::AccessPolicy IntakeAccessPolicy();

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_ACCESS_RULES_H_
