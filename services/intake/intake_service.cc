#include "services/intake/intake_service.h"

#include "common/server/handler.h"
#include "common/status/status_macros.h"

namespace pcmd::intake {

grpc::Status IntakeServiceImpl::SubmitTip(grpc::ServerContext* context,
                                          const v1::SubmitTipRequest* request,
                                          v1::SubmitTipResponse* response) {
  return Handle(context, [&]() -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Submit(*request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::GetTip(grpc::ServerContext* context,
                                       const v1::GetTipRequest* request,
                                       v1::GetTipResponse* response) {
  return Handle(context, [&]() -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Get(request->name()));
    return absl::OkStatus();
  });
}

}  // namespace pcmd::intake
