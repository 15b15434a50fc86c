#include "services/inspections/risk.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd::inspections {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::CivilDay kToday(2024, 6, 3);

// The codes of the factors in the order risk.h documents.
const std::vector<std::string> kFactorOrder = {
    "business_type", "violations", "tips", "hotspot", "since_last_inspection", "commitment"};

// An "other" business inspected a month ago and registered long ago: every factor but
// business_type (10) is worth 0, so a row changes only what it tests.
RiskInputs Quiet() {
  RiskInputs inputs;
  inputs.business_type = v1::BUSINESS_TYPE_OTHER;
  inputs.last_inspection = kToday - 30;
  inputs.registered = absl::CivilDay(2015, 1, 1);
  return inputs;
}

const v1::RiskFactor* FindFactor(const v1::RiskAssessment& assessment, const std::string& code) {
  for (const v1::RiskFactor& factor : assessment.factors()) {
    if (factor.code() == code) return &factor;
  }
  return nullptr;
}

std::vector<std::string> Codes(const v1::RiskAssessment& assessment) {
  std::vector<std::string> codes;
  for (const v1::RiskFactor& factor : assessment.factors()) codes.push_back(factor.code());
  return codes;
}

int SumOfPoints(const v1::RiskAssessment& assessment) {
  int sum = 0;
  for (const v1::RiskFactor& factor : assessment.factors()) sum += factor.points();
  return sum;
}

struct FactorCase {
  const char* label;
  std::function<void(RiskInputs&)> setup;
  const char* code;
  int points;
  absl::CivilDay today = kToday;
};

