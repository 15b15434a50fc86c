#include "services/intake/sqlite_tip_store.h"

#include <optional>
#include <set>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/intake_events.pb.h"

namespace pcmd::intake {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr storage::Migration kMigrations[] = {
    {1, "idempotency keys", storage::kIdempotencyMigrationSql},
    {2, "tips",
     "CREATE TABLE tips ("
     " id TEXT PRIMARY KEY,"
     " channel INTEGER NOT NULL,"
     " legal_kind INTEGER NOT NULL,"
     " category INTEGER NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " establishment TEXT NOT NULL DEFAULT '',"
     " state INTEGER NOT NULL,"
     " receive_unix_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX tips_by_unit ON tips(unit_code, receive_unix_ms);"},
    {3, "event outbox", events::kOutboxMigrationSql},
    {4, "audit log", audit::kAuditMigrationSql},
    {5, "known units", units::kUnitsMigrationSql},
    {6, "event inbox", events::kInboxMigrationSql},
    // Sealed values (crypto::FieldCipher), NULL when not given.
    {7, "sealed tip description and place",
     "ALTER TABLE tips ADD COLUMN description BLOB;"
     "ALTER TABLE tips ADD COLUMN place_address BLOB;"
     "ALTER TABLE tips ADD COLUMN place_coordinates BLOB;"},
    // Role and pseudonym in clear (counts, cross-service recognition); the blind index
    // answers "which tips name this ID number?" without the number; the rest sealed.
    {8, "persons named in tips",
     "CREATE TABLE tip_persons ("
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " position INTEGER NOT NULL,"
     " role INTEGER NOT NULL,"
     " full_name BLOB NOT NULL,"
     " birth_date BLOB,"
     " id_number BLOB,"
     " phone BLOB,"
     " description BLOB,"
     " pseudonym TEXT,"
     " id_number_index TEXT,"
     " PRIMARY KEY (tip_id, position)) WITHOUT ROWID;"
     "CREATE INDEX tip_persons_by_id_number ON tip_persons(id_number_index)"
     " WHERE id_number_index IS NOT NULL;"
     "CREATE INDEX tip_persons_by_pseudonym ON tip_persons(pseudonym)"
     " WHERE pseudonym IS NOT NULL;"},
    {9, "tip attachments",
     "CREATE TABLE tip_attachments ("
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " position INTEGER NOT NULL,"
     " sha256 TEXT NOT NULL,"
     " media_type TEXT NOT NULL,"
     " PRIMARY KEY (tip_id, position)) WITHOUT ROWID;"
     "CREATE INDEX tip_attachments_by_hash ON tip_attachments(sha256);"},
    // The reporter, apart from the tip: one sealed intake.v1.Reporter per tip.
    {10, "reporter vault",
     "CREATE TABLE reporter_vault ("
     " tip_id TEXT PRIMARY KEY REFERENCES tips(id),"
     " reporter BLOB NOT NULL) WITHOUT ROWID;"},
    // Every opening of the vault, for supervisors; append-only like the audit log.
    {11, "reporter reveal log",
     "CREATE TABLE reveal_log ("
     " id TEXT PRIMARY KEY,"
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " agency_code TEXT NOT NULL,"
     " agency_kind TEXT NOT NULL,"
     " end_user TEXT NOT NULL,"
     " purpose TEXT NOT NULL,"
     " reason BLOB NOT NULL,"
     " reveal_unix_ms INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE INDEX reveal_log_by_tip ON reveal_log(tip_id, reveal_unix_ms);"
     "CREATE TRIGGER reveal_log_no_update BEFORE UPDATE ON reveal_log "
     "BEGIN SELECT RAISE(ABORT, 'the reveal log is append-only'); END;"
     "CREATE TRIGGER reveal_log_no_delete BEFORE DELETE ON reveal_log "
     "BEGIN SELECT RAISE(ABORT, 'the reveal log is append-only'); END;"},
};

constexpr absl::string_view kColumns =
    "id, channel, legal_kind, category, unit_code, establishment, state, receive_unix_ms, "
    "description, place_address, place_coordinates";

// Dates in events are calendar dates in Vietnam (UTC+7, no daylight saving), so a tip
// received at 23:30 on 30 June counts in June.
absl::TimeZone VietnamTime() { return absl::FixedTimeZone(7 * 3600); }

// "tips/{id}" → "{id}"; names reaching the store were validated by the logic.
std::string IdOf(absl::string_view name) { return std::string(name.substr(5)); }

// Where a sealed value lives: its record and field. The context binds the value to it.
struct Where {
  absl::string_view record;  // "tips/0192…".
  std::string field;         // "persons/2.full_name".
  std::string Context() const { return absl::StrCat(record, "#", field); }
};

// The sealed form of `plaintext`, or NULL when it is empty.
storage::Value SealOrNull(const crypto::FieldCipher& cipher, absl::string_view plaintext,
                          const Where& where) {
  if (plaintext.empty()) return std::monostate();
  return storage::Blob{cipher.Seal(plaintext, where.Context())};
}

// Opens column `col` of `row` ("" when NULL). A value that does not open is a server
// fault — the row was altered or moved, or its key version is missing — never the
// caller's: it is logged with where it lives (no value) and answered INTERNAL.
absl::StatusOr<std::string> OpenColumn(const crypto::FieldCipher& cipher, const Row& row, int col,
                                       const Where& where) {
  if (row.IsNull(col)) return std::string();
  const std::string sealed = row.Text(col);
  absl::StatusOr<std::string> opened = cipher.Open(sealed, where.Context());
  if (opened.ok()) return opened;
  log::Error("sealed_field_unreadable",
             {{"record", where.record},
              {"field", where.field},
              {"key_version", crypto::FieldCipher::VersionOf(sealed)},
              {"code", absl::StatusCodeToString(opened.status().code())}});
  return absl::InternalError(
      absl::StrCat(where.record,
                   " cannot be read: a stored value is damaged or sealed under a key this "
                   "service does not hold (logged as sealed_field_unreadable)"));
}

absl::Status UnreadableMessage(const Where& where) {
  log::Error("sealed_field_unreadable",
             {{"record", where.record}, {"field", where.field}, {"code", "not a message"}});
  return absl::InternalError(absl::StrCat(where.record,
                                          " cannot be read: a stored value is damaged (logged as "
                                          "sealed_field_unreadable)"));
}

absl::StatusOr<std::optional<v1::Tip>> Find(Transaction& tx, const crypto::FieldCipher& cipher,
                                            absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kColumns,
                               ", EXISTS(SELECT 1 FROM reporter_vault WHERE tip_id = tips.id)"
                               " FROM tips WHERE id = ?1"),
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Tip>();
  const Row& r = *row;
  v1::Tip tip;
  tip.set_name(absl::StrCat("tips/", r.Text(0)));
  const std::string& name = tip.name();
  tip.set_channel(static_cast<v1::Channel>(r.Int(1)));
  tip.set_legal_kind(static_cast<v1::LegalKind>(r.Int(2)));
  tip.set_category(static_cast<v1::Category>(r.Int(3)));
  tip.set_unit_code(r.Text(4));
  tip.set_establishment(r.Text(5));
  tip.set_state(static_cast<v1::TipState>(r.Int(6)));
  *tip.mutable_receive_time() = TimeUtil::MillisecondsToTimestamp(r.Int(7));
  PCMD_ASSIGN_OR_RETURN(*tip.mutable_description(),
                        OpenColumn(cipher, r, 8, {name, "description"}));
  if (!r.IsNull(9) || !r.IsNull(10)) {
    v1::Place& place = *tip.mutable_place();
    PCMD_ASSIGN_OR_RETURN(*place.mutable_address(),
                          OpenColumn(cipher, r, 9, {name, "place.address"}));
    const Where coordinates{name, "place.coordinates"};
    PCMD_ASSIGN_OR_RETURN(std::string bytes, OpenColumn(cipher, r, 10, coordinates));
    if (!r.IsNull(10) && !place.mutable_coordinates()->ParseFromString(bytes)) {
      return UnreadableMessage(coordinates);
    }
  }
  tip.set_has_reporter(r.Int(11) != 0);

  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> persons,
      tx.Query("SELECT position, role, full_name, birth_date, id_number, phone, description, "
               "pseudonym FROM tip_persons WHERE tip_id = ?1 ORDER BY position",
               {std::string(id)}));
  for (const Row& p : persons) {
    const std::string at = absl::StrCat("persons/", p.Int(0), ".");
    v1::NamedPerson& person = *tip.add_persons();
    person.set_role(static_cast<v1::PersonRole>(p.Int(1)));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_full_name(),
                          OpenColumn(cipher, p, 2, {name, absl::StrCat(at, "full_name")}));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_birth_date(),
                          OpenColumn(cipher, p, 3, {name, absl::StrCat(at, "birth_date")}));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_id_number(),
                          OpenColumn(cipher, p, 4, {name, absl::StrCat(at, "id_number")}));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_phone(),
                          OpenColumn(cipher, p, 5, {name, absl::StrCat(at, "phone")}));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_description(),
                          OpenColumn(cipher, p, 6, {name, absl::StrCat(at, "description")}));
    person.set_pseudonym(p.Text(7));
  }

  PCMD_ASSIGN_OR_RETURN(std::vector<Row> attachments,
                        tx.Query("SELECT sha256, media_type FROM tip_attachments "
                                 "WHERE tip_id = ?1 ORDER BY position",
                                 {std::string(id)}));
  for (const Row& a : attachments) {
    v1::Attachment& attachment = *tip.add_attachments();
    attachment.set_sha256(a.Text(0));
    attachment.set_media_type(a.Text(1));
  }
  return std::optional<v1::Tip>(std::move(tip));
}

}  // namespace

