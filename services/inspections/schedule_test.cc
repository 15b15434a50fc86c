#include "services/inspections/schedule.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/inspections/risk.h"

namespace pcmd::inspections {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A quarter: April–June 2024.
const absl::CivilDay kFrom(2024, 4, 1);
const absl::CivilDay kTo(2024, 6, 30);
// Not due within any period the hand-made tests use.
const absl::CivilDay kFarAway(2027, 1, 1);
// An inspection earlier in the year of kFrom.
const absl::CivilDay kThisYear(2024, 2, 1);

std::string Name(const std::string& id) { return "establishments/" + id; }

// A business inspected earlier this year, not complex, not due, with no follow-up: no
// rule needs it unless a test says so.
Candidate Business(const std::string& id, int score) {
  Candidate candidate;
  candidate.establishment = Name(id);
  candidate.display_name = "Cơ sở " + id;
  candidate.risk.set_score(score);
  candidate.risk.set_next_due_date(absl::FormatCivilTime(kFarAway));
  candidate.inspection_dates = {kThisYear};
  return candidate;
}

Candidate Complex(Candidate candidate) {
  candidate.risk.set_complex(true);
  return candidate;
}

Candidate DueOn(Candidate candidate, absl::CivilDay due) {
  candidate.risk.set_next_due_date(absl::FormatCivilTime(due));
  return candidate;
}

Candidate InspectedOn(Candidate candidate, std::vector<absl::CivilDay> days) {
  candidate.inspection_dates = std::move(days);
  return candidate;
}

Candidate NeverInspected(Candidate candidate) { return InspectedOn(std::move(candidate), {}); }

Candidate FollowUpBy(Candidate candidate, absl::CivilDay by) {
  candidate.follow_up_by = by;
  return candidate;
}

ScheduleParams Params(int capacity, std::optional<absl::CivilDay> programme_end = std::nullopt) {
  ScheduleParams params;
  params.period_from = kFrom;
  params.period_to = kTo;
  params.capacity = capacity;
  params.programme_end = programme_end;
  return params;
}

std::vector<std::string> Proposed(const v1::ProposeScheduleResponse& response) {
  std::vector<std::string> names;
  for (const auto& inspection : response.inspections()) names.push_back(inspection.establishment());
  return names;
}

const v1::ProposedInspection* FindInspection(const v1::ProposeScheduleResponse& response,
                                             const std::string& name) {
  for (const auto& inspection : response.inspections()) {
    if (inspection.establishment() == name) return &inspection;
  }
  return nullptr;
}

const v1::ScheduleRule& Rule(const v1::ProposeScheduleResponse& response, const std::string& code) {
  for (const auto& rule : response.rules()) {
    if (rule.code() == code) return rule;
  }
  ADD_FAILURE() << "no rule " << code;
  static const v1::ScheduleRule kNone;
  return kNone;
}

std::vector<std::string> Reasons(const v1::ProposedInspection& inspection) {
  return {inspection.reasons().begin(), inspection.reasons().end()};
}

// The due_by of `name`'s proposed inspection, "" (and a failure) when it is not proposed.
std::string DueBy(const v1::ProposeScheduleResponse& response, const std::string& name) {
  const v1::ProposedInspection* inspection = FindInspection(response, name);
  if (inspection == nullptr) {
    ADD_FAILURE() << name << " is not proposed";
    return "";
  }
  return inspection->due_by();
}

std::vector<std::string> ReasonsOf(const v1::ProposeScheduleResponse& response,
                                   const std::string& name) {
  const v1::ProposedInspection* inspection = FindInspection(response, name);
  if (inspection == nullptr) {
    ADD_FAILURE() << name << " is not proposed";
    return {};
  }
  return Reasons(*inspection);
}

// ----- Each rule on a small registry. -----

TEST(Schedule, ProposesEveryFollowUpDueByThePeriodEnd) {
  const std::vector<Candidate> registry = {
      FollowUpBy(Business("in-period", 10), absl::CivilDay(2024, 5, 10)),
      FollowUpBy(Business("after-period", 90), absl::CivilDay(2024, 7, 1)),
      FollowUpBy(Business("overdue", 5), absl::CivilDay(2024, 3, 1)),
      FollowUpBy(Business("on-last-day", 1), kTo),
      Business("plain", 80),
  };
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(3));
  // Riskiest first among the three that are due: 10, 5, 1.
  EXPECT_THAT(Proposed(response),
              ElementsAre(Name("in-period"), Name("overdue"), Name("on-last-day")));
  EXPECT_EQ(DueBy(response, Name("in-period")), "2024-05-10");
  // Overdue: as soon as the period allows.
  EXPECT_EQ(DueBy(response, Name("overdue")), "2024-04-01");
  EXPECT_EQ(DueBy(response, Name("on-last-day")), "2024-06-30");
  for (const auto& inspection : response.inspections()) {
    EXPECT_EQ(inspection.reasons(0), "follow_up");
  }
  const v1::ScheduleRule& rule = Rule(response, "follow_up");
  EXPECT_EQ(rule.needed(), 3);
  EXPECT_EQ(rule.proposed(), 3);
  EXPECT_TRUE(rule.met());
  EXPECT_THAT(rule.detail(), IsEmpty());
}

