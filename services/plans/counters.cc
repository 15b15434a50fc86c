#include "services/plans/counters.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/plans/sqlite_plan_store.h"

namespace pcmd::plans {
namespace {

using storage::Row;
using storage::Transaction;

// `unit` and every unit above it in the directory.
absl::StatusOr<std::vector<std::string>> Chain(Transaction& tx, absl::string_view unit) {
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("WITH RECURSIVE up(c, depth) AS (SELECT ?1, 0 UNION ALL "
               "SELECT u.parent_code, up.depth + 1 FROM units u JOIN up ON u.code = up.c "
               "WHERE u.parent_code IS NOT NULL AND up.depth < 10) "
               "SELECT c FROM up ORDER BY depth",
               {std::string(unit)}));
  std::vector<std::string> out;
  for (const Row& r : rows) out.push_back(r.Text(0));
  return out;
}

// The events whose facts come from other services (cleared by a consumer reset).
constexpr const char* kCountedEvents[] = {
    "pcmd.events.v1.TipReceived",
    "pcmd.events.v1.TipResolved",
    "pcmd.events.v1.TipOverdue",
    "pcmd.events.v1.EstablishmentRegistered",
    "pcmd.events.v1.InspectionCompleted",
    "pcmd.events.v1.ViolationRecorded",
    "pcmd.events.v1.SanctionIssued",
    "pcmd.events.v1.CrimeSuspected",
    "pcmd.events.v1.OutreachContactRecorded",
    "pcmd.events.v1.ClientRegistered",
    "pcmd.events.v1.NeedsAssessed",
    "pcmd.events.v1.ServiceDelivered",
    "pcmd.events.v1.ReferralSent",
    "pcmd.events.v1.ReferralCompleted",
};

// Metrics plans keeps from its own records; a reset leaves them.
constexpr const char* kOwnMetrics =
    "('activities.sessions', 'activities.people_reached', 'hotspots.relapsed')";

}  // namespace

absl::Status AddFacts(Transaction& tx, const std::vector<Fact>& facts) {
  for (const Fact& f : facts) {
    if (f.unit_code.empty() || f.day.size() < 4) continue;
    if (!f.distinct_key.empty()) {
      PCMD_RETURN_IF_ERROR(
          tx.Execute("INSERT OR IGNORE INTO distinct_seen(metric, year, key) VALUES (?1, ?2, ?3)",
                     {f.metric, f.day.substr(0, 4), f.distinct_key}));
      if (tx.changes() == 0) continue;
    }
    PCMD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO fact_records(metric, record, unit_code, day, amount, attrs) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                   {f.metric, f.record, f.unit_code, f.day, f.amount, AttributeText(f)}));
    PCMD_ASSIGN_OR_RETURN(std::vector<std::string> chain, Chain(tx, f.unit_code));
    const std::vector<std::string> dims = DimsOf(f);
    for (const std::string& unit : chain) {
      for (const std::string& dim : dims) {
        PCMD_RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO counters(metric, dim, unit_code, day, amount) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT(metric, dim, unit_code, day) DO UPDATE SET amount = amount + ?5",
            {f.metric, dim, unit, f.day, f.amount}));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> SumCounter(Transaction& tx, absl::string_view metric, absl::string_view dim,
                                  absl::string_view unit, absl::string_view from,
                                  absl::string_view to) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT COALESCE(SUM(amount), 0) FROM counters WHERE metric = ?1 AND dim = ?2 "
                  "AND unit_code = ?3 AND day BETWEEN ?4 AND ?5",
                  {std::string(metric), std::string(dim), std::string(unit), std::string(from),
                   std::string(to)}));
  return row->Real(0);
}

absl::StatusOr<int64_t> UnitsWithAny(Transaction& tx, absl::string_view metric,
                                     absl::string_view dim, const std::vector<std::string>& units,
                                     absl::string_view from, absl::string_view to) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      // One index probe per unit that stops at its first non-zero day, not a read of
      // every day of every unit.
      tx.QueryOne("SELECT COUNT(*) FROM json_each(?3) u WHERE EXISTS (SELECT 1 FROM counters "
                  "WHERE metric = ?1 AND dim = ?2 AND unit_code = u.value AND day BETWEEN ?4 "
                  "AND ?5 AND amount > 0)",
                  {std::string(metric), std::string(dim), storage::JsonArray(units),
                   std::string(from), std::string(to)}));
  return row->Int(0);
}

