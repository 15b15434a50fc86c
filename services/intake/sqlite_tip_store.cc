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
    // Stages. The columns that lists and overdue scans filter on are in clear; the
    // rest of the stage data (codes, enums, dates, reference numbers: no personal
    // data) is one serialized intake.v1.Tip holding only its stage fields. Notes that
    // may name people (rejection reasons, resolution notes) are sealed in the history.
    {12, "tip stages",
     "ALTER TABLE tips ADD COLUMN responsible_agency TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN transfer_to_agency TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN legal_deadline TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN stage_deadline TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE tips ADD COLUMN stage BLOB;"
     "CREATE INDEX tips_by_responsible ON tips(responsible_agency, state);"
     "CREATE INDEX tips_by_stage_deadline ON tips(state, stage_deadline);"
     "CREATE TABLE tip_history ("
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " seq INTEGER NOT NULL,"
     " from_state INTEGER NOT NULL,"
     " to_state INTEGER NOT NULL,"
     " agency_code TEXT NOT NULL,"
     " end_user TEXT NOT NULL,"
     " change_unix_ms INTEGER NOT NULL,"
     " note BLOB,"
     " PRIMARY KEY (tip_id, seq)) WITHOUT ROWID;"
     "CREATE TRIGGER tip_history_no_update BEFORE UPDATE ON tip_history "
     "BEGIN SELECT RAISE(ABORT, 'the stage history is append-only'); END;"
     "CREATE TRIGGER tip_history_no_delete BEFORE DELETE ON tip_history "
     "BEGIN SELECT RAISE(ABORT, 'the stage history is append-only'); END;"},
};

constexpr absl::string_view kColumns =
    "id, channel, legal_kind, category, unit_code, establishment, state, receive_unix_ms, "
    "description, place_address, place_coordinates, responsible_agency, transfer_to_agency, "
    "legal_deadline, stage_deadline, revision, stage";

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
  if (!r.IsNull(16)) {
    v1::Tip stage;
    if (!stage.ParseFromString(r.Text(16))) return UnreadableMessage({name, "stage"});
    tip.MergeFrom(stage);
  }
  tip.set_etag(absl::StrCat("r", r.Int(15)));
  tip.set_has_reporter(r.Int(17) != 0);

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

  PCMD_ASSIGN_OR_RETURN(std::vector<Row> history,
                        tx.Query("SELECT seq, from_state, to_state, agency_code, end_user, "
                                 "change_unix_ms, note FROM tip_history WHERE tip_id = ?1 "
                                 "ORDER BY seq",
                                 {std::string(id)}));
  for (const Row& h : history) {
    v1::StageChange& change = *tip.add_history();
    change.set_from_state(static_cast<v1::TipState>(h.Int(1)));
    change.set_to_state(static_cast<v1::TipState>(h.Int(2)));
    change.set_agency_code(h.Text(3));
    change.set_end_user(h.Text(4));
    *change.mutable_change_time() = TimeUtil::MillisecondsToTimestamp(h.Int(5));
    PCMD_ASSIGN_OR_RETURN(
        *change.mutable_note(),
        OpenColumn(cipher, h, 6, {name, absl::StrCat("history/", h.Int(0), ".note")}));
  }
  return std::optional<v1::Tip>(std::move(tip));
}

// The stage fields of `tip` alone (no personal data), for the stage column.
std::string StageBlob(const v1::Tip& tip) {
  v1::Tip stage;
  stage.set_receiving_agency(tip.receiving_agency());
  stage.set_responsible_agency(tip.responsible_agency());
  stage.set_responsible_unit(tip.responsible_unit());
  stage.set_classification(tip.classification());
  stage.set_legal_deadline(tip.legal_deadline());
  stage.set_stage_deadline(tip.stage_deadline());
  *stage.mutable_extensions() = tip.extensions();
  if (tip.has_pending_transfer()) *stage.mutable_pending_transfer() = tip.pending_transfer();
  if (tip.has_resolution()) *stage.mutable_resolution() = tip.resolution();
  stage.set_duplicate_of(tip.duplicate_of());
  return stage.SerializeAsString();
}

}  // namespace

std::span<const storage::Migration> IntakeMigrations() { return kMigrations; }

absl::Status SqliteTipStore::AppendHistory(Transaction& tx, absl::string_view name,
                                           const v1::StageChange& change) {
  const std::string id = IdOf(name);
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> last,
      tx.QueryOne("SELECT COALESCE(MAX(seq), 0) FROM tip_history WHERE tip_id = ?1", {id}));
  const int64_t seq = last.has_value() ? last->Int(0) + 1 : 1;
  return tx.Execute(
      "INSERT INTO tip_history(tip_id, seq, from_state, to_state, agency_code, end_user, "
      "change_unix_ms, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      {id, seq, int64_t{change.from_state()}, int64_t{change.to_state()}, change.agency_code(),
       change.end_user(), TimeUtil::TimestampToMilliseconds(change.change_time()),
       SealOrNull(cipher_, change.note(), {name, absl::StrCat("history/", seq, ".note")})});
}

