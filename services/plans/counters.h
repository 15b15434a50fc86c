// The counters progress is read from, on the plans database.
//
// Every fact (metrics.h) is added, in the transaction that applies its event, to the
// counter of its day for the unit where it happened AND for every unit above it
// (commune → district → province → VN), once per dimension (no filter, each
// attribute, each pair of attributes). Reading a target is then one indexed range
// over at most one row per day of the period, however many events there were. The
// fact itself is kept beside the counters for drill-down (ListTargetRecords).
//
// Functions taking a Transaction run inside the caller's transaction; thread-safety
// is the database's.
#ifndef PCMD_SERVICES_PLANS_COUNTERS_H_
#define PCMD_SERVICES_PLANS_COUNTERS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/storage/sqlite_database.h"
#include "pcmd/plans/v1/plans.pb.h"
#include "services/plans/metrics.h"

namespace pcmd::plans {

// Adds `facts` to the counters. A fact with a distinct_key already counted this year
// for its metric adds nothing. Errors: storage errors.
absl::Status AddFacts(storage::Transaction& tx, const std::vector<Fact>& facts);

// The sum of metric's counter in `dim` for `unit` (which includes everything under
// it) over days [from, to].
absl::StatusOr<double> SumCounter(storage::Transaction& tx, absl::string_view metric,
                                  absl::string_view dim, absl::string_view unit,
                                  absl::string_view from, absl::string_view to);

// How many of `units` have a non-zero counter over [from, to].
absl::StatusOr<int64_t> UnitsWithAny(storage::Transaction& tx, absl::string_view metric,
                                     absl::string_view dim, const std::vector<std::string>& units,
                                     absl::string_view from, absl::string_view to);

// The days in [from, to] with a non-zero counter for `unit`, ascending.
absl::StatusOr<std::vector<std::string>> DaysWithAny(storage::Transaction& tx,
                                                     absl::string_view metric,
                                                     absl::string_view dim, absl::string_view unit,
                                                     absl::string_view from, absl::string_view to);

struct RecordQuery {
  std::string metric;
  std::vector<std::string> filters;  // "k=v", all must hold.
  std::vector<std::string> units;    // The area, every unit of it.
  std::string from, to;
  int64_t after_id = 0;
  int limit = 100;
};

struct StoredFact {
  int64_t id = 0;
  v1::TargetRecord record;
};

// The facts behind a figure, in the order they were counted.
absl::StatusOr<std::vector<StoredFact>> ListFacts(storage::Transaction& tx, const RecordQuery& q);

// The counter metric that answers `measure` (the per-service variant of
// referrals.clients_served when it is filtered by service type).
std::string CounterMetric(const v1::Measure& measure);

// Registers the handlers of every event plans counts from intake, inspections and
// referrals; tips and violations that touch an eliminated hotspot mark it relapsed
// (publishing HotspotRelapsed through `outbox`). A reset clears the counters kept from
// events (not activities and hotspot changes recorded here, which are plans' own).
void RegisterCounterHandlers(events::EventConsumer& consumer, events::Outbox& outbox);

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_COUNTERS_H_