std::span<const storage::Migration> IntakeMigrations() { return kMigrations; }

absl::Status SqliteTipStore::InsertWithEvents(Transaction& tx, const v1::Tip& tip,
                                              const v1::Reporter* reporter) {
  const std::string id = IdOf(tip.name());
  const absl::string_view name = tip.name();
  storage::Value coordinates = std::monostate();
  if (tip.place().has_coordinates()) {
    coordinates = storage::Blob{cipher_.Seal(tip.place().coordinates().SerializeAsString(),
                                             Where{name, "place.coordinates"}.Context())};
  }
  PCMD_RETURN_IF_ERROR(
      tx.Execute(absl::StrCat("INSERT INTO tips(", kColumns,
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
                 {id, int64_t{tip.channel()}, int64_t{tip.legal_kind()}, int64_t{tip.category()},
                  tip.unit_code(), tip.establishment(), int64_t{tip.state()},
                  TimeUtil::TimestampToMilliseconds(tip.receive_time()),
                  SealOrNull(cipher_, tip.description(), {name, "description"}),
                  SealOrNull(cipher_, tip.place().address(), {name, "place.address"}),
                  std::move(coordinates)}));

  std::vector<std::string> pseudonyms;
  std::set<std::string> seen;
  for (int i = 0; i < tip.persons_size(); ++i) {
    const v1::NamedPerson& p = tip.persons(i);
    const std::string at = absl::StrCat("persons/", i, ".");
    storage::Value pseudonym = std::monostate();
    storage::Value id_number_index = std::monostate();
    if (!p.id_number().empty()) {
      id_number_index = index_.Hash("id_number", p.id_number());
    }
    if (!p.pseudonym().empty()) {
      pseudonym = p.pseudonym();
      if (seen.insert(p.pseudonym()).second) pseudonyms.push_back(p.pseudonym());
    }
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO tip_persons(tip_id, position, role, full_name, birth_date, id_number, "
        "phone, description, pseudonym, id_number_index) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        {id, int64_t{i}, int64_t{p.role()},
         storage::Blob{
             cipher_.Seal(p.full_name(), Where{name, absl::StrCat(at, "full_name")}.Context())},
         SealOrNull(cipher_, p.birth_date(), {name, absl::StrCat(at, "birth_date")}),
         SealOrNull(cipher_, p.id_number(), {name, absl::StrCat(at, "id_number")}),
         SealOrNull(cipher_, p.phone(), {name, absl::StrCat(at, "phone")}),
         SealOrNull(cipher_, p.description(), {name, absl::StrCat(at, "description")}),
         std::move(pseudonym), std::move(id_number_index)}));
  }
  for (int i = 0; i < tip.attachments_size(); ++i) {
    PCMD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO tip_attachments(tip_id, position, sha256, media_type) "
                   "VALUES (?1, ?2, ?3, ?4)",
                   {id, int64_t{i}, tip.attachments(i).sha256(), tip.attachments(i).media_type()}));
  }
  if (reporter != nullptr) {
    PCMD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO reporter_vault(tip_id, reporter) VALUES (?1, ?2)",
                   {id, storage::Blob{cipher_.Seal(reporter->SerializeAsString(),
                                                   Where{name, "reporter"}.Context())}}));
  }

  events::v1::TipReceived received;
  received.set_tip(tip.name());
  received.set_channel(tip.channel());
  received.set_legal_kind(tip.legal_kind());
  received.set_category(tip.category());
  received.set_unit_code(tip.unit_code());
  received.set_receive_date(absl::FormatTime(
      "%Y-%m-%d", absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(tip.receive_time())),
      VietnamTime()));
  received.set_person_count(tip.persons_size());
  for (std::string& p : pseudonyms) received.add_person_pseudonyms(std::move(p));
  PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", tip.name(), received).status());
  if (!tip.establishment().empty()) {
    events::v1::EstablishmentReported reported;
    reported.set_tip(tip.name());
    reported.set_establishment(tip.establishment());
    reported.set_category(tip.category());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", tip.name(), reported).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Tip> SqliteTipStore::CreateTip(absl::string_view request_id,
                                                  absl::string_view fingerprint, const v1::Tip& tip,
                                                  const v1::Reporter* reporter) {
  std::optional<v1::Tip> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "SubmitTip", request_id, fingerprint, tip.name(),
                                              absl::ToUnixMillis(clock_.Now()),
                                              [&] { return InsertWithEvents(tx, tip, reporter); }));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, cipher_, IdOf(name)));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("created tip cannot be read back");
  return *std::move(result);
}

