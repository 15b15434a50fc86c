#include "services/inspections/sqlite_establishment_store.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/log/log.h"
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
    // Personal data: every value sealed (crypto::FieldCipher), bound to its row and
    // field. id_number_index is the blind index of the ID number, for exact look-ups.
    {8, "establishment owners",
     "CREATE TABLE establishment_owners ("
     " establishment_id TEXT PRIMARY KEY REFERENCES establishments(id),"
     " full_name BLOB NOT NULL,"
     " id_number BLOB,"
     " phone BLOB,"
     " birth_date BLOB,"
     " id_number_index TEXT,"
     " pseudonym TEXT NOT NULL DEFAULT ''"
     ") WITHOUT ROWID;"
     "CREATE INDEX establishment_owners_by_id_number ON establishment_owners(id_number_index);"},
};

// Where a sealed owner field lives; bound into its ciphertext.
std::string OwnerContext(absl::string_view id, absl::string_view field) {
  return absl::StrCat("establishments/", id, "#owner.", field);
}

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

}  // namespace

absl::StatusOr<std::optional<v1::Establishment>> SqliteEstablishmentStore::Find(
    Transaction& tx, absl::string_view id) const {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM establishments WHERE id = ?1"),
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Establishment>();
  v1::Establishment e = FromRow(*row);
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> owner,
                        tx.QueryOne("SELECT full_name, id_number, phone, birth_date, pseudonym "
                                    "FROM establishment_owners WHERE establishment_id = ?1",
                                    {std::string(id)}));
  if (owner.has_value()) {
    v1::BusinessOwner* o = e.mutable_owner();
    const std::pair<const char*, std::string*> fields[] = {{"full_name", o->mutable_full_name()},
                                                           {"id_number", o->mutable_id_number()},
                                                           {"phone", o->mutable_phone()},
                                                           {"birth_date", o->mutable_birth_date()}};
    for (int col = 0; col < 4; ++col) {
      if (owner->IsNull(col)) continue;
      absl::StatusOr<std::string> plain =
          cipher_.Open(owner->Text(col), OwnerContext(id, fields[col].first));
      if (!plain.ok()) {
        log::Error("sealed_value_unreadable",
                   {{"record", e.name()}, {"field", fields[col].first}, {"error", plain.status()}});
        return absl::InternalError(
            absl::StrCat("the owner of ", e.name(), " cannot be read; operators are alerted"));
      }
      *fields[col].second = *std::move(plain);
    }
    o->set_pseudonym(owner->Text(4));
  }
  return std::optional<v1::Establishment>(std::move(e));
}

std::span<const storage::Migration> InspectionsMigrations() { return kMigrations; }

absl::Status SqliteEstablishmentStore::InsertWithEvents(Transaction& tx,
                                                        const v1::Establishment& e) {
  PCMD_RETURN_IF_ERROR(tx.Execute(
      absl::StrCat("INSERT INTO establishments(", kColumns,
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
      {std::string(absl::string_view(e.name()).substr(kPrefix.size())), e.display_name(),
       int64_t{e.business_type()}, e.business_registration_number(), e.address(), e.unit_code(),
       int64_t{e.status()}, TimeUtil::TimestampToMilliseconds(e.create_time())}));
  if (e.has_owner()) {
    const std::string id(absl::string_view(e.name()).substr(kPrefix.size()));
    const v1::BusinessOwner& o = e.owner();
    auto sealed = [&](absl::string_view field, const std::string& value) -> storage::Value {
      if (value.empty()) return std::monostate{};
      return storage::Blob{cipher_.Seal(value, OwnerContext(id, field))};
    };
    const bool has_id = !o.id_number().empty();
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO establishment_owners(establishment_id, full_name, id_number, phone, "
        "birth_date, id_number_index, pseudonym) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        {id, sealed("full_name", o.full_name()), sealed("id_number", o.id_number()),
         sealed("phone", o.phone()), sealed("birth_date", o.birth_date()),
         has_id ? storage::Value(index_.Hash("id_number", o.id_number()))
                : storage::Value(std::monostate{}),
         has_id ? index_.Pseudonym(o.id_number()) : std::string()}));
  }
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
