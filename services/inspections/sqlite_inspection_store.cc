#include "services/inspections/sqlite_inspection_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "services/inspections/registry_facts.h"

namespace pcmd::inspections {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kPrefix = "inspections/";
constexpr absl::string_view kColumns =
    "id, establishment_id, team_id, kind, state, planned_date, unit_code, team_agency, "
    "inspection_date, tip, cancel_reason, version, create_unix_ms, result";

std::string ResultContext(absl::string_view id) { return absl::StrCat(kPrefix, id, "#result"); }

v1::Inspection FromRow(const Row& r) {
  v1::Inspection i;
  i.set_name(absl::StrCat(kPrefix, r.Text(0)));
  i.set_establishment(absl::StrCat("establishments/", r.Text(1)));
  i.set_team(absl::StrCat("teams/", r.Text(2)));
  i.set_kind(static_cast<v1::InspectionKind>(r.Int(3)));
  i.set_state(static_cast<v1::InspectionState>(r.Int(4)));
  i.set_planned_date(r.Text(5));
  i.set_unit_code(r.Text(6));
  i.set_team_agency(r.Text(7));
  i.set_inspection_date(r.Text(8));
  i.set_tip(r.Text(9));
  i.set_cancel_reason(r.Text(10));
  i.set_etag(absl::StrCat("v", r.Int(11)));
  *i.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(r.Int(12));
  return i;
}

// The id after a "collection/" prefix.
std::string After(absl::string_view name, absl::string_view prefix) {
  return std::string(name.substr(prefix.size()));
}

}  // namespace

absl::StatusOr<std::optional<v1::Inspection>> SqliteInspectionStore::Find(Transaction& tx,
                                                                          absl::string_view id,
                                                                          bool with_result) const {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM inspections WHERE id = ?1"),
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Inspection>();
  v1::Inspection i = FromRow(*row);
  if (with_result && !row->IsNull(13)) {
    absl::StatusOr<std::string> plain = cipher_.Open(row->Text(13), ResultContext(id));
    if (!plain.ok() || !i.mutable_result()->ParseFromString(*plain)) {
      log::Error("sealed_value_unreadable", {{"record", i.name()}, {"field", "result"}});
      return absl::InternalError(
          absl::StrCat("the result of ", i.name(), " cannot be read; operators are alerted"));
    }
  }
  return std::optional<v1::Inspection>(std::move(i));
}

absl::StatusOr<v1::Inspection> SqliteInspectionStore::ScheduleInspection(
    absl::string_view request_id, absl::string_view fingerprint, const v1::Inspection& i) {
  std::optional<v1::Inspection> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::string name,
        storage::CreateOnce(
            tx, "ScheduleInspection", request_id, fingerprint, i.name(),
            absl::ToUnixMillis(clock_.Now()), [&]() -> absl::Status {
              PCMD_RETURN_IF_ERROR(
                  tx.Execute("INSERT INTO inspections(id, establishment_id, team_id, kind, state, "
                             "planned_date, unit_code, team_agency, tip, create_unix_ms) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                             {After(i.name(), kPrefix), After(i.establishment(), "establishments/"),
                              After(i.team(), "teams/"), int64_t{i.kind()}, int64_t{i.state()},
                              i.planned_date(), i.unit_code(), i.team_agency(), i.tip(),
                              TimeUtil::TimestampToMilliseconds(i.create_time())}));
              events::v1::InspectionScheduled scheduled;
              scheduled.set_inspection(i.name());
              scheduled.set_establishment(i.establishment());
              scheduled.set_team(i.team());
              scheduled.set_unit_code(i.unit_code());
              scheduled.set_kind(i.kind());
              scheduled.set_planned_date(i.planned_date());
              return outbox_.Append(tx, "inspection", i.name(), scheduled).status();
            }));
    // Without its result: a retry after completion must not open the persons met.
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, After(name, kPrefix), /*with_result=*/false));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("scheduled inspection cannot be read back");
  return *std::move(result);
}

absl::StatusOr<std::optional<v1::Inspection>> SqliteInspectionStore::FindScheduled(
    absl::string_view request_id, absl::string_view fingerprint) {
  std::optional<v1::Inspection> found;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<std::string> name,
                          storage::FindRequest(tx, "ScheduleInspection", request_id, fingerprint));
    if (!name.has_value()) return absl::OkStatus();
    PCMD_ASSIGN_OR_RETURN(found, Find(tx, After(*name, kPrefix), /*with_result=*/false));
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<v1::Inspection> SqliteInspectionStore::GetInspection(absl::string_view id,
                                                                    bool with_result) {
  return storage::ReadOne<v1::Inspection>(
      db_, [&](Transaction& tx) { return Find(tx, id, with_result); },
      absl::StrCat("inspection ", kPrefix, id, " not found"));
}

