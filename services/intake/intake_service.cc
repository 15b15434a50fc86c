#include "services/intake/intake_service.h"

#include "common/status/status_macros.h"
#include "common/validation/validation.h"

namespace pcmd::intake {

grpc::Status IntakeServiceImpl::SubmitTip(grpc::ServerContext* context,
                                          const v1::SubmitTipRequest* request,
                                          v1::SubmitTipResponse* response) {
  return guard_.Run(context, "SubmitTip", [&](Call& call) -> absl::Status {
    // A malformed name is left to Submit's validation, which names it with the rest.
    if (!request->establishment().empty() &&
        ParseResourceName("establishment", request->establishment(), "establishments").ok()) {
      PCMD_RETURN_IF_ERROR(establishments_.CheckExists(call.caller(), request->establishment()));
    }
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Submit(*request));
    call.Touch(response->tip().name());
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::GetTip(grpc::ServerContext* context,
                                       const v1::GetTipRequest* request,
                                       v1::GetTipResponse* response) {
  return guard_.Run(context, "GetTip", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Get(call.access(), request->name()));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::RevealReporter(grpc::ServerContext* context,
                                               const v1::RevealReporterRequest* request,
                                               v1::RevealReporterResponse* response) {
  return guard_.Run(context, "RevealReporter", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_reporter(),
                          tips_.RevealReporter(call.access(), *request));
    return absl::OkStatus();
  });
}

}  // namespace pcmd::intake
