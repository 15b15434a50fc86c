#include "services/inspections/sqlite_establishment_store.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/text/text.h"
#include "common/units/units.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/inspections/registry_facts.h"
#include "services/inspections/sqlite_team_store.h"

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
    // Licences are the business's documents, not personal data: stored as the
    // serialized Establishment{licences}. search_words: " w1 w2 … " of the folded name
    // and address, for whole-word search ignoring diacritics. risk_category and
    // risk_complex: the last risk published (EstablishmentRiskChanged).
    {9, "establishment details",
     "ALTER TABLE establishments ADD COLUMN hotspot TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE establishments ADD COLUMN commitment_date TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE establishments ADD COLUMN licences BLOB;"
     "ALTER TABLE establishments ADD COLUMN close_date TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE establishments ADD COLUMN close_reason TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE establishments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
     "ALTER TABLE establishments ADD COLUMN update_unix_ms INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE establishments ADD COLUMN search_words TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE establishments ADD COLUMN risk_category INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE establishments ADD COLUMN risk_complex INTEGER NOT NULL DEFAULT 0;"
     // Tips about an establishment by day (EstablishmentReported), a risk input.
     "CREATE TABLE establishment_tips ("
     " establishment_id TEXT NOT NULL,"
     " tip TEXT NOT NULL,"
     " receive_day TEXT NOT NULL,"
     " PRIMARY KEY (establishment_id, tip)) WITHOUT ROWID;"
     // Follow-up inspections asked for (by a result or by a tip); closed by the next
     // completed inspection.
     "CREATE TABLE follow_ups ("
     " establishment_id TEXT NOT NULL,"
     " source TEXT NOT NULL,"
     " due_date TEXT NOT NULL,"
     " open INTEGER NOT NULL DEFAULT 1,"
     " PRIMARY KEY (establishment_id, source)) WITHOUT ROWID;"},
    {10, "teams", kTeamsMigrationSql},
    // result: the serialized InspectionResult sealed whole (findings, descriptions and
    // persons met are personal data); the columns beside it are codes and counts.
    {11, "inspections",
     "CREATE TABLE inspections ("
     " id TEXT PRIMARY KEY,"
     " establishment_id TEXT NOT NULL REFERENCES establishments(id),"
     " team_id TEXT NOT NULL,"
     " kind INTEGER NOT NULL,"
     " state INTEGER NOT NULL,"
     " planned_date TEXT NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " team_agency TEXT NOT NULL,"
     " inspection_date TEXT NOT NULL DEFAULT '',"
     " tip TEXT NOT NULL DEFAULT '',"
     " cancel_reason TEXT NOT NULL DEFAULT '',"
     " result BLOB,"
     " owners_informed INTEGER NOT NULL DEFAULT 0,"
     " workers_informed INTEGER NOT NULL DEFAULT 0,"
     " version INTEGER NOT NULL DEFAULT 1,"
     " create_unix_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX inspections_by_establishment ON inspections(establishment_id, state);"
     "CREATE INDEX inspections_by_unit ON inspections(unit_code, planned_date);"
     "CREATE TABLE inspection_violations ("
     " inspection_id TEXT NOT NULL,"
     " idx INTEGER NOT NULL,"
     " establishment_id TEXT NOT NULL,"
     " legal_reference TEXT NOT NULL,"
     " severity INTEGER NOT NULL,"
     " inspection_date TEXT NOT NULL,"
     " PRIMARY KEY (inspection_id, idx)) WITHOUT ROWID;"
     "CREATE INDEX inspection_violations_by_establishment"
     " ON inspection_violations(establishment_id);"},
};

// Where a sealed owner field lives; bound into its ciphertext.
std::string OwnerContext(absl::string_view id, absl::string_view field) {
  return absl::StrCat("establishments/", id, "#owner.", field);
}

constexpr absl::string_view kColumns =
    "id, display_name, business_type, business_registration_number, address, unit_code, "
    "status, create_unix_ms, hotspot, commitment_date, licences, close_date, close_reason, "
    "version, update_unix_ms";
constexpr absl::string_view kPrefix = "establishments/";

// The stored columns of `r` (kColumns); risk and owner are filled by the caller.
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
  e.set_hotspot(r.Text(8));
  e.set_commitment_date(r.Text(9));
  if (!r.IsNull(10)) {
    v1::Establishment licences;
    if (licences.ParseFromString(r.Text(10))) *e.mutable_licences() = licences.licences();
  }
  e.set_close_date(r.Text(11));
  e.set_close_reason(r.Text(12));
  e.set_etag(absl::StrCat("v", r.Int(13)));
  *e.mutable_update_time() =
      TimeUtil::MillisecondsToTimestamp(r.Int(14) > 0 ? r.Int(14) : r.Int(7));
  return e;
}

