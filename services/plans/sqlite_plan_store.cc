#include "services/plans/sqlite_plan_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids/calendar.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/text/text.h"
#include "common/validation/validation.h"
#include "pcmd/events/v1/plans_events.pb.h"
#include "services/plans/counters.h"
#include "services/plans/metrics.h"

namespace pcmd::plans {
namespace {

using storage::Blob;
using storage::Row;
using storage::Transaction;

std::string StateName(const google::protobuf::EnumDescriptor* d, int v) {
  const auto* value = d->FindValueByNumber(v);
  return value != nullptr ? value->name() : absl::StrCat(v);
}

absl::Status WrongState(absl::string_view what, absl::string_view name, absl::string_view state,
                        absl::string_view needed) {
  return absl::FailedPreconditionError(
      absl::StrCat(what, " ", name, " is ", state, "; this needs ", needed));
}

template <typename T>
T Parse(const std::string& bytes) {
  T m;
  m.ParseFromString(bytes);
  return m;
}

absl::Status WritePlan(Transaction& tx, v1::Plan& plan, int64_t now_ms) {
  // The etag changes with every stored change: a counter kept in the document.
  int64_t version = 0;
  if (absl::StartsWith(plan.etag(), "v")) {
    (void)absl::SimpleAtoi(absl::string_view(plan.etag()).substr(1), &version);
  }
  plan.set_etag(absl::StrCat("v", version + 1));
  plan.set_name(absl::StrCat("plans/", plan.code()));
  return tx.Execute(
      "INSERT INTO plans(code, state, level, unit_code, period_start, period_end, document, "
      "etag, update_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT(code) DO UPDATE SET state = ?2, level = ?3, unit_code = ?4, "
      "period_start = ?5, period_end = ?6, document = ?7, etag = ?8, update_unix_ms = ?9",
      {plan.code(), int64_t{plan.state()}, int64_t{plan.level()}, plan.unit_code(),
       plan.period_start(), plan.period_end(), Blob{plan.SerializeAsString()}, plan.etag(),
       now_ms});
}

absl::Status WriteHotspot(Transaction& tx, const v1::Hotspot& h) {
  return tx.Execute(
      "INSERT INTO hotspots(code, unit_code, state, record) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(code) DO UPDATE SET unit_code = ?2, state = ?3, record = ?4",
      {h.code(), h.unit_code(), int64_t{h.state()}, Blob{h.SerializeAsString()}});
}

absl::StatusOr<std::optional<v1::Report>> FindReport(Transaction& tx, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                        tx.QueryOne("SELECT record FROM reports WHERE id = ?1", {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Report>();
  return std::optional<v1::Report>(Parse<v1::Report>(row->Text(0)));
}

v1::ReportObligation ObligationFromRow(const Row& r, absl::string_view today) {
  v1::ReportObligation o;
  o.set_plan(absl::StrCat("plans/", r.Text(0)));
  o.set_period(r.Text(1));
  o.set_agency_code(r.Text(2));
  o.set_kind(static_cast<v1::ReportKind>(r.Int(3)));
  o.set_period_start(r.Text(4));
  o.set_period_end(r.Text(5));
  o.set_due_date(r.Text(6));
  if (!r.Text(7).empty()) o.set_report(absl::StrCat("reports/", r.Text(7)));
  auto state = static_cast<v1::ObligationState>(r.Int(8));
  if (state == v1::OBLIGATION_STATE_PENDING && !today.empty() && o.due_date() < today) {
    state = v1::OBLIGATION_STATE_OVERDUE;
  }
  o.set_state(state);
  return o;
}

constexpr absl::string_view kObligationColumns =
    "plan_code, period, agency_code, kind, period_start, period_end, due_date, report_id, state";

}  // namespace

absl::StatusOr<std::optional<v1::Plan>> FindPlan(Transaction& tx, absl::string_view code) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT document FROM plans WHERE code = ?1", {std::string(code)}));
  if (!row.has_value()) return std::optional<v1::Plan>();
  return std::optional<v1::Plan>(Parse<v1::Plan>(row->Text(0)));
}

absl::StatusOr<std::optional<v1::Hotspot>> FindHotspot(Transaction& tx, absl::string_view code) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT record FROM hotspots WHERE code = ?1", {std::string(code)}));
  if (!row.has_value()) return std::optional<v1::Hotspot>();
  return std::optional<v1::Hotspot>(Parse<v1::Hotspot>(row->Text(0)));
}

absl::Status NoteHotspotActivity(Transaction& tx, events::Outbox& outbox, absl::string_view hotspot,
                                 absl::string_view record, absl::string_view day) {
  absl::string_view code = hotspot;
  if (!absl::ConsumePrefix(&code, "hotspots/")) return absl::OkStatus();
  PCMD_ASSIGN_OR_RETURN(std::optional<v1::Hotspot> h, FindHotspot(tx, code));
  if (!h.has_value()) return absl::OkStatus();
  if (h->state() != v1::HOTSPOT_STATE_ELIMINATED && h->state() != v1::HOTSPOT_STATE_HANDED_OVER) {
    return absl::OkStatus();
  }
  if (!h->eliminated_date().empty() && day < h->eliminated_date()) return absl::OkStatus();
  h->set_state(v1::HOTSPOT_STATE_RELAPSED);
  h->set_relapse_date(std::string(day));
  h->set_relapse_record(std::string(record));
  PCMD_RETURN_IF_ERROR(WriteHotspot(tx, *h));
  Fact f;
  f.metric = "hotspots.relapsed";
  f.record = h->name();
  f.unit_code = h->unit_code();
  f.day = std::string(day);
  PCMD_RETURN_IF_ERROR(AddFacts(tx, {f}));
  events::v1::HotspotRelapsed relapsed;
  relapsed.set_hotspot(h->name());
  relapsed.set_unit_code(h->unit_code());
  relapsed.set_record(std::string(record));
  relapsed.set_relapse_date(std::string(day));
  return outbox.Append(tx, "hotspot", h->name(), relapsed).status();
}

int64_t SqlitePlanStore::NowMs() const { return absl::ToUnixMillis(clock_.Now()); }

absl::StatusOr<v1::Plan> SqlitePlanStore::CreatePlan(const v1::Plan& plan, const CreateKey& key) {
  std::string name;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        name,
        storage::CreateOnce(
            tx, "CreatePlan", key.request_id, key.fingerprint, absl::StrCat("plans/", plan.code()),
            NowMs(), [&]() -> absl::Status {
              PCMD_ASSIGN_OR_RETURN(std::optional<v1::Plan> existing, FindPlan(tx, plan.code()));
              if (existing.has_value()) {
                return StatusWithFields(
                    absl::StatusCode::kAlreadyExists,
                    absl::StrCat("plan code ", plan.code(), " already holds ", existing->title()),
                    {{"plan.code", "is taken by another plan"}});
              }
              v1::Plan stored = plan;
              stored.set_state(v1::PLAN_STATE_DRAFT);
              stored.clear_etag();
              return WritePlan(tx, stored, NowMs());
            }));
    return absl::OkStatus();
  }));
  return GetPlan(absl::string_view(name).substr(6));
}

