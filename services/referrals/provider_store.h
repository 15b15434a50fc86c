// Where the directory of support providers is kept. The logic depends only on this
// interface; sqlite_provider_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_REFERRALS_PROVIDER_STORE_H_
#define PCMD_SERVICES_REFERRALS_PROVIDER_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/referrals/v1/referrals.pb.h"

namespace pcmd::referrals {

// Which providers a directory read returns.
struct ProviderQuery {
  // Only these units (nullopt: every unit).
  std::optional<std::vector<std::string>> units;
  // Only providers offering this service / of this kind (UNSPECIFIED: any).
  v1::ServiceType service = v1::SERVICE_TYPE_UNSPECIFIED;
  v1::ProviderKind kind = v1::PROVIDER_KIND_UNSPECIFIED;
  bool include_inactive = false;
  // Folded words (text::Words) that must each be a whole word of the display name.
  std::vector<std::string> words;
};

// Implementations are thread-safe. Providers come back with their services sorted,
// and etag = their version.
class ProviderStore {
 public:
  virtual ~ProviderStore() = default;

  // Stores `provider` durably with ProviderRegistered, unless `request_id` was seen
  // before, in which case the one created then is returned. Errors: INVALID_ARGUMENT
  // naming request_id when it was used for a different request; storage errors.
  virtual absl::StatusOr<v1::Provider> CreateProvider(absl::string_view request_id,
                                                      absl::string_view fingerprint,
                                                      const v1::Provider& provider) = 0;

  // Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Provider> GetProvider(absl::string_view id) = 0;

  // Every provider matching `query`, in no particular order. Errors: storage errors.
  virtual absl::StatusOr<std::vector<v1::Provider>> ListProviders(const ProviderQuery& query) = 0;

  // Reads provider `id`, lets `change` modify it and stores the result with a new
  // version and ProviderUpdated, in one transaction. Only display_name, services,
  // capacity, contact and active are taken from the changed record; the rest stays as
  // stored. `change` answers an error to abandon the change (returned as is; nothing
  // is written). Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Provider> UpdateProvider(
      absl::string_view id, const std::function<absl::Status(v1::Provider&)>& change) = 0;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_PROVIDER_STORE_H_
