#include "services/intake/sqlite_tip_store.h"

#include <map>
#include <optional>
#include <set>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/text/text.h"
#include "common/units/units.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/intake/sealed_column.h"
#include "services/intake/tip_feed.h"

namespace pcmd::intake {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kColumns =
    "id, channel, legal_kind, category, unit_code, establishment, state, receive_unix_ms, "
    "description, place_address, place_coordinates, responsible_agency, transfer_to_agency, "
    "legal_deadline, stage_deadline, revision, stage, hotspot, responsible_unit";

// Dates in events are calendar dates in Vietnam (UTC+7, no daylight saving), so a tip
// received at 23:30 on 30 June counts in June.
absl::TimeZone VietnamTime() { return absl::FixedTimeZone(7 * 3600); }

// "tips/{id}" → "{id}"; names reaching the store were validated by the logic.
std::string IdOf(absl::string_view name) { return std::string(name.substr(5)); }

// Reads the tip; with `full` false only its codes, dates and stage (nothing opened).
absl::StatusOr<std::optional<v1::Tip>> Find(Transaction& tx, const crypto::FieldCipher& cipher,
                                            absl::string_view id, bool full = true) {
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
  tip.set_hotspot(r.Text(17));
  tip.set_state(static_cast<v1::TipState>(r.Int(6)));
  *tip.mutable_receive_time() = TimeUtil::MillisecondsToTimestamp(r.Int(7));
  if (!r.IsNull(16)) {
    v1::Tip stage;
    if (!stage.ParseFromString(r.Text(16))) return UnreadableMessage({name, "stage"});
    tip.MergeFrom(stage);
  }
  tip.set_etag(absl::StrCat("r", r.Int(15)));
  tip.set_has_reporter(r.Int(19) != 0);
  if (!full) return std::optional<v1::Tip>(std::move(tip));

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
  if (tip.has_proposed_route()) *stage.mutable_proposed_route() = tip.proposed_route();
  return stage.SerializeAsString();
}

// The keyed form of an address for "same address" duplicates: its folded words in
// order, so that case, diacritics and punctuation do not matter; NULL without one.
storage::Value AddressIndex(const crypto::BlindIndex& index, absl::string_view address) {
  const std::vector<std::string> words = text::Words(address);
  if (words.empty()) return std::monostate();
  return index.Hash("address", absl::StrJoin(words, " "));
}

// The keyed form of one folded word of a description or address.
std::string TermOf(const crypto::BlindIndex& index, absl::string_view word) {
  return index.Hash("term", word);
}

absl::Status InsertSearchWords(Transaction& tx, const crypto::BlindIndex& index,
                               const std::string& id, const v1::Tip& tip) {
  std::set<std::string> terms;
  for (absl::string_view source :
       {absl::string_view(tip.description()), absl::string_view(tip.place().address())}) {
    for (const std::string& word : text::Words(source)) terms.insert(TermOf(index, word));
  }
  for (const std::string& term : terms) {
    PCMD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO tip_terms(term, tip_id) VALUES (?1, ?2)", {term, id}));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SqliteTipStore::RecordLikelyDuplicates(Transaction& tx, const std::string& id,
                                                    const v1::Tip& tip,
                                                    const std::vector<std::string>& pseudonyms) {
  const int64_t since = TimeUtil::TimestampToMilliseconds(tip.receive_time()) -
                        absl::ToInt64Milliseconds(kDuplicateWindow);
  std::map<std::string, std::vector<std::string>> found;  // Other tip id → reasons.
  const auto collect = [&](absl::string_view reason, absl::string_view sql,
                           const std::vector<storage::Value>& params) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& row : rows) {
      std::vector<std::string>& reasons = found[row.Text(0)];
      if (reasons.empty() || reasons.back() != reason) reasons.emplace_back(reason);
    }
    return absl::OkStatus();
  };
  if (!tip.establishment().empty()) {
    PCMD_RETURN_IF_ERROR(collect("establishment",
                                 "SELECT id FROM tips WHERE establishment = ?1 AND id != ?2 "
                                 "AND receive_unix_ms >= ?3",
                                 {tip.establishment(), id, since}));
  }
  if (!tip.hotspot().empty()) {
    PCMD_RETURN_IF_ERROR(collect("hotspot",
                                 "SELECT id FROM tips WHERE hotspot = ?1 AND id != ?2 "
                                 "AND receive_unix_ms >= ?3",
                                 {tip.hotspot(), id, since}));
  }
  for (const std::string& pseudonym : pseudonyms) {
    PCMD_RETURN_IF_ERROR(collect("person",
                                 "SELECT DISTINCT t.id FROM tip_persons p JOIN tips t "
                                 "ON t.id = p.tip_id WHERE p.pseudonym = ?1 AND t.id != ?2 "
                                 "AND t.receive_unix_ms >= ?3",
                                 {pseudonym, id, since}));
  }
  if (storage::Value address = AddressIndex(index_, tip.place().address());
      !std::holds_alternative<std::monostate>(address)) {
    PCMD_RETURN_IF_ERROR(collect("address",
                                 "SELECT id FROM tips WHERE address_index = ?1 AND id != ?2 "
                                 "AND receive_unix_ms >= ?3",
                                 {std::move(address), id, since}));
  }
  for (const auto& [other, reasons] : found) {
    const std::string joined = absl::StrJoin(reasons, ",");
    for (const auto& [from, to] : {std::pair{id, other}, std::pair{other, id}}) {
      PCMD_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO tip_likely_duplicates(tip_id, other_tip_id, reasons) VALUES (?1, ?2, ?3) "
          "ON CONFLICT(tip_id, other_tip_id) DO UPDATE SET reasons = excluded.reasons",
          {from, to, joined}));
    }
  }
  return absl::OkStatus();
}

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
                   ", address_index) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                   "?13, ?14, ?15, 0, ?16, ?17, ?18, ?19)"),
      {id, int64_t{tip.channel()}, int64_t{tip.legal_kind()}, int64_t{tip.category()},
       tip.unit_code(), tip.establishment(), int64_t{tip.state()},
       TimeUtil::TimestampToMilliseconds(tip.receive_time()),
       SealOrNull(cipher_, tip.description(), {name, "description"}),
       SealOrNull(cipher_, tip.place().address(), {name, "place.address"}), std::move(coordinates),
       tip.responsible_agency(), tip.pending_transfer().to_agency(), tip.legal_deadline(),
       tip.stage_deadline(), storage::Blob{StageBlob(tip)}, tip.hotspot(), tip.responsible_unit(),
       AddressIndex(index_, tip.place().address())}));
  PCMD_RETURN_IF_ERROR(InsertSearchWords(tx, index_, id, tip));
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
  for (const std::string& p : pseudonyms) received.add_person_pseudonyms(p);
  received.set_hotspot(tip.hotspot());
  PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", tip.name(), received).status());
  if (!tip.establishment().empty()) {
    events::v1::EstablishmentReported reported;
    reported.set_tip(tip.name());
    reported.set_establishment(tip.establishment());
    reported.set_category(tip.category());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", tip.name(), reported).status());
  }
  PCMD_RETURN_IF_ERROR(RecordLikelyDuplicates(tx, id, tip, pseudonyms));
  return RecordTipChange(tx, ChangeOf(tip, "TipReceived", clock_.Now()));
}