absl::StatusOr<v1::Plan> SqlitePlanStore::GetPlan(absl::string_view code) {
  return storage::ReadOne<v1::Plan>(
      db_, [&](Transaction& tx) { return FindPlan(tx, code); },
      absl::StrCat("plan plans/", code, " not found"));
}

absl::StatusOr<std::vector<v1::Plan>> SqlitePlanStore::ListPlans(const PlanQuery& q) {
  std::vector<v1::Plan> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    std::string sql = "SELECT document FROM plans WHERE code > ?1";
    std::vector<storage::Value> params = {q.after_code};
    if (!q.units.empty()) {
      params.push_back(storage::JsonArray(q.units));
      absl::StrAppend(&sql, " AND unit_code IN (SELECT value FROM json_each(?", params.size(),
                      "))");
    }
    if (q.level != v1::PLAN_LEVEL_UNSPECIFIED) {
      params.push_back(int64_t{q.level});
      absl::StrAppend(&sql, " AND level = ?", params.size());
    }
    if (q.state != v1::PLAN_STATE_UNSPECIFIED) {
      params.push_back(int64_t{q.state});
      absl::StrAppend(&sql, " AND state = ?", params.size());
    }
    if (q.year > 0) {
      params.push_back(absl::StrCat(q.year, "-12-31"));
      absl::StrAppend(&sql, " AND period_start <= ?", params.size());
      params.push_back(absl::StrCat(q.year, "-01-01"));
      absl::StrAppend(&sql, " AND period_end >= ?", params.size());
    }
    absl::StrAppend(&sql, " ORDER BY code LIMIT ", q.limit);
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& r : rows) out.push_back(Parse<v1::Plan>(r.Text(0)));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Plan> SqlitePlanStore::ReplaceDraft(const v1::Plan& plan,
                                                       absl::string_view etag) {
  v1::Plan result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Plan> existing, FindPlan(tx, plan.code()));
    if (!existing.has_value())
      return absl::NotFoundError(absl::StrCat("plan ", plan.name(), " not found"));
    if (existing->state() != v1::PLAN_STATE_DRAFT) {
      return WrongState("plan", existing->name(),
                        StateName(v1::PlanState_descriptor(), existing->state()),
                        "PLAN_STATE_DRAFT");
    }
    if (etag != existing->etag()) {
      return absl::AbortedError(absl::StrCat("plan ", existing->name(), " changed (etag ",
                                             existing->etag(), "); read it again"));
    }
    result = plan;
    result.set_state(v1::PLAN_STATE_DRAFT);
    result.set_etag(existing->etag());
    return WritePlan(tx, result, NowMs());
  }));
  return result;
}

