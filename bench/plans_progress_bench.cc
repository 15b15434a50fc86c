// pcmd-plans-progress-bench: how fast GetPlanProgress answers as recorded work grows.
//
// Builds a plans database in a temporary folder (production SQLite settings): a
// province of 30 districts and 600 communes plus a second province, a plan with one
// target of every computed kind, then applies --events events (tips received and
// settled, inspections, outreach contacts, service deliveries) through the same
// FactsOfEvent → AddFacts path the consumer uses, spread over 2023–2024 and every
// commune. GetPlanProgress is timed in-process (no gRPC) after the first 1% of the
// events and again after all of them, in the same run; the ratio is the point. A
// drill-down page and the same count done by scanning the facts instead of the
// counters are timed as well, to show what the counters save.
//
//   build/release/bench/pcmd-plans-progress-bench --events=1000000 --reads=300
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/storage/sqlite_database.h"
#include "pcmd/events/v1/envelope.pb.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "services/plans/counters.h"
#include "services/plans/metrics.h"
#include "services/plans/plan_document.h"
#include "services/plans/plans_stack.h"

namespace {

using namespace pcmd;         // NOLINT: a tool's main file.
using namespace pcmd::plans;  // NOLINT
namespace ev = pcmd::events::v1;

constexpr int kDistricts = 30;
constexpr int kCommunesPerDistrict = 20;

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench: %s: %s\n", what, std::string(s.message()).c_str());
    std::exit(1);
  }
}

std::string District(int d) { return absl::StrFormat("d%02d", d); }
std::string Commune(int d, int c) { return absl::StrFormat("c%02d%02d", d, c); }

void Unit(Directory& dir, const std::string& code, v1::UnitLevel level, const std::string& parent) {
  v1::CreateUnitRequest r;
  r.set_code(code);
  r.set_display_name(absl::StrCat("Đơn vị ", code));
  r.set_level(level);
  r.set_parent_code(parent);
  Check(dir.CreateUnit(r).status(), "CreateUnit");
}

v1::Measure M(const std::string& metric, std::vector<std::string> filters = {},
              v1::Aggregate aggregate = v1::AGGREGATE_UNSPECIFIED) {
  v1::Measure m;
  m.set_metric(metric);
  for (auto& f : filters) m.add_filters(f);
  m.set_aggregate(aggregate);
  return m;
}

v1::Target T(const std::string& id, v1::TargetKind kind, double value, v1::Measure num,
             std::optional<v1::Measure> den = std::nullopt) {
  v1::Target t;
  t.set_id(id);
  t.set_title(absl::StrCat("Chỉ tiêu ", id));
  t.set_kind(kind);
  t.set_target_value(value);
  t.set_source(v1::TARGET_SOURCE_COMPUTED);
  *t.mutable_numerator() = std::move(num);
  if (den.has_value()) *t.mutable_denominator() = *den;
  if (kind == v1::TARGET_KIND_FREQUENCY) t.set_interval(v1::INTERVAL_MONTHLY);
  return t;
}

v1::Plan BenchPlan() {
  v1::Plan p;
  p.set_code("bench-2024");
  p.set_title("Kế hoạch đo hiệu năng 2024");
  p.set_issuer("Ủy ban nhân dân tỉnh");
  p.set_level(v1::PLAN_LEVEL_PROVINCE);
  p.set_unit_code("01");
  p.set_period_start("2024-01-01");
  p.set_period_end("2024-12-31");
  v1::Target tips = T("1", v1::TARGET_KIND_COUNT, 100000, M("tips.received"));
  *tips.add_sub_targets() = T("1.a", v1::TARGET_KIND_COUNT, 50000,
                              M("tips.received", {"category=CATEGORY_ESTABLISHMENT"}));
  *p.add_targets() = tips;
  *p.add_targets() =
      T("2", v1::TARGET_KIND_PERCENT, 90, M("tips.resolved", {"on_time=true"}), M("tips.received"));
  *p.add_targets() = T("3", v1::TARGET_KIND_GROWTH, 3, M("inspections.completed"));
  *p.add_targets() = T("4", v1::TARGET_KIND_FREQUENCY, 1, M("inspections.completed"));
  *p.add_targets() =
      T("5", v1::TARGET_KIND_PERCENT, 100,
        M("referrals.outreach_contacts", {}, v1::AGGREGATE_COMMUNES_WITH_ANY), M("units.communes"));
  *p.add_targets() = T("6", v1::TARGET_KIND_COUNT, 5000,
                       M("referrals.clients_served", {"service_type=SERVICE_TYPE_HEALTH"}));
  *p.add_targets() =
      T("7", v1::TARGET_KIND_COUNT, 20000, M("inspections.people_informed", {"role=worker"}));
  *p.add_targets() = T("8", v1::TARGET_KIND_COUNT, 1000, M("referrals.outreach_contacts"));
  return p;
}

