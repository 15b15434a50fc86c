#include "common/server/peer.h"

#include "absl/strings/str_cat.h"
#include "common/server/guard.h"

namespace pcmd {

absl::StatusOr<PeerClient> PeerClient::Connect(const std::string& target,
                                               const security::ClientTls& tls,
                                               const std::string& self_name) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = security::ClientChannel(target, tls);
  if (!channel.ok()) return channel.status();
  const bool insecure = tls.ca_file.empty() && tls.cert_file.empty() && tls.key_file.empty();
  return PeerClient(*std::move(channel),
                    insecure ? absl::StrCat("urn:pcmd:agency:service:VN:pcmd-", self_name) : "");
}

void PeerClient::Prepare(grpc::ClientContext& context, const security::Caller& on_behalf_of,
                         absl::Duration timeout) const {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!insecure_uri_.empty()) {
    context.AddMetadata(std::string(kInsecureAgencyHeader), insecure_uri_);
  }
  if (!on_behalf_of.end_user.empty()) {
    context.AddMetadata(std::string(security::kEndUserHeader), on_behalf_of.end_user);
  }
  if (!on_behalf_of.purpose.empty()) {
    context.AddMetadata(std::string(security::kPurposeHeader), on_behalf_of.purpose);
  }
}

}  // namespace pcmd
