// Channels from an agency system (or a pcmd tool) to a pcmd service, with mutual TLS.
#ifndef PCMD_COMMON_SECURITY_CLIENT_CHANNEL_H_
#define PCMD_COMMON_SECURITY_CLIENT_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "grpcpp/channel.h"

namespace pcmd::security {

struct ClientTls {
  std::string ca_file;    // PEM CA the server's certificate must chain to.
  std::string cert_file;  // This client's certificate (its agency identity).
  std::string key_file;
  // The name the server's certificate must carry; services' development certificates
  // carry "localhost".
  std::string server_name = "localhost";
};

// Defines --tls-ca, --tls-cert, --tls-key and --tls-server-name on a tool's config.
void DefineClientTlsOptions(Config& config);
ClientTls ClientTlsFrom(const Config& config);

// A channel to `target` ("127.0.0.1:50052"): mutual TLS when all three files are
// given, plaintext when none is. Errors: INVALID_ARGUMENT when only some are given;
// NOT_FOUND naming a file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ClientChannel(const std::string& target,
                                                             const ClientTls& tls);

}  // namespace pcmd::security

#endif  // PCMD_COMMON_SECURITY_CLIENT_CHANNEL_H_