TEST(Schedule, ProposesEveryComplexBusinessNotInspectedInTheYearOfPeriodFrom) {
  const std::vector<Candidate> registry = {
      Complex(Business("complex-inspected-this-year", 90)),
      Complex(
          InspectedOn(Business("complex-inspected-last-year", 40), {absl::CivilDay(2023, 12, 31)})),
      Complex(NeverInspected(Business("complex-never", 60))),
      InspectedOn(Business("plain-last-year", 95), {absl::CivilDay(2023, 6, 1)}),
      Business("a", 10),
      Business("b", 10),
      Business("c", 10),
      Business("d", 10),
      Business("e", 10),
  };
  // 9 businesses: annual_share needs ceil(1.8) = 2, already met by the 6 inspected in 2024.
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(2));
  EXPECT_THAT(Proposed(response),
              ElementsAre(Name("complex-never"), Name("complex-inspected-last-year")));
  for (const auto& inspection : response.inspections()) {
    EXPECT_EQ(inspection.reasons(0), "complex_yearly");
    // The year ends after the period: the period's end is the deadline.
    EXPECT_EQ(inspection.due_by(), "2024-06-30");
  }
  const v1::ScheduleRule& rule = Rule(response, "complex_yearly");
  EXPECT_EQ(rule.needed(), 2);
  EXPECT_EQ(rule.proposed(), 2);
  EXPECT_TRUE(rule.met());
  EXPECT_TRUE(Rule(response, "annual_share").met());
}

TEST(Schedule, ComplexYearlyLooksAtTheYearOfPeriodFromAndIsDueByItsEnd) {
  const std::vector<Candidate> registry = {
      Complex(InspectedOn(Business("inspected-march-2024", 50), {absl::CivilDay(2024, 3, 1)})),
      Complex(InspectedOn(Business("inspected-2023", 50), {absl::CivilDay(2023, 11, 1)})),
  };
  ScheduleParams params = Params(1);
  params.period_from = absl::CivilDay(2024, 11, 1);
  params.period_to = absl::CivilDay(2025, 1, 31);
  // 2 businesses: annual_share needs ceil(0.4) = 1, met by the one inspected in 2024.
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, params);
  ASSERT_THAT(Proposed(response), ElementsAre(Name("inspected-2023")));
  EXPECT_EQ(response.inspections(0).due_by(), "2024-12-31");
  EXPECT_EQ(Rule(response, "complex_yearly").needed(), 1);
  EXPECT_TRUE(Rule(response, "complex_yearly").met());
}

TEST(Schedule, ProposesEveryBusinessDueByThePeriodEndBeforeItsDueDate) {
  const std::vector<Candidate> registry = {
      DueOn(Business("due-may", 30), absl::CivilDay(2024, 5, 15)),
      DueOn(Business("due-last-day", 20), kTo),
      DueOn(Business("due-day-after", 99), kTo + 1),
      DueOn(Business("overdue", 10), absl::CivilDay(2023, 12, 1)),
  };
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(3));
  EXPECT_THAT(Proposed(response),
              ElementsAre(Name("due-may"), Name("due-last-day"), Name("overdue")));
  EXPECT_EQ(DueBy(response, Name("due-may")), "2024-05-15");
  EXPECT_EQ(DueBy(response, Name("due-last-day")), "2024-06-30");
  EXPECT_EQ(DueBy(response, Name("overdue")), "2024-04-01");
  for (const auto& inspection : response.inspections()) {
    EXPECT_THAT(Reasons(inspection), ElementsAre("risk_minimum"));
  }
  EXPECT_EQ(Rule(response, "risk_minimum").needed(), 3);
  EXPECT_TRUE(Rule(response, "risk_minimum").met());
}

// 10 never inspected, 5 inspected this year (so annual_share, ceil(20% × 15) = 3, is
// already met).
std::vector<Candidate> ProgrammeRegistry() {
  std::vector<Candidate> registry;
  for (int i = 0; i < 10; ++i) {
    registry.push_back(NeverInspected(Business(absl::StrCat("never-", i), 10 + i)));
  }
  for (int i = 0; i < 5; ++i) registry.push_back(Business(absl::StrCat("seen-", i), 50));
  return registry;
}

