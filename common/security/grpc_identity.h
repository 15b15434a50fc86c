// The caller of a gRPC call: the agency named by its verified client certificate
// (see identity.h for the encoding) and the end user and purpose from its metadata.
#ifndef PCMD_COMMON_SECURITY_GRPC_IDENTITY_H_
#define PCMD_COMMON_SECURITY_GRPC_IDENTITY_H_

#include "absl/status/statusor.h"
#include "common/security/identity.h"
#include "grpcpp/server_context.h"

namespace pcmd::security {

// Errors: UNAUTHENTICATED when the connection carries no verified client certificate,
// or the certificate has no (or more than one) urn:pcmd:agency URI, or that URI is
// malformed. Thread-safe.
absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContext& context);

}  // namespace pcmd::security

#endif  // PCMD_COMMON_SECURITY_GRPC_IDENTITY_H_
