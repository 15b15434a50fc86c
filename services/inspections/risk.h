// The risk of a business, after the UK Food Standards Agency's A–E intervention scheme:
// a score from documented inputs, mapped to a category that sets the longest interval
// between two inspections. Every score carries its factors, so it answers "why".
//
// The scheme (points; the score is their sum clamped to 0–100):
//   business_type          massage, sauna, hair-wash/relaxation 30; karaoke, bar,
//                          dance hall 25; lodging 20; other 10.
//   violations             each violation in the 3 years before `today`: minor 5,
//                          serious 15, very serious 30; at most 40 in all.
//   tips                   each tip about it in the 12 months before `today`: 10; at
//                          most 30.
//   hotspot                linked to a hotspot (điểm phức tạp): 20.
//   since_last_inspection  never inspected 15; last inspection more than 24 months
//                          ago 10; more than 12 months ago 5; otherwise 0.
//   commitment             a commitment signed with the commune in the 12 months
//                          before `today`: -10.
// "In the N months (years) before `today`" covers AddMonths(today, -N months) through
// today, both included; later dates count for nothing. "More than 12 months ago" is
// before AddMonths(today, -12). An unspecified business type rates as other, a violation
// of unspecified severity 0 points. Every factor is a multiple of 5, and the lowest sum
// is 0 (other, inspected lately, commitment), so in practice only 100 clamps.
// Category by score: ≥ 80 A (6 months), ≥ 60 B (12), ≥ 40 C (18), ≥ 20 D (24),
// otherwise E (36). "Complex" (dấu hiệu phức tạp): a hotspot link, a tip in the last
// 12 months, or a serious or very serious violation in the last 3 years.
// next_due_date: the last inspection (or, never inspected, the registration day) plus
// the interval; a complex business is due at most 12 months after its last
// inspection, and one never inspected that is complex is due today. Never before the
// registration day.
//
// Every factor appears in `factors`, also those worth 0 points, in the order above.
// Pure functions: thread-safe.
#ifndef PCMD_SERVICES_INSPECTIONS_RISK_H_
#define PCMD_SERVICES_INSPECTIONS_RISK_H_

#include <optional>
#include <vector>

#include "absl/time/civil_time.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd::inspections {

struct PastViolation {
  absl::CivilDay date;
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
};

struct RiskInputs {
  v1::BusinessType business_type = v1::BUSINESS_TYPE_UNSPECIFIED;
  // Every violation recorded against it (older ones are ignored by the scheme).
  std::vector<PastViolation> violations;
  // The days tips about it were received (EstablishmentReported).
  std::vector<absl::CivilDay> tip_dates;
  bool hotspot_linked = false;
  std::optional<absl::CivilDay> last_inspection;
  std::optional<absl::CivilDay> commitment_date;
  // The day it entered the registry.
  absl::CivilDay registered;
};

// The assessment on `today` (assess_date = today).
v1::RiskAssessment AssessRisk(const RiskInputs& inputs, absl::CivilDay today);

// Months between inspections for `category`: A 6, B 12, C 18, D 24, E 36; 0 for
// UNSPECIFIED.
int IntervalMonths(v1::RiskCategory category);

// `day` plus `months` calendar months, clamped to the month's last day (31 Jan + 1
// month = 28/29 Feb).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_RISK_H_
