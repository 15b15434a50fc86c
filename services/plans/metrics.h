// The metrics a computed target counts, and how each event becomes facts that feed
// them. A fact is one record's contribution to one metric: where (unit), when (day),
// how much, with attributes that targets filter on ("category=CATEGORY_ESTABLISHMENT").
// Pure functions over protobuf messages: no SQL, no gRPC; thread-safe.
#ifndef PCMD_SERVICES_PLANS_METRICS_H_
#define PCMD_SERVICES_PLANS_METRICS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/events/v1/envelope.pb.h"
#include "pcmd/plans/v1/plans.pb.h"

namespace pcmd::plans {

// Where a metric's figure comes from.
enum class MetricSource {
  kCounters,  // Facts kept in the counters (events, activities, hotspot changes).
  kUnits,     // The directory: units of a level valid on the date.
  kHotspots,  // The plan's own hotspots in the registry, as of the date.
};

struct MetricSpec {
  std::string name;
  std::string description;  // In words, for TargetProgress.method.
  std::string source;       // The event or record behind it.
  std::vector<std::string> filter_keys;
  MetricSource kind = MetricSource::kCounters;
};

// Every metric, by name.
const std::vector<MetricSpec>& Metrics();
// nullptr when unknown.
const MetricSpec* FindMetric(absl::string_view name);

struct Fact {
  std::string metric;
  std::string record;  // "tips/…", "inspections/…", "clients/…", "activities/…".
  std::string unit_code;
  std::string day;  // ISO date.
  double amount = 1;
  // Sorted by key; values are enum value names, "true"/"false" or codes.
  std::vector<std::pair<std::string, std::string>> attributes;
  // Non-empty: the fact counts once per (metric, calendar year, key), e.g. an
  // establishment inspected twice in a year is one establishment inspected.
  std::string distinct_key;
};

// The facts an event contributes; empty for events no metric counts. Errors:
// INVALID_ARGUMENT when the payload is not the type the envelope names.
absl::StatusOr<std::vector<Fact>> FactsOfEvent(const events::v1::EventEnvelope& event);

// The facts of an activity recorded in plans: one session, and the people reached
// per audience.
std::vector<Fact> FactsOfActivity(const v1::Activity& activity);

// The counter dimensions a fact is added to: "" (all), each "k=v", and each pair
// "k1=v1&k2=v2" with k1 < k2 — so that a target may filter on up to two attributes.
std::vector<std::string> DimsOf(const Fact& fact);

// The dimension key of a measure's filters ("k=v" strings), sorted and joined as
// DimsOf writes them. Filters must have been validated (at most two).
std::string DimOfFilters(const google::protobuf::RepeatedPtrField<std::string>& filters);

// "&k=v&k2=v2&": attributes as stored beside each record, so that a filter "k=v"
// matches with a substring test for "&k=v&".
std::string AttributeText(const Fact& fact);

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_METRICS_H_
