// The gRPC adapter for pcmd.intake.v1.IntakeService: it admits the call (guard.h),
// unpacks the request, calls the logic and converts statuses; nothing else.
// Thread-safe.
#ifndef PCMD_SERVICES_INTAKE_INTAKE_SERVICE_H_
#define PCMD_SERVICES_INTAKE_INTAKE_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "services/intake/establishment_registry.h"
#include "services/intake/tips.h"

namespace pcmd::intake {

class IntakeServiceImpl final : public v1::IntakeService::Service {
 public:
  // Every call goes through `guard` (access_rules.h). `tips` and `establishments` are
  // not owned and must outlive the service; a tip naming an establishment is accepted
  // only once `establishments` confirms it.
  IntakeServiceImpl(Guard guard, Tips& tips, EstablishmentRegistry& establishments)
      : guard_(std::move(guard)), tips_(tips), establishments_(establishments) {}

  grpc::Status SubmitTip(grpc::ServerContext* context, const v1::SubmitTipRequest* request,
                         v1::SubmitTipResponse* response) override;
  grpc::Status GetTip(grpc::ServerContext* context, const v1::GetTipRequest* request,
                      v1::GetTipResponse* response) override;
  // Break-glass (tips.h, Tips::RevealReporter): the guard audits every call, allowed or
  // refused, naming the tip once the call is admitted.
  grpc::Status RevealReporter(grpc::ServerContext* context,
                              const v1::RevealReporterRequest* request,
                              v1::RevealReporterResponse* response) override;

  // Stage work (tips.h): each answers the tip as it now is.
  grpc::Status VerifyTip(grpc::ServerContext* context, const v1::VerifyTipRequest* request,
                         v1::VerifyTipResponse* response) override;
  grpc::Status ClassifyTip(grpc::ServerContext* context, const v1::ClassifyTipRequest* request,
                           v1::ClassifyTipResponse* response) override;
  grpc::Status AssignTip(grpc::ServerContext* context, const v1::AssignTipRequest* request,
                         v1::AssignTipResponse* response) override;
  grpc::Status TransferTip(grpc::ServerContext* context, const v1::TransferTipRequest* request,
                           v1::TransferTipResponse* response) override;
  grpc::Status AcceptTransfer(grpc::ServerContext* context,
                              const v1::AcceptTransferRequest* request,
                              v1::AcceptTransferResponse* response) override;
  grpc::Status RejectTransfer(grpc::ServerContext* context,
                              const v1::RejectTransferRequest* request,
                              v1::RejectTransferResponse* response) override;
  grpc::Status ExtendTipDeadline(grpc::ServerContext* context,
                                 const v1::ExtendTipDeadlineRequest* request,
                                 v1::ExtendTipDeadlineResponse* response) override;
  grpc::Status ResolveTip(grpc::ServerContext* context, const v1::ResolveTipRequest* request,
                          v1::ResolveTipResponse* response) override;
  grpc::Status MarkTipDuplicate(grpc::ServerContext* context,
                                const v1::MarkTipDuplicateRequest* request,
                                v1::MarkTipDuplicateResponse* response) override;

 private:
  const Guard guard_;
  Tips& tips_;
  EstablishmentRegistry& establishments_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_INTAKE_SERVICE_H_