absl::Status SqliteTipStore::InsertWithEvents(Transaction& tx, const v1::Tip& tip,
                                              const v1::Reporter* reporter,
                                              const v1::StageChange& receipt) {
  const std::string id = IdOf(tip.name());
  const absl::string_view name = tip.name();
  storage::Value coordinates = std::monostate();
  if (tip.place().has_coordinates()) {
    coordinates = storage::Blob{cipher_.Seal(tip.place().coordinates().SerializeAsString(),
                                             Where{name, "place.coordinates"}.Context())};
  }
  PCMD_RETURN_IF_ERROR(tx.Execute(
      absl::StrCat("INSERT INTO tips(", kColumns,
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                   "?14, ?15, 0, ?16)"),
      {id, int64_t{tip.channel()}, int64_t{tip.legal_kind()}, int64_t{tip.category()},
       tip.unit_code(), tip.establishment(), int64_t{tip.state()},
       TimeUtil::TimestampToMilliseconds(tip.receive_time()),
       SealOrNull(cipher_, tip.description(), {name, "description"}),
       SealOrNull(cipher_, tip.place().address(), {name, "place.address"}), std::move(coordinates),
       tip.responsible_agency(), tip.pending_transfer().to_agency(), tip.legal_deadline(),
       tip.stage_deadline(), storage::Blob{StageBlob(tip)}}));
  PCMD_RETURN_IF_ERROR(AppendHistory(tx, name, receipt));

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
                                                  const v1::Reporter* reporter,
                                                  const v1::StageChange& received) {
  std::optional<v1::Tip> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::string name,
        storage::CreateOnce(tx, "SubmitTip", request_id, fingerprint, tip.name(),
                            absl::ToUnixMillis(clock_.Now()),
                            [&] { return InsertWithEvents(tx, tip, reporter, received); }));
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

absl::StatusOr<TipStage> SqliteTipStore::GetTipStage(absl::string_view tip_id) {
  return storage::ReadOne<TipStage>(
      db_,
      [&](Transaction& tx) -> absl::StatusOr<std::optional<TipStage>> {
        PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                              tx.QueryOne("SELECT unit_code, state, responsible_agency, "
                                          "transfer_to_agency FROM tips WHERE id = ?1",
                                          {std::string(tip_id)}));
        if (!row.has_value()) return std::optional<TipStage>();
        return std::optional<TipStage>(TipStage{.unit_code = row->Text(0),
                                                .state = static_cast<v1::TipState>(row->Int(1)),
                                                .responsible_agency = row->Text(2),
                                                .transfer_to_agency = row->Text(3)});
      },
      absl::StrCat("tip tips/", tip_id, " not found"));
}

absl::StatusOr<v1::Tip> SqliteTipStore::ChangeStage(
    absl::string_view tip_id, const StageRequestKey& key,
    absl::FunctionRef<absl::StatusOr<StageUpdate>(const v1::Tip& current)> decide) {
  std::optional<v1::Tip> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    if (!key.request_id.empty()) {
      PCMD_ASSIGN_OR_RETURN(std::optional<std::string> seen,
                            storage::FindRequest(tx, key.rpc, key.request_id, key.fingerprint));
      if (seen.has_value()) {
        PCMD_ASSIGN_OR_RETURN(result, Find(tx, cipher_, IdOf(*seen)));
        return absl::OkStatus();
      }
    }
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Tip> current, Find(tx, cipher_, tip_id));
    if (!current.has_value()) {
      return absl::NotFoundError(absl::StrCat("tip tips/", tip_id, " not found"));
    }
    PCMD_ASSIGN_OR_RETURN(StageUpdate update, decide(*current));
    const v1::Tip& tip = update.tip;
    PCMD_RETURN_IF_ERROR(
        tx.Execute("UPDATE tips SET state = ?2, responsible_agency = ?3, transfer_to_agency = ?4, "
                   "legal_deadline = ?5, stage_deadline = ?6, revision = revision + 1, stage = ?7 "
                   "WHERE id = ?1",
                   {std::string(tip_id), int64_t{tip.state()}, tip.responsible_agency(),
                    tip.pending_transfer().to_agency(), tip.legal_deadline(), tip.stage_deadline(),
                    storage::Blob{StageBlob(tip)}}));
    if (update.change.from_state() != update.change.to_state()) {
      PCMD_RETURN_IF_ERROR(AppendHistory(tx, current->name(), update.change));
    }
    for (const std::unique_ptr<google::protobuf::Message>& event : update.events) {
      PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", current->name(), *event).status());
    }
    if (!key.request_id.empty()) {
      PCMD_RETURN_IF_ERROR(storage::RecordRequest(tx, key.rpc, key.request_id, key.fingerprint,
                                                  current->name(),
                                                  absl::ToUnixMillis(clock_.Now())));
    }
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, cipher_, tip_id));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("changed tip cannot be read back");
  return *std::move(result);
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
