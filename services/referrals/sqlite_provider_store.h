// ProviderStore on SQLite (common/storage), over the providers and provider_services
// tables of schema.h. Thread-safe.
#ifndef PCMD_SERVICES_REFERRALS_SQLITE_PROVIDER_STORE_H_
#define PCMD_SERVICES_REFERRALS_SQLITE_PROVIDER_STORE_H_

#include <functional>
#include <vector>

#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/referrals/provider_store.h"
#include "services/referrals/schema.h"

namespace pcmd::referrals {

class SqliteProviderStore : public ProviderStore {
 public:
  // `db`, `outbox` and `clock` are not owned and must outlive the store. Every stored
  // change appends its events to `outbox` in the same transaction.
  SqliteProviderStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  absl::StatusOr<v1::Provider> CreateProvider(absl::string_view request_id,
                                              absl::string_view fingerprint,
                                              const v1::Provider& provider) override;
  absl::StatusOr<v1::Provider> GetProvider(absl::string_view id) override;
  absl::StatusOr<std::vector<v1::Provider>> ListProviders(const ProviderQuery& query) override;
  absl::StatusOr<v1::Provider> UpdateProvider(
      absl::string_view id, const std::function<absl::Status(v1::Provider&)>& change) override;

 private:
  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_SQLITE_PROVIDER_STORE_H_