std::string LicencesBlob(const v1::Establishment& e) {
  v1::Establishment licences;
  *licences.mutable_licences() = e.licences();
  return licences.SerializeAsString();
}

// " w1 w2 … ": the folded words of the name and address, padded for whole-word LIKE.
std::string SearchWords(const v1::Establishment& e) {
  return absl::StrCat(
      " ", absl::StrJoin(text::Words(absl::StrCat(e.display_name(), " ", e.address())), " "), " ");
}

std::string Id(absl::string_view name) { return std::string(name.substr(kPrefix.size())); }

}  // namespace

absl::Status SqliteEstablishmentStore::FillRisk(Transaction& tx, v1::Establishment& e) const {
  PCMD_ASSIGN_OR_RETURN(std::optional<RiskInputs> inputs, LoadRiskInputs(tx, Id(e.name())));
  if (!inputs.has_value()) return absl::OkStatus();
  *e.mutable_risk() = AssessRisk(*inputs, VietnamDay(clock_.Now()));
  e.set_last_inspection_date(inputs->last_inspection.has_value() ? IsoDate(*inputs->last_inspection)
                                                                 : "");
  return absl::OkStatus();
}

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
  PCMD_RETURN_IF_ERROR(FillRisk(tx, e));
  return std::optional<v1::Establishment>(std::move(e));
}

std::span<const storage::Migration> InspectionsMigrations() { return kMigrations; }

absl::Status SqliteEstablishmentStore::WriteOwner(Transaction& tx, absl::string_view id,
                                                  const v1::Establishment& e) {
  PCMD_RETURN_IF_ERROR(tx.Execute("DELETE FROM establishment_owners WHERE establishment_id = ?1",
                                  {std::string(id)}));
  if (!e.has_owner()) return absl::OkStatus();
  const v1::BusinessOwner& o = e.owner();
  auto sealed = [&](absl::string_view field, const std::string& value) -> storage::Value {
    if (value.empty()) return std::monostate{};
    return storage::Blob{cipher_.Seal(value, OwnerContext(id, field))};
  };
  const bool has_id = !o.id_number().empty();
  return tx.Execute(
      "INSERT INTO establishment_owners(establishment_id, full_name, id_number, phone, "
      "birth_date, id_number_index, pseudonym) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      {std::string(id), sealed("full_name", o.full_name()), sealed("id_number", o.id_number()),
       sealed("phone", o.phone()), sealed("birth_date", o.birth_date()),
       has_id ? storage::Value(index_.Hash("id_number", o.id_number()))
              : storage::Value(std::monostate{}),
       has_id ? index_.Pseudonym(o.id_number()) : std::string()});
}

absl::Status SqliteEstablishmentStore::InsertWithEvents(Transaction& tx,
                                                        const v1::Establishment& e) {
  const std::string id = Id(e.name());
  const int64_t now = TimeUtil::TimestampToMilliseconds(e.create_time());
  PCMD_RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO establishments(id, display_name, business_type, business_registration_number, "
      "address, unit_code, status, create_unix_ms, hotspot, commitment_date, licences, "
      "update_unix_ms, search_words) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?8, "
      "?12)",
      {id, e.display_name(), int64_t{e.business_type()}, e.business_registration_number(),
       e.address(), e.unit_code(), int64_t{e.status()}, now, e.hotspot(), e.commitment_date(),
       storage::Blob{LicencesBlob(e)}, SearchWords(e)}));
  PCMD_RETURN_IF_ERROR(WriteOwner(tx, id, e));
  events::v1::EstablishmentRegistered registered;
  registered.set_establishment(e.name());
  registered.set_business_type(e.business_type());
  registered.set_unit_code(e.unit_code());
  PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "establishment", e.name(), registered).status());
  return RefreshRisk(tx, outbox_, id, VietnamDay(clock_.Now())).status();
}

absl::StatusOr<v1::Establishment> SqliteEstablishmentStore::CreateEstablishment(
    absl::string_view request_id, absl::string_view fingerprint, const v1::Establishment& e) {
  std::optional<v1::Establishment> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "CreateEstablishment", request_id, fingerprint,
                                              e.name(), absl::ToUnixMillis(clock_.Now()),
                                              [&] { return InsertWithEvents(tx, e); }));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, Id(name)));
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