absl::StatusOr<v1::Plan> SqlitePlanStore::IssuePlan(absl::string_view code,
                                                    absl::string_view issue_date,
                                                    const std::vector<v1::ReportObligation>& due) {
  v1::Plan plan;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Plan> existing, FindPlan(tx, code));
    if (!existing.has_value())
      return absl::NotFoundError(absl::StrCat("plan plans/", code, " not found"));
    plan = *std::move(existing);
    if (plan.state() != v1::PLAN_STATE_DRAFT) {
      return WrongState("plan", plan.name(), StateName(v1::PlanState_descriptor(), plan.state()),
                        "PLAN_STATE_DRAFT");
    }
    plan.set_state(v1::PLAN_STATE_ISSUED);
    plan.set_issue_date(std::string(issue_date));
    PCMD_RETURN_IF_ERROR(WritePlan(tx, plan, NowMs()));
    for (const v1::ReportObligation& o : due) {
      PCMD_RETURN_IF_ERROR(tx.Execute(
          "INSERT OR IGNORE INTO report_obligations(plan_code, period, agency_code, kind, "
          "period_start, period_end, due_date, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
          {plan.code(), o.period(), o.agency_code(), int64_t{o.kind()}, o.period_start(),
           o.period_end(), o.due_date(), int64_t{v1::OBLIGATION_STATE_PENDING}}));
    }
    const int year = [&] {
      int y = 0;
      (void)absl::SimpleAtoi(absl::string_view(plan.period_start()).substr(0, 4), &y);
      return y;
    }();
    for (const v1::PlanHotspot& ph : plan.hotspots()) {
      PCMD_ASSIGN_OR_RETURN(std::optional<v1::Hotspot> h, FindHotspot(tx, ph.code()));
      if (!h.has_value()) {
        h.emplace();
        h->set_name(absl::StrCat("hotspots/", ph.code()));
        h->set_code(ph.code());
        h->set_display_name(ph.display_name());
        h->set_unit_code(ph.unit_code());
        h->set_kind(ph.kind());
        h->set_level(ph.level());
        h->set_note(ph.note());
        if (ph.goal() == v1::HOTSPOT_GOAL_KEEP_CLEAN) {
          h->set_state(v1::HOTSPOT_STATE_HANDED_OVER);
          h->set_handed_over_year(ph.handed_over_year());
        } else {
          h->set_state(v1::HOTSPOT_STATE_TARGETED);
          h->set_target_year(year);
        }
      } else if (ph.goal() == v1::HOTSPOT_GOAL_ELIMINATE &&
                 (h->state() == v1::HOTSPOT_STATE_ACTIVE ||
                  h->state() == v1::HOTSPOT_STATE_RELAPSED)) {
        h->set_state(v1::HOTSPOT_STATE_TARGETED);
        h->set_target_year(year);
      }
      if (std::find(h->plans().begin(), h->plans().end(), plan.name()) == h->plans().end()) {
        h->add_plans(plan.name());
      }
      PCMD_RETURN_IF_ERROR(WriteHotspot(tx, *h));
    }
    events::v1::PlanIssued issued;
    issued.set_plan(plan.name());
    issued.set_unit_code(plan.unit_code());
    issued.set_level(plan.level());
    issued.set_period_start(plan.period_start());
    issued.set_period_end(plan.period_end());
    issued.set_issue_date(plan.issue_date());
    return outbox_.Append(tx, "plan", plan.name(), issued).status();
  }));
  return plan;
}