TEST(Schedule, ProgrammeCoverageSpreadsTheNeverInspectedOverTheMonthsLeft) {
  // 3 months of the 12 from 1 April 2024 to 31 March 2025: ceil(10 × 3 / 12) = 3.
  const v1::ProposeScheduleResponse response =
      ProposeSchedule(ProgrammeRegistry(), Params(3, absl::CivilDay(2025, 3, 31)));
  EXPECT_THAT(Proposed(response), ElementsAre(Name("never-9"), Name("never-8"), Name("never-7")));
  for (const auto& inspection : response.inspections()) {
    EXPECT_THAT(Reasons(inspection), ElementsAre("programme_coverage"));
    EXPECT_EQ(inspection.due_by(), "2024-06-30");
  }
  const v1::ScheduleRule& rule = Rule(response, "programme_coverage");
  EXPECT_EQ(rule.needed(), 3);
  EXPECT_EQ(rule.proposed(), 3);
  EXPECT_TRUE(rule.met());
}

TEST(Schedule, ProgrammeCoverageRoundsPartMonthsUp) {
  ScheduleParams params = Params(10, absl::CivilDay(2024, 10, 14));
  // 15 April – 14 May is one month; 15 April – 14 October six: ceil(10 × 1 / 6) = 2.
  params.period_from = absl::CivilDay(2024, 4, 15);
  params.period_to = absl::CivilDay(2024, 5, 14);
  EXPECT_EQ(Rule(ProposeSchedule(ProgrammeRegistry(), params), "programme_coverage").needed(), 2);
  // One day more makes it two months of seven: ceil(10 × 2 / 7) = 3.
  params.period_to = absl::CivilDay(2024, 5, 15);
  params.programme_end = absl::CivilDay(2024, 10, 15);
  EXPECT_EQ(Rule(ProposeSchedule(ProgrammeRegistry(), params), "programme_coverage").needed(), 3);
}

TEST(Schedule, ProgrammeCoverageNeedsAllWhenTheProgrammeEndsWithinThePeriod) {
  for (const absl::CivilDay end :
       {absl::CivilDay(2024, 6, 15), kTo, absl::CivilDay(2023, 12, 31)}) {
    SCOPED_TRACE(absl::FormatCivilTime(end));
    const v1::ProposeScheduleResponse response =
        ProposeSchedule(ProgrammeRegistry(), Params(10, end));
    const v1::ScheduleRule& rule = Rule(response, "programme_coverage");
    EXPECT_EQ(rule.needed(), 10);
    EXPECT_EQ(rule.proposed(), 10);
    EXPECT_TRUE(rule.met());
    for (const auto& inspection : response.inspections()) {
      EXPECT_EQ(inspection.establishment().rfind(Name("never-"), 0), 0u);
      // The programme's end, within the period.
      EXPECT_EQ(inspection.due_by(), absl::FormatCivilTime(std::max(kFrom, std::min(end, kTo))));
    }
  }
}

TEST(Schedule, ProgrammeCoverageNeedsNothingWithoutAProgrammeEnd) {
  const v1::ProposeScheduleResponse response = ProposeSchedule(ProgrammeRegistry(), Params(0));
  const v1::ScheduleRule& rule = Rule(response, "programme_coverage");
  EXPECT_EQ(rule.needed(), 0);
  EXPECT_TRUE(rule.met());
  EXPECT_EQ(response.inspections_size(), 0);
}

TEST(Schedule, AnnualShareCountsThoseAlreadyInspectedThisYear) {
  // 12 businesses: ceil(20% × 12) = 3; one inspected in 2024 already, so 2 more.
  std::vector<Candidate> registry = {
      Business("seen-this-year", 99),
      InspectedOn(Business("seen-last-year", 40), {absl::CivilDay(2023, 8, 1)}),
  };
  for (int i = 0; i < 10; ++i) {
    registry.push_back(
        InspectedOn(Business(absl::StrCat("old-", i), 10 + i), {absl::CivilDay(2022, 1, 1)}));
  }
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(2));
  EXPECT_THAT(Proposed(response), ElementsAre(Name("seen-last-year"), Name("old-9")));
  for (const auto& inspection : response.inspections()) {
    EXPECT_THAT(Reasons(inspection), ElementsAre("annual_share"));
  }
  const v1::ScheduleRule& rule = Rule(response, "annual_share");
  EXPECT_EQ(rule.needed(), 2);
  EXPECT_EQ(rule.proposed(), 2);
  EXPECT_TRUE(rule.met());

  // With 3 inspected this year it needs nothing more.
  registry[2] = Business("old-0", 10);
  registry[3] = Business("old-1", 11);
  const v1::ProposeScheduleResponse enough = ProposeSchedule(registry, Params(0));
  EXPECT_EQ(Rule(enough, "annual_share").needed(), 0);
  EXPECT_TRUE(Rule(enough, "annual_share").met());
}

