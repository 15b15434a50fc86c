// Who may call each RPC of the referrals service: one rule per RPC, in one place
// (common/security/access_policy.h). Anything without a rule is denied.
#ifndef PCMD_SERVICES_REFERRALS_ACCESS_RULES_H_
#define PCMD_SERVICES_REFERRALS_ACCESS_RULES_H_

#include "common/security/access_policy.h"

namespace pcmd::referrals {

// The service's rules, including the EventAdminService every service hosts.
security::AccessPolicy ReferralsAccessPolicy();

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_ACCESS_RULES_H_
