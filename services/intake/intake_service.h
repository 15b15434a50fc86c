// The gRPC adapter for pcmd.intake.v1.IntakeService: it admits the call (guard.h),
// unpacks the request, calls the logic and converts statuses; nothing else.
// Thread-safe.
#ifndef PCMD_SERVICES_INTAKE_INTAKE_SERVICE_H_
#define PCMD_SERVICES_INTAKE_INTAKE_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "services/intake/establishment_registry.h"
#include "services/intake/handovers.h"
#include "services/intake/tip_feed.h"
#include "services/intake/tips.h"

namespace pcmd::intake {

class IntakeServiceImpl final : public v1::IntakeService::Service {
 public:
  // Every call goes through `guard` (access_rules.h). `tips`, `establishments` and
  // `feed` are not owned and must outlive the service; a tip naming an establishment is
  // accepted only once `establishments` confirms it; WatchTips streams `feed`.
  // `hand_overs` is not owned either and must outlive the service.
  IntakeServiceImpl(Guard guard, Tips& tips, EstablishmentRegistry& establishments, TipFeed& feed,
                    HandOvers& hand_overs)
      : guard_(std::move(guard)),
        tips_(tips),
        establishments_(establishments),
        feed_(feed),
        hand_overs_(hand_overs) {}

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

  grpc::Status ListTips(grpc::ServerContext* context, const v1::ListTipsRequest* request,
                        v1::ListTipsResponse* response) override;
  grpc::Status ListLikelyDuplicates(grpc::ServerContext* context,
                                    const v1::ListLikelyDuplicatesRequest* request,
                                    v1::ListLikelyDuplicatesResponse* response) override;
  // Runs until the client cancels or the server stops (tip_feed.h, TipFeed::Watch).
  grpc::Status WatchTips(grpc::ServerContext* context, const v1::WatchTipsRequest* request,
                         grpc::ServerWriter<v1::WatchTipsResponse>* writer) override;

  // Hand-overs from the police to social affairs (handovers.h): the guard audits the
  // hand-over's name and its persons' pseudonyms, never their identity.
  grpc::Status CreateHandOver(grpc::ServerContext* context,
                              const v1::CreateHandOverRequest* request,
                              v1::CreateHandOverResponse* response) override;
  grpc::Status GetHandOver(grpc::ServerContext* context, const v1::GetHandOverRequest* request,
                           v1::GetHandOverResponse* response) override;

 private:
  const Guard guard_;
  Tips& tips_;
  EstablishmentRegistry& establishments_;
  TipFeed& feed_;
  HandOvers& hand_overs_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_INTAKE_SERVICE_H_
