// A plan's progress on a date: every target's value, how far it is, a status from the
// elapsed share of the period, and how it was computed in words. Pure logic over a
// Figures source; no SQL, no gRPC. Thread-safe when `figures` is.
//
// Status rules (share = value / target, e = elapsed share of the period):
//   COUNT, GROWTH-free counts: MET when share ≥ 1; ON_TRACK when share ≥ e; AT_RISK when
//   share ≥ 0.8·e; BEHIND otherwise.
//   PERCENT and GROWTH: compared with the target value itself (a rate does not
//   accumulate): at or above it MET once the period is over and ON_TRACK before;
//   within 10% of it AT_RISK; BEHIND otherwise; NO_DATA when the denominator (or last
//   year's figure) is zero.
//   FREQUENCY: every elapsed interval covered is ON_TRACK (MET at the end); one
//   missed AT_RISK; more BEHIND.
//   MILESTONE: MET when reported done; ON_TRACK before its due date; BEHIND after.
//   REPORTED targets without any report: NO_DATA.
#ifndef PCMD_SERVICES_PLANS_PROGRESS_H_
#define PCMD_SERVICES_PLANS_PROGRESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/plans/v1/directory.pb.h"
#include "pcmd/plans/v1/plans.pb.h"

namespace pcmd::plans {

// Where figures come from. Implementations are thread-safe; errors are storage errors.
class Figures {
 public:
  virtual ~Figures() = default;
  // The measure over `unit`'s area and days [from, to] (special metrics: the
  // directory, the plan's hotspots).
  virtual absl::StatusOr<double> Value(const v1::Plan& plan, const v1::Measure& measure,
                                       absl::string_view unit, absl::string_view from,
                                       absl::string_view to) = 0;
  // The days in [from, to] on which the measure counted anything in `unit`'s area.
  virtual absl::StatusOr<std::vector<std::string>> ActiveDays(const v1::Measure& measure,
                                                              absl::string_view unit,
                                                              absl::string_view from,
                                                              absl::string_view to) = 0;
  // A reported target's value from the agencies' latest reports on or before
  // `as_of` (summed over agencies; averaged for a percentage); nullopt when none.
  virtual absl::StatusOr<std::optional<double>> Reported(const v1::Plan& plan,
                                                         const v1::Target& target,
                                                         absl::string_view as_of) = 0;
  // The records behind the measure over `unit`'s area and [from, to], after the
  // position `after` (0 for the first page), at most `limit`; `next` is set to the
  // position to continue from, 0 when there is no more.
  virtual absl::StatusOr<std::vector<v1::TargetRecord>> Records(
      const v1::Plan& plan, const v1::Measure& measure, absl::string_view unit,
      absl::string_view from, absl::string_view to, int64_t after, int limit, int64_t& next) = 0;
  // The units directly under `unit` that existed at some time in [from, to].
  virtual absl::StatusOr<std::vector<v1::Unit>> Children(absl::string_view unit,
                                                         absl::string_view from,
                                                         absl::string_view to) = 0;
};

// The plan's progress on `as_of` (clamped to the period) for `unit` (the plan's own
// when empty). Errors: those of `figures`.
absl::StatusOr<v1::PlanProgress> ComputeProgress(const v1::Plan& plan, absl::string_view as_of,
                                                 absl::string_view unit, bool breakdown,
                                                 Figures& figures);

// How a measure is counted, in words ("tips.resolved (tips settled) where on_time=true,
// in unit 01 and below, 2024-01-01 to 2024-06-30").
std::string DescribeMeasure(const v1::Measure& measure, absl::string_view unit,
                            absl::string_view from, absl::string_view to);

// The target (or sub-target) with `id`, or nullptr.
const v1::Target* FindTarget(const v1::Plan& plan, absl::string_view id);

// Days from `from` to `to` inclusive over the days of [start, end], 0–1.
double ElapsedShare(absl::string_view start, absl::string_view end, absl::string_view as_of);

// "2023-06-30" → "2022-06-30" (29 February → 28 February).
std::string YearBefore(absl::string_view day);

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_PROGRESS_H_
