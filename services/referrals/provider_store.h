// Where the directory of support providers is kept. The logic depends only on this
// interface; sqlite_provider_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_REFERRALS_PROVIDER_STORE_H_
#define PCMD_SERVICES_REFERRALS_PROVIDER_STORE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/referrals/v1/referrals.pb.h"

namespace pcmd::referrals {

// Implementations are thread-safe.
class ProviderStore {
 public:
  virtual ~ProviderStore() = default;

  // Stores `provider` durably unless `request_id` was seen before, in which case the
  // one created then is returned. Errors: INVALID_ARGUMENT naming request_id when it
  // was used for a different request; storage errors.
  virtual absl::StatusOr<v1::Provider> CreateProvider(absl::string_view request_id,
                                                      absl::string_view fingerprint,
                                                      const v1::Provider& provider) = 0;

  // Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Provider> GetProvider(absl::string_view id) = 0;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_PROVIDER_STORE_H_
