// Calls from one pcmd service to another. The calling service identifies itself with
// its own certificate (agency kind "service") and forwards the end user and purpose of
// the call it is serving, so the callee's audit log names the person the work is for.
//
//   PCMD_ASSIGN_OR_RETURN(PeerClient inspections,
//                         PeerClient::Connect("127.0.0.1:50053", ctx.peer_tls, "intake"));
//   grpc::ClientContext rpc;
//   inspections.Prepare(rpc, call.caller(), absl::Seconds(5));
//   stub->GetEstablishment(&rpc, request, &response);
#ifndef PCMD_COMMON_SERVER_PEER_H_
#define PCMD_COMMON_SERVER_PEER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/security/client_channel.h"
#include "common/security/identity.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace pcmd {

// Thread-safe after Connect; cheap to copy (the channel is shared).
class PeerClient {
 public:
  // `tls` is the service's own certificate, key and CA (ServiceContext::peer_tls). With
  // all of them empty (--insecure), the channel is plaintext and each call names the
  // service in the insecure agency header as urn:pcmd:agency:service:VN:pcmd-<self>.
  // Errors: those of security::ClientChannel (NOT_FOUND naming an unreadable file,
  // INVALID_ARGUMENT for a partial set).
  static absl::StatusOr<PeerClient> Connect(const std::string& target,
                                            const security::ClientTls& tls,
                                            const std::string& self_name);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Sets the deadline and the metadata of one outgoing call made on behalf of
  // `on_behalf_of` (its end user and purpose are forwarded).
  void Prepare(grpc::ClientContext& context, const security::Caller& on_behalf_of,
               absl::Duration timeout) const;

 private:
  PeerClient(std::shared_ptr<grpc::Channel> channel, std::string insecure_uri)
      : channel_(std::move(channel)), insecure_uri_(std::move(insecure_uri)) {}

  std::shared_ptr<grpc::Channel> channel_;
  std::string insecure_uri_;  // Empty with TLS.
};

}  // namespace pcmd

#endif  // PCMD_COMMON_SERVER_PEER_H_
