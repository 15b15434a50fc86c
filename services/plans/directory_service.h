// The gRPC adapter for pcmd.plans.v1.DirectoryService. Thread-safe.
#ifndef PCMD_SERVICES_PLANS_DIRECTORY_SERVICE_H_
#define PCMD_SERVICES_PLANS_DIRECTORY_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/plans/v1/directory.grpc.pb.h"
#include "services/plans/directory.h"

namespace pcmd::plans {

class DirectoryServiceImpl final : public v1::DirectoryService::Service {
 public:
  // `directory` is not owned and must outlive the service.
  // Every call goes through `guard` (access_rules.h). `directory` is not owned and must
  // outlive the service.
  DirectoryServiceImpl(Guard guard, Directory& directory)
      : guard_(std::move(guard)), directory_(directory) {}

  grpc::Status CreateUnit(grpc::ServerContext* context, const v1::CreateUnitRequest* request,
                          v1::CreateUnitResponse* response) override;
  grpc::Status GetUnit(grpc::ServerContext* context, const v1::GetUnitRequest* request,
                       v1::GetUnitResponse* response) override;

 private:
  const Guard guard_;
  Directory& directory_;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_DIRECTORY_SERVICE_H_
