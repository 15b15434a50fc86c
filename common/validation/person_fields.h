// The rules for the personal fields the services take about a person (intake's named
// persons, reporters and hand-overs; inspections' owners and persons met), in one place
// so that an ID number or phone accepted by one is accepted by the others and gives the
// same deployment-wide pseudonym.
// Pure functions; thread-safe.
#ifndef PCMD_COMMON_VALIDATION_PERSON_FIELDS_H_
#define PCMD_COMMON_VALIDATION_PERSON_FIELDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/validation/validation.h"

namespace pcmd {

// CCCD (12 digits), older ID cards (9 digits) and passports ("B1234567"): letters and
// digits only (empty passes).
bool IsIdNumber(absl::string_view s);

// An optional leading "+", then 3–15 digits (short hotlines to E.164's longest), which
// may be grouped with single spaces, ".", "-" or parentheses.
bool IsPhone(absl::string_view s);

// Optional ID number: up to 20 letters and digits. Adds at most one violation to `v`
// under `field` (and none when `field` has one already); likewise the two below.
void ValidateIdNumber(Validator& v, const std::string& field, absl::string_view value);
// Optional phone, up to 20 characters, IsPhone.
void ValidatePhone(Validator& v, const std::string& field, absl::string_view value);
// Optional ISO birth date, not after `today` nor before 1900.
void ValidateBirthDate(Validator& v, const std::string& field, absl::string_view value,
                       absl::CivilDay today);

}  // namespace pcmd

#endif  // PCMD_COMMON_VALIDATION_PERSON_FIELDS_H_
