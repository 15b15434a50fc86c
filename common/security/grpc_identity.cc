#include "common/security/grpc_identity.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/auth_context.h"

namespace pcmd::security {

absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContext& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return absl::UnauthenticatedError(
        "no verified client certificate: agency systems connect with mutual TLS");
  }
  // The URI SAN appears as a subject alternative name (and, in newer gRPC, as
  // peer_uri); read both, take each URI once.
  std::vector<std::string> uris;
  for (const char* property : {"x509_subject_alternative_name", "peer_uri"}) {
    for (const grpc::string_ref& value : auth->FindPropertyValues(property)) {
      std::string v(value.data(), value.size());
      if (v.rfind("urn:pcmd:agency:", 0) == 0 &&
          std::find(uris.begin(), uris.end(), v) == uris.end()) {
        uris.push_back(std::move(v));
      }
    }
  }
  if (uris.size() != 1) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the client certificate must carry exactly one urn:pcmd:agency URI; it carries ",
        uris.size()));
  }
  absl::StatusOr<Agency> agency = ParseAgencyUri(uris.front());
  if (!agency.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("client certificate: ", agency.status().message()));
  }
  Caller caller{*std::move(agency), "", ""};
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find(std::string(kEndUserHeader)); it != metadata.end()) {
    caller.end_user.assign(it->second.data(), it->second.size());
  }
  if (auto it = metadata.find(std::string(kPurposeHeader)); it != metadata.end()) {
    caller.purpose.assign(it->second.data(), it->second.size());
  }
  return caller;
}

}  // namespace pcmd::security