absl::StatusOr<v1::Plan> SqlitePlanStore::SupersedePlan(absl::string_view code,
                                                        absl::string_view by_code) {
  v1::Plan plan;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Plan> existing, FindPlan(tx, code));
    if (!existing.has_value())
      return absl::NotFoundError(absl::StrCat("plan plans/", code, " not found"));
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Plan> by, FindPlan(tx, by_code));
    if (!by.has_value()) {
      return StatusWithFields(absl::StatusCode::kNotFound,
                              absl::StrCat("plan plans/", by_code, " not found"),
                              {{"superseded_by", "names no known plan"}});
    }
    plan = *std::move(existing);
    if (plan.state() != v1::PLAN_STATE_ISSUED) {
      return WrongState("plan", plan.name(), StateName(v1::PlanState_descriptor(), plan.state()),
                        "PLAN_STATE_ISSUED");
    }
    plan.set_state(v1::PLAN_STATE_SUPERSEDED);
    plan.set_superseded_by(by->name());
    PCMD_RETURN_IF_ERROR(WritePlan(tx, plan, NowMs()));
    events::v1::PlanSuperseded superseded;
    superseded.set_plan(plan.name());
    superseded.set_superseded_by(by->name());
    return outbox_.Append(tx, "plan", plan.name(), superseded).status();
  }));
  return plan;
}

absl::StatusOr<v1::Task> SqlitePlanStore::AddTaskUpdate(absl::string_view code,
                                                        absl::string_view task_number,
                                                        const v1::TaskUpdate& update) {
  v1::Task task;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Plan> plan, FindPlan(tx, code));
    if (!plan.has_value())
      return absl::NotFoundError(absl::StrCat("plan plans/", code, " not found"));
    v1::Task* found = nullptr;
    for (v1::Task& t : *plan->mutable_tasks()) {
      if (t.number() == task_number) found = &t;
    }
    if (found == nullptr) {
      return StatusWithFields(absl::StatusCode::kNotFound,
                              absl::StrCat("plan ", plan->name(), " has no task ", task_number),
                              {{"task_number", "names no task of the plan"}});
    }
    if (plan->state() != v1::PLAN_STATE_ISSUED) {
      return WrongState("plan", plan->name(), StateName(v1::PlanState_descriptor(), plan->state()),
                        "PLAN_STATE_ISSUED");
    }
    if (std::find(found->lead_agencies().begin(), found->lead_agencies().end(),
                  update.agency_code()) == found->lead_agencies().end()) {
      return absl::PermissionDeniedError(absl::StrCat("agency ", update.agency_code(),
                                                      " does not lead task ", task_number, " of ",
                                                      plan->name()));
    }
    found->set_status(update.status());
    *found->add_updates() = update;
    task = *found;
    return WritePlan(tx, *plan, NowMs());
  }));
  return task;
}

