// The legal references violations are recorded against, as data
// (legal_references.textproto, compiled in), and the validation of an inspection's
// result against them.
#ifndef PCMD_SERVICES_INSPECTIONS_LEGAL_H_
#define PCMD_SERVICES_INSPECTIONS_LEGAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/validation/validation.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd::inspections {

// The ceiling of an administrative fine in security, order and social safety (Law on
// Handling Administrative Violations 2012, Art. 24): for an individual; an
// organisation may be fined twice as much.
inline constexpr int64_t kMaxFineIndividualVnd = 75'000'000;

// The text of legal_references.textproto, compiled in.
absl::string_view DefaultLegalReferences();

// An immutable catalogue of legal references. Thread-safe.
class LegalCatalogue {
 public:
  // Parses a pcmd.inspections.v1.ListLegalReferencesResponse in text format.
  // Errors: INVALID_ARGUMENT saying line:column for text that does not parse, or naming
  // the code of an entry that is malformed (empty or repeated code, a code that is not
  // 1-64 of [A-Za-z0-9./_-], bad dates, a negative fine_min, fine_min > fine_max,
  // fine_max over the ceiling, unspecified severity).
  static absl::StatusOr<LegalCatalogue> Parse(absl::string_view text);
  // The shipped catalogue (legal_references.textproto). Never fails: the file is
  // checked by the tests.
  static const LegalCatalogue& Default();

  // The reference with `code`, or nullptr.
  const v1::LegalReference* Find(absl::string_view code) const;
  // References valid on `day` (all when nullopt), in file order.
  std::vector<v1::LegalReference> ValidOn(std::optional<absl::CivilDay> day) const;

 private:
  std::vector<v1::LegalReference> references_;
};

// Validates `result` of an inspection held on `inspection_date`, adding one violation
// per bad field to `v` with its path under `prefix` ("result.violations[2].legal_reference",
// "result.sanctions[0].fine_amount_vnd", "result.persons_met[1].id_number"…):
//   findings       multiline text ≤ 8,000 characters;
//   violations     ≤ 50; legal_reference known and valid on inspection_date;
//                  description multiline ≤ 2,000 characters;
//   sanctions      ≤ 50; kind given; violation_index names a violation; fines > 0,
//                  within the reference's bounds (×2 on an organisation) and the legal
//                  ceiling (a reference not in force on inspection_date gives no
//                  bounds: its violation is reported instead); fine_amount_vnd 0 for
//                  other kinds; suspensions 1–24 months and 0 for other kinds;
//                  decision_number optional, one line ≤ 64 ("125/QĐ-XPVPHC");
//   owners_informed, workers_informed  0–10,000;
//   persons_met    ≤ 50; full_name required ≤ 200; id_number letters/digits ≤ 20;
//                  birth_date a date before inspection_date; phone digits/space/+-.
//                  ≤ 20; needs single-line ≤ 1,000;
//                  pseudonym ignored (output only);
//   minor_involved, trafficking_suspected  only with crime_suspected;
//   follow_up_by   a date after inspection_date, or "".
// Past a count limit the list is reported once and its elements are not examined.
void ValidateResult(Validator& v, absl::string_view prefix, const v1::InspectionResult& result,
                    absl::CivilDay inspection_date, const LegalCatalogue& catalogue);

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_LEGAL_H_
