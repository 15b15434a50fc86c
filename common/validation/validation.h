// Request validation that collects every offending field before answering.
//
//   Validator v;
//   v.Text("display_name", req.display_name(), {.required = true, .max_chars = 200});
//   v.Enum("channel", req.channel(), pcmd::intake::v1::Channel_IsValid);
//   if (absl::Status s = v.ToStatus("invalid SubmitTipRequest"); !s.ok()) return s;
//
// ToStatus returns OK when nothing was wrong, otherwise INVALID_ARGUMENT carrying one
// google.rpc.BadRequest field violation per problem (see common/status/status.h).
// A Validator is a value owned by one request; it is not thread-safe.
#ifndef PCMD_COMMON_VALIDATION_VALIDATION_H_
#define PCMD_COMMON_VALIDATION_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/status/status.h"

namespace pcmd {

// Returns true when `s` is well-formed UTF-8: no overlong forms, no surrogates, nothing
// above U+10FFFF, no truncated sequence.
bool IsValidUtf8(absl::string_view s);

// Number of Unicode code points in valid UTF-8 `s` ("Thanh Trì" is 9).
size_t Utf8Length(absl::string_view s);

// Parses an ISO-8601 calendar date "YYYY-MM-DD" that exists in the calendar
// (no 2023-02-29). Returns nullopt otherwise.
std::optional<absl::CivilDay> ParseIsoDate(absl::string_view s);

struct TextRule {
  bool required = false;
  // Upper bound in Unicode code points, so a Vietnamese name is not penalised for
  // its diacritics taking more bytes.
  size_t max_chars = 200;
  // Whether line breaks and tabs are allowed (descriptions, narratives).
  bool multiline = false;
};

class Validator {
 public:
  // Records a violation for `field` with a human-readable `description`.
  void Add(absl::string_view field, absl::string_view description);

  // Text: valid UTF-8, no control characters (except \n, \r, \t when multiline),
  // at most rule.max_chars code points, non-empty when required.
  void Text(absl::string_view field, absl::string_view value, const TextRule& rule);

  // A protobuf enum value: must be a defined value (is_valid is the generated
  // `Foo_IsValid`); when required, must not be the _UNSPECIFIED zero value.
  void Enum(absl::string_view field, int value, bool (*is_valid)(int), bool required = true);

  // An ISO-8601 date; empty is accepted unless required.
  void Date(absl::string_view field, absl::string_view value, bool required = false);

  // Date, and not after `latest` (usually today in Vietnam: "not in the future").
  void DateNotAfter(absl::string_view field, absl::string_view value, absl::CivilDay latest,
                    bool required = false);

  // Date, and within [earliest, latest] (e.g. "today to a year ahead").
  void DateWithin(absl::string_view field, absl::string_view value, absl::CivilDay earliest,
                  absl::CivilDay latest, bool required = false);

  // Both dates valid (each checked separately) and, when both present, from <= to.
  void DateRange(absl::string_view from_field, absl::string_view from, absl::string_view to_field,
                 absl::string_view to);

  // An integer within [min, max].
  void Range(absl::string_view field, int64_t value, int64_t min, int64_t max);

  // A repeated field with between min_items and max_items elements.
  void Count(absl::string_view field, size_t n, size_t min_items, size_t max_items);

  // A client-chosen idempotency key: 1–64 characters from [A-Za-z0-9_-].
  void RequestId(absl::string_view field, absl::string_view value);

  // A code (unit, agency, legal reference): 1–max_chars characters from
  // [A-Za-z0-9._-].
  void Code(absl::string_view field, absl::string_view value, bool required = true,
            size_t max_chars = 32);

  // Records every field violation `s` carries (a status from ParseResourceName or
  // another validator); nothing when `s` has none.
  void AddFrom(const absl::Status& s);

  // True when a violation was recorded for `field`.
  bool Has(absl::string_view field) const;

  bool ok() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  // OK when no violation was recorded; otherwise INVALID_ARGUMENT whose message is
  // `what` followed by the first violations, with all of them as details.
  absl::Status ToStatus(absl::string_view what) const;

 private:
  std::vector<FieldViolation> violations_;
};

// Parses a resource name "<collection>/<id>" such as "tips/0192…". Returns the id, or
// INVALID_ARGUMENT with a violation on `field` when the name has another shape or the
// id is not 1–64 characters from [A-Za-z0-9._-].
absl::StatusOr<std::string> ParseResourceName(absl::string_view field, absl::string_view name,
                                              absl::string_view collection);

}  // namespace pcmd

#endif  // PCMD_COMMON_VALIDATION_VALIDATION_H_