absl::StatusOr<std::vector<std::string>> DaysWithAny(Transaction& tx, absl::string_view metric,
                                                     absl::string_view dim, absl::string_view unit,
                                                     absl::string_view from, absl::string_view to) {
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT day FROM counters WHERE metric = ?1 AND dim = ?2 AND unit_code = ?3 "
               "AND day BETWEEN ?4 AND ?5 AND amount > 0 ORDER BY day",
               {std::string(metric), std::string(dim), std::string(unit), std::string(from),
                std::string(to)}));
  std::vector<std::string> out;
  for (const Row& r : rows) out.push_back(r.Text(0));
  return out;
}

absl::StatusOr<std::vector<StoredFact>> ListFacts(Transaction& tx, const RecordQuery& q) {
  std::string sql =
      // In id order along (metric, id), stopping at the page's last row: a page costs
      // what it skips, not the size of the period.
      "SELECT id, record, unit_code, day, amount, attrs FROM fact_records "
      "INDEXED BY fact_records_by_metric_id WHERE metric = ?1 "
      "AND day BETWEEN ?2 AND ?3 AND id > ?4 AND unit_code IN (SELECT value FROM json_each(?5))";
  std::vector<storage::Value> params = {q.metric, q.from, q.to, q.after_id,
                                        storage::JsonArray(q.units)};
  for (const std::string& f : q.filters) {
    params.push_back(absl::StrCat("&", f, "&"));
    absl::StrAppend(&sql, " AND instr(attrs, ?", params.size(), ") > 0");
  }
  absl::StrAppend(&sql, " ORDER BY id LIMIT ", q.limit);
  PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
  std::vector<StoredFact> out;
  for (const Row& r : rows) {
    StoredFact s;
    s.id = r.Int(0);
    s.record.set_record(r.Text(1));
    s.record.set_unit_code(r.Text(2));
    s.record.set_date(r.Text(3));
    s.record.set_amount(r.Real(4));
    for (absl::string_view a : absl::StrSplit(r.Text(5), '&', absl::SkipEmpty())) {
      s.record.add_attributes(std::string(a));
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string CounterMetric(const v1::Measure& m) {
  if (m.metric() == "referrals.clients_served" && m.filters_size() > 0) {
    return "referrals.clients_served_by_type";
  }
  return m.metric();
}

void RegisterCounterHandlers(events::EventConsumer& consumer, events::Outbox& outbox) {
  for (const char* type : kCountedEvents) {
    consumer.Handle(
        type, [&outbox](Transaction& tx, const events::v1::EventEnvelope& env) -> absl::Status {
          PCMD_ASSIGN_OR_RETURN(std::vector<Fact> facts, FactsOfEvent(env));
          PCMD_RETURN_IF_ERROR(AddFacts(tx, facts));
          // A tip or a violation about an eliminated hotspot: it has relapsed.
          if (env.event_type() == "pcmd.events.v1.TipReceived") {
            events::v1::TipReceived tip;
            env.payload().UnpackTo(&tip);
            if (!tip.hotspot().empty()) {
              return NoteHotspotActivity(tx, outbox, tip.hotspot(), tip.tip(), tip.receive_date());
            }
          } else if (env.event_type() == "pcmd.events.v1.ViolationRecorded") {
            events::v1::ViolationRecorded v;
            env.payload().UnpackTo(&v);
            if (!v.hotspot().empty()) {
              return NoteHotspotActivity(tx, outbox, v.hotspot(), v.inspection(),
                                         v.inspection_date());
            }
          }
          return absl::OkStatus();
        });
  }
  consumer.OnReset([](Transaction& tx) -> absl::Status {
    PCMD_RETURN_IF_ERROR(
        tx.Execute(absl::StrCat("DELETE FROM counters WHERE metric NOT IN ", kOwnMetrics)));
    PCMD_RETURN_IF_ERROR(
        tx.Execute(absl::StrCat("DELETE FROM fact_records WHERE metric NOT IN ", kOwnMetrics)));
    return tx.Execute(absl::StrCat("DELETE FROM distinct_seen WHERE metric NOT IN ", kOwnMetrics));
  });
}

}  // namespace pcmd::plans
