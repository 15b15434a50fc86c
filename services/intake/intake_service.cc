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
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Submit(call.caller(), *request));
    call.Touch(response->tip().name());
    // Suggestions only among the tips the caller could read (GetTip's scope), however
    // far SubmitTip itself reaches.
    PCMD_ASSIGN_OR_RETURN(
        std::vector<v1::LikelyDuplicate> duplicates,
        tips_.LikelyDuplicates(security::Access{call.caller(), security::Scope::kOwnUnitSubtree},
                               response->tip().name()));
    for (v1::LikelyDuplicate& d : duplicates) *response->add_likely_duplicates() = std::move(d);
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::ListTips(grpc::ServerContext* context,
                                         const v1::ListTipsRequest* request,
                                         v1::ListTipsResponse* response) {
  return guard_.Run(context, "ListTips", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, tips_.List(call.access(), *request));
    for (const v1::Tip& tip : response->tips()) call.Touch(tip.name());
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::ListLikelyDuplicates(grpc::ServerContext* context,
                                                     const v1::ListLikelyDuplicatesRequest* request,
                                                     v1::ListLikelyDuplicatesResponse* response) {
  return guard_.Run(context, "ListLikelyDuplicates", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(std::vector<v1::LikelyDuplicate> duplicates,
                          tips_.LikelyDuplicates(call.access(), request->name()));
    for (v1::LikelyDuplicate& d : duplicates) *response->add_likely_duplicates() = std::move(d);
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::WatchTips(grpc::ServerContext* context,
                                          const v1::WatchTipsRequest* request,
                                          grpc::ServerWriter<v1::WatchTipsResponse>* writer) {
  return guard_.Run(context, "WatchTips", [&](Call& call) -> absl::Status {
    return feed_.Watch(
        call.access(), *request,
        [&](const v1::WatchTipsResponse& change) { return writer->Write(change); },
        [&] { return context->IsCancelled(); });
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

grpc::Status IntakeServiceImpl::VerifyTip(grpc::ServerContext* context,
                                          const v1::VerifyTipRequest* request,
                                          v1::VerifyTipResponse* response) {
  return guard_.Run(context, "VerifyTip", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Verify(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::ClassifyTip(grpc::ServerContext* context,
                                            const v1::ClassifyTipRequest* request,
                                            v1::ClassifyTipResponse* response) {
  return guard_.Run(context, "ClassifyTip", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Classify(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::AssignTip(grpc::ServerContext* context,
                                          const v1::AssignTipRequest* request,
                                          v1::AssignTipResponse* response) {
  return guard_.Run(context, "AssignTip", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Assign(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::TransferTip(grpc::ServerContext* context,
                                            const v1::TransferTipRequest* request,
                                            v1::TransferTipResponse* response) {
  return guard_.Run(context, "TransferTip", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Transfer(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::AcceptTransfer(grpc::ServerContext* context,
                                               const v1::AcceptTransferRequest* request,
                                               v1::AcceptTransferResponse* response) {
  return guard_.Run(context, "AcceptTransfer", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.AcceptTransfer(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::RejectTransfer(grpc::ServerContext* context,
                                               const v1::RejectTransferRequest* request,
                                               v1::RejectTransferResponse* response) {
  return guard_.Run(context, "RejectTransfer", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.RejectTransfer(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::ExtendTipDeadline(grpc::ServerContext* context,
                                                  const v1::ExtendTipDeadlineRequest* request,
                                                  v1::ExtendTipDeadlineResponse* response) {
  return guard_.Run(context, "ExtendTipDeadline", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.ExtendDeadline(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::ResolveTip(grpc::ServerContext* context,
                                           const v1::ResolveTipRequest* request,
                                           v1::ResolveTipResponse* response) {
  return guard_.Run(context, "ResolveTip", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.Resolve(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::MarkTipDuplicate(grpc::ServerContext* context,
                                                 const v1::MarkTipDuplicateRequest* request,
                                                 v1::MarkTipDuplicateResponse* response) {
  return guard_.Run(context, "MarkTipDuplicate", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_tip(), tips_.MarkDuplicate(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::CreateHandOver(grpc::ServerContext* context,
                                               const v1::CreateHandOverRequest* request,
                                               v1::CreateHandOverResponse* response) {
  return guard_.Run(context, "CreateHandOver", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_hand_over(),
                          hand_overs_.Create(call.access(), *request));
    call.Touch(response->hand_over().name());
    for (const v1::HandedOverPerson& person : response->hand_over().persons()) {
      if (!person.pseudonym().empty()) call.Touch(person.pseudonym());
    }
    return absl::OkStatus();
  });
}

grpc::Status IntakeServiceImpl::GetHandOver(grpc::ServerContext* context,
                                            const v1::GetHandOverRequest* request,
                                            v1::GetHandOverResponse* response) {
  return guard_.Run(context, "GetHandOver", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_hand_over(),
                          hand_overs_.Get(call.access(), request->name()));
    for (const v1::HandedOverPerson& person : response->hand_over().persons()) {
      if (!person.pseudonym().empty()) call.Touch(person.pseudonym());
    }
    return absl::OkStatus();
  });
}

}  // namespace pcmd::intake