// The envelope of one synthetic event number `i`.
ev::EventEnvelope MakeEvent(int64_t i, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> district(1, kDistricts), commune(1, kCommunesPerDistrict),
      day(0, 730), pick(0, 99);
  const std::string unit = Commune(district(rng), commune(rng));
  const std::string date = absl::FormatCivilTime(absl::CivilDay(2023, 1, 1) + day(rng));
  ev::EventEnvelope env;
  env.set_event_id(absl::StrCat("e", i));
  env.set_producer("bench");
  const int kind = pick(rng);
  if (kind < 60) {
    ev::TipReceived t;
    t.set_tip(absl::StrCat("tips/t", i));
    t.set_unit_code(unit);
    t.set_receive_date(date);
    t.set_category(1 + pick(rng) % 4);
    t.set_channel(1 + pick(rng) % 3);
    t.set_legal_kind(1 + pick(rng) % 2);
    env.set_event_type("pcmd.events.v1.TipReceived");
    env.mutable_payload()->PackFrom(t);
  } else if (kind < 80) {
    ev::TipResolved t;
    t.set_tip(absl::StrCat("tips/t", i));
    t.set_unit_code(unit);
    t.set_resolve_date(date);
    t.set_on_time(pick(rng) < 85);
    t.set_outcome(1 + pick(rng) % 3);
    env.set_event_type("pcmd.events.v1.TipResolved");
    env.mutable_payload()->PackFrom(t);
  } else if (kind < 90) {
    ev::InspectionCompleted c;
    c.set_inspection(absl::StrCat("inspections/i", i));
    c.set_establishment(absl::StrCat("establishments/e", i % 20000));
    c.set_unit_code(unit);
    c.set_inspection_date(date);
    c.set_kind(1 + pick(rng) % 3);
    c.set_business_type(1 + pick(rng) % 5);
    c.set_owners_informed(1);
    c.set_workers_informed(pick(rng) % 8);
    env.set_event_type("pcmd.events.v1.InspectionCompleted");
    env.mutable_payload()->PackFrom(c);
  } else if (kind < 95) {
    ev::OutreachContactRecorded o;
    o.set_contact(absl::StrCat("contacts/o", i));
    o.set_unit_code(unit);
    o.set_contact_date(date);
    env.set_event_type("pcmd.events.v1.OutreachContactRecorded");
    env.mutable_payload()->PackFrom(o);
  } else {
    ev::ServiceDelivered s;
    s.set_referral(absl::StrCat("referrals/r", i));
    s.set_client(absl::StrCat("clients/k", i % 30000));
    s.set_unit_code(unit);
    s.set_delivery_date(date);
    s.set_service_type(1 + pick(rng) % 5);
    env.set_event_type("pcmd.events.v1.ServiceDelivered");
    env.mutable_payload()->PackFrom(s);
  }
  return env;
}

struct Latency {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

template <typename Fn>
Latency Time(int reads, Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < reads; ++i) {
    const absl::Time start = absl::Now();
    fn();
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back()};
}

}  // namespace

