// The clocks of a tip. Periods are counted as the Civil Code 2015 counts them (Art.
// 147(1)): a period in days starts the day after the event, so "20 days from receipt
// on 3 June" ends on 23 June, the last day included. Known simplifications, to revisit
// with the legal team: a last day falling on a rest day is not moved to the next
// working day (Art. 148(5)); the complaint clock runs from receipt, where the law
// counts from acceptance (thụ lý), which this system does not yet record.
#include "services/intake/clocks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pcmd::intake {
namespace {

using v1::ExtensionBasis;

// Legal time limits.
//
// Denunciations, crime reports and petitions to prosecute: settled within 20 days of
// receipt (Criminal Procedure Code 2015 Art. 147(1)).
constexpr int kCriminalDays = 20;
// ...complex, or to be verified in many places: up to 2 months (Art. 147(1)).
constexpr int kCriminalComplexMonths = 2;
// ...and the procuracy may extend once by up to 2 months more (Art. 147(2)).
constexpr int kProcuracyExtensionMonths = 2;
// Complaints, first settlement: 30 days; complex 45; in remote areas with difficult
// travel 45, complex 60 (Law on Complaints 2011 Art. 28).
constexpr int kComplaintDays = 30;
constexpr int kComplaintComplexDays = 45;
constexpr int kComplaintRemoteDays = 45;
constexpr int kComplaintRemoteComplexDays = 60;

// Internal stage limits (this system's rules, not the law's): days to move a tip out
// of a stage, normal and urgent. Cases involving children or trafficking come first
// (Decision 808/QĐ-LĐTBXH; Law on Children 2016 Art. 4: the child's best interest
// comes first). ASSIGNED runs to the legal deadline.
struct StageLimit {
  v1::TipState state;
  int days;
  int urgent_days;
};
constexpr StageLimit kStageLimits[] = {
    {v1::TIP_STATE_RECEIVED, 3, 1},          // verify
    {v1::TIP_STATE_VERIFIED, 2, 1},          // classify
    {v1::TIP_STATE_CLASSIFIED, 2, 1},        // assign
    {v1::TIP_STATE_TRANSFER_PENDING, 3, 1},  // the receiver accepts or rejects
};

constexpr v1::Category kUrgentCategories[] = {
    v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION,
    v1::CATEGORY_TRAFFICKING,
};

bool Has(absl::Span<const ExtensionBasis> bases, ExtensionBasis basis) {
  return std::find(bases.begin(), bases.end(), basis) != bases.end();
}

}  // namespace

bool IsCriminalKind(v1::LegalKind kind) {
  return kind == v1::LEGAL_KIND_DENUNCIATION || kind == v1::LEGAL_KIND_CRIME_REPORT ||
         kind == v1::LEGAL_KIND_PETITION_TO_PROSECUTE;
}

bool IsUrgent(v1::Category category) {
  return std::find(std::begin(kUrgentCategories), std::end(kUrgentCategories), category) !=
         std::end(kUrgentCategories);
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const int last_day = (absl::CivilDay(month + 1) - 1).day();
  return absl::CivilDay(month.year(), month.month(), std::min(day.day(), last_day));
}

absl::CivilDay LegalDeadline(v1::LegalKind kind, absl::CivilDay receive_day,
                             absl::Span<const ExtensionBasis> bases) {
  const bool complex = Has(bases, v1::EXTENSION_BASIS_COMPLEX_CASE);
  if (kind == v1::LEGAL_KIND_COMPLAINT) {
    const bool remote = Has(bases, v1::EXTENSION_BASIS_REMOTE_AREA);
    if (remote) return receive_day + (complex ? kComplaintRemoteComplexDays : kComplaintRemoteDays);
    return receive_day + (complex ? kComplaintComplexDays : kComplaintDays);
  }
  if (!complex) return receive_day + kCriminalDays;
  const int months =
      kCriminalComplexMonths +
      (Has(bases, v1::EXTENSION_BASIS_PROCURACY_EXTENSION) ? kProcuracyExtensionMonths : 0);
  return AddMonths(receive_day, months);
}

absl::Status CheckExtension(v1::LegalKind kind, absl::Span<const ExtensionBasis> granted,
                            ExtensionBasis basis) {
  if (basis == v1::EXTENSION_BASIS_UNSPECIFIED || !v1::ExtensionBasis_IsValid(basis)) {
    return absl::InvalidArgumentError("basis: must be a defined extension basis");
  }
  const std::string name = v1::ExtensionBasis_Name(basis);
  if (Has(granted, basis)) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " was already granted; it applies once"));
  }
  switch (basis) {
    case v1::EXTENSION_BASIS_COMPLEX_CASE:
      return absl::OkStatus();
    case v1::EXTENSION_BASIS_REMOTE_AREA:
      // Law on Complaints 2011 Art. 28 only.
      if (kind != v1::LEGAL_KIND_COMPLAINT) {
        return absl::FailedPreconditionError(
            absl::StrCat(name, " applies to complaints only (Law on Complaints 2011 Art. 28)"));
      }
      return absl::OkStatus();
    case v1::EXTENSION_BASIS_PROCURACY_EXTENSION:
      // Criminal Procedure Code 2015 Art. 147(2): extends the complex-case period.
      if (!IsCriminalKind(kind)) {
        return absl::FailedPreconditionError(
            absl::StrCat(name,
                         " applies to denunciations, crime reports and petitions to prosecute only "
                         "(Criminal Procedure Code 2015 Art. 147(2))"));
      }
      if (!Has(granted, v1::EXTENSION_BASIS_COMPLEX_CASE)) {
        return absl::FailedPreconditionError(
            absl::StrCat(name,
                         " needs EXTENSION_BASIS_COMPLEX_CASE first (Criminal Procedure Code 2015 "
                         "Art. 147(2) extends the complex-case period)"));
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("basis: must be a defined extension basis");
  }
}

std::optional<absl::CivilDay> StageDeadline(v1::TipState state, v1::Category category,
                                            absl::CivilDay entered_day,
                                            absl::CivilDay legal_deadline) {
  if (state == v1::TIP_STATE_ASSIGNED) return legal_deadline;
  for (const StageLimit& limit : kStageLimits) {
    if (limit.state != state) continue;
    const absl::CivilDay day = entered_day + (IsUrgent(category) ? limit.urgent_days : limit.days);
    return std::min(day, legal_deadline);
  }
  return std::nullopt;
}

bool OnTime(absl::CivilDay resolve_day, absl::CivilDay legal_deadline) {
  return resolve_day <= legal_deadline;
}

}  // namespace pcmd::intake
