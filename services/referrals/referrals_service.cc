#include "services/referrals/referrals_service.h"

#include "common/status/status_macros.h"

namespace pcmd::referrals {

grpc::Status ReferralsServiceImpl::CreateProvider(grpc::ServerContext* context,
                                                  const v1::CreateProviderRequest* request,
                                                  v1::CreateProviderResponse* response) {
  return guard_.Run(context, "CreateProvider", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_provider(),
                          logic_.providers->Create(call.access(), *request));
    call.Touch(response->provider().name());
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::GetProvider(grpc::ServerContext* context,
                                               const v1::GetProviderRequest* request,
                                               v1::GetProviderResponse* response) {
  return guard_.Run(context, "GetProvider", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_provider(), logic_.providers->Get(request->name()));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::ListProviders(grpc::ServerContext* context,
                                                 const v1::ListProvidersRequest* request,
                                                 v1::ListProvidersResponse* response) {
  return guard_.Run(context, "ListProviders", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, logic_.providers->List(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::UpdateProvider(grpc::ServerContext* context,
                                                  const v1::UpdateProviderRequest* request,
                                                  v1::UpdateProviderResponse* response) {
  return guard_.Run(context, "UpdateProvider", [&](Call& call) -> absl::Status {
    call.Touch(request->provider().name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_provider(),
                          logic_.providers->Update(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::ListOutreachTasks(grpc::ServerContext* context,
                                                     const v1::ListOutreachTasksRequest* request,
                                                     v1::ListOutreachTasksResponse* response) {
  return guard_.Run(context, "ListOutreachTasks", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, logic_.outreach->ListTasks(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::CloseOutreachTask(grpc::ServerContext* context,
                                                     const v1::CloseOutreachTaskRequest* request,
                                                     v1::CloseOutreachTaskResponse* response) {
  return guard_.Run(context, "CloseOutreachTask", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_task(),
                          logic_.outreach->CloseTask(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::RecordOutreachContact(
    grpc::ServerContext* context, const v1::RecordOutreachContactRequest* request,
    v1::RecordOutreachContactResponse* response) {
  return guard_.Run(context, "RecordOutreachContact", [&](Call& call) -> absl::Status {
    call.Touch(request->client());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_contact(),
                          logic_.outreach->RecordContact(call.access(), *request));
    call.Touch(response->contact().client());
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::RegisterClient(grpc::ServerContext* context,
                                                  const v1::RegisterClientRequest* request,
                                                  v1::RegisterClientResponse* response) {
  return guard_.Run(context, "RegisterClient", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_client(),
                          logic_.clients->Register(call.access(), *request));
    call.Touch(response->client().name());
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::GetClient(grpc::ServerContext* context,
                                             const v1::GetClientRequest* request,
                                             v1::GetClientResponse* response) {
  return guard_.Run(context, "GetClient", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_client(),
                          logic_.clients->Get(call.access(), request->name()));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::ListClients(grpc::ServerContext* context,
                                               const v1::ListClientsRequest* request,
                                               v1::ListClientsResponse* response) {
  return guard_.Run(context, "ListClients", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, logic_.clients->List(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::GiveConsent(grpc::ServerContext* context,
                                               const v1::GiveConsentRequest* request,
                                               v1::GiveConsentResponse* response) {
  return guard_.Run(context, "GiveConsent", [&](Call& call) -> absl::Status {
    call.Touch(request->client());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_consent(),
                          logic_.clients->GiveConsent(call.access(), *request));
    call.Touch(response->consent().name());
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::WithdrawConsent(grpc::ServerContext* context,
                                                   const v1::WithdrawConsentRequest* request,
                                                   v1::WithdrawConsentResponse* response) {
  return guard_.Run(context, "WithdrawConsent", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response, logic_.referrals->WithdrawConsent(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::ListConsents(grpc::ServerContext* context,
                                                const v1::ListConsentsRequest* request,
                                                v1::ListConsentsResponse* response) {
  return guard_.Run(context, "ListConsents", [&](Call& call) -> absl::Status {
    call.Touch(request->client());
    PCMD_ASSIGN_OR_RETURN(*response, logic_.clients->ListConsents(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::AssessNeeds(grpc::ServerContext* context,
                                               const v1::AssessNeedsRequest* request,
                                               v1::AssessNeedsResponse* response) {
  return guard_.Run(context, "AssessNeeds", [&](Call& call) -> absl::Status {
    call.Touch(request->client());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_client(),
                          logic_.clients->AssessNeeds(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::CreateReferral(grpc::ServerContext* context,
                                                  const v1::CreateReferralRequest* request,
                                                  v1::CreateReferralResponse* response) {
  return guard_.Run(context, "CreateReferral", [&](Call& call) -> absl::Status {
    call.Touch(request->client());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->Create(call.access(), *request));
    call.Touch(response->referral().name());
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::GetReferral(grpc::ServerContext* context,
                                               const v1::GetReferralRequest* request,
                                               v1::GetReferralResponse* response) {
  return guard_.Run(context, "GetReferral", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->Get(call.access(), request->name()));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::ListReferrals(grpc::ServerContext* context,
                                                 const v1::ListReferralsRequest* request,
                                                 v1::ListReferralsResponse* response) {
  return guard_.Run(context, "ListReferrals", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, logic_.referrals->List(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::RevokeReferral(grpc::ServerContext* context,
                                                  const v1::RevokeReferralRequest* request,
                                                  v1::RevokeReferralResponse* response) {
  return guard_.Run(context, "RevokeReferral", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->Revoke(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ReferralsServiceImpl::ScheduleReferralFollowUp(
    grpc::ServerContext* context, const v1::ScheduleReferralFollowUpRequest* request,
    v1::ScheduleReferralFollowUpResponse* response) {
  return guard_.Run(context, "ScheduleReferralFollowUp", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->ScheduleFollowUp(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ProviderInboxServiceImpl::GetInboxReferral(grpc::ServerContext* context,
                                                        const v1::GetInboxReferralRequest* request,
                                                        v1::GetInboxReferralResponse* response) {
  return guard_.Run(context, "GetInboxReferral", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->GetInbox(call.access(), request->name()));
    return absl::OkStatus();
  });
}

grpc::Status ProviderInboxServiceImpl::ListInboxReferrals(
    grpc::ServerContext* context, const v1::ListInboxReferralsRequest* request,
    v1::ListInboxReferralsResponse* response) {
  return guard_.Run(context, "ListInboxReferrals", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, logic_.referrals->ListInbox(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ProviderInboxServiceImpl::AcceptReferral(grpc::ServerContext* context,
                                                      const v1::AcceptReferralRequest* request,
                                                      v1::AcceptReferralResponse* response) {
  return guard_.Run(context, "AcceptReferral", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->Accept(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ProviderInboxServiceImpl::DeclineReferral(grpc::ServerContext* context,
                                                       const v1::DeclineReferralRequest* request,
                                                       v1::DeclineReferralResponse* response) {
  return guard_.Run(context, "DeclineReferral", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->Decline(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ProviderInboxServiceImpl::RecordServiceDelivery(
    grpc::ServerContext* context, const v1::RecordServiceDeliveryRequest* request,
    v1::RecordServiceDeliveryResponse* response) {
  return guard_.Run(context, "RecordServiceDelivery", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->RecordDelivery(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ProviderInboxServiceImpl::CompleteReferral(grpc::ServerContext* context,
                                                        const v1::CompleteReferralRequest* request,
                                                        v1::CompleteReferralResponse* response) {
  return guard_.Run(context, "CompleteReferral", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_referral(),
                          logic_.referrals->Complete(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status ProviderInboxServiceImpl::WatchInbox(
    grpc::ServerContext* context, const v1::WatchInboxRequest* request,
    grpc::ServerWriter<v1::WatchInboxResponse>* writer) {
  return guard_.Run(context, "WatchInbox", [&](Call& call) -> absl::Status {
    return logic_.feed->Watch(
        call.access(), *request,
        [&](const v1::WatchInboxResponse& change) { return writer->Write(change); },
        [&] { return context->IsCancelled(); });
  });
}

}  // namespace pcmd::referrals
