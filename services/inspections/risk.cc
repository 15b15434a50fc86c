#include "services/inspections/risk.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace pcmd::inspections {
namespace {

constexpr int kViolationYears = 3;
constexpr int kMaxViolationPoints = 40;
constexpr int kTipMonths = 12;
constexpr int kTipPoints = 10;
constexpr int kMaxTipPoints = 30;
constexpr int kHotspotPoints = 20;
constexpr int kNeverInspectedPoints = 15;
constexpr int kOver24MonthsPoints = 10;
constexpr int kOver12MonthsPoints = 5;
constexpr int kCommitmentMonths = 12;
constexpr int kCommitmentPoints = -10;
constexpr int kComplexMaxIntervalMonths = 12;
constexpr int kMinScore = 0;
constexpr int kMaxScore = 100;

// Whether `date` lies within the `months` months before `today`: from
// AddMonths(today, -months) through today, both included.
bool WithinMonths(absl::CivilDay date, absl::CivilDay today, int months) {
  return date <= today && date >= AddMonths(today, -months);
}

struct TypeRating {
  const char* label;
  int points;
};

TypeRating RateType(v1::BusinessType type) {
  switch (type) {
    case v1::BUSINESS_TYPE_MASSAGE:
      return {"massage", 30};
    case v1::BUSINESS_TYPE_SAUNA:
      return {"sauna", 30};
    case v1::BUSINESS_TYPE_HAIR_WASH_RELAXATION:
      return {"hair-wash/relaxation", 30};
    case v1::BUSINESS_TYPE_KARAOKE:
      return {"karaoke", 25};
    case v1::BUSINESS_TYPE_BAR:
      return {"bar", 25};
    case v1::BUSINESS_TYPE_DANCE_HALL:
      return {"dance hall", 25};
    case v1::BUSINESS_TYPE_LODGING:
      return {"lodging", 20};
    default:
      return {"other", 10};
  }
}

int SeverityPoints(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_MINOR:
      return 5;
    case v1::SEVERITY_SERIOUS:
      return 15;
    case v1::SEVERITY_VERY_SERIOUS:
      return 30;
    default:
      return 0;
  }
}

v1::RiskCategory CategoryFor(int score) {
  if (score >= 80) return v1::RISK_CATEGORY_A;
  if (score >= 60) return v1::RISK_CATEGORY_B;
  if (score >= 40) return v1::RISK_CATEGORY_C;
  if (score >= 20) return v1::RISK_CATEGORY_D;
  return v1::RISK_CATEGORY_E;
}

std::string Count(int n, const char* singular, const char* plural) {
  return absl::StrCat(n, " ", n == 1 ? singular : plural);
}

void AddFactor(v1::RiskAssessment& assessment, const char* code, std::string detail, int points) {
  v1::RiskFactor* factor = assessment.add_factors();
  factor->set_code(code);
  factor->set_detail(std::move(detail));
  factor->set_points(points);
}

}  // namespace

