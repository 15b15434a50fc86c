// The gRPC adapter for pcmd.referrals.v1.CasesService: every call goes through the
// guard (access_rules.h), which audits the records the call names, then to the logic
// (cases.h). Thread-safe.
#ifndef PCMD_SERVICES_REFERRALS_CASES_SERVICE_H_
#define PCMD_SERVICES_REFERRALS_CASES_SERVICE_H_

#include <utility>

#include "common/server/guard.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "services/referrals/cases.h"

namespace pcmd::referrals {

class CasesServiceImpl final : public v1::CasesService::Service {
 public:
  // `cases` is not owned and must outlive the service.
  CasesServiceImpl(Guard guard, Cases& cases) : guard_(std::move(guard)), cases_(cases) {}

  grpc::Status OpenCase(grpc::ServerContext* context, const v1::OpenCaseRequest* request,
                        v1::OpenCaseResponse* response) override;
  grpc::Status GetCase(grpc::ServerContext* context, const v1::GetCaseRequest* request,
                       v1::GetCaseResponse* response) override;
  grpc::Status ListCases(grpc::ServerContext* context, const v1::ListCasesRequest* request,
                         v1::ListCasesResponse* response) override;
  grpc::Status UpdateCase(grpc::ServerContext* context, const v1::UpdateCaseRequest* request,
                          v1::UpdateCaseResponse* response) override;
  grpc::Status AddCaseNote(grpc::ServerContext* context, const v1::AddCaseNoteRequest* request,
                           v1::AddCaseNoteResponse* response) override;
  grpc::Status ListCaseNotes(grpc::ServerContext* context, const v1::ListCaseNotesRequest* request,
                             v1::ListCaseNotesResponse* response) override;
  grpc::Status ReviewCase(grpc::ServerContext* context, const v1::ReviewCaseRequest* request,
                          v1::ReviewCaseResponse* response) override;
  grpc::Status CloseCase(grpc::ServerContext* context, const v1::CloseCaseRequest* request,
                         v1::CloseCaseResponse* response) override;

 private:
  const Guard guard_;
  Cases& cases_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_CASES_SERVICE_H_