absl::StatusOr<v1::Activity> SqlitePlanStore::RecordActivity(const v1::Activity& activity,
                                                             const CreateKey& key) {
  std::string name;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    const std::string id = ids_.Next();
    PCMD_ASSIGN_OR_RETURN(
        name, storage::CreateOnce(tx, "RecordActivity", key.request_id, key.fingerprint,
                                  absl::StrCat("activities/", id), NowMs(), [&]() -> absl::Status {
                                    v1::Activity a = activity;
                                    a.set_name(absl::StrCat("activities/", id));
                                    PCMD_RETURN_IF_ERROR(tx.Execute(
                                        "INSERT INTO activities(id, unit_code, kind, "
                                        "activity_date, record) VALUES (?1, ?2, ?3, ?4, ?5)",
                                        {id, a.unit_code(), int64_t{a.kind()}, a.date(),
                                         Blob{a.SerializeAsString()}}));
                                    return AddFacts(tx, FactsOfActivity(a));
                                  }));
    return absl::OkStatus();
  }));
  return storage::ReadOne<v1::Activity>(
      db_,
      [&](Transaction& tx) -> absl::StatusOr<std::optional<v1::Activity>> {
        PCMD_ASSIGN_OR_RETURN(
            std::optional<Row> row,
            tx.QueryOne("SELECT record FROM activities WHERE id = ?1", {name.substr(11)}));
        if (!row.has_value()) return std::optional<v1::Activity>();
        return std::optional<v1::Activity>(Parse<v1::Activity>(row->Text(0)));
      },
      "activity not found");
}

absl::StatusOr<std::vector<v1::Activity>> SqlitePlanStore::ListActivities(const ActivityQuery& q) {
  std::vector<v1::Activity> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    std::string sql = "SELECT record FROM activities WHERE id > ?1";
    std::vector<storage::Value> params = {q.after_id};
    if (!q.units.empty()) {
      params.push_back(storage::JsonArray(q.units));
      absl::StrAppend(&sql, " AND unit_code IN (SELECT value FROM json_each(?", params.size(),
                      "))");
    }
    if (q.kind != v1::ACTIVITY_KIND_UNSPECIFIED) {
      params.push_back(int64_t{q.kind});
      absl::StrAppend(&sql, " AND kind = ?", params.size());
    }
    if (!q.from.empty()) {
      params.push_back(q.from);
      absl::StrAppend(&sql, " AND activity_date >= ?", params.size());
    }
    if (!q.to.empty()) {
      params.push_back(q.to);
      absl::StrAppend(&sql, " AND activity_date <= ?", params.size());
    }
    absl::StrAppend(&sql, " ORDER BY id LIMIT ", q.limit);
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& r : rows) out.push_back(Parse<v1::Activity>(r.Text(0)));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Hotspot> SqlitePlanStore::CreateHotspot(const v1::Hotspot& hotspot,
                                                           const CreateKey& key) {
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    return storage::CreateOnce(tx, "CreateHotspot", key.request_id, key.fingerprint, hotspot.name(),
                               NowMs(),
                               [&]() -> absl::Status {
                                 PCMD_ASSIGN_OR_RETURN(std::optional<v1::Hotspot> existing,
                                                       FindHotspot(tx, hotspot.code()));
                                 if (existing.has_value()) {
                                   return StatusWithFields(
                                       absl::StatusCode::kAlreadyExists,
                                       absl::StrCat("hotspot code ", hotspot.code(), " is taken"),
                                       {{"hotspot.code", "is taken by another hotspot"}});
                                 }
                                 return WriteHotspot(tx, hotspot);
                               })
        .status();
  }));
  return GetHotspot(hotspot.code());
}

absl::StatusOr<v1::Hotspot> SqlitePlanStore::GetHotspot(absl::string_view code) {
  return storage::ReadOne<v1::Hotspot>(
      db_, [&](Transaction& tx) { return FindHotspot(tx, code); },
      absl::StrCat("hotspot hotspots/", code, " not found"));
}

