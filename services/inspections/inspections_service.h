// The gRPC adapter for pcmd.inspections.v1.InspectionsService. Thread-safe.
#ifndef PCMD_SERVICES_INSPECTIONS_INSPECTIONS_SERVICE_H_
#define PCMD_SERVICES_INSPECTIONS_INSPECTIONS_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "services/inspections/establishments.h"

namespace pcmd::inspections {

class InspectionsServiceImpl final : public v1::InspectionsService::Service {
 public:
  // `establishments` is not owned and must outlive the service.
  // Every call goes through `guard` (access_rules.h). `establishments` is not owned and must
  // outlive the service.
  InspectionsServiceImpl(Guard guard, Establishments& establishments)
      : guard_(std::move(guard)), establishments_(establishments) {}

  grpc::Status CreateEstablishment(grpc::ServerContext* context,
                                   const v1::CreateEstablishmentRequest* request,
                                   v1::CreateEstablishmentResponse* response) override;
  grpc::Status GetEstablishment(grpc::ServerContext* context,
                                const v1::GetEstablishmentRequest* request,
                                v1::GetEstablishmentResponse* response) override;

 private:
  const Guard guard_;
  Establishments& establishments_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_INSPECTIONS_SERVICE_H_
