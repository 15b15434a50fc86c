#include "services/referrals/sqlite_case_store.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/referrals_events.pb.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kPrefix = "cases/";
constexpr absl::string_view kClientPrefix = "clients/";
constexpr absl::string_view kAggregate = "case";
constexpr absl::string_view kColumns =
    "id, client_id, unit_code, agency_code, case_worker, state, next_review_date, reviews, "
    "last_review_date, close_reason, open_unix_ms, close_unix_ms, version, plan";
constexpr int kPlanColumn = 13;
constexpr absl::string_view kNoteColumns = "case_id, id, text, note_date, author, create_unix_ms";

std::string PlanContext(absl::string_view id) { return absl::StrCat(kPrefix, id, "#plan"); }

std::string NoteName(absl::string_view case_id, absl::string_view id) {
  return absl::StrCat(kPrefix, case_id, "/notes/", id);
}

// The id after a "collection/" prefix the caller has checked.
std::string After(absl::string_view name, absl::string_view prefix) {
  return std::string(name.substr(prefix.size()));
}

// An empty plan or note is stored as an empty BLOB: there is nothing to seal.
storage::Blob Sealed(const crypto::FieldCipher& cipher, absl::string_view text,
                     absl::string_view context) {
  return storage::Blob{text.empty() ? std::string() : cipher.Seal(text, context)};
}

v1::Case FromRow(const Row& r) {
  v1::Case c;
  c.set_name(absl::StrCat(kPrefix, r.Text(0)));
  c.set_client(absl::StrCat(kClientPrefix, r.Text(1)));
  c.set_unit_code(r.Text(2));
  c.set_agency_code(r.Text(3));
  c.set_case_worker(r.Text(4));
  c.set_state(static_cast<v1::CaseState>(r.Int(5)));
  c.set_next_review_date(r.Text(6));
  c.set_reviews(static_cast<int32_t>(r.Int(7)));
  c.set_last_review_date(r.Text(8));
  c.set_close_reason(static_cast<v1::CloseReason>(r.Int(9)));
  *c.mutable_open_time() = TimeUtil::MillisecondsToTimestamp(r.Int(10));
  if (r.Int(11) != 0) *c.mutable_close_time() = TimeUtil::MillisecondsToTimestamp(r.Int(11));
  c.set_etag(absl::StrCat("v", r.Int(12)));
  return c;
}

absl::Status Unreadable(absl::string_view record, absl::string_view field) {
  log::Error("sealed_value_unreadable", {{"record", record}, {"field", field}});
  return absl::InternalError(
      absl::StrCat("the ", field, " of ", record, " cannot be read; operators are alerted"));
}

}  // namespace

std::string SqliteCaseStore::Fingerprint(const google::protobuf::Message& request) const {
  return storage::RequestFingerprint(request, keys_.index_key());
}

absl::StatusOr<std::optional<v1::Case>> SqliteCaseStore::Find(Transaction& tx, absl::string_view id,
                                                              bool with_plan) const {
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                        tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM cases WHERE id = ?1"),
                                    {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Case>();
  v1::Case c = FromRow(*row);
  const std::string sealed = row->Text(kPlanColumn);
  if (with_plan && !sealed.empty()) {
    absl::StatusOr<std::string> plan = cipher_.Open(sealed, PlanContext(id));
    if (!plan.ok()) return Unreadable(c.name(), "plan");
    c.set_plan(*std::move(plan));
  }
  return std::optional<v1::Case>(std::move(c));
}

absl::StatusOr<v1::Case> SqliteCaseStore::Require(Transaction& tx, absl::string_view id,
                                                  bool with_plan) const {
  PCMD_ASSIGN_OR_RETURN(std::optional<v1::Case> found, Find(tx, id, with_plan));
  if (!found.has_value())
    return absl::NotFoundError(absl::StrCat("case ", kPrefix, id, " not found"));
  return *std::move(found);
}

absl::StatusOr<v1::CaseNote> SqliteCaseStore::NoteFromRow(const Row& r) const {
  v1::CaseNote note;
  note.set_name(NoteName(r.Text(0), r.Text(1)));
  const std::string sealed = r.Text(2);
  if (!sealed.empty()) {
    absl::StatusOr<std::string> text = cipher_.Open(sealed, note.name());
    if (!text.ok()) return Unreadable(note.name(), "text");
    note.set_text(*std::move(text));
  }
  note.set_note_date(r.Text(3));
  note.set_author(r.Text(4));
  *note.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(r.Int(5));
  return note;
}

absl::StatusOr<std::optional<v1::CaseNote>> SqliteCaseStore::FindNote(Transaction& tx,
                                                                      absl::string_view case_id,
                                                                      absl::string_view id) const {
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                        tx.QueryOne(absl::StrCat("SELECT ", kNoteColumns,
                                                 " FROM case_notes WHERE case_id = ?1 AND id = ?2"),
                                    {std::string(case_id), std::string(id)}));
  if (!row.has_value()) return std::optional<v1::CaseNote>();
  PCMD_ASSIGN_OR_RETURN(v1::CaseNote note, NoteFromRow(*row));
  return std::optional<v1::CaseNote>(std::move(note));
}