absl::StatusOr<std::vector<v1::Hotspot>> SqlitePlanStore::ListHotspots(const HotspotQuery& q) {
  std::vector<v1::Hotspot> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    std::string sql = "SELECT record FROM hotspots WHERE code > ?1";
    std::vector<storage::Value> params = {q.after_code};
    if (!q.units.empty()) {
      params.push_back(storage::JsonArray(q.units));
      absl::StrAppend(&sql, " AND unit_code IN (SELECT value FROM json_each(?", params.size(),
                      "))");
    }
    if (q.state != v1::HOTSPOT_STATE_UNSPECIFIED) {
      params.push_back(int64_t{q.state});
      absl::StrAppend(&sql, " AND state = ?", params.size());
    }
    absl::StrAppend(&sql, " ORDER BY code");
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& r : rows) {
      if (static_cast<int>(out.size()) >= q.limit) break;
      v1::Hotspot h = Parse<v1::Hotspot>(r.Text(0));
      if (!q.words.empty()) {
        const std::vector<std::string> have = text::Words(h.display_name());
        bool all = true;
        for (const std::string& w : q.words) {
          all = all && std::find(have.begin(), have.end(), w) != have.end();
        }
        if (!all) continue;
      }
      out.push_back(std::move(h));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Hotspot> SqlitePlanStore::ChangeHotspotState(absl::string_view code,
                                                                v1::HotspotState state,
                                                                absl::string_view date,
                                                                int target_year) {
  v1::Hotspot h;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Hotspot> found, FindHotspot(tx, code));
    if (!found.has_value()) {
      return absl::NotFoundError(absl::StrCat("hotspot hotspots/", code, " not found"));
    }
    h = *std::move(found);
    const v1::HotspotState from = h.state();
    bool allowed = false;
    std::string needed;
    switch (state) {
      case v1::HOTSPOT_STATE_TARGETED:
        allowed = from == v1::HOTSPOT_STATE_ACTIVE || from == v1::HOTSPOT_STATE_RELAPSED;
        needed = "HOTSPOT_STATE_ACTIVE or HOTSPOT_STATE_RELAPSED";
        h.set_target_year(target_year);
        break;
      case v1::HOTSPOT_STATE_ELIMINATED:
        allowed = from == v1::HOTSPOT_STATE_TARGETED || from == v1::HOTSPOT_STATE_ACTIVE ||
                  from == v1::HOTSPOT_STATE_RELAPSED;
        needed = "HOTSPOT_STATE_TARGETED, HOTSPOT_STATE_ACTIVE or HOTSPOT_STATE_RELAPSED";
        h.set_eliminated_date(std::string(date));
        h.clear_relapse_date();
        h.clear_relapse_record();
        break;
      case v1::HOTSPOT_STATE_HANDED_OVER: {
        allowed = from == v1::HOTSPOT_STATE_ELIMINATED;
        needed = "HOTSPOT_STATE_ELIMINATED";
        int year = 0;
        (void)absl::SimpleAtoi(date.substr(0, 4), &year);
        h.set_handed_over_year(year);
        break;
      }
      default:
        break;
    }
    if (!allowed) {
      return WrongState("hotspot", h.name(), StateName(v1::HotspotState_descriptor(), from),
                        needed);
    }
    h.set_state(state);
    PCMD_RETURN_IF_ERROR(WriteHotspot(tx, h));
    events::v1::HotspotStateChanged changed;
    changed.set_hotspot(h.name());
    changed.set_unit_code(h.unit_code());
    changed.set_state(state);
    changed.set_date(std::string(date));
    return outbox_.Append(tx, "hotspot", h.name(), changed).status();
  }));
  return h;
}