// ----- Priority, uniqueness, reasons and deadlines. -----

TEST(Schedule, TakesRulesInPriorityOrderBeforeRisk) {
  const std::vector<Candidate> registry = {
      NeverInspected(Business("programme", 90)),
      DueOn(Business("due", 40), absl::CivilDay(2024, 6, 1)),
      Complex(InspectedOn(Business("complex", 20), {absl::CivilDay(2023, 5, 1)})),
      FollowUpBy(Business("follow-up", 5), absl::CivilDay(2024, 5, 1)),
      Business("x", 1),
      Business("y", 1),
      Business("z", 1),
      Business("w", 1),
      Business("v", 1),
      Business("u", 1),
  };
  const v1::ProposeScheduleResponse response =
      ProposeSchedule(registry, Params(3, absl::CivilDay(2024, 6, 30)));
  EXPECT_THAT(Proposed(response), ElementsAre(Name("follow-up"), Name("complex"), Name("due")));
  EXPECT_TRUE(Rule(response, "follow_up").met());
  EXPECT_TRUE(Rule(response, "complex_yearly").met());
  EXPECT_TRUE(Rule(response, "risk_minimum").met());
  const v1::ScheduleRule& programme = Rule(response, "programme_coverage");
  EXPECT_FALSE(programme.met());
  EXPECT_EQ(programme.needed(), 1);
  EXPECT_EQ(programme.proposed(), 0);
  EXPECT_EQ(programme.detail(),
            "capacity 3 is below the 4 inspections programme_coverage needs with the rules "
            "before it");
  // The rules are reported in their order.
  std::vector<std::string> codes;
  for (const auto& rule : response.rules()) codes.push_back(rule.code());
  EXPECT_THAT(codes, ElementsAre("follow_up", "complex_yearly", "risk_minimum",
                                 "programme_coverage", "annual_share"));
  EXPECT_EQ(response.capacity(), 3);
}

TEST(Schedule, RanksWithinARuleByScoreThenDueDateThenName) {
  const std::vector<Candidate> registry = {
      Complex(NeverInspected(Business("low", 50))),
      Complex(NeverInspected(DueOn(Business("b-late", 70), absl::CivilDay(2026, 1, 1)))),
      Complex(NeverInspected(DueOn(Business("a-late", 70), absl::CivilDay(2026, 1, 1)))),
      Complex(NeverInspected(DueOn(Business("z-early", 70), absl::CivilDay(2025, 1, 1)))),
  };
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(4));
  EXPECT_THAT(Proposed(response),
              ElementsAre(Name("z-early"), Name("a-late"), Name("b-late"), Name("low")));
}

TEST(Schedule, ProposesEachBusinessOnceWithAllItsReasonsAndTheEarliestDeadline) {
  std::vector<Candidate> registry = {
      FollowUpBy(Complex(NeverInspected(DueOn(Business("everything", 60), kFrom + 20))),
                 kFrom + 40),
  };
  for (int i = 0; i < 4; ++i) registry.push_back(Business(absl::StrCat("other-", i), 10));
  // Needed: follow_up, complex_yearly, risk_minimum and programme_coverage (all of the
  // one never inspected); annual_share ceil(20% × 5) = 1 is met by the four from 2024.
  const v1::ProposeScheduleResponse response =
      ProposeSchedule(registry, Params(1, absl::CivilDay(2024, 6, 1)));
  ASSERT_THAT(Proposed(response), ElementsAre(Name("everything")));
  EXPECT_THAT(Reasons(response.inspections(0)),
              ElementsAre("follow_up", "complex_yearly", "risk_minimum", "programme_coverage"));
  EXPECT_EQ(response.inspections(0).due_by(), absl::FormatCivilTime(kFrom + 20));
  for (const auto& rule : response.rules()) EXPECT_TRUE(rule.met()) << rule.code();
}