absl::StatusOr<v1::Establishment> SqliteEstablishmentStore::UpdateEstablishment(
    absl::string_view id, const std::function<absl::Status(v1::Establishment&)>& change) {
  std::optional<v1::Establishment> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Establishment> current, Find(tx, id));
    if (!current.has_value()) {
      return absl::NotFoundError(absl::StrCat("establishment ", kPrefix, id, " not found"));
    }
    v1::Establishment next = *current;
    PCMD_RETURN_IF_ERROR(change(next));
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE establishments SET display_name = ?2, business_type = ?3, "
        "business_registration_number = ?4, address = ?5, hotspot = ?6, commitment_date = ?7, "
        "licences = ?8, search_words = ?9, version = version + 1, update_unix_ms = ?10 "
        "WHERE id = ?1",
        {std::string(id), next.display_name(), int64_t{next.business_type()},
         next.business_registration_number(), next.address(), next.hotspot(),
         next.commitment_date(), storage::Blob{LicencesBlob(next)}, SearchWords(next),
         absl::ToUnixMillis(clock_.Now())}));
    if (next.owner().SerializeAsString() != current->owner().SerializeAsString()) {
      PCMD_RETURN_IF_ERROR(WriteOwner(tx, id, next));
    }
    PCMD_RETURN_IF_ERROR(RefreshRisk(tx, outbox_, id, VietnamDay(clock_.Now())).status());
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, id));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::Establishment> SqliteEstablishmentStore::CloseEstablishment(
    absl::string_view id, absl::string_view close_date, absl::string_view reason,
    const std::function<absl::Status(const v1::Establishment&)>& precondition) {
  std::optional<v1::Establishment> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Establishment> current, Find(tx, id));
    if (!current.has_value()) {
      return absl::NotFoundError(absl::StrCat("establishment ", kPrefix, id, " not found"));
    }
    PCMD_RETURN_IF_ERROR(precondition(*current));
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE establishments SET status = ?2, close_date = ?3, close_reason = ?4, "
        "version = version + 1, update_unix_ms = ?5 WHERE id = ?1",
        {std::string(id), int64_t{v1::ESTABLISHMENT_STATUS_CLOSED}, std::string(close_date),
         std::string(reason), absl::ToUnixMillis(clock_.Now())}));
    PCMD_RETURN_IF_ERROR(tx.Execute("UPDATE follow_ups SET open = 0 WHERE establishment_id = ?1",
                                    {std::string(id)}));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, id));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<std::vector<RegistryEntry>> SqliteEstablishmentStore::ReadRegistry(
    const RegistryQuery& query) {
  std::vector<std::string> where = {"1 = 1"};
  std::vector<storage::Value> params;
  if (query.units.has_value()) {
    params.push_back(storage::JsonArray(*query.units));
    where.push_back(
        absl::StrCat("unit_code IN (SELECT value FROM json_each(?", params.size(), "))"));
  }
  if (!query.include_closed) {
    params.push_back(int64_t{v1::ESTABLISHMENT_STATUS_OPERATING});
    where.push_back(absl::StrCat("status = ?", params.size()));
  }
  for (const std::string& word : query.words) {
    params.push_back(absl::StrCat(" ", word, " "));
    where.push_back(absl::StrCat("instr(search_words, ?", params.size(), ") > 0"));
  }
  const std::string filter = absl::StrJoin(where, " AND ");
  std::vector<RegistryEntry> entries;
  absl::flat_hash_map<std::string, RiskInputs> inputs;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query(absl::StrCat("SELECT ", kColumns, " FROM establishments WHERE ", filter), params));
    absl::flat_hash_map<std::string, size_t> index;
    for (const Row& row : rows) {
      index[row.Text(0)] = entries.size();
      entries.push_back({.establishment = FromRow(row)});
    }
    // The risk inputs of all of them in four reads, not four per establishment.
    for (const RegistryEntry& entry : entries) {
      const v1::Establishment& e = entry.establishment;
      RiskInputs& in = inputs[Id(e.name())];
      in.business_type = e.business_type();
      in.hotspot_linked = !e.hotspot().empty();
      in.commitment_date = ParseIsoDate(e.commitment_date());
      in.registered =
          VietnamDay(absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(e.create_time())));
    }
    const std::string subset =
        absl::StrCat("establishment_id IN (SELECT id FROM establishments WHERE ", filter, ")");
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> violations,
                          tx.Query(absl::StrCat("SELECT establishment_id, inspection_date, "
                                                "severity FROM inspection_violations WHERE ",
                                                subset),
                                   params));
    for (const Row& v : violations) {
      auto it = inputs.find(v.Text(0));
      std::optional<absl::CivilDay> day = ParseIsoDate(v.Text(1));
      if (it != inputs.end() && day.has_value()) {
        it->second.violations.push_back({*day, static_cast<v1::Severity>(v.Int(2))});
      }
    }
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> tips,
        tx.Query(absl::StrCat("SELECT establishment_id, receive_day FROM establishment_tips WHERE ",
                              subset),
                 params));
    for (const Row& t : tips) {
      auto it = inputs.find(t.Text(0));
      std::optional<absl::CivilDay> day = ParseIsoDate(t.Text(1));
      if (it != inputs.end() && day.has_value()) it->second.tip_dates.push_back(*day);
    }
    params.push_back(int64_t{v1::INSPECTION_STATE_COMPLETED});
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> inspected,
        tx.Query(absl::StrCat("SELECT establishment_id, inspection_date FROM inspections WHERE ",
                              subset, " AND state = ?", params.size()),
                 params));
    params.pop_back();
    for (const Row& i : inspected) {
      auto at = index.find(i.Text(0));
      std::optional<absl::CivilDay> day = ParseIsoDate(i.Text(1));
      if (at == index.end() || !day.has_value()) continue;
      entries[at->second].inspection_dates.push_back(*day);
      RiskInputs& in = inputs[i.Text(0)];
      if (!in.last_inspection.has_value() || *in.last_inspection < *day) in.last_inspection = day;
    }
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> follow_ups,
        tx.Query(absl::StrCat("SELECT establishment_id, MIN(due_date) FROM follow_ups WHERE ",
                              subset, " AND open = 1 GROUP BY establishment_id"),
                 params));
    for (const Row& f : follow_ups) {
      auto at = index.find(f.Text(0));
      if (at != index.end()) entries[at->second].follow_up_by = ParseIsoDate(f.Text(1));
    }
    return absl::OkStatus();
  }));
  const absl::CivilDay today = VietnamDay(clock_.Now());
  for (RegistryEntry& entry : entries) {
    v1::Establishment& e = entry.establishment;
    const RiskInputs& in = inputs[Id(e.name())];
    *e.mutable_risk() = AssessRisk(in, today);
    if (in.last_inspection.has_value()) e.set_last_inspection_date(IsoDate(*in.last_inspection));
  }
  return entries;
}