v1::RiskAssessment AssessRisk(const RiskInputs& inputs, absl::CivilDay today) {
  v1::RiskAssessment assessment;
  bool complex = false;
  int sum = 0;

  const TypeRating type = RateType(inputs.business_type);
  AddFactor(assessment, "business_type", type.label, type.points);
  sum += type.points;

  int minor = 0;
  int serious = 0;
  int very_serious = 0;
  int violation_points = 0;
  for (const PastViolation& violation : inputs.violations) {
    if (!WithinMonths(violation.date, today, 12 * kViolationYears)) continue;
    violation_points += SeverityPoints(violation.severity);
    switch (violation.severity) {
      case v1::SEVERITY_MINOR:
        ++minor;
        break;
      case v1::SEVERITY_SERIOUS:
        ++serious;
        complex = true;
        break;
      case v1::SEVERITY_VERY_SERIOUS:
        ++very_serious;
        complex = true;
        break;
      default:
        break;
    }
  }
  const int counted_violations = minor + serious + very_serious;
  std::string violation_detail = absl::StrCat(Count(counted_violations, "violation", "violations"),
                                              " in the last ", kViolationYears, " years");
  if (counted_violations > 0) {
    absl::StrAppend(&violation_detail, " (", minor, " minor, ", serious, " serious, ", very_serious,
                    " very serious)");
  }
  if (violation_points > kMaxViolationPoints) {
    absl::StrAppend(&violation_detail, ", capped at ", kMaxViolationPoints, " points");
    violation_points = kMaxViolationPoints;
  }
  AddFactor(assessment, "violations", std::move(violation_detail), violation_points);
  sum += violation_points;

  int tips = 0;
  for (const absl::CivilDay& tip : inputs.tip_dates) {
    if (WithinMonths(tip, today, kTipMonths)) ++tips;
  }
  if (tips > 0) complex = true;
  int tip_points = tips * kTipPoints;
  std::string tip_detail =
      absl::StrCat(Count(tips, "tip", "tips"), " in the last ", kTipMonths, " months");
  if (tip_points > kMaxTipPoints) {
    absl::StrAppend(&tip_detail, ", capped at ", kMaxTipPoints, " points");
    tip_points = kMaxTipPoints;
  }
  AddFactor(assessment, "tips", std::move(tip_detail), tip_points);
  sum += tip_points;

  const int hotspot_points = inputs.hotspot_linked ? kHotspotPoints : 0;
  if (inputs.hotspot_linked) complex = true;
  AddFactor(assessment, "hotspot",
            inputs.hotspot_linked ? "linked to a hotspot" : "not linked to a hotspot",
            hotspot_points);
  sum += hotspot_points;

  int since_points = 0;
  std::string since_detail;
  if (!inputs.last_inspection.has_value()) {
    since_points = kNeverInspectedPoints;
    since_detail = "never inspected";
  } else {
    const absl::CivilDay last = *inputs.last_inspection;
    since_detail = absl::StrCat("last inspected ", absl::FormatCivilTime(last));
    if (last < AddMonths(today, -24)) {
      since_points = kOver24MonthsPoints;
      absl::StrAppend(&since_detail, ", more than 24 months ago");
    } else if (last < AddMonths(today, -12)) {
      since_points = kOver12MonthsPoints;
      absl::StrAppend(&since_detail, ", more than 12 months ago");
    } else {
      absl::StrAppend(&since_detail, ", within 12 months");
    }
  }
  AddFactor(assessment, "since_last_inspection", std::move(since_detail), since_points);
  sum += since_points;

  int commitment_points = 0;
  std::string commitment_detail = "no commitment signed";
  if (inputs.commitment_date.has_value()) {
    const absl::CivilDay signed_on = *inputs.commitment_date;
    commitment_detail = absl::StrCat("commitment signed ", absl::FormatCivilTime(signed_on));
    if (WithinMonths(signed_on, today, kCommitmentMonths)) {
      commitment_points = kCommitmentPoints;
      absl::StrAppend(&commitment_detail, ", within ", kCommitmentMonths, " months");
    } else if (signed_on > today) {
      absl::StrAppend(&commitment_detail, ", after the assessment day");
    } else {
      absl::StrAppend(&commitment_detail, ", more than ", kCommitmentMonths, " months ago");
    }
  }
  AddFactor(assessment, "commitment", std::move(commitment_detail), commitment_points);
  sum += commitment_points;

  const int score = std::clamp(sum, kMinScore, kMaxScore);
  const v1::RiskCategory category = CategoryFor(score);
  const int interval = IntervalMonths(category);

  absl::CivilDay due;
  if (inputs.last_inspection.has_value()) {
    due = AddMonths(*inputs.last_inspection, interval);
    if (complex) {
      due = std::min(due, AddMonths(*inputs.last_inspection, kComplexMaxIntervalMonths));
    }
  } else {
    due = complex ? today : AddMonths(inputs.registered, interval);
  }
  due = std::max(due, inputs.registered);

  assessment.set_score(score);
  assessment.set_category(category);
  assessment.set_interval_months(interval);
  assessment.set_next_due_date(absl::FormatCivilTime(due));
  assessment.set_complex(complex);
  assessment.set_assess_date(absl::FormatCivilTime(today));
  return assessment;
}

int IntervalMonths(v1::RiskCategory category) {
  switch (category) {
    case v1::RISK_CATEGORY_A:
      return 6;
    case v1::RISK_CATEGORY_B:
      return 12;
    case v1::RISK_CATEGORY_C:
      return 18;
    case v1::RISK_CATEGORY_D:
      return 24;
    case v1::RISK_CATEGORY_E:
      return 36;
    default:
      return 0;
  }
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const int last_day = static_cast<int>((absl::CivilDay(month + 1) - 1).day());
  return absl::CivilDay(month.year(), month.month(), std::min(day.day(), last_day));
}

}  // namespace pcmd::inspections
