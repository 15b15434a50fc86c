#include "common/validation/person_fields.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace pcmd {

bool IsIdNumber(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsPhone(absl::string_view s) {
  if (absl::ConsumePrefix(&s, "+") && s.empty()) return false;
  int digits = 0;
  char previous = '0';
  for (char c : s) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '(' || c == ')') {
      // Grouping: fine anywhere a separator is.
    } else if (c == ' ' || c == '.' || c == '-') {
      if (previous == ' ' || previous == '.' || previous == '-') return false;
    } else {
      return false;
    }
    previous = c;
  }
  return digits >= 3 && digits <= 15;
}

void ValidateIdNumber(Validator& v, const std::string& field, absl::string_view value) {
  v.Text(field, value, {.max_chars = 20});
  // One violation per field: the shape only once the length is right.
  if (!v.Has(field) && !IsIdNumber(value)) {
    v.Add(field, "must be letters and digits only (CCCD: 12 digits)");
  }
}

void ValidatePhone(Validator& v, const std::string& field, absl::string_view value) {
  v.Text(field, value, {.max_chars = 20});
  if (!v.Has(field) && !value.empty() && !IsPhone(value)) {
    v.Add(field, "must be an optional +, then 3-15 digits grouped by spaces, '.', '-' or ()");
  }
}

void ValidateBirthDate(Validator& v, const std::string& field, absl::string_view value,
                       absl::CivilDay today) {
  v.Date(field, value);
  if (std::optional<absl::CivilDay> day = ParseIsoDate(value); day.has_value()) {
    if (*day > today) v.Add(field, "is in the future");
    if (day->year() < 1900) v.Add(field, "is before 1900");
  }
}

}  // namespace pcmd
