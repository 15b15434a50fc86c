#include "services/referrals/cases_service.h"

#include "common/status/status_macros.h"

namespace pcmd::referrals {

// Calls about an existing case name it before the logic runs, so that a refused call
// is audited with the record it asked for.

grpc::Status CasesServiceImpl::OpenCase(grpc::ServerContext* context,
                                        const v1::OpenCaseRequest* request,
                                        v1::OpenCaseResponse* response) {
  return guard_.Run(context, "OpenCase", [&](Call& call) -> absl::Status {
    call.Touch(request->client());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_case_(), cases_.OpenCase(call.access(), *request));
    call.Touch(response->case_().name());
    return absl::OkStatus();
  });
}

grpc::Status CasesServiceImpl::GetCase(grpc::ServerContext* context,
                                       const v1::GetCaseRequest* request,
                                       v1::GetCaseResponse* response) {
  return guard_.Run(context, "GetCase", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_case_(), cases_.GetCase(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status CasesServiceImpl::ListCases(grpc::ServerContext* context,
                                         const v1::ListCasesRequest* request,
                                         v1::ListCasesResponse* response) {
  return guard_.Run(context, "ListCases", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, cases_.ListCases(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status CasesServiceImpl::UpdateCase(grpc::ServerContext* context,
                                          const v1::UpdateCaseRequest* request,
                                          v1::UpdateCaseResponse* response) {
  return guard_.Run(context, "UpdateCase", [&](Call& call) -> absl::Status {
    call.Touch(request->case_().name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_case_(), cases_.UpdateCase(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status CasesServiceImpl::AddCaseNote(grpc::ServerContext* context,
                                           const v1::AddCaseNoteRequest* request,
                                           v1::AddCaseNoteResponse* response) {
  return guard_.Run(context, "AddCaseNote", [&](Call& call) -> absl::Status {
    call.Touch(request->case_());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_note(), cases_.AddCaseNote(call.access(), *request));
    call.Touch(response->note().name());
    return absl::OkStatus();
  });
}

grpc::Status CasesServiceImpl::ListCaseNotes(grpc::ServerContext* context,
                                             const v1::ListCaseNotesRequest* request,
                                             v1::ListCaseNotesResponse* response) {
  return guard_.Run(context, "ListCaseNotes", [&](Call& call) -> absl::Status {
    call.Touch(request->case_());
    PCMD_ASSIGN_OR_RETURN(*response, cases_.ListCaseNotes(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status CasesServiceImpl::ReviewCase(grpc::ServerContext* context,
                                          const v1::ReviewCaseRequest* request,
                                          v1::ReviewCaseResponse* response) {
  return guard_.Run(context, "ReviewCase", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_case_(), cases_.ReviewCase(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status CasesServiceImpl::CloseCase(grpc::ServerContext* context,
                                         const v1::CloseCaseRequest* request,
                                         v1::CloseCaseResponse* response) {
  return guard_.Run(context, "CloseCase", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_case_(), cases_.CloseCase(call.access(), *request));
    return absl::OkStatus();
  });
}

}  // namespace pcmd::referrals