TEST(Schedule, SpareCapacityGoesToTheRiskiestOfTheRest) {
  const std::vector<Candidate> registry = {
      Business("low", 10),
      Business("high", 90),
      Business("mid", 50),
      FollowUpBy(Business("follow-up", 1), absl::CivilDay(2024, 4, 20)),
  };
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(3));
  EXPECT_THAT(Proposed(response), ElementsAre(Name("follow-up"), Name("high"), Name("mid")));
  EXPECT_THAT(ReasonsOf(response, Name("high")), ElementsAre("risk_rank"));
  EXPECT_EQ(DueBy(response, Name("high")), "2024-06-30");
  // More capacity than businesses: each one once.
  EXPECT_EQ(ProposeSchedule(registry, Params(100)).inspections_size(), 4);
}

TEST(Schedule, SaysByHowMuchCapacityFallsShortOfARule) {
  std::vector<Candidate> registry;
  for (int i = 0; i < 55; ++i) {
    registry.push_back(Complex(InspectedOn(Business(absl::StrFormat("c%02d", i), 40 + i % 30),
                                           {absl::CivilDay(2023, 3, 3)})));
  }
  for (int i = 0; i < 250; ++i) registry.push_back(Business(absl::StrFormat("p%03d", i), 5));
  // 305 businesses: annual_share ceil(61) is met by the 250 inspected in 2024.
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(40));
  EXPECT_EQ(response.inspections_size(), 40);
  const v1::ScheduleRule& rule = Rule(response, "complex_yearly");
  EXPECT_FALSE(rule.met());
  EXPECT_EQ(rule.needed(), 55);
  EXPECT_EQ(rule.proposed(), 40);
  EXPECT_EQ(rule.detail(), "capacity 40 is below the 55 inspections complex_yearly needs");
  EXPECT_TRUE(Rule(response, "follow_up").met());
}

TEST(Schedule, CountsTheRulesBeforeWhenCapacityFallsShort) {
  std::vector<Candidate> registry;
  for (int i = 0; i < 10; ++i) {
    registry.push_back(FollowUpBy(Business(absl::StrCat("f", i), 10), kFrom + i));
  }
  for (int i = 0; i < 30; ++i) {
    registry.push_back(Complex(NeverInspected(Business(absl::StrCat("c", i), 50))));
  }
  for (int i = 0; i < 160; ++i) registry.push_back(Business(absl::StrCat("p", i), 5));
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(35));
  EXPECT_TRUE(Rule(response, "follow_up").met());
  const v1::ScheduleRule& rule = Rule(response, "complex_yearly");
  EXPECT_FALSE(rule.met());
  EXPECT_EQ(rule.needed(), 30);
  EXPECT_EQ(rule.proposed(), 25);
  EXPECT_EQ(rule.detail(),
            "capacity 35 is below the 40 inspections complex_yearly needs with the rules "
            "before it");
}

TEST(Schedule, ZeroCapacityProposesNothingAndMeetsOnlyEmptyRules) {
  const std::vector<Candidate> registry = {
      FollowUpBy(Business("f", 10), absl::CivilDay(2024, 5, 1)),
      Business("a", 10),
      Business("b", 10),
      Business("c", 10),
      Business("d", 10),
  };
  const v1::ProposeScheduleResponse response = ProposeSchedule(registry, Params(0));
  EXPECT_EQ(response.inspections_size(), 0);
  EXPECT_FALSE(Rule(response, "follow_up").met());
  EXPECT_EQ(Rule(response, "follow_up").detail(),
            "capacity 0 is below the 1 inspection follow_up needs");
  EXPECT_TRUE(Rule(response, "complex_yearly").met());
  EXPECT_TRUE(Rule(response, "annual_share").met());
}

// ----- Generated registries of 10,000 businesses. -----

struct World {
  std::vector<Candidate> registry;
  ScheduleParams params;
};

