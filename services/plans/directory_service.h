// The gRPC adapter for pcmd.plans.v1.DirectoryService. Thread-safe.
#ifndef PCMD_SERVICES_PLANS_DIRECTORY_SERVICE_H_
#define PCMD_SERVICES_PLANS_DIRECTORY_SERVICE_H_

#include "common/server/guard.h"
#include "pcmd/plans/v1/directory.grpc.pb.h"
#include "services/plans/directory.h"

namespace pcmd::plans {

class DirectoryServiceImpl final : public v1::DirectoryService::Service {
 public:
  // Every call goes through `guard` (access_rules.h). `directory` is not owned and must
  // outlive the service.
  DirectoryServiceImpl(Guard guard, Directory& directory)
      : guard_(std::move(guard)), directory_(directory) {}

#define PCMD_DIRECTORY_RPC(Rpc)                                                   \
  grpc::Status Rpc(grpc::ServerContext* context, const v1::Rpc##Request* request, \
                   v1::Rpc##Response* response) override;
  PCMD_DIRECTORY_RPC(CreateUnit)
  PCMD_DIRECTORY_RPC(GetUnit)
  PCMD_DIRECTORY_RPC(ListUnits)
  PCMD_DIRECTORY_RPC(ResolveUnit)
  PCMD_DIRECTORY_RPC(CreateAgency)
  PCMD_DIRECTORY_RPC(GetAgency)
  PCMD_DIRECTORY_RPC(ListAgencies)
#undef PCMD_DIRECTORY_RPC

 private:
  const Guard guard_;
  Directory& directory_;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_DIRECTORY_SERVICE_H_
