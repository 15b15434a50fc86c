#include "services/referrals/sqlite_provider_store.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/referrals_events.pb.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr storage::Migration kMigrations[] = {
    {1, "idempotency keys", storage::kIdempotencyMigrationSql},
    {2, "providers",
     "CREATE TABLE providers ("
     " id TEXT PRIMARY KEY,"
     " display_name TEXT NOT NULL,"
     " kind INTEGER NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " capacity INTEGER NOT NULL,"
     " active INTEGER NOT NULL,"
     " create_unix_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     // One row per service a provider offers, so "who offers ARV in Thanh Trì" is an
     // indexed query rather than a scan of encoded lists.
     "CREATE TABLE provider_services ("
     " provider_id TEXT NOT NULL REFERENCES providers(id),"
     " service INTEGER NOT NULL,"
     " PRIMARY KEY (provider_id, service)) WITHOUT ROWID;"
     "CREATE INDEX provider_services_by_service ON provider_services(service);"},
    {3, "event outbox", events::kOutboxMigrationSql},
    {4, "audit log", audit::kAuditMigrationSql},
    {5, "known units", units::kUnitsMigrationSql},
    {6, "event inbox", events::kInboxMigrationSql},
};

constexpr absl::string_view kPrefix = "providers/";

absl::StatusOr<std::optional<v1::Provider>> Find(Transaction& tx, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT id, display_name, kind, unit_code, capacity, active, create_unix_ms "
                  "FROM providers WHERE id = ?1",
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Provider>();
  v1::Provider p;
  p.set_name(absl::StrCat(kPrefix, row->Text(0)));
  p.set_display_name(row->Text(1));
  p.set_kind(static_cast<v1::ProviderKind>(row->Int(2)));
  p.set_unit_code(row->Text(3));
  p.set_capacity(static_cast<int32_t>(row->Int(4)));
  p.set_active(row->Int(5) != 0);
  *p.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(row->Int(6));
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> services,
      tx.Query("SELECT service FROM provider_services WHERE provider_id = ?1 ORDER BY service",
               {std::string(id)}));
  for (const Row& s : services) p.add_services(static_cast<v1::ServiceType>(s.Int(0)));
  return std::optional<v1::Provider>(std::move(p));
}

absl::Status Insert(Transaction& tx, events::Outbox& outbox, const v1::Provider& p) {
  const std::string id(absl::string_view(p.name()).substr(kPrefix.size()));
  PCMD_RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO providers(id, display_name, kind, unit_code, capacity, active, "
      "create_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      {id, p.display_name(), int64_t{p.kind()}, p.unit_code(), int64_t{p.capacity()},
       int64_t{p.active() ? 1 : 0}, TimeUtil::TimestampToMilliseconds(p.create_time())}));
  for (int service : p.services()) {
    PCMD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO provider_services(provider_id, service) VALUES (?1, ?2)",
                   {id, int64_t{service}}));
  }
  events::v1::ProviderRegistered registered;
  registered.set_provider(p.name());
  registered.set_kind(p.kind());
  registered.set_unit_code(p.unit_code());
  for (int service : p.services()) registered.add_services(service);
  return outbox.Append(tx, "provider", p.name(), registered).status();
}

}  // namespace

std::span<const storage::Migration> ReferralsMigrations() { return kMigrations; }

absl::StatusOr<v1::Provider> SqliteProviderStore::CreateProvider(absl::string_view request_id,
                                                                 absl::string_view fingerprint,
                                                                 const v1::Provider& provider) {
  std::optional<v1::Provider> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "CreateProvider", request_id, fingerprint,
                                              provider.name(), absl::ToUnixMillis(clock_.Now()),
                                              [&] { return Insert(tx, outbox_, provider); }));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, absl::string_view(name).substr(kPrefix.size())));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("created provider cannot be read back");
  return *std::move(result);
}

absl::StatusOr<v1::Provider> SqliteProviderStore::GetProvider(absl::string_view id) {
  return storage::ReadOne<v1::Provider>(
      db_, [&](Transaction& tx) { return Find(tx, id); },
      absl::StrCat("provider ", kPrefix, id, " not found"));
}

}  // namespace pcmd::referrals
