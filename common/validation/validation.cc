#include "common/validation/validation.h"

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace pcmd {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

bool AllCodeChars(absl::string_view s) {
  for (char c : s) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if (!IsContinuation(cc)) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past the Unicode range are all invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

size_t Utf8Length(absl::string_view s) {
  size_t count = 0;
  for (char c : s) {
    if (!IsContinuation(static_cast<unsigned char>(c))) ++count;
  }
  return count;
}

std::optional<absl::CivilDay> ParseIsoDate(absl::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y, m, d;
  if (!absl::SimpleAtoi(s.substr(0, 4), &y) || !absl::SimpleAtoi(s.substr(5, 2), &m) ||
      !absl::SimpleAtoi(s.substr(8, 2), &d)) {
    return std::nullopt;
  }
  for (char c : s) {
    if (c != '-' && !absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  const absl::CivilDay day(y, m, d);
  // CivilDay normalises 2023-02-29 to 2023-03-01; a real date survives unchanged.
  if (day.year() != y || day.month() != m || day.day() != d) return std::nullopt;
  return day;
}

void Validator::Add(absl::string_view field, absl::string_view description) {
  violations_.push_back({std::string(field), std::string(description)});
}

void Validator::Text(absl::string_view field, absl::string_view value, const TextRule& rule) {
  if (value.empty()) {
    if (rule.required) Add(field, "is required");
    return;
  }
  if (!IsValidUtf8(value)) {
    Add(field, "is not valid UTF-8");
    return;
  }
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    const bool line_break = c == '\n' || c == '\r' || c == '\t';
    if ((u < 0x20 && !(rule.multiline && line_break)) || u == 0x7F) {
      Add(field, "contains a control character");
      return;
    }
  }
  const size_t length = Utf8Length(value);
  if (length > rule.max_chars) {
    Add(field,
        absl::StrCat("is ", length, " characters long; at most ", rule.max_chars, " are allowed"));
  }
}

void Validator::Enum(absl::string_view field, int value, bool (*is_valid)(int), bool required) {
  if (!is_valid(value)) {
    Add(field, absl::StrCat("has unknown value ", value));
  } else if (required && value == 0) {
    Add(field, "is required (the _UNSPECIFIED value is not allowed)");
  }
}

void Validator::Date(absl::string_view field, absl::string_view value, bool required) {
  if (value.empty()) {
    if (required) Add(field, "is required");
    return;
  }
  if (!ParseIsoDate(value)) Add(field, "must be a calendar date written YYYY-MM-DD");
}

void Validator::DateNotAfter(absl::string_view field, absl::string_view value,
                             absl::CivilDay latest, bool required) {
  Date(field, value, required);
  const std::optional<absl::CivilDay> day = ParseIsoDate(value);
  if (day.has_value() && *day > latest) {
    Add(field,
        absl::StrCat("is in the future (the latest is ", absl::FormatCivilTime(latest), ")"));
  }
}

void Validator::DateWithin(absl::string_view field, absl::string_view value,
                           absl::CivilDay earliest, absl::CivilDay latest, bool required) {
  Date(field, value, required);
  const std::optional<absl::CivilDay> day = ParseIsoDate(value);
  if (day.has_value() && (*day < earliest || *day > latest)) {
    Add(field, absl::StrCat("must be between ", absl::FormatCivilTime(earliest), " and ",
                            absl::FormatCivilTime(latest)));
  }
}

void Validator::DateRange(absl::string_view from_field, absl::string_view from,
                          absl::string_view to_field, absl::string_view to) {
  Date(from_field, from);
  Date(to_field, to);
  const auto a = ParseIsoDate(from);
  const auto b = ParseIsoDate(to);
  if (a && b && *b < *a) {
    Add(to_field, absl::StrCat("must not be before ", from_field, " (", from, ")"));
  }
}

void Validator::Range(absl::string_view field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    Add(field, absl::StrCat("is ", value, "; it must be between ", min, " and ", max));
  }
}

void Validator::Count(absl::string_view field, size_t n, size_t min_items, size_t max_items) {
  if (n < min_items) {
    Add(field, absl::StrCat("needs at least ", min_items, " item(s)"));
  } else if (n > max_items) {
    Add(field, absl::StrCat("has ", n, " items; at most ", max_items, " are allowed"));
  }
}

void Validator::RequestId(absl::string_view field, absl::string_view value) {
  if (value.empty()) {
    Add(field, "is required so that a retry never creates a second record");
    return;
  }
  bool ok = value.size() <= 64;
  for (char c : value) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) ok = false;
  }
  if (!ok) Add(field, "must be 1-64 characters from A-Z, a-z, 0-9, '_' and '-'");
}

void Validator::Code(absl::string_view field, absl::string_view value, bool required,
                     size_t max_chars) {
  if (value.empty()) {
    if (required) Add(field, "is required");
    return;
  }
  if (value.size() > max_chars || !AllCodeChars(value)) {
    Add(field,
        absl::StrCat("must be 1-", max_chars, " characters from A-Z, a-z, 0-9, '.', '_' and '-'"));
  }
}

void Validator::AddFrom(const absl::Status& s) {
  for (const FieldViolation& fv : FieldViolationsOf(s)) Add(fv.field, fv.description);
}

bool Validator::Has(absl::string_view field) const {
  for (const FieldViolation& fv : violations_) {
    if (fv.field == field) return true;
  }
  return false;
}

absl::Status Validator::ToStatus(absl::string_view what) const {
  if (violations_.empty()) return absl::OkStatus();
  std::vector<std::string> parts;
  for (size_t i = 0; i < violations_.size() && i < 3; ++i) {
    parts.push_back(absl::StrCat(violations_[i].field, " ", violations_[i].description));
  }
  std::string message = absl::StrCat(what, ": ", absl::StrJoin(parts, "; "));
  if (violations_.size() > 3) absl::StrAppend(&message, "; and ", violations_.size() - 3, " more");
  return InvalidArgumentWithFields(message, violations_);
}

absl::StatusOr<std::string> ParseResourceName(absl::string_view field, absl::string_view name,
                                              absl::string_view collection) {
  const std::string prefix = absl::StrCat(collection, "/");
  Validator v;
  if (name.empty()) {
    v.Add(field, "is required");
  } else if (name.substr(0, prefix.size()) != prefix) {
    v.Add(field, absl::StrCat("must look like ", collection, "/{id}"));
  } else {
    absl::string_view id = name.substr(prefix.size());
    if (id.empty() || id.size() > 64 || !AllCodeChars(id)) {
      v.Add(field, absl::StrCat("must look like ", collection,
                                "/{id} with an id of 1-64 characters from A-Z, a-z, 0-9, "
                                "'.', '_' and '-'"));
    } else {
      return std::string(id);
    }
  }
  return v.ToStatus("invalid resource name");
}

}  // namespace pcmd