absl::StatusOr<v1::Tip> SqliteTipStore::GetTip(absl::string_view tip_id) {
  return storage::ReadOne<v1::Tip>(
      db_, [&](Transaction& tx) { return Find(tx, cipher_, tip_id); },
      absl::StrCat("tip tips/", tip_id, " not found"));
}

absl::StatusOr<std::string> SqliteTipStore::GetTipUnit(absl::string_view tip_id) {
  return storage::ReadOne<std::string>(
      db_,
      [&](Transaction& tx) -> absl::StatusOr<std::optional<std::string>> {
        PCMD_ASSIGN_OR_RETURN(
            std::optional<Row> row,
            tx.QueryOne("SELECT unit_code FROM tips WHERE id = ?1", {std::string(tip_id)}));
        if (!row.has_value()) return std::optional<std::string>();
        return std::optional<std::string>(row->Text(0));
      },
      absl::StrCat("tip tips/", tip_id, " not found"));
}

absl::StatusOr<v1::Reporter> SqliteTipStore::RevealReporter(absl::string_view tip_id,
                                                            const RevealRecord& record) {
  const std::string name = absl::StrCat("tips/", tip_id);
  v1::Reporter reporter;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> tip,
        tx.QueryOne("SELECT unit_code FROM tips WHERE id = ?1", {std::string(tip_id)}));
    if (!tip.has_value()) return absl::NotFoundError(absl::StrCat("tip ", name, " not found"));
    PCMD_ASSIGN_OR_RETURN(std::optional<Row> vault,
                          tx.QueryOne("SELECT reporter FROM reporter_vault WHERE tip_id = ?1",
                                      {std::string(tip_id)}));
    if (!vault.has_value()) {
      return absl::NotFoundError(absl::StrCat("tip ", name, " has no reporter on record"));
    }
    const Where where{name, "reporter"};
    PCMD_ASSIGN_OR_RETURN(std::string bytes, OpenColumn(cipher_, *vault, 0, where));
    if (!reporter.ParseFromString(bytes)) return UnreadableMessage(where);

    const absl::Time now = clock_.Now();
    const std::string reveal = absl::StrCat("reveal_log/", record.reveal_id);
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO reveal_log(id, tip_id, agency_code, agency_kind, end_user, purpose, "
        "reason, reveal_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        {record.reveal_id, std::string(tip_id), record.agency_code, record.agency_kind,
         record.end_user, record.purpose,
         storage::Blob{cipher_.Seal(record.reason, Where{reveal, "reason"}.Context())},
         absl::ToUnixMillis(now)}));
    events::v1::ReporterRevealed revealed;
    revealed.set_tip(name);
    revealed.set_unit_code(tip->Text(0));
    revealed.set_agency_code(record.agency_code);
    revealed.set_agency_kind(record.agency_kind);
    revealed.set_end_user(record.end_user);
    revealed.set_purpose(record.purpose);
    *revealed.mutable_reveal_time() = TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(now));
    revealed.set_reveal_id(record.reveal_id);
    return outbox_.Append(tx, "tip", name, revealed).status();
  }));
  return reporter;
}

}  // namespace pcmd::intake
