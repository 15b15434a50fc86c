// The gRPC adapter for pcmd.inspections.v1.InspectionsService: every call goes through
// the guard (access_rules.h), then to the logic. Thread-safe.
#ifndef PCMD_SERVICES_INSPECTIONS_INSPECTIONS_SERVICE_H_
#define PCMD_SERVICES_INSPECTIONS_INSPECTIONS_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "services/inspections/establishments.h"
#include "services/inspections/inspections.h"
#include "services/inspections/teams.h"

namespace pcmd::inspections {

class InspectionsServiceImpl final : public v1::InspectionsService::Service {
 public:
  // The logic objects are not owned and must outlive the service.
  InspectionsServiceImpl(Guard guard, Establishments& establishments, Teams& teams,
                         Inspections& inspections)
      : guard_(std::move(guard)),
        establishments_(establishments),
        teams_(teams),
        inspections_(inspections) {}
  grpc::Status CreateEstablishment(grpc::ServerContext* context,
                                   const v1::CreateEstablishmentRequest* request,
                                   v1::CreateEstablishmentResponse* response) override;
  grpc::Status GetEstablishment(grpc::ServerContext* context,
                                const v1::GetEstablishmentRequest* request,
                                v1::GetEstablishmentResponse* response) override;
  grpc::Status UpdateEstablishment(grpc::ServerContext* context,
                                   const v1::UpdateEstablishmentRequest* request,
                                   v1::UpdateEstablishmentResponse* response) override;
  grpc::Status CloseEstablishment(grpc::ServerContext* context,
                                  const v1::CloseEstablishmentRequest* request,
                                  v1::CloseEstablishmentResponse* response) override;
  grpc::Status CreateTeam(grpc::ServerContext* context, const v1::CreateTeamRequest* request,
                          v1::CreateTeamResponse* response) override;
  grpc::Status GetTeam(grpc::ServerContext* context, const v1::GetTeamRequest* request,
                       v1::GetTeamResponse* response) override;
  grpc::Status ScheduleInspection(grpc::ServerContext* context,
                                  const v1::ScheduleInspectionRequest* request,
                                  v1::ScheduleInspectionResponse* response) override;
  grpc::Status GetInspection(grpc::ServerContext* context, const v1::GetInspectionRequest* request,
                             v1::GetInspectionResponse* response) override;
  grpc::Status RecordInspectionResult(grpc::ServerContext* context,
                                      const v1::RecordInspectionResultRequest* request,
                                      v1::RecordInspectionResultResponse* response) override;
  grpc::Status CancelInspection(grpc::ServerContext* context,
                                const v1::CancelInspectionRequest* request,
                                v1::CancelInspectionResponse* response) override;
  grpc::Status ListEstablishments(grpc::ServerContext* context,
                                  const v1::ListEstablishmentsRequest* request,
                                  v1::ListEstablishmentsResponse* response) override;
  grpc::Status ListTeams(grpc::ServerContext* context, const v1::ListTeamsRequest* request,
                         v1::ListTeamsResponse* response) override;
  grpc::Status ListInspections(grpc::ServerContext* context,
                               const v1::ListInspectionsRequest* request,
                               v1::ListInspectionsResponse* response) override;
  grpc::Status ListLegalReferences(grpc::ServerContext* context,
                                   const v1::ListLegalReferencesRequest* request,
                                   v1::ListLegalReferencesResponse* response) override;
  grpc::Status ProposeSchedule(grpc::ServerContext* context,
                               const v1::ProposeScheduleRequest* request,
                               v1::ProposeScheduleResponse* response) override;
  grpc::Status GetCoverage(grpc::ServerContext* context, const v1::GetCoverageRequest* request,
                           v1::GetCoverageResponse* response) override;

 private:
  const Guard guard_;
  Establishments& establishments_;
  Teams& teams_;
  Inspections& inspections_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_INSPECTIONS_SERVICE_H_
