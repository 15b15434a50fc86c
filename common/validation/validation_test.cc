#include "common/validation/validation.h"

#include <ostream>
#include <string>

#include "absl/strings/ascii.h"
#include "common/validation/person_fields.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

bool ZeroToThree(int v) { return v >= 0 && v <= 3; }

struct Utf8Case {
  const char* label;
  std::string bytes;
  bool valid;
};

// What gtest shows for a case (and ctest lists): its label, not its bytes.
void PrintTo(const Utf8Case& c, std::ostream* os) { *os << c.label; }

class Utf8Validity : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(Utf8Validity, MatchesTheStandard) {
  EXPECT_EQ(IsValidUtf8(GetParam().bytes), GetParam().valid) << GetParam().label;
}

INSTANTIATE_TEST_SUITE_P(Table, Utf8Validity,
                         ::testing::Values(Utf8Case{"ascii", "Thanh Tri", true},
                                           Utf8Case{"vietnamese",
                                                    "Thanh Trì, Hà Nội — đường Ngọc Hồi", true},
                                           Utf8Case{"four-byte emoji", "\xF0\x9F\x98\x80", true},
                                           Utf8Case{"lone continuation", "\x80", false},
                                           Utf8Case{"truncated sequence", "Tr\xC3", false},
                                           Utf8Case{"overlong slash", "\xC0\xAF", false},
                                           Utf8Case{"surrogate", "\xED\xA0\x80", false},
                                           Utf8Case{"beyond U+10FFFF", "\xF4\x90\x80\x80", false},
                                           Utf8Case{"invalid lead byte", "\xFF", false}),
                         // Names the case by its label ("overlong_slash"), not its bytes.
                         [](const ::testing::TestParamInfo<Utf8Case>& info) {
                           std::string name = info.param.label;
                           for (char& c : name) {
                             if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(Utf8Length, CountsCodePointsNotBytes) {
  EXPECT_EQ(Utf8Length("Thanh Trì"), 9u);
  EXPECT_EQ(Utf8Length("đ"), 1u);
}

TEST(ParseIsoDate, AcceptsRealDatesAndRejectsImpossibleOnes) {
  EXPECT_TRUE(ParseIsoDate("2024-06-17").has_value());
  EXPECT_TRUE(ParseIsoDate("2024-02-29").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-02-29").has_value());
  EXPECT_FALSE(ParseIsoDate("2024-13-01").has_value());
  EXPECT_FALSE(ParseIsoDate("17/06/2024").has_value());
  EXPECT_FALSE(ParseIsoDate("2024-6-17").has_value());
  EXPECT_FALSE(ParseIsoDate("+024-06-17").has_value());
}

TEST(Validator, NamesEveryOffendingFieldInOneAnswer) {
  Validator v;
  v.Text("display_name", "", {.required = true});
  v.Text("address", "Số 5\x01 ngõ 2", {});
  v.Enum("channel", 99, ZeroToThree);
  v.Enum("category", 0, ZeroToThree);
  const absl::Status s = v.ToStatus("invalid request");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldViolationsOf(s), ElementsAre(Field(&FieldViolation::field, "display_name"),
                                                Field(&FieldViolation::field, "address"),
                                                Field(&FieldViolation::field, "channel"),
                                                Field(&FieldViolation::field, "category")));
  EXPECT_THAT(std::string(s.message()), HasSubstr("display_name is required"));
}

TEST(Validator, RejectsBadUtf8) {
  Validator v;
  v.Text("description", "ab\xC3", {});
  ASSERT_EQ(v.violations().size(), 1u);
  EXPECT_THAT(v.violations()[0].description, HasSubstr("UTF-8"));
}

TEST(Validator, MeasuresLengthInCharactersSoDiacriticsAreNotPenalised) {
  Validator v;
  v.Text("name", "Trì Trì Trì", {.max_chars = 11});
  EXPECT_TRUE(v.ok());
  v.Text("name", "Trì Trì Trì!", {.max_chars = 11});
  ASSERT_EQ(v.violations().size(), 1u);
  EXPECT_THAT(v.violations()[0].description, HasSubstr("12 characters"));
}

TEST(Validator, AllowsLineBreaksOnlyInMultilineText) {
  Validator single;
  single.Text("name", "a\nb", {});
  EXPECT_FALSE(single.ok());
  Validator multi;
  multi.Text("description", "a\nb\tc", {.multiline = true});
  EXPECT_TRUE(multi.ok());
}

TEST(Validator, RejectsAnUnknownEnumValueEvenWhenOptional) {
  Validator v;
  v.Enum("kind", 7, ZeroToThree, /*required=*/false);
  v.Enum("level", 0, ZeroToThree, /*required=*/false);
  ASSERT_EQ(v.violations().size(), 1u);
  EXPECT_EQ(v.violations()[0].field, "kind");
  EXPECT_THAT(v.violations()[0].description, HasSubstr("unknown value 7"));
}

TEST(Validator, ChecksDatesAndTheirOrder) {
  Validator v;
  v.DateRange("valid_from", "2025-07-01", "valid_to", "2025-06-30");
  v.Date("due", "2025-02-30");
  EXPECT_THAT(v.violations(), ElementsAre(Field(&FieldViolation::field, "valid_to"),
                                          Field(&FieldViolation::field, "due")));
}

TEST(Validator, CapsRepeatedFieldsAndRanges) {
  Validator v;
  v.Count("services", 0, 1, 20);
  v.Count("persons", 51, 0, 50);
  v.Range("capacity", -1, 0, 100000);
  v.Range("capacity", 5, 0, 100000);
  EXPECT_THAT(v.violations(), ElementsAre(Field(&FieldViolation::field, "services"),
                                          Field(&FieldViolation::field, "persons"),
                                          Field(&FieldViolation::field, "capacity")));
}

TEST(Validator, AcceptsOnlyWellFormedRequestIdsAndCodes) {
  Validator v;
  v.RequestId("request_id", "retry-7_A");
  v.Code("unit_code", "01.268");
  EXPECT_TRUE(v.ok());
  v.RequestId("request_id", "");
  v.RequestId("request_id", std::string(65, 'a'));
  v.RequestId("request_id", "có dấu");
  v.Code("unit_code", "01/268");
  EXPECT_EQ(v.violations().size(), 4u);
}

TEST(Validator, IsOkWhenNothingIsWrong) {
  Validator v;
  v.Text("display_name", "Karaoke Hoàng Gia", {.required = true});
  EXPECT_TRUE(v.ToStatus("x").ok());
}

TEST(Validator, TakesOverTheViolationsOfAnotherStatusAndSaysWhichFieldsHaveOne) {
  Validator v;
  v.AddFrom(ParseResourceName("establishment", "shops/1", "establishments").status());
  v.AddFrom(absl::OkStatus());
  v.AddFrom(absl::InternalError("no details"));
  EXPECT_THAT(v.violations(), ElementsAre(Field(&FieldViolation::field, "establishment")));
  EXPECT_TRUE(v.Has("establishment"));
  EXPECT_FALSE(v.Has("hotspot"));
}

TEST(PersonFields, ReportATooLongOrMisshapenIdNumberOrPhoneOnceAndAcceptWhatIntakeAccepts) {
  Validator v;
  ValidateIdNumber(v, "id_number", "001079012345");
  ValidatePhone(v, "phone", "+84 (24) 3825.1234");
  EXPECT_TRUE(v.ok());
  ValidateIdNumber(v, "long_id", std::string(21, '1'));
  ValidatePhone(v, "long_phone", std::string(21, '9'));
  ValidateIdNumber(v, "bad_id", "001-079");
  ValidatePhone(v, "bad_phone", "gọi sau 22h");
  std::vector<std::string> fields;
  for (const FieldViolation& fv : v.violations()) fields.push_back(fv.field);
  EXPECT_THAT(fields, ElementsAre("long_id", "long_phone", "bad_id", "bad_phone"));
}

TEST(Validator, RefusesADateAfterTheLatestAllowedButNotThatDayItself) {
  const absl::CivilDay today(2024, 6, 10);
  Validator v;
  v.DateNotAfter("on_the_day", "2024-06-10", today);
  v.DateNotAfter("tomorrow", "2024-06-11", today);
  v.DateNotAfter("missing", "", today, /*required=*/true);
  v.DateNotAfter("optional", "", today);
  v.DateNotAfter("malformed", "10/06/2024", today);
  std::vector<std::string> fields;
  for (const FieldViolation& f : v.violations()) fields.push_back(f.field);
  EXPECT_THAT(fields, ::testing::ElementsAre("tomorrow", "missing", "malformed"));
}

TEST(Validator, AcceptsADateWithinBothBoundsInclusiveAndRefusesOneOutside) {
  const absl::CivilDay today(2024, 6, 10);
  Validator v;
  v.DateWithin("first", "2024-06-10", today, today + 7);
  v.DateWithin("last", "2024-06-17", today, today + 7);
  v.DateWithin("before", "2024-06-09", today, today + 7);
  v.DateWithin("after", "2024-06-18", today, today + 7);
  std::vector<std::string> fields;
  for (const FieldViolation& f : v.violations()) fields.push_back(f.field);
  EXPECT_THAT(fields, ::testing::ElementsAre("before", "after"));
}

TEST(ParseResourceName, ReturnsTheIdOfAWellFormedName) {
  EXPECT_EQ(*ParseResourceName("name", "tips/abc-123", "tips"), "abc-123");
}

TEST(ParseResourceName, RejectsOtherShapesNamingTheField) {
  for (const char* bad : {"", "tips/", "tip/abc", "tips/a/b", "establishments/x"}) {
    const auto id = ParseResourceName("name", bad, "tips");
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(FieldViolationsOf(id.status()), ElementsAre(Field(&FieldViolation::field, "name")));
  }
}

}  // namespace
}  // namespace pcmd
