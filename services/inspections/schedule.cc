#include "services/inspections/schedule.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/inspections/risk.h"

namespace pcmd::inspections {
namespace {

// The rules, in their order of priority; kRiskRank is the reason for spare capacity.
enum Reason : int {
  kFollowUp = 0,
  kComplexYearly,
  kRiskMinimum,
  kProgrammeCoverage,
  kAnnualShare,
  kRiskRank,
};
constexpr int kRuleCount = kRiskRank;
constexpr std::array<const char*, kRiskRank + 1> kReasonCodes = {
    "follow_up",          "complex_yearly", "risk_minimum",
    "programme_coverage", "annual_share",   "risk_rank"};

constexpr int kAnnualSharePercent = 20;
constexpr int kMaxCoverageNames = 100;

std::optional<absl::CivilDay> ParseDay(const std::string& text) {
  absl::CivilDay day;
  if (text.empty() || !absl::ParseCivilTime(text, &day)) return std::nullopt;
  return day;
}

// A candidate with what the rules ask of it, computed once.
struct Entry {
  const Candidate* candidate = nullptr;
  std::optional<absl::CivilDay> next_due;
  bool inspected_in_year = false;
  bool never_inspected = false;
};

Entry MakeEntry(const Candidate& candidate, absl::civil_year_t year) {
  Entry entry;
  entry.candidate = &candidate;
  entry.next_due = ParseDay(candidate.risk.next_due_date());
  entry.never_inspected = candidate.inspection_dates.empty();
  entry.inspected_in_year =
      std::any_of(candidate.inspection_dates.begin(), candidate.inspection_dates.end(),
                  [year](absl::CivilDay day) { return day.year() == year; });
  return entry;
}

// Riskiest first: score, then earlier next_due_date (none last), then name.
bool Riskier(const Entry& a, const Entry& b) {
  const int score_a = a.candidate->risk.score();
  const int score_b = b.candidate->risk.score();
  if (score_a != score_b) return score_a > score_b;
  if (a.next_due != b.next_due) {
    if (!a.next_due.has_value()) return false;
    if (!b.next_due.has_value()) return true;
    return *a.next_due < *b.next_due;
  }
  if (a.candidate->establishment != b.candidate->establishment) {
    return a.candidate->establishment < b.candidate->establishment;
  }
  return a.candidate->display_name < b.candidate->display_name;
}

// Indices of `entries`, riskiest first.
std::vector<int> RankedIndices(const std::vector<Entry>& entries) {
  std::vector<int> ranked(entries.size());
  for (size_t i = 0; i < ranked.size(); ++i) ranked[i] = static_cast<int>(i);
  std::sort(ranked.begin(), ranked.end(),
            [&entries](int a, int b) { return Riskier(entries[a], entries[b]); });
  return ranked;
}

// Whole calendar months from `from` to `to`, rounded up: the least m ≥ 1 with
// AddMonths(from, m) > to.
int64_t MonthsSpanned(absl::CivilDay from, absl::CivilDay to) {
  int64_t months = std::max<int64_t>(1, absl::CivilMonth(to) - absl::CivilMonth(from));
  while (months > 1 && AddMonths(from, static_cast<int>(months - 1)) > to) --months;
  while (AddMonths(from, static_cast<int>(months)) <= to) ++months;
  return months;
}

int CeilDiv(int64_t numerator, int64_t denominator) {
  return static_cast<int>((numerator + denominator - 1) / denominator);
}

// One pass of the greedy choice at a given capacity.
class Planner {
 public:
  Planner(const std::vector<Entry>& entries, const std::vector<int>& ranked,
          const ScheduleParams& params, int64_t capacity)
      : entries_(entries),
        ranked_(ranked),
        params_(params),
        capacity_(capacity),
        year_end_(absl::CivilDay(params.period_from.year(), 12, 31)),
        chosen_(entries.size(), false),
        reasons_(entries.size()),
        deadlines_(entries.size(), params.period_to) {}

