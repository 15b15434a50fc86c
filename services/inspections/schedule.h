// Inspection schedules that meet the plans' rules, and coverage of a registry.
//
// The rules a proposal for a period [period_from, period_to] is checked against
// (ScheduleRule.code):
//   follow_up           every open follow-up due by period_to is proposed;
//   complex_yearly      every complex business not inspected in the year of
//                       period_from (plans: "every business with complex signs at
//                       least once a year");
//   risk_minimum        every business whose risk.next_due_date ≤ period_to (an
//                       empty next_due_date is never due and ranks last);
//   programme_coverage  with a programme end: the never-inspected businesses (no
//                       inspection_dates) spread evenly over the months left —
//                       ceil(N × months in period / months from period_from to
//                       programme_end), all of them when the programme ends by
//                       period_to (plans: "100% at least once by the end of the
//                       programme"); months from a to b are whole months rounded up,
//                       the least m ≥ 1 with AddMonths(a, m) > b. Any of them will
//                       do; without a programme end it needs none;
//   annual_share        ceil(20% × registry size) inspected in the year, counting
//                       those already inspected this year (plans: "≥ 20% of risky
//                       businesses inspected each year"); "the year" and "this year"
//                       are the year of period_from. Any of those not inspected in it
//                       will do.
// Candidates are taken in that order of rules, within a rule riskiest first (score,
// then earlier next_due_date, then establishment), each at most once, until capacity
// runs out; for the last two rules those already taken count first;
// spare capacity goes to the riskiest of the rest. A rule is met when every
// inspection it needs is proposed; otherwise its detail says by how many capacity
// falls short ("capacity 40 is below the 55 inspections complex_yearly needs"; the
// number counts the inspections of the rules before it too, and the detail then ends
// "with the rules before it"). For the last two rules, proposed counts at most needed.
// Closed businesses are never candidates (the caller leaves them out).
// Pure functions: thread-safe.
#ifndef PCMD_SERVICES_INSPECTIONS_SCHEDULE_H_
#define PCMD_SERVICES_INSPECTIONS_SCHEDULE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd::inspections {

// One operating business of the registry, as the rules see it.
struct Candidate {
  std::string establishment;  // "establishments/…"
  std::string display_name;
  v1::RiskAssessment risk;
  // Days of its completed inspections, any order.
  std::vector<absl::CivilDay> inspection_dates;
  // An open follow-up, due by this day.
  std::optional<absl::CivilDay> follow_up_by;
};

struct ScheduleParams {
  absl::CivilDay period_from;
  absl::CivilDay period_to;
  // Inspections the team can make in the period (≥ 0).
  int capacity = 0;
  std::optional<absl::CivilDay> programme_end;
};

// The proposal: inspections ranked as chosen (the order above), each with due_by (the
// earliest of its rule deadlines, never after period_to nor before period_from) and its
// reasons, the rules it counts for in the order above, or "risk_rank" for spare
// capacity; one ScheduleRule per rule, in the order above; capacity as given. Rule
// deadlines: follow_up_by; 31 December of period_from's year for complex_yearly and
// annual_share; risk.next_due_date; programme_end; period_to for risk_rank.
v1::ProposeScheduleResponse ProposeSchedule(const std::vector<Candidate>& registry,
                                            const ScheduleParams& params);

// Coverage of `registry` for calendar `year`; never_inspected counts those with no
// inspection within [programme_from, programme_to] (the year when not given).
v1::GetCoverageResponse Coverage(const std::vector<Candidate>& registry, int year,
                                 std::optional<absl::CivilDay> programme_from,
                                 std::optional<absl::CivilDay> programme_to);

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_SCHEDULE_H_