absl::Status SqliteCaseStore::InsertNote(Transaction& tx, absl::string_view case_id,
                                         const v1::CaseNote& note) const {
  const std::string prefix = NoteName(case_id, "");
  if (!absl::StartsWith(note.name(), prefix) || note.name().size() == prefix.size()) {
    return absl::InternalError(
        absl::StrCat("a note of ", kPrefix, case_id, " to store is named ", note.name()));
  }
  return tx.Execute(
      absl::StrCat("INSERT INTO case_notes(", kNoteColumns, ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
      {std::string(case_id), After(note.name(), prefix), Sealed(cipher_, note.text(), note.name()),
       note.note_date(), note.author(), TimeUtil::TimestampToMilliseconds(note.create_time())});
}

absl::StatusOr<std::string> SqliteCaseStore::ClientUnit(absl::string_view client_id) {
  std::optional<std::string> unit;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> row,
        tx.QueryOne("SELECT unit_code FROM clients WHERE id = ?1", {std::string(client_id)}));
    if (row.has_value()) unit = row->Text(0);
    return absl::OkStatus();
  }));
  if (!unit.has_value()) {
    const std::string name = absl::StrCat(kClientPrefix, client_id);
    return StatusWithFields(absl::StatusCode::kNotFound,
                            absl::StrCat("client ", name, " not found"),
                            {{"client", absl::StrCat(name, " names no client")}});
  }
  return *std::move(unit);
}

absl::StatusOr<std::optional<v1::Case>> SqliteCaseStore::FindOpenedCase(
    const v1::OpenCaseRequest& request) {
  std::optional<v1::Case> found;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::optional<std::string> name,
        storage::FindRequest(tx, "OpenCase", request.request_id(), Fingerprint(request)));
    if (!name.has_value()) return absl::OkStatus();
    PCMD_ASSIGN_OR_RETURN(v1::Case c, Require(tx, After(*name, kPrefix), /*with_plan=*/true));
    found = std::move(c);
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<v1::Case> SqliteCaseStore::OpenCase(const v1::OpenCaseRequest& request,
                                                   const v1::Case& c) {
  if (!absl::StartsWith(c.name(), kPrefix) || !absl::StartsWith(c.client(), kClientPrefix)) {
    return absl::InternalError(
        absl::StrCat("a case to store is named ", c.name(), " for client ", c.client()));
  }
  const std::string id = After(c.name(), kPrefix);
  const std::string client_id = After(c.client(), kClientPrefix);
  std::optional<v1::Case> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    const auto insert = [&]() -> absl::Status {
      PCMD_ASSIGN_OR_RETURN(std::optional<Row> open,
                            tx.QueryOne("SELECT id FROM cases WHERE client_id = ?1 AND state = ?2",
                                        {client_id, int64_t{v1::CASE_STATE_OPEN}}));
      if (open.has_value()) {
        const std::string existing = absl::StrCat(kPrefix, open->Text(0));
        return StatusWithFields(
            absl::StatusCode::kAlreadyExists,
            absl::StrCat("client ", c.client(), " already has the open case ", existing,
                         "; add to it, or close it before opening another"),
            {{"client", absl::StrCat("has the open case ", existing)}});
      }
      PCMD_RETURN_IF_ERROR(
          tx.Execute(absl::StrCat("INSERT INTO cases(", kColumns,
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, '', 0, ?8, 0, 1, ?9)"),
                     {id, client_id, c.unit_code(), c.agency_code(), c.case_worker(),
                      int64_t{v1::CASE_STATE_OPEN}, c.next_review_date(),
                      TimeUtil::TimestampToMilliseconds(c.open_time()),
                      Sealed(cipher_, c.plan(), PlanContext(id))}));
      events::v1::CaseOpened opened;
      opened.set_case_id(c.name());
      opened.set_client(c.client());
      opened.set_unit_code(c.unit_code());
      opened.set_agency_code(c.agency_code());
      return outbox_.Append(tx, kAggregate, c.name(), opened).status();
    };
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "OpenCase", request.request_id(),
                                              Fingerprint(request), c.name(), NowMillis(), insert));
    PCMD_ASSIGN_OR_RETURN(v1::Case stored, Require(tx, After(name, kPrefix), /*with_plan=*/true));
    result = std::move(stored);
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::Case> SqliteCaseStore::GetCase(absl::string_view id, bool with_plan) {
  return storage::ReadOne<v1::Case>(
      db_, [&](Transaction& tx) { return Find(tx, id, with_plan); },
      absl::StrCat("case ", kPrefix, id, " not found"));
}

