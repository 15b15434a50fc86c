// The gRPC adapters for pcmd.referrals.v1.ReferralsService (the case worker's side) and
// ProviderInboxService (the provider's side). Each call goes through its Guard
// (access_rules.h), names the records it touches for the audit, and hands the request
// to the logic. Thread-safe.
#ifndef PCMD_SERVICES_REFERRALS_REFERRALS_SERVICE_H_
#define PCMD_SERVICES_REFERRALS_REFERRALS_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "services/referrals/clients.h"
#include "services/referrals/outreach.h"
#include "services/referrals/providers.h"
#include "services/referrals/referral_feed.h"
#include "services/referrals/referrals.h"

namespace pcmd::referrals {

// What the adapters call. Not owned; everything must outlive the services.
struct ReferralsLogic {
  Providers* providers;
  Outreach* outreach;
  Clients* clients;
  Referrals* referrals;
  ReferralFeed* feed;
};

class ReferralsServiceImpl final : public v1::ReferralsService::Service {
 public:
  ReferralsServiceImpl(Guard guard, ReferralsLogic logic)
      : guard_(std::move(guard)), logic_(logic) {}

  grpc::Status CreateProvider(grpc::ServerContext* context,
                              const v1::CreateProviderRequest* request,
                              v1::CreateProviderResponse* response) override;
  grpc::Status GetProvider(grpc::ServerContext* context, const v1::GetProviderRequest* request,
                           v1::GetProviderResponse* response) override;
  grpc::Status ListProviders(grpc::ServerContext* context, const v1::ListProvidersRequest* request,
                             v1::ListProvidersResponse* response) override;
  grpc::Status UpdateProvider(grpc::ServerContext* context,
                              const v1::UpdateProviderRequest* request,
                              v1::UpdateProviderResponse* response) override;
  grpc::Status ListOutreachTasks(grpc::ServerContext* context,
                                 const v1::ListOutreachTasksRequest* request,
                                 v1::ListOutreachTasksResponse* response) override;
  grpc::Status CloseOutreachTask(grpc::ServerContext* context,
                                 const v1::CloseOutreachTaskRequest* request,
                                 v1::CloseOutreachTaskResponse* response) override;
  grpc::Status RecordOutreachContact(grpc::ServerContext* context,
                                     const v1::RecordOutreachContactRequest* request,
                                     v1::RecordOutreachContactResponse* response) override;
  grpc::Status RegisterClient(grpc::ServerContext* context,
                              const v1::RegisterClientRequest* request,
                              v1::RegisterClientResponse* response) override;
  grpc::Status GetClient(grpc::ServerContext* context, const v1::GetClientRequest* request,
                         v1::GetClientResponse* response) override;
  grpc::Status ListClients(grpc::ServerContext* context, const v1::ListClientsRequest* request,
                           v1::ListClientsResponse* response) override;
  grpc::Status GiveConsent(grpc::ServerContext* context, const v1::GiveConsentRequest* request,
                           v1::GiveConsentResponse* response) override;
  grpc::Status WithdrawConsent(grpc::ServerContext* context,
                               const v1::WithdrawConsentRequest* request,
                               v1::WithdrawConsentResponse* response) override;
  grpc::Status ListConsents(grpc::ServerContext* context, const v1::ListConsentsRequest* request,
                            v1::ListConsentsResponse* response) override;
  grpc::Status AssessNeeds(grpc::ServerContext* context, const v1::AssessNeedsRequest* request,
                           v1::AssessNeedsResponse* response) override;
  grpc::Status CreateReferral(grpc::ServerContext* context,
                              const v1::CreateReferralRequest* request,
                              v1::CreateReferralResponse* response) override;
  grpc::Status GetReferral(grpc::ServerContext* context, const v1::GetReferralRequest* request,
                           v1::GetReferralResponse* response) override;
  grpc::Status ListReferrals(grpc::ServerContext* context, const v1::ListReferralsRequest* request,
                             v1::ListReferralsResponse* response) override;
  grpc::Status RevokeReferral(grpc::ServerContext* context,
                              const v1::RevokeReferralRequest* request,
                              v1::RevokeReferralResponse* response) override;
  grpc::Status ScheduleReferralFollowUp(grpc::ServerContext* context,
                                        const v1::ScheduleReferralFollowUpRequest* request,
                                        v1::ScheduleReferralFollowUpResponse* response) override;

 private:
  const Guard guard_;
  const ReferralsLogic logic_;
};

class ProviderInboxServiceImpl final : public v1::ProviderInboxService::Service {
 public:
  ProviderInboxServiceImpl(Guard guard, ReferralsLogic logic)
      : guard_(std::move(guard)), logic_(logic) {}

  grpc::Status GetInboxReferral(grpc::ServerContext* context,
                                const v1::GetInboxReferralRequest* request,
                                v1::GetInboxReferralResponse* response) override;
  grpc::Status ListInboxReferrals(grpc::ServerContext* context,
                                  const v1::ListInboxReferralsRequest* request,
                                  v1::ListInboxReferralsResponse* response) override;
  grpc::Status WatchInbox(grpc::ServerContext* context, const v1::WatchInboxRequest* request,
                          grpc::ServerWriter<v1::WatchInboxResponse>* writer) override;
  grpc::Status AcceptReferral(grpc::ServerContext* context,
                              const v1::AcceptReferralRequest* request,
                              v1::AcceptReferralResponse* response) override;
  grpc::Status DeclineReferral(grpc::ServerContext* context,
                               const v1::DeclineReferralRequest* request,
                               v1::DeclineReferralResponse* response) override;
  grpc::Status RecordServiceDelivery(grpc::ServerContext* context,
                                     const v1::RecordServiceDeliveryRequest* request,
                                     v1::RecordServiceDeliveryResponse* response) override;
  grpc::Status CompleteReferral(grpc::ServerContext* context,
                                const v1::CompleteReferralRequest* request,
                                v1::CompleteReferralResponse* response) override;

 private:
  const Guard guard_;
  const ReferralsLogic logic_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_REFERRALS_SERVICE_H_