  void Run() {
    SetRule(
        kFollowUp,
        [this](const Entry& e) {
          return e.candidate->follow_up_by.has_value() &&
                 *e.candidate->follow_up_by <= params_.period_to;
        },
        [](const Entry& e) { return *e.candidate->follow_up_by; });
    SetRule(
        kComplexYearly,
        [](const Entry& e) { return e.candidate->risk.complex() && !e.inspected_in_year; },
        [this](const Entry&) { return year_end_; });
    SetRule(
        kRiskMinimum,
        [this](const Entry& e) {
          return e.next_due.has_value() && *e.next_due <= params_.period_to;
        },
        [](const Entry& e) { return *e.next_due; });

    if (params_.programme_end.has_value()) {
      const absl::CivilDay end = *params_.programme_end;
      int64_t never = 0;
      for (const Entry& e : entries_) never += e.never_inspected ? 1 : 0;
      int needed = static_cast<int>(never);
      if (end > params_.period_to) {
        needed = CeilDiv(never * MonthsSpanned(params_.period_from, params_.period_to),
                         MonthsSpanned(params_.period_from, end));
      }
      CountRule(
          kProgrammeCoverage, needed, [](const Entry& e) { return e.never_inspected; }, end);
    } else {
      CountRule(
          kProgrammeCoverage, 0, [](const Entry& e) { return e.never_inspected; },
          params_.period_to);
    }

    int64_t inspected = 0;
    for (const Entry& e : entries_) inspected += e.inspected_in_year ? 1 : 0;
    const int64_t share = CeilDiv(static_cast<int64_t>(entries_.size()) * kAnnualSharePercent, 100);
    CountRule(
        kAnnualShare, static_cast<int>(std::max<int64_t>(0, share - inspected)),
        [](const Entry& e) { return !e.inspected_in_year; }, year_end_);

    for (int index : ranked_) {
      if (Full()) break;
      if (chosen_[index]) continue;
      Choose(index);
      Mark(index, kRiskRank, params_.period_to);
    }
  }

  const std::vector<int>& order() const { return order_; }
  const std::vector<int>& reasons(int index) const { return reasons_[index]; }
  absl::CivilDay deadline(int index) const { return deadlines_[index]; }
  int needed(int rule) const { return needed_[rule]; }
  int proposed(int rule) const { return proposed_[rule]; }
  // Inspections chosen once the rule was handled.
  int cumulative(int rule) const { return cumulative_[rule]; }

 private:
  bool Full() const { return static_cast<int64_t>(order_.size()) >= capacity_; }

  bool Choose(int index) {
    if (Full()) return false;
    chosen_[index] = true;
    order_.push_back(index);
    return true;
  }

  void Mark(int index, Reason reason, absl::CivilDay deadline) {
    reasons_[index].push_back(reason);
    deadlines_[index] = std::min(deadlines_[index], deadline);
  }

  // Every eligible candidate is needed.
  template <typename Eligible, typename Deadline>
  void SetRule(Reason rule, Eligible eligible, Deadline deadline) {
    int needed = 0;
    int proposed = 0;
    for (int index : ranked_) {
      const Entry& e = entries_[index];
      if (!eligible(e)) continue;
      ++needed;
      if (!chosen_[index] && !Choose(index)) continue;
      Mark(index, rule, deadline(e));
      ++proposed;
    }
    Finish(rule, needed, proposed);
  }

  // `needed` of the eligible candidates are needed, whichever they are: those already
  // chosen count first, then the riskiest of the others.
  template <typename Eligible>
  void CountRule(Reason rule, int needed, Eligible eligible, absl::CivilDay deadline) {
    int proposed = 0;
    for (int index : order_) {
      if (proposed >= needed) break;
      if (!eligible(entries_[index])) continue;
      Mark(index, rule, deadline);
      ++proposed;
    }
    for (int index : ranked_) {
      if (proposed >= needed || Full()) break;
      if (chosen_[index] || !eligible(entries_[index])) continue;
      Choose(index);
      Mark(index, rule, deadline);
      ++proposed;
    }
    Finish(rule, needed, proposed);
  }

  void Finish(Reason rule, int needed, int proposed) {
    needed_[rule] = needed;
    proposed_[rule] = proposed;
    cumulative_[rule] = static_cast<int>(order_.size());
  }