absl::StatusOr<std::vector<v1::Case>> SqliteCaseStore::ListCases(const CaseQuery& query) {
  std::vector<std::string> where = {"1 = 1"};
  std::vector<storage::Value> params;
  const auto param = [&](storage::Value value) {
    params.push_back(std::move(value));
    return absl::StrCat("?", params.size());
  };
  if (query.units.has_value()) {
    where.push_back(absl::StrCat("unit_code IN (SELECT value FROM json_each(",
                                 param(storage::JsonArray(*query.units)), "))"));
  }
  if (query.state != v1::CASE_STATE_UNSPECIFIED) {
    where.push_back(absl::StrCat("state = ", param(int64_t{query.state})));
  }
  if (!query.case_worker.empty()) {
    where.push_back(absl::StrCat("case_worker = ", param(query.case_worker)));
  }
  if (!query.review_due_by.empty()) {
    where.push_back(absl::StrCat(
        "state = ", param(int64_t{v1::CASE_STATE_OPEN}),
        " AND next_review_date <> '' AND next_review_date <= ", param(query.review_due_by)));
  }
  if (!query.client_id.empty())
    where.push_back(absl::StrCat("client_id = ", param(query.client_id)));
  if (query.after.has_value()) {
    where.push_back(absl::StrCat("(open_unix_ms, id) < (", param(query.after->unix_ms), ", ",
                                 param(query.after->id), ")"));
  }
  const std::string sql =
      absl::StrCat("SELECT ", kColumns, " FROM cases WHERE ", absl::StrJoin(where, " AND "),
                   " ORDER BY open_unix_ms DESC, id DESC LIMIT ", param(int64_t{query.limit}));
  std::vector<v1::Case> cases;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& row : rows) cases.push_back(FromRow(row));
    return absl::OkStatus();
  }));
  return cases;
}

