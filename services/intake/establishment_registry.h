// The establishment a tip names must exist in the inspections service's registry.
// Intake asks inspections over gRPC, as itself (its own certificate) on behalf of the
// officer whose call it serves (common/server/peer.h).
#ifndef PCMD_SERVICES_INTAKE_ESTABLISHMENT_REGISTRY_H_
#define PCMD_SERVICES_INTAKE_ESTABLISHMENT_REGISTRY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/security/identity.h"
#include "common/server/peer.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"

namespace pcmd::intake {

// Implementations are thread-safe.
class EstablishmentRegistry {
 public:
  virtual ~EstablishmentRegistry() = default;
  // OK when `name` ("establishments/{id}") is registered. Errors: NOT_FOUND with a
  // field violation on "establishment" when it is not; UNAVAILABLE when the registry
  // cannot be asked now (the caller retries with the same request_id); INTERNAL when
  // the registry refuses intake itself (a deployment fault, logged).
  virtual absl::Status CheckExists(const security::Caller& on_behalf_of,
                                   const std::string& name) = 0;
};

// The registry in the inspections service.
class GrpcEstablishmentRegistry : public EstablishmentRegistry {
 public:
  explicit GrpcEstablishmentRegistry(PeerClient inspections)
      : peer_(std::move(inspections)),
        stub_(inspections::v1::InspectionsService::NewStub(peer_.channel())) {}
  absl::Status CheckExists(const security::Caller& on_behalf_of, const std::string& name) override;

 private:
  PeerClient peer_;
  std::unique_ptr<inspections::v1::InspectionsService::Stub> stub_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_ESTABLISHMENT_REGISTRY_H_
