#include "services/inspections/sqlite_establishment_store.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"

namespace pcmd::inspections {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr storage::Migration kMigrations[] = {
    {1, "idempotency keys", storage::kIdempotencyMigrationSql},
    {2, "establishments",
     "CREATE TABLE establishments ("
     " id TEXT PRIMARY KEY,"
     " display_name TEXT NOT NULL,"
     " business_type INTEGER NOT NULL,"
     " business_registration_number TEXT NOT NULL DEFAULT '',"
     " address TEXT NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " status INTEGER NOT NULL,"
     " create_unix_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX establishments_by_unit ON establishments(unit_code, business_type);"},
    {3, "event outbox", events::kOutboxMigrationSql},
    {4, "event inbox", events::kInboxMigrationSql},
    // Derived from EstablishmentReported. Keyed by name, not a foreign key: a tip may
    // name an establishment this registry learns of later.
    {5, "tips about establishments",
     "CREATE TABLE establishment_reports ("
     " establishment TEXT PRIMARY KEY,"
     " tips INTEGER NOT NULL,"
     " last_tip TEXT NOT NULL) WITHOUT ROWID;"},
    {6, "audit log", audit::kAuditMigrationSql},
    {7, "known units", units::kUnitsMigrationSql},
};

constexpr absl::string_view kColumns =
    "id, display_name, business_type, business_registration_number, address, unit_code, "
    "status, create_unix_ms";
constexpr absl::string_view kPrefix = "establishments/";

v1::Establishment FromRow(const Row& r) {
  v1::Establishment e;
  e.set_name(absl::StrCat(kPrefix, r.Text(0)));
  e.set_display_name(r.Text(1));
  e.set_business_type(static_cast<v1::BusinessType>(r.Int(2)));
  e.set_business_registration_number(r.Text(3));
  e.set_address(r.Text(4));
  e.set_unit_code(r.Text(5));
  e.set_status(static_cast<v1::EstablishmentStatus>(r.Int(6)));
  *e.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(r.Int(7));
  return e;
}

absl::StatusOr<std::optional<v1::Establishment>> Find(Transaction& tx, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM establishments WHERE id = ?1"),
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Establishment>();
  return std::optional<v1::Establishment>(FromRow(*row));
}

}  // namespace

std::span<const storage::Migration> InspectionsMigrations() { return kMigrations; }

absl::Status SqliteEstablishmentStore::InsertWithEvents(Transaction& tx,
                                                        const v1::Establishment& e) {
  PCMD_RETURN_IF_ERROR(tx.Execute(
      absl::StrCat("INSERT INTO establishments(", kColumns,
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
      {std::string(absl::string_view(e.name()).substr(kPrefix.size())), e.display_name(),
       int64_t{e.business_type()}, e.business_registration_number(), e.address(), e.unit_code(),
       int64_t{e.status()}, TimeUtil::TimestampToMilliseconds(e.create_time())}));
  events::v1::EstablishmentRegistered registered;
  registered.set_establishment(e.name());
  registered.set_business_type(e.business_type());
  registered.set_unit_code(e.unit_code());
  return outbox_.Append(tx, "establishment", e.name(), registered).status();
}

absl::StatusOr<v1::Establishment> SqliteEstablishmentStore::CreateEstablishment(
    absl::string_view request_id, absl::string_view fingerprint, const v1::Establishment& e) {
  std::optional<v1::Establishment> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "CreateEstablishment", request_id, fingerprint,
                                              e.name(), absl::ToUnixMillis(clock_.Now()),
                                              [&] { return InsertWithEvents(tx, e); }));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, absl::string_view(name).substr(kPrefix.size())));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("created establishment cannot be read back");
  return *std::move(result);
}

absl::StatusOr<v1::Establishment> SqliteEstablishmentStore::GetEstablishment(absl::string_view id) {
  return storage::ReadOne<v1::Establishment>(
      db_, [&](Transaction& tx) { return Find(tx, id); },
      absl::StrCat("establishment ", kPrefix, id, " not found"));
}

void RegisterInspectionsHandlers(events::EventConsumer& consumer) {
  consumer.Handle("pcmd.events.v1.EstablishmentReported",
                  [](Transaction& tx, const events::v1::EventEnvelope& env) -> absl::Status {
                    events::v1::EstablishmentReported reported;
                    if (!env.payload().UnpackTo(&reported)) {
                      return absl::InvalidArgumentError("payload is not EstablishmentReported");
                    }
                    return tx.Execute(
                        "INSERT INTO establishment_reports(establishment, tips, last_tip) "
                        "VALUES (?1, 1, ?2) ON CONFLICT(establishment) "
                        "DO UPDATE SET tips = tips + 1, last_tip = excluded.last_tip",
                        {reported.establishment(), reported.tip()});
                  });
  consumer.OnReset([](Transaction& tx) { return tx.Execute("DELETE FROM establishment_reports"); });
}

absl::StatusOr<int64_t> TipsReportedAbout(storage::SqliteDatabase& db,
                                          absl::string_view establishment) {
  int64_t tips = 0;
  PCMD_RETURN_IF_ERROR(db.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> row,
        tx.QueryOne("SELECT tips FROM establishment_reports WHERE establishment = ?1",
                    {std::string(establishment)}));
    tips = row.has_value() ? row->Int(0) : 0;
    return absl::OkStatus();
  }));
  return tips;
}

}  // namespace pcmd::inspections