TEST(Risk, EachFactorScoresItsDocumentedPointsAtEveryBoundary) {
  const absl::CivilDay three_years_ago(2021, 6, 3);
  const absl::CivilDay twelve_months_ago(2023, 6, 3);
  const absl::CivilDay twenty_four_months_ago(2022, 6, 3);
  auto type = [](v1::BusinessType t) { return [t](RiskInputs& in) { in.business_type = t; }; };
  auto violations = [](std::vector<PastViolation> v) {
    return [v](RiskInputs& in) { in.violations = v; };
  };
  auto tips = [](std::vector<absl::CivilDay> t) {
    return [t](RiskInputs& in) { in.tip_dates = t; };
  };
  auto last = [](std::optional<absl::CivilDay> d) {
    return [d](RiskInputs& in) { in.last_inspection = d; };
  };
  auto commitment = [](std::optional<absl::CivilDay> d) {
    return [d](RiskInputs& in) { in.commitment_date = d; };
  };
  const v1::Severity minor = v1::SEVERITY_MINOR;
  const v1::Severity serious = v1::SEVERITY_SERIOUS;
  const v1::Severity very = v1::SEVERITY_VERY_SERIOUS;

  const std::vector<FactorCase> cases = {
      {"massage 30", type(v1::BUSINESS_TYPE_MASSAGE), "business_type", 30},
      {"sauna 30", type(v1::BUSINESS_TYPE_SAUNA), "business_type", 30},
      {"hair-wash/relaxation 30", type(v1::BUSINESS_TYPE_HAIR_WASH_RELAXATION), "business_type",
       30},
      {"karaoke 25", type(v1::BUSINESS_TYPE_KARAOKE), "business_type", 25},
      {"bar 25", type(v1::BUSINESS_TYPE_BAR), "business_type", 25},
      {"dance hall 25", type(v1::BUSINESS_TYPE_DANCE_HALL), "business_type", 25},
      {"lodging 20", type(v1::BUSINESS_TYPE_LODGING), "business_type", 20},
      {"other 10", type(v1::BUSINESS_TYPE_OTHER), "business_type", 10},
      {"unspecified rates as other, 10", type(v1::BUSINESS_TYPE_UNSPECIFIED), "business_type", 10},

      {"no violations 0", violations({}), "violations", 0},
      {"a minor violation today 5", violations({{kToday, minor}}), "violations", 5},
      {"a serious violation 15", violations({{kToday - 100, serious}}), "violations", 15},
      {"a very serious violation 30", violations({{kToday - 100, very}}), "violations", 30},
      {"a violation of unspecified severity 0",
       violations({{kToday - 100, v1::SEVERITY_UNSPECIFIED}}), "violations", 0},
      {"a minor violation exactly 3 years ago counts", violations({{three_years_ago, minor}}),
       "violations", 5},
      {"a minor violation 3 years and a day ago does not",
       violations({{three_years_ago - 1, minor}}), "violations", 0},
      {"a very serious violation 3 years and a day ago does not",
       violations({{three_years_ago - 1, very}}), "violations", 0},
      {"a violation after today does not count", violations({{kToday + 1, serious}}), "violations",
       0},
      {"minor + serious = 20", violations({{kToday - 10, minor}, {kToday - 20, serious}}),
       "violations", 20},
      {"very serious + minor = 35, under the cap",
       violations({{kToday - 10, very}, {kToday - 20, minor}}), "violations", 35},
      {"8 minor = 40, exactly the cap", violations(std::vector<PastViolation>(8, {kToday, minor})),
       "violations", 40},
      {"9 minor = 45, capped at 40", violations(std::vector<PastViolation>(9, {kToday, minor})),
       "violations", 40},
      {"two very serious = 60, capped at 40", violations({{kToday, very}, {kToday - 1, very}}),
       "violations", 40},
      {"an old very serious one does not count toward the cap",
       violations({{kToday, very}, {three_years_ago - 1, very}}), "violations", 30},
      {"on 29 Feb 2024, 28 Feb 2021 is within 3 years",
       violations({{absl::CivilDay(2021, 2, 28), minor}}), "violations", 5,
       absl::CivilDay(2024, 2, 29)},
      {"on 29 Feb 2024, 27 Feb 2021 is not", violations({{absl::CivilDay(2021, 2, 27), minor}}),
       "violations", 0, absl::CivilDay(2024, 2, 29)},

      {"no tips 0", tips({}), "tips", 0},
      {"one tip today 10", tips({kToday}), "tips", 10},
      {"two tips 20", tips({kToday - 5, kToday - 50}), "tips", 20},
      {"three tips 30, exactly the cap", tips({kToday, kToday - 1, kToday - 2}), "tips", 30},
      {"four tips 40, capped at 30", tips({kToday, kToday - 1, kToday - 2, kToday - 3}), "tips",
       30},
      {"a tip exactly 12 months ago counts", tips({twelve_months_ago}), "tips", 10},
      {"a tip 12 months and a day ago does not", tips({twelve_months_ago - 1}), "tips", 0},
      {"a tip after today does not", tips({kToday + 1}), "tips", 0},

      {"hotspot 20", [](RiskInputs& in) { in.hotspot_linked = true; }, "hotspot", 20},
      {"no hotspot 0", [](RiskInputs& in) { in.hotspot_linked = false; }, "hotspot", 0},

      {"never inspected 15", last(std::nullopt), "since_last_inspection", 15},
      {"24 months and a day ago 10", last(twenty_four_months_ago - 1), "since_last_inspection", 10},
      {"exactly 24 months ago is not more than 24: 5", last(twenty_four_months_ago),
       "since_last_inspection", 5},
      {"12 months and a day ago 5", last(twelve_months_ago - 1), "since_last_inspection", 5},
      {"exactly 12 months ago is not more than 12: 0", last(twelve_months_ago),
       "since_last_inspection", 0},
      {"inspected today 0", last(kToday), "since_last_inspection", 0},

      {"a commitment today -10", commitment(kToday), "commitment", -10},
      {"a commitment exactly 12 months ago -10", commitment(twelve_months_ago), "commitment", -10},
      {"a commitment 12 months and a day ago 0", commitment(twelve_months_ago - 1), "commitment",
       0},
      {"no commitment 0", commitment(std::nullopt), "commitment", 0},
  };

  for (const FactorCase& c : cases) {
    SCOPED_TRACE(c.label);
    RiskInputs inputs = Quiet();
    c.setup(inputs);
    const v1::RiskAssessment assessment = AssessRisk(inputs, c.today);
    const v1::RiskFactor* factor = FindFactor(assessment, c.code);
    ASSERT_NE(factor, nullptr);
    EXPECT_EQ(factor->points(), c.points);
    EXPECT_FALSE(factor->detail().empty());
  }
}

struct CategoryCase {
  const char* label;
  std::function<void(RiskInputs&)> setup;
  int score;
  v1::RiskCategory category;
  int interval_months;
};