absl::StatusOr<std::string> SqliteTipStore::CreateTipIn(
    Transaction& tx, absl::string_view request_id, absl::string_view fingerprint,
    const v1::Tip& tip, const v1::Reporter* reporter, const v1::StageChange& received) {
  return storage::CreateOnce(tx, "SubmitTip", request_id, fingerprint, tip.name(),
                             absl::ToUnixMillis(clock_.Now()),
                             [&] { return InsertWithEvents(tx, tip, reporter, received); });
}

absl::StatusOr<v1::Tip> SqliteTipStore::CreateTip(absl::string_view request_id,
                                                  absl::string_view fingerprint, const v1::Tip& tip,
                                                  const v1::Reporter* reporter,
                                                  const v1::StageChange& received) {
  std::optional<v1::Tip> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          CreateTipIn(tx, request_id, fingerprint, tip, reporter, received));
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
                   "legal_deadline = ?5, stage_deadline = ?6, revision = revision + 1, stage = ?7, "
                   "responsible_unit = ?8 WHERE id = ?1",
                   {std::string(tip_id), int64_t{tip.state()}, tip.responsible_agency(),
                    tip.pending_transfer().to_agency(), tip.legal_deadline(), tip.stage_deadline(),
                    storage::Blob{StageBlob(tip)}, tip.responsible_unit()}));
    if (update.change.from_state() != update.change.to_state()) {
      PCMD_RETURN_IF_ERROR(AppendHistory(tx, current->name(), update.change));
    }
    for (const std::unique_ptr<google::protobuf::Message>& event : update.events) {
      PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", current->name(), *event).status());
      v1::Tip after = tip;
      after.set_name(current->name());
      after.set_unit_code(current->unit_code());
      PCMD_RETURN_IF_ERROR(RecordTipChange(
          tx, ChangeOf(after, event->GetDescriptor()->name(), clock_.Now(),
                       {current->responsible_agency(), current->pending_transfer().to_agency()})));
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

namespace {

template <typename Enum>
std::string IntList(const std::vector<Enum>& values) {
  return absl::StrJoin(values, ",",
                       [](std::string* out, Enum e) { absl::StrAppend(out, static_cast<int>(e)); });
}

}  // namespace

absl::StatusOr<std::vector<v1::Tip>> SqliteTipStore::ListTips(const TipQuery& query) {
  std::vector<std::string> where;
  std::vector<storage::Value> params;
  const auto param = [&](storage::Value value) {
    params.push_back(std::move(value));
    return absl::StrCat("?", params.size());
  };
  if (query.scope_units.has_value()) {
    where.push_back(absl::StrCat("(unit_code IN (SELECT value FROM json_each(",
                                 param(storage::JsonArray(*query.scope_units)),
                                 ")) OR responsible_agency = ", param(query.scope_agency), ")"));
  }
  if (query.units.has_value()) {
    where.push_back(absl::StrCat("unit_code IN (SELECT value FROM json_each(",
                                 param(storage::JsonArray(*query.units)), "))"));
  }
  // Enum values were validated by the logic: numbers only.
  if (!query.states.empty())
    where.push_back(absl::StrCat("state IN (", IntList(query.states), ")"));
  if (!query.legal_kinds.empty()) {
    where.push_back(absl::StrCat("legal_kind IN (", IntList(query.legal_kinds), ")"));
  }
  if (!query.categories.empty()) {
    where.push_back(absl::StrCat("category IN (", IntList(query.categories), ")"));
  }
  if (!query.responsible_agency.empty()) {
    where.push_back(absl::StrCat("responsible_agency = ", param(query.responsible_agency)));
  }
  if (!query.overdue_on.empty()) {
    const std::string today = param(query.overdue_on);
    where.push_back(absl::StrCat("state IN (", OpenStatesSql(),
                                 ") AND ((legal_deadline != '' AND "
                                 "legal_deadline < ",
                                 today,
                                 ") OR (stage_deadline != '' AND "
                                 "stage_deadline < ",
                                 today, "))"));
  }
  if (query.received_from.has_value()) {
    where.push_back(
        absl::StrCat("receive_unix_ms >= ", param(absl::ToUnixMillis(*query.received_from))));
  }
  if (query.received_before.has_value()) {
    where.push_back(
        absl::StrCat("receive_unix_ms < ", param(absl::ToUnixMillis(*query.received_before))));
  }
  if (!query.words.empty()) {
    std::vector<std::string> terms;
    for (const std::string& word : query.words) terms.push_back(TermOf(index_, word));
    where.push_back(absl::StrCat(
        "id IN (SELECT tip_id FROM tip_terms WHERE term IN (SELECT value FROM json_each(",
        param(storage::JsonArray(terms)),
        ")) GROUP BY tip_id HAVING COUNT(*) = ", static_cast<int64_t>(terms.size()), ")"));
  }
  if (query.after.has_value()) {
    const std::string ms = param(query.after->first);
    where.push_back(absl::StrCat("(receive_unix_ms < ", ms, " OR (receive_unix_ms = ", ms,
                                 " AND id < ", param(query.after->second), "))"));
  }
  const std::string sql = absl::StrCat(
      "SELECT id FROM tips", where.empty() ? "" : " WHERE ", absl::StrJoin(where, " AND "),
      " ORDER BY receive_unix_ms DESC, id DESC LIMIT ", param(int64_t{query.limit}));
  std::vector<v1::Tip> tips;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& row : rows) {
      PCMD_ASSIGN_OR_RETURN(std::optional<v1::Tip> tip, Find(tx, cipher_, row.Text(0), query.full));
      if (tip.has_value()) tips.push_back(*std::move(tip));
    }
    return absl::OkStatus();
  }));
  return tips;
}

absl::StatusOr<std::vector<DuplicateCandidate>> SqliteTipStore::ListLikelyDuplicates(
    absl::string_view tip_id) {
  std::vector<DuplicateCandidate> candidates;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<Row> exists,
                          tx.QueryOne("SELECT 1 FROM tips WHERE id = ?1", {std::string(tip_id)}));
    if (!exists.has_value()) {
      return absl::NotFoundError(absl::StrCat("tip tips/", tip_id, " not found"));
    }
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT d.other_tip_id, t.unit_code, t.responsible_agency, d.reasons "
                 "FROM tip_likely_duplicates d JOIN tips t ON t.id = d.other_tip_id "
                 "WHERE d.tip_id = ?1 ORDER BY t.receive_unix_ms DESC, t.id DESC",
                 {std::string(tip_id)}));
    for (const Row& row : rows) {
      candidates.push_back({.tip_id = row.Text(0),
                            .unit_code = row.Text(1),
                            .responsible_agency = row.Text(2),
                            .reasons = absl::StrSplit(row.Text(3), ',')});
    }
    return absl::OkStatus();
  }));
  return candidates;
}

}  // namespace pcmd::intake