absl::StatusOr<std::vector<v1::ReportObligation>> SqlitePlanStore::ListObligations(
    const ObligationQuery& q) {
  std::vector<v1::ReportObligation> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    std::string sql =
        absl::StrCat("SELECT ", kObligationColumns,
                     " FROM report_obligations WHERE period || '|' || agency_code > ?1");
    std::vector<storage::Value> params = {q.after};
    if (!q.plan_code.empty()) {
      params.push_back(q.plan_code);
      absl::StrAppend(&sql, " AND plan_code = ?", params.size());
    }
    if (!q.agency_code.empty()) {
      params.push_back(q.agency_code);
      absl::StrAppend(&sql, " AND agency_code = ?", params.size());
    }
    if (q.state == v1::OBLIGATION_STATE_OVERDUE || q.state == v1::OBLIGATION_STATE_PENDING) {
      params.push_back(int64_t{v1::OBLIGATION_STATE_PENDING});
      absl::StrAppend(&sql, " AND state = ?", params.size());
      params.push_back(q.today);
      absl::StrAppend(
          &sql,
          q.state == v1::OBLIGATION_STATE_OVERDUE ? " AND due_date < ?" : " AND due_date >= ?",
          params.size());
    } else if (q.state != v1::OBLIGATION_STATE_UNSPECIFIED) {
      params.push_back(int64_t{q.state});
      absl::StrAppend(&sql, " AND state = ?", params.size());
    }
    absl::StrAppend(&sql, " ORDER BY plan_code, period || '|' || agency_code LIMIT ", q.limit);
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& r : rows) out.push_back(ObligationFromRow(r, q.today));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Report> SqlitePlanStore::SubmitReport(const v1::Report& report,
                                                         const CreateKey& key) {
  std::string name;
  absl::string_view plan_code = report.plan();
  absl::ConsumePrefix(&plan_code, "plans/");
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Plan> plan, FindPlan(tx, plan_code));
    if (!plan.has_value()) {
      return StatusWithFields(absl::StatusCode::kNotFound,
                              absl::StrCat("plan ", report.plan(), " not found"),
                              {{"plan", "names no known plan"}});
    }
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> obligation,
        tx.QueryOne("SELECT due_date, report_id, state FROM report_obligations "
                    "WHERE plan_code = ?1 AND period = ?2 AND agency_code = ?3",
                    {std::string(plan_code), report.period(), report.agency_code()}));
    if (!obligation.has_value()) {
      return InvalidArgumentWithFields(
          absl::StrCat("plan ", report.plan(), " asks no report for period ", report.period(),
                       " of agency ", report.agency_code()),
          {{"period", "is not a period this plan asks the calling agency to report on"}});
    }
    const std::string existing_id = obligation->Text(1);
    const std::string id = existing_id.empty() ? ids_.Next() : existing_id;
    PCMD_ASSIGN_OR_RETURN(
        name, storage::CreateOnce(
                  tx, "SubmitReport", key.request_id, key.fingerprint, absl::StrCat("reports/", id),
                  NowMs(), [&]() -> absl::Status {
                    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Report> earlier, FindReport(tx, id));
                    if (earlier.has_value() && earlier->state() == v1::REPORT_STATE_APPROVED) {
                      return absl::FailedPreconditionError(absl::StrCat(
                          "the report of ", report.agency_code(), " for ", report.period(),
                          " is REPORT_STATE_APPROVED; it can no longer be replaced"));
                    }
                    v1::Report r = report;
                    r.set_name(absl::StrCat("reports/", id));
                    r.set_due_date(obligation->Text(0));
                    r.set_late(r.submit_date() > r.due_date());
                    r.set_state(v1::REPORT_STATE_SUBMITTED);
                    PCMD_RETURN_IF_ERROR(tx.Execute(
                        "INSERT INTO reports(id, plan_code, period, agency_code, state, record) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET "
                        "state = ?5, record = ?6",
                        {id, std::string(plan_code), r.period(), r.agency_code(),
                         int64_t{r.state()}, Blob{r.SerializeAsString()}}));
                    PCMD_RETURN_IF_ERROR(
                        tx.Execute("UPDATE report_obligations SET report_id = ?1, state = ?2 "
                                   "WHERE plan_code = ?3 AND period = ?4 AND agency_code = ?5",
                                   {id,
                                    int64_t{r.late() ? v1::OBLIGATION_STATE_SUBMITTED_LATE
                                                     : v1::OBLIGATION_STATE_SUBMITTED},
                                    std::string(plan_code), r.period(), r.agency_code()}));
                    events::v1::ReportSubmitted submitted;
                    submitted.set_report(r.name());
                    submitted.set_plan(r.plan());
                    submitted.set_period(r.period());
                    submitted.set_agency_code(r.agency_code());
                    submitted.set_late(r.late());
                    return outbox_.Append(tx, "report", r.name(), submitted).status();
                  }));
    return absl::OkStatus();
  }));
  return storage::ReadOne<v1::Report>(
      db_, [&](Transaction& tx) { return FindReport(tx, absl::string_view(name).substr(8)); },
      "report not found");
}