int main(int argc, char** argv) {
  Config config("pcmd-plans-progress-bench");
  config.DefineInt("events", 1000000, "events recorded in all");
  config.DefineInt("reads", 300, "GetPlanProgress calls timed at each checkpoint");
  config.DefineInt("batch", 5000, "events applied per transaction");
  if (absl::Status s = config.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "bench: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (config.help_requested()) {
    std::fputs(config.Usage().c_str(), stdout);
    return 0;
  }
  const int64_t total = config.GetInt("events");
  const int reads = static_cast<int>(config.GetInt("reads"));
  const int64_t batch = config.GetInt("batch");

  PlansStack stack(absl::FromCivil(absl::CivilSecond(2024, 12, 20, 10, 0, 0), absl::UTCTimeZone()));
  storage::SqliteDatabase& db = *stack.db;
  Directory& directory = stack.directory;
  Plans& plans = stack.plans;

  Unit(directory, "VN", v1::UNIT_LEVEL_NATIONAL, "");
  Unit(directory, "01", v1::UNIT_LEVEL_PROVINCE, "VN");
  Unit(directory, "33", v1::UNIT_LEVEL_PROVINCE, "VN");
  for (int d = 1; d <= kDistricts; ++d) {
    Unit(directory, District(d), v1::UNIT_LEVEL_DISTRICT, "01");
    for (int c = 1; c <= kCommunesPerDistrict; ++c) {
      Unit(directory, Commune(d, c), v1::UNIT_LEVEL_COMMUNE, District(d));
    }
  }
  v1::ImportPlanRequest import;
  import.set_request_id("bench-import");
  import.set_document(PlanDocument(BenchPlan()));
  import.set_issue(true);
  const security::Access op =
      security::Access::For(security::AgencyKind::kOperator, "VN", "bench", security::Scope::kAll);
  Check(plans.ImportPlan(op, import).status(), "ImportPlan");

  v1::GetPlanProgressRequest progress;
  progress.set_plan("plans/bench-2024");
  progress.set_as_of_date("2024-12-20");
  v1::GetPlanProgressRequest breakdown = progress;
  breakdown.set_include_breakdown(true);
  v1::ListTargetRecordsRequest records;
  records.set_plan("plans/bench-2024");
  records.set_target_id("1.a");
  records.set_as_of_date("2024-12-20");
  records.set_page_size(100);

  std::mt19937_64 rng(20241220);
  int64_t applied = 0;
  double load_seconds = 0;
  auto load_to = [&](int64_t n) {
    const absl::Time start = absl::Now();
    while (applied < n) {
      const int64_t end = std::min(n, applied + batch);
      Check(db.Write([&](storage::Transaction& tx) -> absl::Status {
        for (; applied < end; ++applied) {
          absl::StatusOr<std::vector<Fact>> facts = FactsOfEvent(MakeEvent(applied, rng));
          if (!facts.ok()) return facts.status();
          if (absl::Status s = AddFacts(tx, *facts); !s.ok()) return s;
        }
        return absl::OkStatus();
      }),
            "apply");
    }
    load_seconds += absl::ToDoubleSeconds(absl::Now() - start);
  };
  auto scan_count = [&] {
    // The same figure as target 1 without counters: every fact of the period.
    Check(db.Read([&](storage::Transaction& tx) -> absl::Status {
      return tx
          .QueryOne(
              "SELECT COALESCE(SUM(amount), 0) FROM fact_records WHERE metric = "
              "'tips.received' AND day BETWEEN '2024-01-01' AND '2024-12-20'")
          .status();
    }),
          "scan");
  };
  auto check_progress = [&](const v1::GetPlanProgressRequest& r) {
    Check(plans.GetPlanProgress(r).status(), "GetPlanProgress");
  };

  struct Row {
    int64_t events;
    Latency progress, with_breakdown, drill_down, scan;
  };
  std::vector<Row> rows;
  for (int64_t checkpoint : {std::max<int64_t>(1, total / 100), total}) {
    load_to(checkpoint);
    Row row{.events = checkpoint};
    row.progress = Time(reads, [&] { check_progress(progress); });
    row.with_breakdown = Time(std::max(10, reads / 10), [&] { check_progress(breakdown); });
    row.drill_down =
        Time(reads, [&] { Check(plans.ListTargetRecords(records).status(), "drill"); });
    row.scan = Time(std::max(5, reads / 30), scan_count);
    rows.push_back(row);
    std::fprintf(stderr, "bench: %lld events applied (%.0f events/s so far)\n",
                 static_cast<long long>(applied), applied / load_seconds);
  }
  absl::StatusOr<v1::PlanProgress> final_progress = plans.GetPlanProgress(progress);
  Check(final_progress.status(), "GetPlanProgress");

  std::printf(
      "events applied: %lld in %.1f s (%.0f events/s, FactsOfEvent + AddFacts, %lld per "
      "transaction)\n",
      static_cast<long long>(applied), load_seconds, applied / load_seconds,
      static_cast<long long>(batch));
  std::printf("target 1 (tips received in 2024) = %.0f; target 2 (on time) = %.1f%%\n\n",
              final_progress->targets(0).value(), final_progress->targets(1).value());
  std::printf(
      "| events recorded | GetPlanProgress p50 | p99 | with breakdown (30 districts) p50 "
      "| drill-down page p50 | count by scanning facts p50 |\n|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    std::printf("| %lld | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.1f ms |\n",
                static_cast<long long>(r.events), r.progress.p50_ms, r.progress.p99_ms,
                r.with_breakdown.p50_ms, r.drill_down.p50_ms, r.scan.p50_ms);
  }
  const Row& small = rows.front();
  const Row& big = rows.back();
  std::printf(
      "\nratios, %lld events over %lld (same run): GetPlanProgress p50 %.2f, p99 %.2f; "
      "breakdown p50 %.2f; drill-down p50 %.2f; scan p50 %.1f\n",
      static_cast<long long>(big.events), static_cast<long long>(small.events),
      big.progress.p50_ms / small.progress.p50_ms, big.progress.p99_ms / small.progress.p99_ms,
      big.with_breakdown.p50_ms / small.with_breakdown.p50_ms,
      big.drill_down.p50_ms / small.drill_down.p50_ms, big.scan.p50_ms / small.scan.p50_ms);
  return 0;
}
