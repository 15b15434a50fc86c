#include "services/inspections/inspections_service.h"

#include "common/status/status_macros.h"

namespace pcmd::inspections {

grpc::Status InspectionsServiceImpl::CreateEstablishment(
    grpc::ServerContext* context, const v1::CreateEstablishmentRequest* request,
    v1::CreateEstablishmentResponse* response) {
  return guard_.Run(context, "CreateEstablishment", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_establishment(),
                          establishments_.Create(call.access(), *request));
    call.Touch(response->establishment().name());
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::GetEstablishment(grpc::ServerContext* context,
                                                      const v1::GetEstablishmentRequest* request,
                                                      v1::GetEstablishmentResponse* response) {
  return guard_.Run(context, "GetEstablishment", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_establishment(),
                          establishments_.Get(call.access(), request->name()));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::UpdateEstablishment(
    grpc::ServerContext* context, const v1::UpdateEstablishmentRequest* request,
    v1::UpdateEstablishmentResponse* response) {
  return guard_.Run(context, "UpdateEstablishment", [&](Call& call) -> absl::Status {
    call.Touch(request->establishment().name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_establishment(),
                          establishments_.Update(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::CloseEstablishment(
    grpc::ServerContext* context, const v1::CloseEstablishmentRequest* request,
    v1::CloseEstablishmentResponse* response) {
  return guard_.Run(context, "CloseEstablishment", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_establishment(),
                          establishments_.Close(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::CreateTeam(grpc::ServerContext* context,
                                                const v1::CreateTeamRequest* request,
                                                v1::CreateTeamResponse* response) {
  return guard_.Run(context, "CreateTeam", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_team(), teams_.Create(call.access(), *request));
    call.Touch(response->team().name());
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::GetTeam(grpc::ServerContext* context,
                                             const v1::GetTeamRequest* request,
                                             v1::GetTeamResponse* response) {
  return guard_.Run(context, "GetTeam", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_team(), teams_.Get(call.access(), request->name()));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::ScheduleInspection(
    grpc::ServerContext* context, const v1::ScheduleInspectionRequest* request,
    v1::ScheduleInspectionResponse* response) {
  return guard_.Run(context, "ScheduleInspection", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response->mutable_inspection(),
                          inspections_.Schedule(call.access(), *request));
    call.Touch(response->inspection().name());
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::GetInspection(grpc::ServerContext* context,
                                                   const v1::GetInspectionRequest* request,
                                                   v1::GetInspectionResponse* response) {
  return guard_.Run(context, "GetInspection", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_inspection(),
                          inspections_.Get(call.access(), request->name()));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::RecordInspectionResult(
    grpc::ServerContext* context, const v1::RecordInspectionResultRequest* request,
    v1::RecordInspectionResultResponse* response) {
  return guard_.Run(context, "RecordInspectionResult", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_inspection(),
                          inspections_.Record(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::CancelInspection(grpc::ServerContext* context,
                                                      const v1::CancelInspectionRequest* request,
                                                      v1::CancelInspectionResponse* response) {
  return guard_.Run(context, "CancelInspection", [&](Call& call) -> absl::Status {
    call.Touch(request->name());
    PCMD_ASSIGN_OR_RETURN(*response->mutable_inspection(),
                          inspections_.Cancel(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::ListEstablishments(
    grpc::ServerContext* context, const v1::ListEstablishmentsRequest* request,
    v1::ListEstablishmentsResponse* response) {
  return guard_.Run(context, "ListEstablishments", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, establishments_.List(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::ListTeams(grpc::ServerContext* context,
                                               const v1::ListTeamsRequest* request,
                                               v1::ListTeamsResponse* response) {
  return guard_.Run(context, "ListTeams", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, teams_.List(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::ListInspections(grpc::ServerContext* context,
                                                     const v1::ListInspectionsRequest* request,
                                                     v1::ListInspectionsResponse* response) {
  return guard_.Run(context, "ListInspections", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, inspections_.List(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::ListLegalReferences(
    grpc::ServerContext* context, const v1::ListLegalReferencesRequest* request,
    v1::ListLegalReferencesResponse* response) {
  return guard_.Run(context, "ListLegalReferences", [&](Call&) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, inspections_.ListLegalReferences(*request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::ProposeSchedule(grpc::ServerContext* context,
                                                     const v1::ProposeScheduleRequest* request,
                                                     v1::ProposeScheduleResponse* response) {
  return guard_.Run(context, "ProposeSchedule", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, inspections_.ProposeSchedule(call.access(), *request));
    return absl::OkStatus();
  });
}

grpc::Status InspectionsServiceImpl::GetCoverage(grpc::ServerContext* context,
                                                 const v1::GetCoverageRequest* request,
                                                 v1::GetCoverageResponse* response) {
  return guard_.Run(context, "GetCoverage", [&](Call& call) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(*response, inspections_.GetCoverage(call.access(), *request));
    return absl::OkStatus();
  });
}

}  // namespace pcmd::inspections
