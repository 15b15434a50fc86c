#include "services/plans/sqlite_figures.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/plans/counters.h"
#include "services/plans/metrics.h"
#include "services/plans/sqlite_directory_store.h"
#include "services/plans/sqlite_plan_store.h"

namespace pcmd::plans {
namespace {

// Whether a plan's hotspot counts for hotspots.eliminated (eliminated in [from, to] and
// not relapsed by `to`) or hotspots.kept_clean (to keep clean and not relapsed by `to`).
bool HotspotCounts(absl::string_view metric, const v1::PlanHotspot& ph, const v1::Hotspot& h,
                   absl::string_view from, absl::string_view to) {
  const bool relapsed_by_then = h.state() == v1::HOTSPOT_STATE_RELAPSED &&
                                !h.relapse_date().empty() && h.relapse_date() <= to;
  if (relapsed_by_then) return false;
  if (metric == "hotspots.eliminated") {
    return ph.goal() == v1::HOTSPOT_GOAL_ELIMINATE && !h.eliminated_date().empty() &&
           h.eliminated_date() >= from && h.eliminated_date() <= to;
  }
  return metric == "hotspots.kept_clean" && ph.goal() == v1::HOTSPOT_GOAL_KEEP_CLEAN;
}

using storage::Row;
using storage::Transaction;

constexpr absl::string_view kBeginning = "0000-01-01";

bool Overlaps(absl::string_view valid_from, absl::string_view valid_to, absl::string_view from,
              absl::string_view to) {
  return (valid_from.empty() || to.empty() || valid_from <= to) &&
         (valid_to.empty() || from.empty() || valid_to >= from);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SubtreeUnits(Transaction& tx, absl::string_view unit,
                                                      int level, absl::string_view from,
                                                      absl::string_view to) {
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("WITH RECURSIVE sub(c) AS (SELECT ?1 UNION SELECT u.code FROM units u "
               "JOIN sub ON u.parent_code = sub.c) "
               "SELECT sub.c, COALESCE(u.level, 0), COALESCE(u.valid_from, ''), "
               "COALESCE(u.valid_to, '') FROM sub LEFT JOIN units u ON u.code = sub.c",
               {std::string(unit)}));
  std::vector<std::string> out;
  for (const Row& r : rows) {
    if (level != 0 && (r.Int(1) != level || !Overlaps(r.Text(2), r.Text(3), from, to))) continue;
    out.push_back(r.Text(0));
  }
  return out;
}

absl::StatusOr<double> SqliteFigures::Value(const v1::Plan& plan, const v1::Measure& m,
                                            absl::string_view unit, absl::string_view from,
                                            absl::string_view to) {
  const MetricSpec* spec = FindMetric(m.metric());
  if (spec == nullptr) return absl::InternalError(absl::StrCat("unknown metric ", m.metric()));
  double value = 0;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    switch (spec->kind) {
      case MetricSource::kUnits: {
        const int level =
            m.metric() == "units.communes" ? v1::UNIT_LEVEL_COMMUNE : v1::UNIT_LEVEL_DISTRICT;
        // Units valid on the day the figure is taken.
        PCMD_ASSIGN_OR_RETURN(std::vector<std::string> units,
                              SubtreeUnits(tx, unit, level, to, to));
        value = static_cast<double>(units.size());
        return absl::OkStatus();
      }
      case MetricSource::kHotspots: {
        PCMD_ASSIGN_OR_RETURN(std::vector<std::string> area, SubtreeUnits(tx, unit));
        for (const v1::PlanHotspot& ph : plan.hotspots()) {
          if (std::find(area.begin(), area.end(), ph.unit_code()) == area.end()) continue;
          PCMD_ASSIGN_OR_RETURN(std::optional<v1::Hotspot> h, FindHotspot(tx, ph.code()));
          if (!h.has_value()) continue;
          if (HotspotCounts(m.metric(), ph, *h, from, to)) value += 1;
        }
        return absl::OkStatus();
      }
      case MetricSource::kCounters:
        break;
    }
    const std::string metric = CounterMetric(m);
    const std::string dim = DimOfFilters(m.filters());
    const absl::string_view start = m.cumulative() ? kBeginning : from;
    if (m.aggregate() == v1::AGGREGATE_COMMUNES_WITH_ANY ||
        m.aggregate() == v1::AGGREGATE_DISTRICTS_WITH_ANY) {
      const int level = m.aggregate() == v1::AGGREGATE_COMMUNES_WITH_ANY ? v1::UNIT_LEVEL_COMMUNE
                                                                         : v1::UNIT_LEVEL_DISTRICT;
      PCMD_ASSIGN_OR_RETURN(std::vector<std::string> units, SubtreeUnits(tx, unit, level, to, to));
      PCMD_ASSIGN_OR_RETURN(int64_t n, UnitsWithAny(tx, metric, dim, units, start, to));
      value = static_cast<double>(n);
      return absl::OkStatus();
    }
    PCMD_ASSIGN_OR_RETURN(value, SumCounter(tx, metric, dim, unit, start, to));
    return absl::OkStatus();
  }));
  return value;
}