int Uniform(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

absl::CivilDay DayBetween(std::mt19937& rng, absl::CivilDay lo, absl::CivilDay hi) {
  return lo + Uniform(rng, 0, static_cast<int>(hi - lo));
}

// A registry as the service would build it: random businesses with random histories,
// assessed by AssessRisk on period_from.
World Generate(uint32_t seed, int size) {
  std::mt19937 rng(seed);
  World world;
  const absl::CivilDay from = absl::CivilDay(2024, 1, 1) + Uniform(rng, 0, 330);
  const int months = Uniform(rng, 1, 12);
  world.params.period_from = from;
  world.params.period_to = AddMonths(from, months) - 1;
  switch (seed % 3) {
    case 0:
      break;  // no programme
    case 1:
      world.params.programme_end = AddMonths(from, Uniform(rng, months + 1, 48));
      break;
    default:
      world.params.programme_end = DayBetween(rng, from, world.params.period_to);
      break;
  }
  world.registry.reserve(size);
  for (int i = 0; i < size; ++i) {
    RiskInputs inputs;
    inputs.business_type = static_cast<v1::BusinessType>(Uniform(rng, 1, 8));
    inputs.registered = from - Uniform(rng, 0, 8 * 365);
    Candidate candidate;
    candidate.establishment = absl::StrFormat("establishments/e%05d", i);
    candidate.display_name = absl::StrFormat("Cơ sở %d", i);
    if (inputs.registered < from && Uniform(rng, 0, 9) >= 3) {
      for (int k = Uniform(rng, 1, 4); k > 0; --k) {
        candidate.inspection_dates.push_back(DayBetween(rng, inputs.registered, from - 1));
      }
      inputs.last_inspection =
          *std::max_element(candidate.inspection_dates.begin(), candidate.inspection_dates.end());
      if (Uniform(rng, 0, 99) < 8) {
        candidate.follow_up_by = *inputs.last_inspection + Uniform(rng, 10, 400);
      }
    }
    for (int v = Uniform(rng, 0, 9) < 7 ? 0 : Uniform(rng, 1, 3); v > 0; --v) {
      inputs.violations.push_back(
          {DayBetween(rng, from - 5 * 365, from), static_cast<v1::Severity>(Uniform(rng, 1, 3))});
    }
    for (int t = Uniform(rng, 0, 9) < 8 ? 0 : Uniform(rng, 1, 4); t > 0; --t) {
      inputs.tip_dates.push_back(DayBetween(rng, from - 2 * 365, from));
    }
    inputs.hotspot_linked = Uniform(rng, 0, 9) == 0;
    if (Uniform(rng, 0, 4) == 0) inputs.commitment_date = DayBetween(rng, from - 730, from);
    candidate.risk = AssessRisk(inputs, from);
    world.registry.push_back(std::move(candidate));
  }
  return world;
}

// What each rule needs, recomputed from the registry and the header's rules.
struct Needs {
  std::set<std::string> follow_up;
  std::set<std::string> complex_yearly;
  std::set<std::string> risk_minimum;
  std::set<std::string> never_inspected;
  int programme_needed = 0;
  std::set<std::string> not_inspected_this_year;
  int annual_target = 0;  // ceil(20% × size), including those inspected this year
  int inspected_this_year = 0;
  std::map<std::string, const Candidate*> by_name;
};

// Whole months from `a` to `b` rounded up, counted one at a time.
int MonthsFromTo(absl::CivilDay a, absl::CivilDay b) {
  int months = 1;
  while (AddMonths(a, months) <= b) ++months;
  return months;
}

Needs ComputeNeeds(const World& world) {
  const ScheduleParams& p = world.params;
  const auto year = p.period_from.year();
  Needs needs;
  for (const Candidate& c : world.registry) {
    needs.by_name[c.establishment] = &c;
    bool this_year = false;
    for (absl::CivilDay day : c.inspection_dates) this_year |= day.year() == year;
    if (c.follow_up_by && *c.follow_up_by <= p.period_to) needs.follow_up.insert(c.establishment);
    if (c.risk.complex() && !this_year) needs.complex_yearly.insert(c.establishment);
    absl::CivilDay due;
    EXPECT_TRUE(absl::ParseCivilTime(c.risk.next_due_date(), &due));
    if (due <= p.period_to) needs.risk_minimum.insert(c.establishment);
    if (c.inspection_dates.empty()) needs.never_inspected.insert(c.establishment);
    if (this_year) {
      ++needs.inspected_this_year;
    } else {
      needs.not_inspected_this_year.insert(c.establishment);
    }
  }
  const int never = static_cast<int>(needs.never_inspected.size());
  if (p.programme_end) {
    if (*p.programme_end <= p.period_to) {
      needs.programme_needed = never;
    } else {
      const int64_t in_period = MonthsFromTo(p.period_from, p.period_to);
      const int64_t left = MonthsFromTo(p.period_from, *p.programme_end);
      needs.programme_needed = static_cast<int>((never * in_period + left - 1) / left);
    }
  }
  const int size = static_cast<int>(world.registry.size());
  needs.annual_target = (size * 20 + 99) / 100;
  return needs;
}

std::map<std::string, bool> CheckProposal(const ScheduleParams& p, const Needs& needs,
                                          const v1::ProposeScheduleResponse& response) {
  std::set<std::string> proposed;
  for (const auto& inspection : response.inspections()) {
    SCOPED_TRACE(inspection.establishment());
    EXPECT_TRUE(proposed.insert(inspection.establishment()).second) << "proposed twice";
    const auto it = needs.by_name.find(inspection.establishment());
    if (it == needs.by_name.end()) {
      ADD_FAILURE() << "not in the registry";
      continue;
    }
    const Candidate& c = *it->second;
    absl::CivilDay due_by;
    EXPECT_TRUE(absl::ParseCivilTime(inspection.due_by(), &due_by));
    EXPECT_GE(due_by, p.period_from);
    EXPECT_LE(due_by, p.period_to);
    EXPECT_FALSE(inspection.reasons().empty());
    // Deadlines that fall within the period are kept.
    if (c.follow_up_by && *c.follow_up_by >= p.period_from && *c.follow_up_by <= p.period_to) {
      EXPECT_LE(due_by, *c.follow_up_by);
    }
    absl::CivilDay next_due;
    if (absl::ParseCivilTime(c.risk.next_due_date(), &next_due) && next_due >= p.period_from &&
        next_due <= p.period_to) {
      EXPECT_LE(due_by, next_due);
    }
  }
  EXPECT_LE(response.inspections_size(), std::max(0, p.capacity));

  auto covers = [&proposed](const std::set<std::string>& all) {
    return std::all_of(all.begin(), all.end(),
                       [&proposed](const std::string& name) { return proposed.count(name) > 0; });
  };
  auto count_in = [&proposed](const std::set<std::string>& all) {
    return static_cast<int>(std::count_if(
        all.begin(), all.end(), [&proposed](const auto& n) { return proposed.count(n) > 0; }));
  };
  return {
      {"follow_up", covers(needs.follow_up)},
      {"complex_yearly", covers(needs.complex_yearly)},
      {"risk_minimum", covers(needs.risk_minimum)},
      {"programme_coverage", count_in(needs.never_inspected) >= needs.programme_needed},
      {"annual_share",
       needs.inspected_this_year + count_in(needs.not_inspected_this_year) >= needs.annual_target},
  };
}

std::set<std::string> Union(const Needs& needs) {
  std::set<std::string> all = needs.follow_up;
  all.insert(needs.complex_yearly.begin(), needs.complex_yearly.end());
  all.insert(needs.risk_minimum.begin(), needs.risk_minimum.end());
  return all;
}

class GeneratedRegistry : public ::testing::TestWithParam<uint32_t> {};

TEST_P(GeneratedRegistry, ASufficientCapacityMeetsEveryRule) {
  const World world = Generate(GetParam(), 10000);
  const Needs needs = ComputeNeeds(world);
  // Enough for every set rule plus both counts, however they overlap.
  const int annual_more = std::max(0, needs.annual_target - needs.inspected_this_year);
  ScheduleParams params = world.params;
  params.capacity = static_cast<int>(Union(needs).size()) + needs.programme_needed + annual_more;
  const v1::ProposeScheduleResponse response = ProposeSchedule(world.registry, params);

  // The generator makes every rule matter.
  EXPECT_FALSE(needs.follow_up.empty());
  EXPECT_FALSE(needs.complex_yearly.empty());
  EXPECT_FALSE(needs.risk_minimum.empty());

  const std::map<std::string, bool> met = CheckProposal(params, needs, response);
  for (const auto& [code, ok] : met) EXPECT_TRUE(ok) << code;
  for (const auto& rule : response.rules()) {
    EXPECT_TRUE(rule.met()) << rule.code();
    EXPECT_THAT(rule.detail(), IsEmpty());
  }
  EXPECT_EQ(Rule(response, "follow_up").needed(), static_cast<int>(needs.follow_up.size()));
  EXPECT_EQ(Rule(response, "complex_yearly").needed(),
            static_cast<int>(needs.complex_yearly.size()));
  EXPECT_EQ(Rule(response, "risk_minimum").needed(), static_cast<int>(needs.risk_minimum.size()));
  EXPECT_EQ(Rule(response, "programme_coverage").needed(), needs.programme_needed);
  EXPECT_EQ(Rule(response, "annual_share").needed(), annual_more);
}

TEST_P(GeneratedRegistry, ATooSmallCapacitySaysWhichRuleCannotBeMet) {
  const World world = Generate(GetParam(), 10000);
  const Needs needs = ComputeNeeds(world);
  const int must = static_cast<int>(Union(needs).size());
  ASSERT_GT(must, 10);
  std::mt19937 rng(GetParam() * 7919u);
  for (const int capacity : {0, must / 3, Uniform(rng, 1, must - 1), must - 1}) {
    SCOPED_TRACE(absl::StrCat("capacity ", capacity, " of ", must));
    ScheduleParams params = world.params;
    params.capacity = capacity;
    const v1::ProposeScheduleResponse response = ProposeSchedule(world.registry, params);
    EXPECT_EQ(response.inspections_size(), capacity);
    EXPECT_EQ(response.capacity(), capacity);

    const std::map<std::string, bool> met = CheckProposal(params, needs, response);
    // Fewer than the set rules need: at least one of them fails, and the report agrees
    // with the independent check on every rule.
    EXPECT_FALSE(met.at("follow_up") && met.at("complex_yearly") && met.at("risk_minimum"));
    int unmet = 0;
    for (const auto& rule : response.rules()) {
      SCOPED_TRACE(rule.code());
      EXPECT_EQ(rule.met(), met.at(rule.code()));
      if (rule.met()) continue;
      ++unmet;
      int said_capacity = -1;
      int said_needed = -1;
      ASSERT_EQ(std::sscanf(rule.detail().c_str(), "capacity %d is below the %d inspections",
                            &said_capacity, &said_needed),
                2)
          << rule.detail();
      EXPECT_EQ(said_capacity, capacity);
      EXPECT_GT(said_needed, capacity);
      EXPECT_GE(said_needed, rule.needed());
      EXPECT_NE(rule.detail().find(rule.code()), std::string::npos);
    }
    EXPECT_GE(unmet, 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, GeneratedRegistry, ::testing::Values(1u, 2u, 3u, 17u, 2024u));

// ----- Coverage. -----

TEST(Coverage, CountsTheRegistryTheYearAndTheComplexOnes) {
  const std::vector<Candidate> registry = {
      Complex(Business("complex-seen", 80)),
      Complex(InspectedOn(Business("complex-last-year", 70), {absl::CivilDay(2023, 5, 5)})),
      Complex(NeverInspected(Business("complex-never", 90))),
      Business("seen", 10),
      InspectedOn(Business("seen-2022", 20), {absl::CivilDay(2022, 5, 5)}),
  };
  const v1::GetCoverageResponse coverage = Coverage(registry, 2024, std::nullopt, std::nullopt);
  EXPECT_EQ(coverage.registry_size(), 5);
  EXPECT_EQ(coverage.inspected_this_year(), 2);
  EXPECT_DOUBLE_EQ(coverage.share_inspected(), 2.0 / 5.0);
  EXPECT_EQ(coverage.complex_total(), 3);
  EXPECT_EQ(coverage.complex_not_inspected(), 2);
  // Without a programme: not inspected in 2024.
  EXPECT_EQ(coverage.never_inspected(), 3);
  EXPECT_THAT(coverage.complex_not_inspected_names(),
              ElementsAre(Name("complex-never"), Name("complex-last-year")));

  // Over a 2023–2024 programme only those without an inspection in it are left.
  const v1::GetCoverageResponse programme =
      Coverage(registry, 2024, absl::CivilDay(2023, 1, 1), absl::CivilDay(2024, 12, 31));
  EXPECT_EQ(programme.never_inspected(), 2);  // complex-never, seen-2022
  // The year 2023 is another story.
  const v1::GetCoverageResponse last_year = Coverage(registry, 2023, std::nullopt, std::nullopt);
  EXPECT_EQ(last_year.inspected_this_year(), 1);
  EXPECT_EQ(last_year.complex_not_inspected(), 2);
}

TEST(Coverage, AnEmptyRegistryHasNoShare) {
  const v1::GetCoverageResponse coverage = Coverage({}, 2024, std::nullopt, std::nullopt);
  EXPECT_EQ(coverage.registry_size(), 0);
  EXPECT_EQ(coverage.share_inspected(), 0.0);
  EXPECT_THAT(coverage.complex_not_inspected_names(), IsEmpty());
}

TEST(Coverage, NamesAtMostTheHundredRiskiestComplexOnesNotInspected) {
  std::vector<Candidate> registry;
  std::mt19937 rng(7);
  for (int i = 0; i < 150; ++i) {
    registry.push_back(
        Complex(NeverInspected(Business(absl::StrFormat("c%03d", i), Uniform(rng, 0, 100)))));
  }
  const v1::GetCoverageResponse coverage = Coverage(registry, 2024, std::nullopt, std::nullopt);
  EXPECT_EQ(coverage.complex_not_inspected(), 150);
  ASSERT_EQ(coverage.complex_not_inspected_names_size(), 100);
  std::map<std::string, int> score;
  for (const Candidate& c : registry) score[c.establishment] = c.risk.score();
  std::vector<int> listed;
  std::set<std::string> names;
  for (const std::string& name : coverage.complex_not_inspected_names()) {
    listed.push_back(score.at(name));
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 100u);
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end(), std::greater<int>()));
  for (const Candidate& c : registry) {
    if (names.count(c.establishment) == 0) {
      EXPECT_LE(c.risk.score(), listed.back());
    }
  }
}

}  // namespace
}  // namespace pcmd::inspections
