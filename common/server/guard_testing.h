// For in-process tests of guarded services (an in-process channel has no TLS): run the
// Gatekeeper in IdentityMode::kInsecureHeader and name the calling agency per call.
// Tests that prove access rules use real mutual TLS instead (tests/security).
#ifndef PCMD_COMMON_SERVER_GUARD_TESTING_H_
#define PCMD_COMMON_SERVER_GUARD_TESTING_H_

#include <string>

#include "common/security/identity.h"
#include "common/server/guard.h"
#include "grpcpp/client_context.h"

namespace pcmd::testing {

// Makes `context` call as the agency `uri` ("urn:pcmd:agency:police:01:CA-HN-PC02"),
// stating an end user and a purpose unless they are empty.
inline void ActAs(grpc::ClientContext& context, const std::string& uri,
                  const std::string& end_user = "officer-0001",
                  const std::string& purpose = "tip-handling") {
  context.AddMetadata(std::string(kInsecureAgencyHeader), uri);
  if (!end_user.empty()) context.AddMetadata(std::string(security::kEndUserHeader), end_user);
  if (!purpose.empty()) context.AddMetadata(std::string(security::kPurposeHeader), purpose);
}

}  // namespace pcmd::testing

#endif  // PCMD_COMMON_SERVER_GUARD_TESTING_H_