// Every factor is a multiple of 5, so a boundary is tested at the threshold and at the
// highest reachable score below it (75 for 79/80, and so on).
TEST(Risk, ScoresMapToCategoriesAtTheirThresholdsAndClampAt100) {
  const absl::CivilDay long_ago = kToday - 800;         // more than 24 months: 10
  const absl::CivilDay a_year_and_more = kToday - 400;  // more than 12 months: 5
  const std::vector<CategoryCase> cases = {
      {"massage 30 + hotspot 20 + 2 tips 20 + over 24 months 10 = 80: A",
       [&](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_MASSAGE;
         in.hotspot_linked = true;
         in.tip_dates = {kToday, kToday};
         in.last_inspection = long_ago;
       },
       80, v1::RISK_CATEGORY_A, 6},
      {"massage 30 + hotspot 20 + 2 tips 20 + over 12 months 5 = 75: B",
       [&](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_MASSAGE;
         in.hotspot_linked = true;
         in.tip_dates = {kToday, kToday};
         in.last_inspection = a_year_and_more;
       },
       75, v1::RISK_CATEGORY_B, 12},
      {"karaoke 25 + hotspot 20 + never inspected 15 = 60: B",
       [&](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_KARAOKE;
         in.hotspot_linked = true;
         in.last_inspection.reset();
       },
       60, v1::RISK_CATEGORY_B, 12},
      {"karaoke 25 + hotspot 20 + over 24 months 10 = 55: C",
       [&](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_KARAOKE;
         in.hotspot_linked = true;
         in.last_inspection = long_ago;
       },
       55, v1::RISK_CATEGORY_C, 18},
      {"lodging 20 + hotspot 20 = 40: C",
       [&](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_LODGING;
         in.hotspot_linked = true;
       },
       40, v1::RISK_CATEGORY_C, 18},
      {"lodging 20 + serious violation 15 = 35: D",
       [&](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_LODGING;
         in.violations = {{kToday - 10, v1::SEVERITY_SERIOUS}};
       },
       35, v1::RISK_CATEGORY_D, 24},
      {"lodging 20 = 20: D", [&](RiskInputs& in) { in.business_type = v1::BUSINESS_TYPE_LODGING; },
       20, v1::RISK_CATEGORY_D, 24},
      {"other 10 + minor violation 5 = 15: E",
       [&](RiskInputs& in) {
         in.violations = {{kToday - 10, v1::SEVERITY_MINOR}};
       },
       15, v1::RISK_CATEGORY_E, 36},
      {"other 10 + commitment -10 = 0, the lowest sum: E",
       [&](RiskInputs& in) { in.commitment_date = kToday - 10; }, 0, v1::RISK_CATEGORY_E, 36},
      {"other 10 + violations 40 + tips 30 + hotspot 20 = 100 exactly: A",
       [&](RiskInputs& in) {
         in.violations = {{kToday, v1::SEVERITY_VERY_SERIOUS}, {kToday, v1::SEVERITY_SERIOUS}};
         in.tip_dates = {kToday, kToday, kToday};
         in.hotspot_linked = true;
       },
       100, v1::RISK_CATEGORY_A, 6},
      {"massage 30 + 40 + 30 + 20 + never 15 = 135, clamped to 100: A",
       [&](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_MASSAGE;
         in.violations = {{kToday, v1::SEVERITY_VERY_SERIOUS}, {kToday, v1::SEVERITY_SERIOUS}};
         in.tip_dates = {kToday, kToday, kToday, kToday};
         in.hotspot_linked = true;
         in.last_inspection.reset();
       },
       100, v1::RISK_CATEGORY_A, 6},
  };
  for (const CategoryCase& c : cases) {
    SCOPED_TRACE(c.label);
    RiskInputs inputs = Quiet();
    c.setup(inputs);
    const v1::RiskAssessment assessment = AssessRisk(inputs, kToday);
    EXPECT_EQ(assessment.score(), c.score);
    EXPECT_EQ(assessment.category(), c.category);
    EXPECT_EQ(assessment.interval_months(), c.interval_months);
  }
}

