// The body of every gRPC method in the thin adapters:
//
//   grpc::Status IntakeServiceImpl::GetTip(grpc::ServerContext* ctx,
//                                          const GetTipRequest* req, GetTipResponse* resp) {
//     return Handle(ctx, [&]() -> absl::Status {
//       PCMD_ASSIGN_OR_RETURN(*resp->mutable_tip(), tips_.Get(req->name()));
//       return absl::OkStatus();
//     });
//   }
//
// It refuses calls the client already cancelled, runs the logic, and converts its
// absl::Status for the wire (field violations included).
#ifndef PCMD_COMMON_SERVER_HANDLER_H_
#define PCMD_COMMON_SERVER_HANDLER_H_

#include <utility>

#include "absl/status/status.h"
#include "common/status/status.h"
#include "grpcpp/server_context.h"

namespace pcmd {

template <typename Fn>
grpc::Status Handle(grpc::ServerContext* context, Fn&& fn) {
  if (context != nullptr && context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled by the client");
  }
  return ToGrpcStatus(std::forward<Fn>(fn)());
}

}  // namespace pcmd

#endif  // PCMD_COMMON_SERVER_HANDLER_H_