absl::StatusOr<v1::Report> SqlitePlanStore::ApproveReport(absl::string_view id,
                                                          absl::string_view approver,
                                                          absl::string_view date) {
  v1::Report r;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Report> found, FindReport(tx, id));
    if (!found.has_value())
      return absl::NotFoundError(absl::StrCat("report reports/", id, " not found"));
    r = *std::move(found);
    absl::string_view plan_code = r.plan();
    absl::ConsumePrefix(&plan_code, "plans/");
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Plan> plan, FindPlan(tx, plan_code));
    if (!plan.has_value() || plan->issuer_agency() != approver) {
      return absl::PermissionDeniedError(
          absl::StrCat("only the plan's owner (", plan.has_value() ? plan->issuer_agency() : "",
                       ") approves its reports; agency ", approver, " may not"));
    }
    if (r.state() == v1::REPORT_STATE_APPROVED) {
      return WrongState("report", r.name(), "REPORT_STATE_APPROVED", "REPORT_STATE_SUBMITTED");
    }
    r.set_state(v1::REPORT_STATE_APPROVED);
    r.set_approve_date(std::string(date));
    // The obligation keeps SUBMITTED or SUBMITTED_LATE: approval is the report's.
    return tx.Execute("UPDATE reports SET state = ?1, record = ?2 WHERE id = ?3",
                      {int64_t{r.state()}, Blob{r.SerializeAsString()}, std::string(id)});
  }));
  return r;
}

absl::StatusOr<std::vector<v1::Report>> SqlitePlanStore::ListReports(const ReportQuery& q) {
  std::vector<v1::Report> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    std::string sql = "SELECT record FROM reports WHERE id > ?1";
    std::vector<storage::Value> params = {q.after_id};
    for (const auto& [column, value] : std::vector<std::pair<const char*, std::string>>{
             {"plan_code", q.plan_code}, {"agency_code", q.agency_code}, {"period", q.period}}) {
      if (value.empty()) continue;
      params.push_back(value);
      absl::StrAppend(&sql, " AND ", column, " = ?", params.size());
    }
    absl::StrAppend(&sql, " ORDER BY id LIMIT ", q.limit);
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& r : rows) out.push_back(Parse<v1::Report>(r.Text(0)));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<int> SqlitePlanStore::ScanDeadlines(absl::string_view today) {
  const std::optional<absl::CivilDay> day = ParseIsoDate(today);
  if (!day.has_value()) return absl::InvalidArgumentError("today is not an ISO date");
  const std::string soon = IsoDate(*day + 7);
  int raised = 0;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> due,
        tx.Query("SELECT plan_code, period, agency_code, due_date FROM report_obligations "
                 "WHERE state = ?1 AND due_notified = 0 AND due_date >= ?2 AND due_date <= ?3",
                 {int64_t{v1::OBLIGATION_STATE_PENDING}, std::string(today), soon}));
    for (const Row& r : due) {
      events::v1::ReportDue e;
      e.set_plan(absl::StrCat("plans/", r.Text(0)));
      e.set_period(r.Text(1));
      e.set_agency_code(r.Text(2));
      e.set_due_date(r.Text(3));
      PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "plan", e.plan(), e).status());
      PCMD_RETURN_IF_ERROR(tx.Execute(
          "UPDATE report_obligations SET due_notified = 1 WHERE plan_code = ?1 AND period = ?2 "
          "AND agency_code = ?3",
          {r.Text(0), r.Text(1), r.Text(2)}));
      ++raised;
    }
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> overdue,
        tx.Query("SELECT plan_code, period, agency_code, due_date FROM report_obligations "
                 "WHERE state = ?1 AND overdue_notified = 0 AND due_date < ?2",
                 {int64_t{v1::OBLIGATION_STATE_PENDING}, std::string(today)}));
    for (const Row& r : overdue) {
      events::v1::ReportOverdue e;
      e.set_plan(absl::StrCat("plans/", r.Text(0)));
      e.set_period(r.Text(1));
      e.set_agency_code(r.Text(2));
      e.set_due_date(r.Text(3));
      PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "plan", e.plan(), e).status());
      PCMD_RETURN_IF_ERROR(
          tx.Execute("UPDATE report_obligations SET overdue_notified = 1 WHERE plan_code = ?1 AND "
                     "period = ?2 AND agency_code = ?3",
                     {r.Text(0), r.Text(1), r.Text(2)}));
      ++raised;
    }
    return absl::OkStatus();
  }));
  return raised;
}

}  // namespace pcmd::plans