TEST(Risk, AMassageParlourOnAHotspotWithTwoRecentTipsIsCategoryA) {
  RiskInputs inputs;
  inputs.business_type = v1::BUSINESS_TYPE_MASSAGE;
  inputs.hotspot_linked = true;
  inputs.tip_dates = {kToday - 20, kToday - 90};
  inputs.registered = absl::CivilDay(2023, 1, 1);
  // 30 + 20 (tips) + 20 (hotspot) + 15 (never inspected) = 85.
  const v1::RiskAssessment assessment = AssessRisk(inputs, kToday);
  EXPECT_EQ(assessment.score(), 85);
  EXPECT_EQ(assessment.category(), v1::RISK_CATEGORY_A);
  EXPECT_TRUE(assessment.complex());
  EXPECT_EQ(assessment.assess_date(), "2024-06-03");
  EXPECT_THAT(FindFactor(assessment, "tips")->detail(), HasSubstr("2 tips in the last 12 months"));
}

TEST(Risk, ListsEveryFactorInOrderEvenAtZeroPoints) {
  const v1::RiskAssessment assessment = AssessRisk(Quiet(), kToday);
  EXPECT_EQ(Codes(assessment), kFactorOrder);
  std::vector<int> points;
  for (const v1::RiskFactor& factor : assessment.factors()) points.push_back(factor.points());
  EXPECT_THAT(points, ElementsAre(10, 0, 0, 0, 0, 0));
  EXPECT_EQ(assessment.score(), 10);
}

TEST(Risk, CappedFactorsSayTheyAreCapped) {
  RiskInputs inputs = Quiet();
  inputs.violations = {{kToday, v1::SEVERITY_VERY_SERIOUS}, {kToday, v1::SEVERITY_VERY_SERIOUS}};
  inputs.tip_dates = {kToday, kToday, kToday, kToday};
  const v1::RiskAssessment assessment = AssessRisk(inputs, kToday);
  EXPECT_THAT(FindFactor(assessment, "violations")->detail(), HasSubstr("capped"));
  EXPECT_THAT(FindFactor(assessment, "tips")->detail(), HasSubstr("capped"));
}

// Over random inputs: the factors are the documented six in order, and they explain the
// score (their sum, clamped to 0–100), whose category follows the thresholds.
TEST(Risk, FactorsAlwaysComeInOrderAndAddUpToTheScore) {
  std::mt19937 rng(20240603);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<>(lo, hi)(rng); };
  int unclamped = 0;
  for (int i = 0; i < 3000; ++i) {
    RiskInputs inputs;
    inputs.business_type = static_cast<v1::BusinessType>(uniform(0, 8));
    for (int v = uniform(0, 4); v > 0; --v) {
      inputs.violations.push_back(
          {kToday - uniform(-10, 1500), static_cast<v1::Severity>(uniform(0, 3))});
    }
    for (int t = uniform(0, 5); t > 0; --t) inputs.tip_dates.push_back(kToday - uniform(-5, 500));
    inputs.hotspot_linked = uniform(0, 3) == 0;
    if (uniform(0, 3) > 0) inputs.last_inspection = kToday - uniform(0, 1200);
    if (uniform(0, 2) == 0) inputs.commitment_date = kToday - uniform(0, 700);
    inputs.registered = kToday - uniform(0, 3000);

    const v1::RiskAssessment assessment = AssessRisk(inputs, kToday);
    SCOPED_TRACE(assessment.DebugString());
    ASSERT_EQ(Codes(assessment), kFactorOrder);
    const int sum = SumOfPoints(assessment);
    if (sum >= 0 && sum <= 100) {
      EXPECT_EQ(assessment.score(), sum);
      ++unclamped;
    } else {
      EXPECT_EQ(assessment.score(), std::clamp(sum, 0, 100));
    }
    const int score = assessment.score();
    const v1::RiskCategory expected = score >= 80   ? v1::RISK_CATEGORY_A
                                      : score >= 60 ? v1::RISK_CATEGORY_B
                                      : score >= 40 ? v1::RISK_CATEGORY_C
                                      : score >= 20 ? v1::RISK_CATEGORY_D
                                                    : v1::RISK_CATEGORY_E;
    EXPECT_EQ(assessment.category(), expected);
    EXPECT_EQ(assessment.interval_months(), IntervalMonths(expected));
  }
  EXPECT_GT(unclamped, 1000);
}

struct ComplexCase {
  const char* label;
  std::function<void(RiskInputs&)> setup;
  bool complex;
};