absl::StatusOr<std::vector<v1::Inspection>> SqliteInspectionStore::ListInspections(
    const InspectionQuery& query) {
  std::vector<std::string> where = {"1 = 1"};
  std::vector<storage::Value> params;
  auto param = [&](storage::Value v) {
    params.push_back(std::move(v));
    return absl::StrCat("?", params.size());
  };
  if (query.units.has_value()) {
    where.push_back(absl::StrCat("unit_code IN (SELECT value FROM json_each(",
                                 param(storage::JsonArray(*query.units)), "))"));
  }
  if (!query.establishment_id.empty()) {
    where.push_back(absl::StrCat("establishment_id = ", param(query.establishment_id)));
  }
  if (!query.team_id.empty()) where.push_back(absl::StrCat("team_id = ", param(query.team_id)));
  if (!query.states.empty()) {
    std::vector<std::string> states;
    for (v1::InspectionState s : query.states) states.push_back(absl::StrCat(int{s}));
    where.push_back(absl::StrCat("state IN (", absl::StrJoin(states, ","), ")"));
  }
  // The day that counts: held when completed, planned otherwise.
  constexpr absl::string_view kDay =
      "(CASE WHEN inspection_date != '' THEN inspection_date ELSE planned_date END)";
  if (!query.date_from.empty()) {
    where.push_back(absl::StrCat(kDay, " >= ", param(query.date_from)));
  }
  if (!query.date_to.empty()) where.push_back(absl::StrCat(kDay, " <= ", param(query.date_to)));
  if (query.after.has_value()) {
    where.push_back(absl::StrCat("(planned_date, id) < (", param(query.after->first), ", ",
                                 param(query.after->second), ")"));
  }
  std::vector<v1::Inspection> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query(absl::StrCat("SELECT ", kColumns, " FROM inspections WHERE ",
                              absl::StrJoin(where, " AND "),
                              " ORDER BY planned_date DESC, id DESC LIMIT ", query.limit),
                 params));
    for (const Row& row : rows) out.push_back(FromRow(row));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status SqliteInspectionStore::AppendCompletionEvents(Transaction& tx,
                                                           const v1::Inspection& done,
                                                           v1::BusinessType business_type,
                                                           bool complex,
                                                           absl::string_view hotspot) {
  const v1::InspectionResult& r = done.result();
  events::v1::InspectionCompleted completed;
  completed.set_inspection(done.name());
  completed.set_establishment(done.establishment());
  completed.set_team(done.team());
  completed.set_unit_code(done.unit_code());
  completed.set_business_type(business_type);
  completed.set_kind(done.kind());
  completed.set_inspection_date(done.inspection_date());
  completed.set_violations(r.violations_size());
  completed.set_sanctions(r.sanctions_size());
  completed.set_owners_informed(r.owners_informed());
  completed.set_workers_informed(r.workers_informed());
  completed.set_persons_met(r.persons_met_size());
  completed.set_complex(complex);
  PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "inspection", done.name(), completed).status());
  for (const v1::Violation& v : r.violations()) {
    const v1::LegalReference* ref = catalogue_.Find(v.legal_reference());
    events::v1::ViolationRecorded recorded;
    recorded.set_inspection(done.name());
    recorded.set_establishment(done.establishment());
    recorded.set_unit_code(done.unit_code());
    recorded.set_legal_reference(v.legal_reference());
    recorded.set_severity(ref != nullptr ? ref->severity() : v1::SEVERITY_UNSPECIFIED);
    recorded.set_inspection_date(done.inspection_date());
    recorded.set_hotspot(std::string(hotspot));
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "inspection", done.name(), recorded).status());
  }
  for (const v1::Sanction& s : r.sanctions()) {
    events::v1::SanctionIssued issued;
    issued.set_inspection(done.name());
    issued.set_establishment(done.establishment());
    issued.set_unit_code(done.unit_code());
    issued.set_kind(s.kind());
    issued.set_fine_amount_vnd(s.fine_amount_vnd());
    if (s.violation_index() >= 0 && s.violation_index() < r.violations_size()) {
      issued.set_legal_reference(r.violations(s.violation_index()).legal_reference());
    }
    issued.set_inspection_date(done.inspection_date());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "inspection", done.name(), issued).status());
  }
  for (int i = 0; i < r.persons_met_size(); ++i) {
    const v1::PersonMet& p = r.persons_met(i);
    events::v1::PersonMayNeedSupport support;
    support.set_inspection(done.name());
    support.set_pseudonym(p.pseudonym());
    support.set_person_key(absl::StrCat(done.name(), "#", i));
    support.set_unit_code(done.unit_code());
    support.set_minor(p.minor());
    support.set_trafficking_victim(p.trafficking_victim());
    support.set_inspection_date(done.inspection_date());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "inspection", done.name(), support).status());
  }
  if (r.crime_suspected()) {
    events::v1::CrimeSuspected crime;
    crime.set_inspection(done.name());
    crime.set_establishment(done.establishment());
    crime.set_unit_code(done.unit_code());
    crime.set_team_agency(done.team_agency());
    crime.set_minor_involved(r.minor_involved());
    crime.set_trafficking_suspected(r.trafficking_suspected());
    crime.set_inspection_date(done.inspection_date());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "inspection", done.name(), crime).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Inspection> SqliteInspectionStore::CompleteInspection(
    absl::string_view id, absl::string_view request_id, absl::string_view fingerprint,
    const std::function<absl::Status(v1::Inspection&)>& complete) {
  std::optional<v1::Inspection> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    const std::string name = absl::StrCat(kPrefix, id);
    if (!request_id.empty()) {
      PCMD_ASSIGN_OR_RETURN(
          std::optional<std::string> seen,
          storage::FindRequest(tx, "RecordInspectionResult", request_id, fingerprint));
      if (seen.has_value()) {
        PCMD_ASSIGN_OR_RETURN(result, Find(tx, After(*seen, kPrefix), /*with_result=*/true));
        return absl::OkStatus();
      }
    }
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Inspection> current,
                          Find(tx, id, /*with_result=*/false));
    if (!current.has_value()) {
      return absl::NotFoundError(absl::StrCat("inspection ", name, " not found"));
    }
    v1::Inspection done = *std::move(current);
    PCMD_RETURN_IF_ERROR(complete(done));
    done.set_state(v1::INSPECTION_STATE_COMPLETED);
    v1::InspectionResult& r = *done.mutable_result();
    for (v1::PersonMet& p : *r.mutable_persons_met()) {
      p.set_pseudonym(p.id_number().empty() ? std::string() : index_.Pseudonym(p.id_number()));
    }
    const std::string establishment_id = After(done.establishment(), "establishments/");
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE inspections SET state = ?2, inspection_date = ?3, result = ?4, "
        "owners_informed = ?5, workers_informed = ?6, version = version + 1 WHERE id = ?1",
        {std::string(id), int64_t{v1::INSPECTION_STATE_COMPLETED}, done.inspection_date(),
         storage::Blob{cipher_.Seal(r.SerializeAsString(), ResultContext(id))},
         int64_t{r.owners_informed()}, int64_t{r.workers_informed()}}));
    for (int i = 0; i < r.violations_size(); ++i) {
      const v1::LegalReference* ref = catalogue_.Find(r.violations(i).legal_reference());
      PCMD_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO inspection_violations(inspection_id, idx, establishment_id, "
          "legal_reference, severity, inspection_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
          {std::string(id), int64_t{i}, establishment_id, r.violations(i).legal_reference(),
           int64_t{ref != nullptr ? ref->severity() : v1::SEVERITY_UNSPECIFIED},
           done.inspection_date()}));
    }
    // The inspection answers the follow-ups asked for before it; its own may ask anew.
    PCMD_RETURN_IF_ERROR(tx.Execute("UPDATE follow_ups SET open = 0 WHERE establishment_id = ?1",
                                    {establishment_id}));
    if (!r.follow_up_by().empty()) {
      PCMD_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO follow_ups(establishment_id, source, due_date) VALUES (?1, ?2, ?3) "
          "ON CONFLICT DO UPDATE SET due_date = excluded.due_date, open = 1",
          {establishment_id, name, r.follow_up_by()}));
    }
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> establishment,
        tx.QueryOne("SELECT business_type, hotspot FROM establishments WHERE id = ?1",
                    {establishment_id}));
    PCMD_ASSIGN_OR_RETURN(v1::RiskAssessment risk,
                          RefreshRisk(tx, outbox_, establishment_id, VietnamDay(clock_.Now()),
                                      /*follow_up_requested=*/!r.follow_up_by().empty()));
    PCMD_RETURN_IF_ERROR(AppendCompletionEvents(
        tx, done,
        static_cast<v1::BusinessType>(establishment.has_value() ? establishment->Int(0) : 0),
        risk.complex(), establishment.has_value() ? establishment->Text(1) : ""));
    if (!request_id.empty()) {
      PCMD_RETURN_IF_ERROR(storage::RecordRequest(tx, "RecordInspectionResult", request_id,
                                                  fingerprint, name,
                                                  absl::ToUnixMillis(clock_.Now())));
    }
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, id, /*with_result=*/true));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::Inspection> SqliteInspectionStore::CancelInspection(
    absl::string_view id, const std::function<absl::Status(v1::Inspection&)>& cancel) {
  std::optional<v1::Inspection> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Inspection> current,
                          Find(tx, id, /*with_result=*/false));
    if (!current.has_value()) {
      return absl::NotFoundError(absl::StrCat("inspection ", kPrefix, id, " not found"));
    }
    PCMD_RETURN_IF_ERROR(cancel(*current));
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE inspections SET state = ?2, cancel_reason = ?3, version = version + 1 "
        "WHERE id = ?1",
        {std::string(id), int64_t{v1::INSPECTION_STATE_CANCELLED}, current->cancel_reason()}));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, id, /*with_result=*/false));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

}  // namespace pcmd::inspections