absl::StatusOr<v1::Case> SqliteCaseStore::UpdateCase(
    absl::string_view id, const std::function<absl::Status(v1::Case&)>& change) {
  std::optional<v1::Case> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(v1::Case c, Require(tx, id, /*with_plan=*/true));
    PCMD_RETURN_IF_ERROR(change(c));
    PCMD_RETURN_IF_ERROR(
        tx.Execute("UPDATE cases SET case_worker = ?2, plan = ?3, next_review_date = ?4, "
                   "version = version + 1 WHERE id = ?1",
                   {std::string(id), c.case_worker(), Sealed(cipher_, c.plan(), PlanContext(id)),
                    c.next_review_date()}));
    PCMD_ASSIGN_OR_RETURN(result, Require(tx, id, /*with_plan=*/true));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::CaseNote> SqliteCaseStore::AddCaseNote(const v1::AddCaseNoteRequest& request,
                                                          const v1::CaseNote& note,
                                                          const CaseCheck& check) {
  std::optional<v1::CaseNote> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::string name,
        storage::CreateOnce(
            tx, "AddCaseNote", request.request_id(), Fingerprint(request), note.name(), NowMillis(),
            [&]() -> absl::Status {
              // The note's own name says which case it belongs to.
              const std::vector<std::string> parts = absl::StrSplit(note.name(), '/');
              if (parts.size() != 4) {
                return absl::InternalError(absl::StrCat("a note to store is named ", note.name()));
              }
              PCMD_ASSIGN_OR_RETURN(v1::Case c, Require(tx, parts[1], /*with_plan=*/false));
              PCMD_RETURN_IF_ERROR(check(c));
              return InsertNote(tx, parts[1], note);
            }));
    const std::vector<std::string> parts = absl::StrSplit(name, '/');
    if (parts.size() != 4)
      return absl::InternalError(absl::StrCat("a stored note is named ", name));
    PCMD_ASSIGN_OR_RETURN(result, FindNote(tx, parts[1], parts[3]));
    if (!result.has_value()) return absl::InternalError(absl::StrCat("note ", name, " is missing"));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<std::vector<v1::CaseNote>> SqliteCaseStore::ListCaseNotes(const NoteQuery& query) {
  std::vector<storage::Value> params = {query.case_id};
  std::string sql = absl::StrCat("SELECT ", kNoteColumns, " FROM case_notes WHERE case_id = ?1");
  if (query.after.has_value()) {
    absl::StrAppend(&sql, " AND (create_unix_ms, id) > (?2, ?3)");
    params.push_back(query.after->unix_ms);
    params.push_back(query.after->id);
  }
  absl::StrAppend(&sql, " ORDER BY create_unix_ms, id LIMIT ", query.limit);
  std::vector<v1::CaseNote> notes;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& row : rows) {
      PCMD_ASSIGN_OR_RETURN(v1::CaseNote note, NoteFromRow(row));
      notes.push_back(std::move(note));
    }
    return absl::OkStatus();
  }));
  return notes;
}

absl::StatusOr<v1::Case> SqliteCaseStore::ReviewCase(absl::string_view id, const CaseReview& review,
                                                     const CaseCheck& check) {
  std::optional<v1::Case> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(v1::Case c, Require(tx, id, /*with_plan=*/false));
    // One review a day: the same day again is a retry (its etag may be the one read
    // before the first attempt), which changes nothing.
    if (c.last_review_date() == review.review_date) {
      PCMD_ASSIGN_OR_RETURN(result, Require(tx, id, /*with_plan=*/true));
      return absl::OkStatus();
    }
    PCMD_RETURN_IF_ERROR(check(c));
    PCMD_RETURN_IF_ERROR(
        tx.Execute("UPDATE cases SET reviews = reviews + 1, last_review_date = ?2, "
                   "next_review_date = ?3, version = version + 1 WHERE id = ?1",
                   {std::string(id), review.review_date, review.next_review_date}));
    if (review.summary.has_value()) PCMD_RETURN_IF_ERROR(InsertNote(tx, id, *review.summary));
    events::v1::CaseReviewed reviewed;
    reviewed.set_case_id(c.name());
    reviewed.set_client(c.client());
    reviewed.set_unit_code(c.unit_code());
    reviewed.set_review_date(review.review_date);
    reviewed.set_next_review_date(review.next_review_date);
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, kAggregate, c.name(), reviewed).status());
    PCMD_ASSIGN_OR_RETURN(result, Require(tx, id, /*with_plan=*/true));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::Case> SqliteCaseStore::CloseCase(absl::string_view id, v1::CloseReason reason,
                                                    const CaseCheck& check) {
  std::optional<v1::Case> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(v1::Case c, Require(tx, id, /*with_plan=*/false));
    PCMD_RETURN_IF_ERROR(check(c));
    // A closed case has no review due.
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE cases SET state = ?2, close_reason = ?3, close_unix_ms = ?4, "
        "next_review_date = '', version = version + 1 WHERE id = ?1",
        {std::string(id), int64_t{v1::CASE_STATE_CLOSED}, int64_t{reason}, NowMillis()}));
    events::v1::CaseClosed closed;
    closed.set_case_id(c.name());
    closed.set_client(c.client());
    closed.set_unit_code(c.unit_code());
    closed.set_reason(reason);
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, kAggregate, c.name(), closed).status());
    PCMD_ASSIGN_OR_RETURN(result, Require(tx, id, /*with_plan=*/true));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

}  // namespace pcmd::referrals