absl::StatusOr<std::vector<std::string>> SqliteFigures::ActiveDays(const v1::Measure& m,
                                                                   absl::string_view unit,
                                                                   absl::string_view from,
                                                                   absl::string_view to) {
  std::vector<std::string> days;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        days, DaysWithAny(tx, CounterMetric(m), DimOfFilters(m.filters()), unit, from, to));
    return absl::OkStatus();
  }));
  return days;
}

absl::StatusOr<std::optional<double>> SqliteFigures::Reported(const v1::Plan& plan,
                                                              const v1::Target& target,
                                                              absl::string_view as_of) {
  // Each agency's latest report (by the end of the period it covers) that started by
  // as_of and holds a value for the target.
  std::map<std::string, std::pair<std::string, double>> latest;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT r.record, o.period_end FROM report_obligations o JOIN reports r "
                 "ON r.id = o.report_id WHERE o.plan_code = ?1 AND o.period_start <= ?2",
                 {plan.code(), std::string(as_of)}));
    for (const Row& row : rows) {
      v1::Report report;
      report.ParseFromString(row.Text(0));
      for (const v1::ReportedValue& v : report.values()) {
        if (v.target_id() != target.id()) continue;
        auto [it, inserted] = latest.try_emplace(report.agency_code(), row.Text(1), v.value());
        if (!inserted && it->second.first < row.Text(1)) it->second = {row.Text(1), v.value()};
      }
    }
    return absl::OkStatus();
  }));
  if (latest.empty()) return std::optional<double>();
  double sum = 0;
  for (const auto& [agency, entry] : latest) sum += entry.second;
  if (target.kind() == v1::TARGET_KIND_PERCENT || target.kind() == v1::TARGET_KIND_GROWTH ||
      target.kind() == v1::TARGET_KIND_MILESTONE) {
    sum /= static_cast<double>(latest.size());
  }
  return std::optional<double>(sum);
}

absl::StatusOr<std::vector<v1::TargetRecord>> SqliteFigures::Records(
    const v1::Plan& plan, const v1::Measure& m, absl::string_view unit, absl::string_view from,
    absl::string_view to, int64_t after, int limit, int64_t& next) {
  const MetricSpec* spec = FindMetric(m.metric());
  if (spec == nullptr) return absl::InternalError(absl::StrCat("unknown metric ", m.metric()));
  std::vector<v1::TargetRecord> out;
  next = 0;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    if (spec->kind == MetricSource::kUnits) {
      const int level =
          m.metric() == "units.communes" ? v1::UNIT_LEVEL_COMMUNE : v1::UNIT_LEVEL_DISTRICT;
      PCMD_ASSIGN_OR_RETURN(std::vector<std::string> units, SubtreeUnits(tx, unit, level, to, to));
      for (size_t i = static_cast<size_t>(after); i < units.size(); ++i) {
        if (static_cast<int>(out.size()) == limit) {
          next = static_cast<int64_t>(i);
          break;
        }
        v1::TargetRecord r;
        r.set_record(absl::StrCat("units/", units[i]));
        r.set_unit_code(units[i]);
        r.set_amount(1);
        out.push_back(std::move(r));
      }
      return absl::OkStatus();
    }
    if (spec->kind == MetricSource::kHotspots) {
      // Few per plan: one page.
      for (const v1::PlanHotspot& ph : plan.hotspots()) {
        PCMD_ASSIGN_OR_RETURN(std::optional<v1::Hotspot> h, FindHotspot(tx, ph.code()));
        if (!h.has_value()) continue;
        const bool counted = HotspotCounts(m.metric(), ph, *h, from, to);
        if (!counted) continue;
        v1::TargetRecord r;
        r.set_record(h->name());
        r.set_unit_code(h->unit_code());
        r.set_date(h->eliminated_date());
        r.set_amount(1);
        out.push_back(std::move(r));
      }
      return absl::OkStatus();
    }
    RecordQuery q;
    q.metric = CounterMetric(m);
    q.filters.assign(m.filters().begin(), m.filters().end());
    PCMD_ASSIGN_OR_RETURN(q.units, SubtreeUnits(tx, unit));
    q.from = m.cumulative() ? std::string(kBeginning) : std::string(from);
    q.to = std::string(to);
    q.after_id = after;
    q.limit = limit + 1;
    PCMD_ASSIGN_OR_RETURN(std::vector<StoredFact> facts, ListFacts(tx, q));
    for (size_t i = 0; i < facts.size() && static_cast<int>(i) < limit; ++i) {
      out.push_back(facts[i].record);
    }
    if (static_cast<int>(facts.size()) > limit) next = facts[limit - 1].id;
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::Unit>> SqliteFigures::Children(absl::string_view unit,
                                                              absl::string_view from,
                                                              absl::string_view to) {
  std::vector<v1::Unit> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          tx.Query("SELECT code FROM units WHERE parent_code = ?1 ORDER BY code",
                                   {std::string(unit)}));
    for (const Row& r : rows) {
      PCMD_ASSIGN_OR_RETURN(std::optional<v1::Unit> u, FindUnit(tx, r.Text(0)));
      if (u.has_value() && Overlaps(u->valid_from(), u->valid_to(), from, to)) {
        out.push_back(*std::move(u));
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace pcmd::plans
