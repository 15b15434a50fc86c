// What the registry knows about an establishment's risk, read inside a transaction,
// and the refresh of its stored risk with the EstablishmentRiskChanged event. Shared by
// the establishment and inspection stores so that every change that moves a risk
// publishes it in the same transaction.
#ifndef PCMD_SERVICES_INSPECTIONS_REGISTRY_FACTS_H_
#define PCMD_SERVICES_INSPECTIONS_REGISTRY_FACTS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/events/outbox.h"
#include "common/ids/calendar.h"
#include "common/storage/sqlite_database.h"
#include "services/inspections/risk.h"

namespace pcmd::inspections {

// Vietnam days (common/ids/calendar.h).
using ::pcmd::IsoDate;
using ::pcmd::VietnamDay;

// The risk inputs of establishment `id` (its type, hotspot, commitment, registration
// day, violations, tips and last completed inspection), or nullopt when there is no
// such establishment. Errors: storage errors.
absl::StatusOr<std::optional<RiskInputs>> LoadRiskInputs(storage::Transaction& tx,
                                                         absl::string_view id);

// Whether a tip of intake `category` (pcmd.intake.v1.Category) received on `day` about
// a business with `inputs` (as they were before this tip) asks for a follow-up
// inspection, and by when: when the
// business had a serious or very serious violation in the 3 years before, or shows
// complex signs (a hotspot link or an earlier tip in the 12 months before) and was not
// inspected in the 6 months before. Due in 7 days for trafficking or the sexual
// exploitation of a child, otherwise 30. nullopt when the rules ask for none.
std::optional<absl::CivilDay> FollowUpForTip(const RiskInputs& inputs, int category,
                                             absl::CivilDay day);

// Recomputes the risk of establishment `id` on `today`; when its category or complex
// flag differs from the one stored (or `follow_up_requested`), stores the new one and
// appends EstablishmentRiskChanged to `outbox` in `tx`. Returns the assessment.
// Errors: NOT_FOUND for an unknown id; storage errors.
absl::StatusOr<v1::RiskAssessment> RefreshRisk(storage::Transaction& tx, events::Outbox& outbox,
                                               absl::string_view id, absl::CivilDay today,
                                               bool follow_up_requested = false);

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_REGISTRY_FACTS_H_
