// The directory of support providers (social-work centres, health facilities, legal
// aid, vocational schools, peer groups...): validation, ids, idempotent creation.
// No gRPC, no SQL. Thread-safe when the store is.
#ifndef PCMD_SERVICES_REFERRALS_PROVIDERS_H_
#define PCMD_SERVICES_REFERRALS_PROVIDERS_H_

#include "absl/status/statusor.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/referrals/provider_store.h"

namespace pcmd::referrals {

class Providers {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  Providers(ProviderStore& store, const Clock& clock, const security::UnitTree& units)
      : store_(store), clock_(clock), units_(units), ids_(clock) {}

  // Adds an active provider. Returns the stored record (the earlier one for a repeated
  // request_id). Errors: INVALID_ARGUMENT with a violation per bad field (each bad
  // entry of `services` named by index); storage errors.
  absl::StatusOr<v1::Provider> Create(const security::Access& access,
                                      const v1::CreateProviderRequest& request);

  // Errors: INVALID_ARGUMENT for a malformed name; NOT_FOUND.
  absl::StatusOr<v1::Provider> Get(absl::string_view name);

 private:
  ProviderStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_PROVIDERS_H_
