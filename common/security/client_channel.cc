#include "common/security/client_channel.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace pcmd::security {

void DefineClientTlsOptions(Config& config) {
  config.DefineString("tls-ca", "", "PEM CA of the services (mutual TLS)");
  config.DefineString("tls-cert", "", "PEM certificate of the calling agency");
  config.DefineString("tls-key", "", "PEM private key of the calling agency");
  config.DefineString("tls-server-name", "localhost", "name in the service's certificate");
}

ClientTls ClientTlsFrom(const Config& config) {
  return {config.GetString("tls-ca"), config.GetString("tls-cert"), config.GetString("tls-key"),
          config.GetString("tls-server-name")};
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ClientChannel(const std::string& target,
                                                             const ClientTls& tls) {
  const int given = !tls.ca_file.empty() + !tls.cert_file.empty() + !tls.key_file.empty();
  if (given == 0) return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  if (given != 3) {
    return absl::InvalidArgumentError(
        "give all of --tls-ca, --tls-cert and --tls-key for mutual TLS, or none of them");
  }
  grpc::SslCredentialsOptions ssl;
  for (const auto& [path, out] : {std::pair{&tls.ca_file, &ssl.pem_root_certs},
                                  std::pair{&tls.cert_file, &ssl.pem_cert_chain},
                                  std::pair{&tls.key_file, &ssl.pem_private_key}}) {
    std::ifstream in(*path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in || text.str().empty()) {
      return absl::NotFoundError(absl::StrCat("cannot read TLS file ", *path));
    }
    *out = text.str();
  }
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride(tls.server_name);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args);
}

}  // namespace pcmd::security