  const std::vector<Entry>& entries_;
  const std::vector<int>& ranked_;
  const ScheduleParams& params_;
  const int64_t capacity_;
  const absl::CivilDay year_end_;
  std::vector<bool> chosen_;
  std::vector<std::vector<int>> reasons_;
  std::vector<absl::CivilDay> deadlines_;
  std::vector<int> order_;
  std::array<int, kRuleCount> needed_{};
  std::array<int, kRuleCount> proposed_{};
  std::array<int, kRuleCount> cumulative_{};
};

}  // namespace

v1::ProposeScheduleResponse ProposeSchedule(const std::vector<Candidate>& registry,
                                            const ScheduleParams& params) {
  std::vector<Entry> entries;
  entries.reserve(registry.size());
  for (const Candidate& candidate : registry) {
    entries.push_back(MakeEntry(candidate, params.period_from.year()));
  }
  const std::vector<int> ranked = RankedIndices(entries);

  // What each rule needs with the rules before it, whatever the capacity.
  Planner unlimited(entries, ranked, params, std::numeric_limits<int64_t>::max());
  unlimited.Run();
  Planner planner(entries, ranked, params, std::max(0, params.capacity));
  planner.Run();

  v1::ProposeScheduleResponse response;
  for (int index : planner.order()) {
    const Candidate& candidate = *entries[index].candidate;
    v1::ProposedInspection* inspection = response.add_inspections();
    inspection->set_establishment(candidate.establishment);
    inspection->set_display_name(candidate.display_name);
    *inspection->mutable_risk() = candidate.risk;
    const absl::CivilDay due_by = std::clamp(planner.deadline(index), params.period_from,
                                             std::max(params.period_from, params.period_to));
    inspection->set_due_by(absl::FormatCivilTime(due_by));
    for (int reason : planner.reasons(index)) inspection->add_reasons(kReasonCodes[reason]);
  }
  for (int rule = 0; rule < kRuleCount; ++rule) {
    v1::ScheduleRule* report = response.add_rules();
    report->set_code(kReasonCodes[rule]);
    report->set_needed(planner.needed(rule));
    report->set_proposed(planner.proposed(rule));
    report->set_met(planner.proposed(rule) >= planner.needed(rule));
    if (!report->met()) {
      const int demand = unlimited.cumulative(rule);
      std::string detail = absl::StrCat("capacity ", params.capacity, " is below the ", demand,
                                        demand == 1 ? " inspection " : " inspections ",
                                        kReasonCodes[rule], " needs");
      if (rule > 0 && unlimited.cumulative(rule - 1) > 0) {
        absl::StrAppend(&detail, " with the rules before it");
      }
      report->set_detail(std::move(detail));
    }
  }
  response.set_capacity(params.capacity);
  return response;
}

v1::GetCoverageResponse Coverage(const std::vector<Candidate>& registry, int year,
                                 std::optional<absl::CivilDay> programme_from,
                                 std::optional<absl::CivilDay> programme_to) {
  const absl::CivilDay from = programme_from.value_or(absl::CivilDay(year, 1, 1));
  const absl::CivilDay to = programme_to.value_or(absl::CivilDay(year, 12, 31));

  v1::GetCoverageResponse response;
  std::vector<Entry> complex_not_inspected;
  int inspected = 0;
  int complex_total = 0;
  int never = 0;
  for (const Candidate& candidate : registry) {
    const Entry entry = MakeEntry(candidate, year);
    if (entry.inspected_in_year) ++inspected;
    if (candidate.risk.complex()) {
      ++complex_total;
      if (!entry.inspected_in_year) complex_not_inspected.push_back(entry);
    }
    const bool in_programme =
        std::any_of(candidate.inspection_dates.begin(), candidate.inspection_dates.end(),
                    [&](absl::CivilDay day) { return day >= from && day <= to; });
    if (!in_programme) ++never;
  }
  std::sort(complex_not_inspected.begin(), complex_not_inspected.end(), Riskier);

  response.set_registry_size(static_cast<int>(registry.size()));
  response.set_inspected_this_year(inspected);
  response.set_share_inspected(registry.empty() ? 0.0
                                                : static_cast<double>(inspected) / registry.size());
  response.set_complex_total(complex_total);
  response.set_complex_not_inspected(static_cast<int>(complex_not_inspected.size()));
  response.set_never_inspected(never);
  const size_t names =
      std::min(complex_not_inspected.size(), static_cast<size_t>(kMaxCoverageNames));
  for (size_t i = 0; i < names; ++i) {
    response.add_complex_not_inspected_names(complex_not_inspected[i].candidate->establishment);
  }
  return response;
}

}  // namespace pcmd::inspections
