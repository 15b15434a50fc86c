// The rules for the personal fields intake takes about a person (a tip's named
// persons and reporter, a hand-over's persons), in one place so that an ID number or
// phone accepted in one request is accepted in the other and gives the same pseudonym.
// Pure functions; thread-safe.
#ifndef PCMD_SERVICES_INTAKE_PERSON_FIELDS_H_
#define PCMD_SERVICES_INTAKE_PERSON_FIELDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/validation/validation.h"

namespace pcmd::intake {

// CCCD (12 digits), older ID cards (9 digits) and passports ("B1234567"): letters and
// digits only (empty passes).
bool IsIdNumber(absl::string_view s);

// An optional leading "+", then 3–15 digits (short hotlines to E.164's longest), which
// may be grouped with single spaces, ".", "-" or parentheses.
bool IsPhone(absl::string_view s);

// Optional ID number: up to 20 letters and digits. Adds violations to `v` under `field`.
void ValidateIdNumber(Validator& v, const std::string& field, absl::string_view value);
// Optional phone, up to 20 characters, IsPhone.
void ValidatePhone(Validator& v, const std::string& field, absl::string_view value);
// Optional ISO birth date, not after `today` nor before 1900.
void ValidateBirthDate(Validator& v, const std::string& field, absl::string_view value,
                       absl::CivilDay today);

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_PERSON_FIELDS_H_