TEST(Risk, ComplexMeansAHotspotARecentTipOrARecentSeriousViolation) {
  const std::vector<ComplexCase> cases = {
      {"nothing", [](RiskInputs&) {}, false},
      {"a hotspot link", [](RiskInputs& in) { in.hotspot_linked = true; }, true},
      {"a tip today", [](RiskInputs& in) { in.tip_dates = {kToday}; }, true},
      {"a tip exactly 12 months ago",
       [](RiskInputs& in) { in.tip_dates = {absl::CivilDay(2023, 6, 3)}; }, true},
      {"a tip 12 months and a day ago",
       [](RiskInputs& in) { in.tip_dates = {absl::CivilDay(2023, 6, 2)}; }, false},
      {"minor violations only, however many",
       [](RiskInputs& in) {
         in.violations = std::vector<PastViolation>(9, {kToday, v1::SEVERITY_MINOR});
       },
       false},
      {"a serious violation exactly 3 years ago",
       [](RiskInputs& in) {
         in.violations = {{absl::CivilDay(2021, 6, 3), v1::SEVERITY_SERIOUS}};
       },
       true},
      {"a serious violation 3 years and a day ago",
       [](RiskInputs& in) {
         in.violations = {{absl::CivilDay(2021, 6, 2), v1::SEVERITY_SERIOUS}};
       },
       false},
      {"a very serious violation last month",
       [](RiskInputs& in) {
         in.violations = {{kToday - 30, v1::SEVERITY_VERY_SERIOUS}};
       },
       true},
      {"a high score alone (massage, never inspected, old tips)",
       [](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_MASSAGE;
         in.last_inspection.reset();
         in.tip_dates = {kToday - 400};
       },
       false},
  };
  for (const ComplexCase& c : cases) {
    SCOPED_TRACE(c.label);
    RiskInputs inputs = Quiet();
    c.setup(inputs);
    EXPECT_EQ(AssessRisk(inputs, kToday).complex(), c.complex);
  }
}

struct DueCase {
  const char* label;
  std::function<void(RiskInputs&)> setup;
  absl::CivilDay today;
  absl::CivilDay due;
};

TEST(Risk, NextDueDateIsTheLastInspectionOrRegistrationPlusTheInterval) {
  const std::vector<DueCase> cases = {
      {"never inspected: other 10 + never 15 = 25, D, registration + 24 months",
       [](RiskInputs& in) {
         in.last_inspection.reset();
         in.registered = absl::CivilDay(2023, 1, 15);
       },
       kToday, absl::CivilDay(2025, 1, 15)},
      {"complex and never inspected: due today",
       [](RiskInputs& in) {
         in.last_inspection.reset();
         in.hotspot_linked = true;
         in.registered = absl::CivilDay(2023, 1, 15);
       },
       kToday, kToday},
      {"complex and never inspected but registered tomorrow: never before registration",
       [](RiskInputs& in) {
         in.last_inspection.reset();
         in.tip_dates = {kToday};
         in.registered = kToday + 1;
       },
       kToday, kToday + 1},
      {"inspected, not complex: other 10 = E, last + 36 months",
       [](RiskInputs& in) { in.last_inspection = absl::CivilDay(2024, 1, 10); }, kToday,
       absl::CivilDay(2027, 1, 10)},
      {"complex C (lodging 20 + hotspot 20): 18 months capped at 12",
       [](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_LODGING;
         in.hotspot_linked = true;
         in.last_inspection = absl::CivilDay(2024, 1, 10);
       },
       kToday, absl::CivilDay(2025, 1, 10)},
      {"not complex C (karaoke 25 + over 12 months 5 + two minor 10 = 40): last + 18 months",
       [](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_KARAOKE;
         in.last_inspection = absl::CivilDay(2023, 1, 10);
         in.violations = {{kToday, v1::SEVERITY_MINOR}, {kToday, v1::SEVERITY_MINOR}};
       },
       kToday, absl::CivilDay(2024, 7, 10)},
      {"complex A (100): 6 months, within the 12-month cap; 31 Aug 2023 + 6 = 29 Feb 2024",
       [](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_MASSAGE;
         in.violations = {{kToday, v1::SEVERITY_VERY_SERIOUS}, {kToday, v1::SEVERITY_SERIOUS}};
         in.tip_dates = {kToday, kToday, kToday};
         in.last_inspection = absl::CivilDay(2023, 8, 31);
       },
       kToday, absl::CivilDay(2024, 2, 29)},
      {"the same in a common year: 31 Aug 2022 + 6 = 28 Feb 2023",
       [](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_MASSAGE;
         in.violations = {{absl::CivilDay(2023, 5, 1), v1::SEVERITY_VERY_SERIOUS},
                          {absl::CivilDay(2023, 5, 1), v1::SEVERITY_SERIOUS}};
         in.tip_dates = {absl::CivilDay(2023, 5, 1), absl::CivilDay(2023, 5, 1),
                         absl::CivilDay(2023, 5, 1)};
         in.last_inspection = absl::CivilDay(2022, 8, 31);
       },
       absl::CivilDay(2023, 6, 1), absl::CivilDay(2023, 2, 28)},
      {"complex B inspected on 29 Feb 2024: 12 months later is 28 Feb 2025",
       [](RiskInputs& in) {
         in.business_type = v1::BUSINESS_TYPE_MASSAGE;  // 30 + hotspot 20 + tip 10 = 60: B
         in.hotspot_linked = true;
         in.tip_dates = {kToday};
         in.last_inspection = absl::CivilDay(2024, 2, 29);
       },
       kToday, absl::CivilDay(2025, 2, 28)},
      {"inspected before it was registered: never before the registration day",
       [](RiskInputs& in) {
         in.last_inspection = absl::CivilDay(2019, 1, 1);  // 10 + 10 = 20: D, due 2021-01-01
         in.registered = absl::CivilDay(2024, 1, 1);
       },
       kToday, absl::CivilDay(2024, 1, 1)},
  };
  for (const DueCase& c : cases) {
    SCOPED_TRACE(c.label);
    RiskInputs inputs = Quiet();
    c.setup(inputs);
    const v1::RiskAssessment assessment = AssessRisk(inputs, c.today);
    EXPECT_EQ(assessment.next_due_date(), absl::FormatCivilTime(c.due));
  }
}

