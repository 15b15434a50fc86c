// Where a tip's deadlines are computed: the legal time limits of the law, and the
// internal stage limits of this system (shorter for children and trafficking). Every
// rule and number lives in clocks.cc, each with its legal source. Dates are calendar
// days in Vietnam (UTC+7, no daylight saving). Pure functions; thread-safe.
#ifndef PCMD_SERVICES_INTAKE_CLOCKS_H_
#define PCMD_SERVICES_INTAKE_CLOCKS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/ids/calendar.h"
#include "pcmd/intake/v1/intake.pb.h"

namespace pcmd::intake {

// Vietnam time and days (common/ids/calendar.h).
using ::pcmd::IsoDate;
using ::pcmd::VietnamDay;
using ::pcmd::VietnamTime;

// True for the legal kinds the Criminal Procedure Code's Art. 147 clock governs
// (denunciation, crime report, petition to prosecute).
bool IsCriminalKind(v1::LegalKind kind);

// True for the categories whose tips come first (internal stage limits are shorter).
bool IsUrgent(v1::Category category);

// Last day of the legal time limit of a tip of `kind` received on `receive_day`, given
// the extensions granted (`bases`, each at most once). An unspecified kind gets the
// criminal clock (the strictest that could apply).
absl::CivilDay LegalDeadline(v1::LegalKind kind, absl::CivilDay receive_day,
                             absl::Span<const v1::ExtensionBasis> bases);

// OK when `basis` may be added to `granted` for a tip of `kind`; otherwise
// FAILED_PRECONDITION saying why (not for this kind, already granted, needs the
// complex-case extension first); INVALID_ARGUMENT for EXTENSION_BASIS_UNSPECIFIED.
absl::Status CheckExtension(v1::LegalKind kind, absl::Span<const v1::ExtensionBasis> granted,
                            v1::ExtensionBasis basis);

// Last day of the internal limit for the stage `state` entered on `entered_day`,
// never after `legal_deadline`. ASSIGNED has the legal deadline itself; nullopt for
// the final states (RESOLVED, DUPLICATE) and UNSPECIFIED.
std::optional<absl::CivilDay> StageDeadline(v1::TipState state, v1::Category category,
                                            absl::CivilDay entered_day,
                                            absl::CivilDay legal_deadline);

// Whether a tip settled on `resolve_day` met `legal_deadline` (the last day counts).
bool OnTime(absl::CivilDay resolve_day, absl::CivilDay legal_deadline);

// `day` plus `months` calendar months; when the month reached is shorter, its last
// day (Civil Code 2015 Art. 147-148: a period in months ends on the same-numbered
// day of the last month, or that month's last day).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_CLOCKS_H_