absl::StatusOr<int> SqliteEstablishmentStore::IndexUnsearchable() {
  int indexed = 0;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT id, display_name, address FROM establishments WHERE search_words = ''"));
    for (const Row& row : rows) {
      v1::Establishment e;
      e.set_display_name(row.Text(1));
      e.set_address(row.Text(2));
      PCMD_RETURN_IF_ERROR(tx.Execute("UPDATE establishments SET search_words = ?2 WHERE id = ?1",
                                      {row.Text(0), SearchWords(e)}));
      ++indexed;
    }
    return absl::OkStatus();
  }));
  return indexed;
}

void RegisterInspectionsHandlers(events::EventConsumer& consumer, events::Outbox& outbox) {
  consumer.Handle(
      "pcmd.events.v1.EstablishmentReported",
      [&outbox](Transaction& tx, const events::v1::EventEnvelope& env) -> absl::Status {
        events::v1::EstablishmentReported reported;
        if (!env.payload().UnpackTo(&reported)) {
          return absl::InvalidArgumentError("payload is not EstablishmentReported");
        }
        PCMD_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO establishment_reports(establishment, tips, last_tip) "
                       "VALUES (?1, 1, ?2) ON CONFLICT(establishment) "
                       "DO UPDATE SET tips = tips + 1, last_tip = excluded.last_tip",
                       {reported.establishment(), reported.tip()}));
        const absl::string_view name = reported.establishment();
        if (!absl::StartsWith(name, kPrefix)) return absl::OkStatus();
        const std::string id = Id(name);
        PCMD_ASSIGN_OR_RETURN(std::optional<RiskInputs> inputs, LoadRiskInputs(tx, id));
        // A tip about a business this registry does not hold yet is counted above only.
        if (!inputs.has_value()) return absl::OkStatus();
        const absl::CivilDay day =
            VietnamDay(absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(env.occur_time())));
        PCMD_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO establishment_tips(establishment_id, tip, receive_day) "
                       "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                       {id, reported.tip(), IsoDate(day)}));
        const std::optional<absl::CivilDay> due = FollowUpForTip(*inputs, reported.category(), day);
        if (due.has_value()) {
          PCMD_RETURN_IF_ERROR(tx.Execute(
              "INSERT INTO follow_ups(establishment_id, source, due_date) VALUES (?1, ?2, ?3) "
              "ON CONFLICT DO NOTHING",
              {id, reported.tip(), IsoDate(*due)}));
        }
        return RefreshRisk(tx, outbox, id, day, due.has_value()).status();
      });
  consumer.OnReset([](Transaction& tx) {
    PCMD_RETURN_IF_ERROR(tx.Execute("DELETE FROM establishment_reports"));
    return tx.Execute("DELETE FROM establishment_tips");
  });
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