TEST(Risk, IntervalMonthsFollowTheCategories) {
  EXPECT_EQ(IntervalMonths(v1::RISK_CATEGORY_A), 6);
  EXPECT_EQ(IntervalMonths(v1::RISK_CATEGORY_B), 12);
  EXPECT_EQ(IntervalMonths(v1::RISK_CATEGORY_C), 18);
  EXPECT_EQ(IntervalMonths(v1::RISK_CATEGORY_D), 24);
  EXPECT_EQ(IntervalMonths(v1::RISK_CATEGORY_E), 36);
  EXPECT_EQ(IntervalMonths(v1::RISK_CATEGORY_UNSPECIFIED), 0);
}

struct MonthsCase {
  absl::CivilDay day;
  int months;
  absl::CivilDay expected;
};

TEST(Risk, AddMonthsClampsToTheLastDayOfTheMonth) {
  const std::vector<MonthsCase> cases = {
      {absl::CivilDay(2024, 1, 31), 1, absl::CivilDay(2024, 2, 29)},
      {absl::CivilDay(2023, 1, 31), 1, absl::CivilDay(2023, 2, 28)},
      {absl::CivilDay(2100, 1, 31), 1, absl::CivilDay(2100, 2, 28)},
      {absl::CivilDay(2000, 1, 31), 1, absl::CivilDay(2000, 2, 29)},
      {absl::CivilDay(2024, 2, 29), 12, absl::CivilDay(2025, 2, 28)},
      {absl::CivilDay(2024, 2, 29), 48, absl::CivilDay(2028, 2, 29)},
      {absl::CivilDay(2024, 2, 29), -36, absl::CivilDay(2021, 2, 28)},
      {absl::CivilDay(2024, 3, 31), -1, absl::CivilDay(2024, 2, 29)},
      {absl::CivilDay(2024, 5, 31), 1, absl::CivilDay(2024, 6, 30)},
      {absl::CivilDay(2024, 12, 15), 1, absl::CivilDay(2025, 1, 15)},
      {absl::CivilDay(2024, 1, 15), -1, absl::CivilDay(2023, 12, 15)},
      {absl::CivilDay(2024, 6, 3), 0, absl::CivilDay(2024, 6, 3)},
  };
  for (const MonthsCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(absl::FormatCivilTime(c.day), " + ", c.months));
    EXPECT_EQ(AddMonths(c.day, c.months), c.expected);
  }
}

}  // namespace
}  // namespace pcmd::inspections
