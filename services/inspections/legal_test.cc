#include "services/inspections/legal.h"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd::inspections {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Decree 144/2021 applies on this day; Decree 282/2025 does not yet.
const absl::CivilDay kInspectionDay(2025, 6, 10);
const absl::CivilDay kLastDayOf144(2025, 12, 14);
const absl::CivilDay kFirstDayOf282(2025, 12, 15);

// Shipped references the tests rely on.
constexpr char kNegligentOwner144[] = "ND144-2021/28/1/a";  // 10,000,000-20,000,000 VND.
constexpr char kNoCertificate144[] = "ND144-2021/12/5/a";
constexpr char kBuyingSex282[] = "ND282-2025/32/1/";
constexpr char kBuyingSex144[] = "ND144-2021/24/1/";

std::vector<std::string> Fields(const Validator& v) {
  std::vector<std::string> fields;
  for (const FieldViolation& violation : v.violations()) fields.push_back(violation.field);
  return fields;
}

// The description of the only violation in `v`, or "" when there is not exactly one.
std::string OnlyDescription(const Validator& v) {
  return v.violations().size() == 1 ? v.violations()[0].description : "";
}

// A complete, valid result of an inspection on kInspectionDay: every field is set so a
// test changes exactly the one it is about.
v1::InspectionResult FullResult() {
  v1::InspectionResult result;
  result.set_findings(
      "Phòng hát số 3 khoá trái cửa; hai nhân viên nữ không có hợp đồng lao động.\n"
      "Chủ cơ sở không xuất trình được Giấy chứng nhận đủ điều kiện về an ninh, trật tự.");
  v1::Violation* negligent = result.add_violations();
  negligent->set_legal_reference(kNegligentOwner144);
  negligent->set_description("Để xảy ra mua bán dâm tại phòng hát số 3.");
  v1::Violation* certificate = result.add_violations();
  certificate->set_legal_reference(kNoCertificate144);
  certificate->set_description("Hoạt động từ tháng 3/2025 khi chưa có giấy chứng nhận.");

  v1::Sanction* fine = result.add_sanctions();
  fine->set_kind(v1::SANCTION_KIND_FINE);
  fine->set_violation_index(0);
  fine->set_fine_amount_vnd(30'000'000);
  fine->set_on_organisation(true);
  fine->set_decision_number("125/QĐ-XPVPHC");
  v1::Sanction* suspension = result.add_sanctions();
  suspension->set_kind(v1::SANCTION_KIND_ACTIVITY_SUSPENSION);
  suspension->set_violation_index(1);
  suspension->set_suspension_months(3);
  suspension->set_decision_number("126-QD-XPVPHC");
  v1::Sanction* referral = result.add_sanctions();
  referral->set_kind(v1::SANCTION_KIND_REFERRAL_TO_POLICE);
  referral->set_violation_index(0);

  result.set_owners_informed(1);
  result.set_workers_informed(6);

  v1::PersonMet* person = result.add_persons_met();
  person->set_full_name("Nguyễn Thị Hương");
  person->set_id_number("079305001234");
  person->set_birth_date("2008-02-29");
  person->set_phone("+84 912.345-678");
  person->set_needs("Hỗ trợ học nghề và tìm việc làm");
  person->set_minor(true);
  person->set_pseudonym("psn_ignored");

  result.set_crime_suspected(true);
  result.set_minor_involved(true);
  result.set_follow_up_by("2025-07-10");
  return result;
}

std::vector<std::string> Validate(const v1::InspectionResult& result,
                                  absl::CivilDay day = kInspectionDay,
                                  absl::string_view prefix = "result") {
  Validator v;
  ValidateResult(v, prefix, result, day, LegalCatalogue::Default());
  return Fields(v);
}

// --- The shipped catalogue ---

TEST(DefaultCatalogueTest, TheShippedFileParses) {
  absl::StatusOr<LegalCatalogue> parsed = LegalCatalogue::Parse(DefaultLegalReferences());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_GE(parsed->ValidOn(std::nullopt).size(), 16u);
}

TEST(DefaultCatalogueTest, EveryEntryIsWellFormed) {
  const std::vector<v1::LegalReference> all = LegalCatalogue::Default().ValidOn(std::nullopt);
  std::set<std::string> codes;
  for (const v1::LegalReference& r : all) {
    SCOPED_TRACE(r.code());
    EXPECT_TRUE(codes.insert(r.code()).second) << "code used twice";
    const bool is144 = absl::StartsWith(r.code(), "ND144-2021/");
    const bool is282 = absl::StartsWith(r.code(), "ND282-2025/");
    ASSERT_TRUE(is144 || is282);
    // The code spells the instrument, article, clause and point.
    EXPECT_EQ(r.code(), absl::StrCat(is144 ? "ND144-2021/" : "ND282-2025/", r.article(), "/",
                                     r.clause(), "/", r.point()));
    EXPECT_EQ(r.instrument(), is144 ? "Nghị định 144/2021/NĐ-CP" : "Nghị định 282/2025/NĐ-CP");
    EXPECT_EQ(r.valid_from(), is144 ? "2022-01-01" : "2025-12-15");
    EXPECT_EQ(r.valid_to(), is144 ? "2025-12-14" : "");
    EXPECT_TRUE(IsValidUtf8(r.summary()));
    EXPECT_FALSE(r.summary().empty());
    EXPECT_LE(Utf8Length(r.summary()), 200u);
    EXPECT_NE(r.severity(), v1::SEVERITY_UNSPECIFIED);
    EXPECT_GT(r.fine_min_vnd(), 0);
    EXPECT_LE(r.fine_min_vnd(), r.fine_max_vnd());
    EXPECT_LE(r.fine_max_vnd(), kMaxFineIndividualVnd);
  }
}

TEST(DefaultCatalogueTest, EveryConductOfDecree144HasItsCounterpartInDecree282) {
  std::multiset<std::string> summaries144;
  std::multiset<std::string> summaries282;
  for (const v1::LegalReference& r : LegalCatalogue::Default().ValidOn(std::nullopt)) {
    (absl::StartsWith(r.code(), "ND144") ? summaries144 : summaries282).insert(r.summary());
  }
  EXPECT_FALSE(summaries144.empty());
  EXPECT_EQ(summaries144, summaries282);
}

TEST(DefaultCatalogueTest, HarbouringAndBrokeringAreVerySerious) {
  int very_serious = 0;
  for (const v1::LegalReference& r : LegalCatalogue::Default().ValidOn(std::nullopt)) {
    if (absl::StrContains(r.summary(), "Chứa mại dâm") ||
        absl::StrContains(r.summary(), "Môi giới mại dâm")) {
      EXPECT_EQ(r.severity(), v1::SEVERITY_VERY_SERIOUS) << r.code();
      ++very_serious;
    }
  }
  EXPECT_EQ(very_serious, 4);
}

// --- Parse ---

// A well-formed entry whose `field` line is replaced by `line` ("" drops it).
std::string Entry(absl::string_view code, const std::vector<std::string>& overrides = {}) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"code", absl::StrCat("\"", code, "\"")},
      {"instrument", "\"Nghị định 144/2021/NĐ-CP\""},
      {"article", "24"},
      {"clause", "1"},
      {"summary", "\"Mua dâm\""},
      {"severity", "SEVERITY_SERIOUS"},
      {"fine_min_vnd", "1000000"},
      {"fine_max_vnd", "2000000"},
      {"valid_from", "\"2022-01-01\""},
      {"valid_to", "\"2025-12-14\""},
  };
  for (const std::string& o : overrides) {
    const size_t colon = o.find(':');
    for (auto& [name, value] : fields) {
      if (name == o.substr(0, colon)) value = colon == std::string::npos ? "" : o.substr(colon + 1);
    }
  }
  std::string text = "legal_references {\n";
  for (const auto& [name, value] : fields) {
    if (!value.empty()) absl::StrAppend(&text, "  ", name, ": ", value, "\n");
  }
  return text + "}\n";
}

TEST(ParseTest, AcceptsAWellFormedEntry) {
  absl::StatusOr<LegalCatalogue> parsed = LegalCatalogue::Parse(Entry("X/1"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_NE(parsed->Find("X/1"), nullptr);
  EXPECT_EQ(parsed->Find("X/1")->fine_max_vnd(), 2'000'000);
}

TEST(ParseTest, AcceptsAnEmptyFile) {
  absl::StatusOr<LegalCatalogue> parsed = LegalCatalogue::Parse("# nothing yet\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->ValidOn(std::nullopt).empty());
}

struct MalformedCase {
  const char* label;
  std::string text;
  // What the error must name.
  std::string names;
  std::string says;
};

TEST(ParseTest, RejectsEachMalformedEntryNamingItsCode) {
  const std::vector<MalformedCase> cases = {
      {"empty code", Entry("A/1") + Entry("", {}), "legal reference 1", "code is required"},
      {"repeated code", Entry("A/1") + Entry("A/1"), "\"A/1\"", "used twice"},
      {"code with a space", Entry("ND 144/1"), "\"ND 144/1\"", "code must be"},
      {"code over 64 characters", Entry(std::string(65, 'A')), std::string(65, 'A'),
       "code must be"},
      {"valid_from missing", Entry("A/2", {"valid_from"}), "\"A/2\"", "valid_from"},
      {"valid_from not a date", Entry("A/3", {"valid_from:\"2022-02-30\""}), "\"A/3\"",
       "valid_from"},
      {"valid_to not a date", Entry("A/4", {"valid_to:\"14/12/2025\""}), "\"A/4\"", "valid_to"},
      {"dates out of order", Entry("A/5", {"valid_to:\"2021-12-31\""}), "\"A/5\"",
       "before valid_from"},
      {"fine_min above fine_max", Entry("A/6", {"fine_min_vnd:3000000", "fine_max_vnd:2000000"}),
       "\"A/6\"", "above fine_max_vnd"},
      {"fine_max over the ceiling", Entry("A/7", {"fine_max_vnd:75000001"}), "\"A/7\"", "ceiling"},
      {"negative fine_min", Entry("A/8", {"fine_min_vnd:-1"}), "\"A/8\"", "negative"},
      {"severity missing", Entry("A/9", {"severity"}), "\"A/9\"", "severity"},
      {"severity explicitly unspecified", Entry("A/10", {"severity:SEVERITY_UNSPECIFIED"}),
       "\"A/10\"", "severity"},
  };
  for (const MalformedCase& c : cases) {
    SCOPED_TRACE(c.label);
    absl::StatusOr<LegalCatalogue> parsed = LegalCatalogue::Parse(c.text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(c.names));
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(c.says));
  }
}

TEST(ParseTest, AcceptsAFineCeilingBoundAndAnOpenEnd) {
  absl::StatusOr<LegalCatalogue> parsed =
      LegalCatalogue::Parse(Entry("A/1", {"fine_max_vnd:75000000", "valid_to"}));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->ValidOn(absl::CivilDay(2040, 1, 1)).size(), 1u);
}

TEST(ParseTest, RejectsTextThatDoesNotParseSayingLineAndColumn) {
  const std::string text = "legal_references {\n  code: \"A/1\"\n  penalty: 5\n}\n";
  absl::StatusOr<LegalCatalogue> parsed = LegalCatalogue::Parse(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  // Protobuf reports where it stopped: just after the unknown field's name.
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(": 3:10: "));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("penalty"));
}

TEST(ParseTest, RejectsAnUnknownSeverityNameSayingLineAndColumn) {
  absl::StatusOr<LegalCatalogue> parsed =
      LegalCatalogue::Parse(Entry("A/1", {"severity:SEVERITY_GRAVE"}));
  ASSERT_FALSE(parsed.ok());
  // The value is on line 7; protobuf notices it is unknown at the next token (8:3).
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(": 8:3: "));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("SEVERITY_GRAVE"));
}

// --- Find and ValidOn ---

TEST(FindTest, FindsAShippedReferenceByItsCode) {
  const v1::LegalReference* r = LegalCatalogue::Default().Find(kBuyingSex144);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->article(), 24);
  EXPECT_EQ(r->clause(), 1);
  EXPECT_EQ(r->point(), "");
}

TEST(FindTest, ReturnsNullForAnUnknownOrEmptyCode) {
  EXPECT_EQ(LegalCatalogue::Default().Find("ND144-2021/99/9/z"), nullptr);
  EXPECT_EQ(LegalCatalogue::Default().Find(""), nullptr);
  // Codes are exact: no prefix match.
  EXPECT_EQ(LegalCatalogue::Default().Find("ND144-2021/24/1"), nullptr);
}

TEST(ValidOnTest, TheLastDayOfDecree144HasOnlyItsReferences) {
  const std::vector<v1::LegalReference> valid = LegalCatalogue::Default().ValidOn(kLastDayOf144);
  ASSERT_FALSE(valid.empty());
  for (const v1::LegalReference& r : valid) EXPECT_TRUE(absl::StartsWith(r.code(), "ND144"));
}

TEST(ValidOnTest, TheFirstDayOfDecree282HasOnlyItsReferences) {
  const std::vector<v1::LegalReference> valid = LegalCatalogue::Default().ValidOn(kFirstDayOf282);
  ASSERT_FALSE(valid.empty());
  for (const v1::LegalReference& r : valid) EXPECT_TRUE(absl::StartsWith(r.code(), "ND282"));
}

TEST(ValidOnTest, EveryReferenceIsValidOnExactlyOneSideOfTheChange) {
  const LegalCatalogue& catalogue = LegalCatalogue::Default();
  EXPECT_EQ(catalogue.ValidOn(kLastDayOf144).size() + catalogue.ValidOn(kFirstDayOf282).size(),
            catalogue.ValidOn(std::nullopt).size());
}

TEST(ValidOnTest, NothingIsValidBeforeDecree144) {
  EXPECT_TRUE(LegalCatalogue::Default().ValidOn(absl::CivilDay(2021, 12, 31)).empty());
}

TEST(ValidOnTest, KeepsFileOrderAndIncludesBothEnds) {
  absl::StatusOr<LegalCatalogue> parsed =
      LegalCatalogue::Parse(Entry("B/1", {"valid_from:\"2024-01-01\"", "valid_to:\"2024-01-31\""}) +
                            Entry("A/1") + Entry("C/1", {"valid_from:\"2024-01-31\"", "valid_to"}));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto codes = [&](std::optional<absl::CivilDay> day) {
    std::vector<std::string> out;
    for (const v1::LegalReference& r : parsed->ValidOn(day)) out.push_back(r.code());
    return out;
  };
  EXPECT_THAT(codes(std::nullopt), ElementsAre("B/1", "A/1", "C/1"));
  EXPECT_THAT(codes(absl::CivilDay(2024, 1, 1)), ElementsAre("B/1", "A/1"));
  EXPECT_THAT(codes(absl::CivilDay(2024, 1, 31)), ElementsAre("B/1", "A/1", "C/1"));
  EXPECT_THAT(codes(absl::CivilDay(2024, 2, 1)), ElementsAre("A/1", "C/1"));
  EXPECT_THAT(codes(absl::CivilDay(2026, 1, 1)), ElementsAre("C/1"));
}

// --- ValidateResult ---

TEST(ValidateResultTest, AValidFullResultAddsNoViolation) {
  EXPECT_THAT(Validate(FullResult()), IsEmpty());
}

TEST(ValidateResultTest, AnEmptyResultAddsNoViolation) {
  EXPECT_THAT(Validate(v1::InspectionResult()), IsEmpty());
}

TEST(ValidateResultTest, AValidResultUnderDecree282AddsNoViolation) {
  v1::InspectionResult result = FullResult();
  result.mutable_violations(0)->set_legal_reference("ND282-2025/36/1/a");
  result.mutable_violations(1)->set_legal_reference("ND282-2025/13/5/a");
  result.set_follow_up_by("2026-02-01");
  EXPECT_THAT(Validate(result, absl::CivilDay(2026, 1, 5)), IsEmpty());
}

struct BadFieldCase {
  const char* label;
  std::function<void(v1::InspectionResult&)> change;
  const char* field;
};

TEST(ValidateResultTest, EachBadFieldIsReportedOnceAtItsPath) {
  const std::vector<BadFieldCase> cases = {
      {"findings too long", [](auto& r) { r.set_findings(std::string(8001, 'a')); },
       "result.findings"},
      {"findings with a control character", [](auto& r) { r.set_findings("a\x01z"); },
       "result.findings"},
      {"violation without a reference",
       [](auto& r) { r.mutable_violations(1)->clear_legal_reference(); },
       "result.violations[1].legal_reference"},
      {"unknown reference",
       [](auto& r) { r.mutable_violations(1)->set_legal_reference("ND144-2021/99/1/a"); },
       "result.violations[1].legal_reference"},
      {"reference with a space",
       [](auto& r) { r.mutable_violations(1)->set_legal_reference("ND144 2021"); },
       "result.violations[1].legal_reference"},
      {"description too long",
       [](auto& r) { r.mutable_violations(0)->set_description(std::string(2001, 'a')); },
       "result.violations[0].description"},
      {"sanction kind unspecified",
       [](auto& r) { r.mutable_sanctions(2)->set_kind(v1::SANCTION_KIND_UNSPECIFIED); },
       "result.sanctions[2].kind"},
      {"sanction kind unknown",
       [](auto& r) { r.mutable_sanctions(2)->set_kind(static_cast<v1::SanctionKind>(42)); },
       "result.sanctions[2].kind"},
      {"violation_index past the end",
       [](auto& r) { r.mutable_sanctions(2)->set_violation_index(2); },
       "result.sanctions[2].violation_index"},
      {"violation_index negative", [](auto& r) { r.mutable_sanctions(2)->set_violation_index(-1); },
       "result.sanctions[2].violation_index"},
      {"fine of zero", [](auto& r) { r.mutable_sanctions(0)->set_fine_amount_vnd(0); },
       "result.sanctions[0].fine_amount_vnd"},
      {"negative fine", [](auto& r) { r.mutable_sanctions(0)->set_fine_amount_vnd(-5); },
       "result.sanctions[0].fine_amount_vnd"},
      {"amount on a suspension",
       [](auto& r) { r.mutable_sanctions(1)->set_fine_amount_vnd(1'000'000); },
       "result.sanctions[1].fine_amount_vnd"},
      {"months on a fine", [](auto& r) { r.mutable_sanctions(0)->set_suspension_months(2); },
       "result.sanctions[0].suspension_months"},
      {"months on a referral", [](auto& r) { r.mutable_sanctions(2)->set_suspension_months(1); },
       "result.sanctions[2].suspension_months"},
      {"suspension without months",
       [](auto& r) { r.mutable_sanctions(1)->set_suspension_months(0); },
       "result.sanctions[1].suspension_months"},
      {"decision number with a slash",
       [](auto& r) { r.mutable_sanctions(0)->set_decision_number("125/QĐ\nXPVPHC"); },
       "result.sanctions[0].decision_number"},
      {"decision number too long",
       [](auto& r) { r.mutable_sanctions(0)->set_decision_number(std::string(65, '1')); },
       "result.sanctions[0].decision_number"},
      {"owners_informed negative", [](auto& r) { r.set_owners_informed(-1); },
       "result.owners_informed"},
      {"workers_informed too many", [](auto& r) { r.set_workers_informed(10'001); },
       "result.workers_informed"},
      {"person without a name", [](auto& r) { r.mutable_persons_met(0)->clear_full_name(); },
       "result.persons_met[0].full_name"},
      {"person name too long",
       [](auto& r) { r.mutable_persons_met(0)->set_full_name(std::string(201, 'a')); },
       "result.persons_met[0].full_name"},
      {"id number with a dash",
       [](auto& r) { r.mutable_persons_met(0)->set_id_number("0793-05001234"); },
       "result.persons_met[0].id_number"},
      {"id number too long",
       [](auto& r) { r.mutable_persons_met(0)->set_id_number(std::string(21, '1')); },
       "result.persons_met[0].id_number"},
      {"birth date not in the calendar",
       [](auto& r) { r.mutable_persons_met(0)->set_birth_date("2007-02-29"); },
       "result.persons_met[0].birth_date"},
      {"birth date on the inspection day",
       [](auto& r) { r.mutable_persons_met(0)->set_birth_date("2025-06-10"); },
       "result.persons_met[0].birth_date"},
      {"birth date after the inspection",
       [](auto& r) { r.mutable_persons_met(0)->set_birth_date("2030-01-01"); },
       "result.persons_met[0].birth_date"},
      {"phone with letters", [](auto& r) { r.mutable_persons_met(0)->set_phone("09x1234567"); },
       "result.persons_met[0].phone"},
      {"phone too long", [](auto& r) { r.mutable_persons_met(0)->set_phone(std::string(21, '9')); },
       "result.persons_met[0].phone"},
      {"needs too long",
       [](auto& r) { r.mutable_persons_met(0)->set_needs(std::string(1001, 'a')); },
       "result.persons_met[0].needs"},
      {"minor without a crime", [](auto& r) { r.set_crime_suspected(false); },
       "result.minor_involved"},
      {"trafficking without a crime",
       [](auto& r) {
         r.set_minor_involved(false);
         r.set_crime_suspected(false);
         r.set_trafficking_suspected(true);
       },
       "result.trafficking_suspected"},
      {"follow-up not a date", [](auto& r) { r.set_follow_up_by("10/07/2025"); },
       "result.follow_up_by"},
      {"follow-up on the inspection day", [](auto& r) { r.set_follow_up_by("2025-06-10"); },
       "result.follow_up_by"},
      {"follow-up before the inspection", [](auto& r) { r.set_follow_up_by("2025-06-01"); },
       "result.follow_up_by"},
  };
  for (const BadFieldCase& c : cases) {
    SCOPED_TRACE(c.label);
    v1::InspectionResult result = FullResult();
    c.change(result);
    EXPECT_THAT(Validate(result), ElementsAre(c.field));
  }
}

TEST(ValidateResultTest, WithoutAPrefixPathsStartAtTheField) {
  v1::InspectionResult result = FullResult();
  result.set_findings("\xff");
  result.mutable_violations(1)->set_legal_reference("nope");
  result.mutable_persons_met(0)->set_phone("phone");
  EXPECT_THAT(Validate(result, kInspectionDay, ""),
              ElementsAre("findings", "violations[1].legal_reference", "persons_met[0].phone"));
}

TEST(ValidateResultTest, ANestedPrefixIsKeptWhole) {
  v1::InspectionResult result = FullResult();
  result.set_owners_informed(-3);
  EXPECT_THAT(Validate(result, kInspectionDay, "inspection.result"),
              ElementsAre("inspection.result.owners_informed"));
}

TEST(ValidateResultTest, PseudonymIsIgnored) {
  v1::InspectionResult result = FullResult();
  result.mutable_persons_met(0)->set_pseudonym(std::string(5000, '\x01'));
  EXPECT_THAT(Validate(result), IsEmpty());
}

TEST(ValidateResultTest, OptionalPersonFieldsMayBeEmpty) {
  v1::InspectionResult result = FullResult();
  v1::PersonMet* person = result.mutable_persons_met(0);
  person->clear_id_number();
  person->clear_birth_date();
  person->clear_phone();
  person->clear_needs();
  EXPECT_THAT(Validate(result), IsEmpty());
}

struct FineCase {
  int64_t amount;
  bool on_organisation;
  bool ok;
};

TEST(ValidateResultTest, FinesMustFallWithinTheReferenceBoundsDoubledForAnOrganisation) {
  // kNegligentOwner144 allows 10,000,000-20,000,000 VND for an individual.
  const std::vector<FineCase> cases = {
      {10'000'000, false, true}, {20'000'000, false, true},  {15'000'000, false, true},
      {9'999'999, false, false}, {20'000'001, false, false}, {30'000'000, false, false},
      {20'000'000, true, true},  {40'000'000, true, true},   {10'000'000, true, false},
      {19'999'999, true, false}, {40'000'001, true, false},
  };
  for (const FineCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.amount, c.on_organisation ? " organisation" : " individual"));
    v1::InspectionResult result = FullResult();
    result.mutable_sanctions(0)->set_fine_amount_vnd(c.amount);
    result.mutable_sanctions(0)->set_on_organisation(c.on_organisation);
    Validator v;
    ValidateResult(v, "result", result, kInspectionDay, LegalCatalogue::Default());
    if (c.ok) {
      EXPECT_THAT(Fields(v), IsEmpty());
    } else {
      EXPECT_THAT(Fields(v), ElementsAre("result.sanctions[0].fine_amount_vnd"));
      EXPECT_THAT(OnlyDescription(v), HasSubstr(kNegligentOwner144));
      EXPECT_THAT(OnlyDescription(v),
                  HasSubstr(c.on_organisation ? "20000000 to 40000000" : "10000000 to 20000000"));
    }
  }
}

TEST(ValidateResultTest, FinesNeverExceedTheLegalCeiling) {
  // A reference whose bound is the ceiling itself, so only the ceiling can refuse.
  absl::StatusOr<LegalCatalogue> catalogue = LegalCatalogue::Parse(
      Entry("TOP/1", {"fine_min_vnd:1", "fine_max_vnd:75000000", "valid_to"}));
  ASSERT_TRUE(catalogue.ok()) << catalogue.status();
  const std::vector<FineCase> cases = {
      {75'000'000, false, true},
      {75'000'001, false, false},
      {150'000'000, true, true},
      {150'000'001, true, false},
  };
  for (const FineCase& c : cases) {
    SCOPED_TRACE(c.amount);
    v1::InspectionResult result;
    result.add_violations()->set_legal_reference("TOP/1");
    v1::Sanction* fine = result.add_sanctions();
    fine->set_kind(v1::SANCTION_KIND_FINE);
    fine->set_fine_amount_vnd(c.amount);
    fine->set_on_organisation(c.on_organisation);
    Validator v;
    ValidateResult(v, "result", result, kInspectionDay, *catalogue);
    if (c.ok) {
      EXPECT_THAT(Fields(v), IsEmpty());
    } else {
      EXPECT_THAT(Fields(v), ElementsAre("result.sanctions[0].fine_amount_vnd"));
      EXPECT_THAT(OnlyDescription(v), HasSubstr("ceiling"));
    }
  }
}

TEST(ValidateResultTest, TheCeilingHoldsEvenWhenTheReferenceIsUnknown) {
  v1::InspectionResult result = FullResult();
  result.mutable_violations(0)->set_legal_reference("ND144-2021/99/1/a");
  result.mutable_sanctions(0)->set_on_organisation(false);
  result.mutable_sanctions(0)->set_fine_amount_vnd(80'000'000);
  EXPECT_THAT(Validate(result), ElementsAre("result.violations[0].legal_reference",
                                            "result.sanctions[0].fine_amount_vnd"));
}

TEST(ValidateResultTest, AFineOnAReferenceThatSetsNoFineIsRefused) {
  absl::StatusOr<LegalCatalogue> catalogue =
      LegalCatalogue::Parse(Entry("WARN/1", {"fine_min_vnd:0", "fine_max_vnd:0", "valid_to"}));
  ASSERT_TRUE(catalogue.ok()) << catalogue.status();
  v1::InspectionResult result;
  result.add_violations()->set_legal_reference("WARN/1");
  v1::Sanction* fine = result.add_sanctions();
  fine->set_kind(v1::SANCTION_KIND_FINE);
  fine->set_fine_amount_vnd(100'000);
  Validator v;
  ValidateResult(v, "result", result, kInspectionDay, *catalogue);
  EXPECT_THAT(Fields(v), ElementsAre("result.sanctions[0].fine_amount_vnd"));
  EXPECT_THAT(OnlyDescription(v), HasSubstr("sets no fine"));
}

TEST(ValidateResultTest, SuspensionsLastOneToTwentyFourMonths) {
  for (v1::SanctionKind kind :
       {v1::SANCTION_KIND_LICENCE_SUSPENSION, v1::SANCTION_KIND_ACTIVITY_SUSPENSION}) {
    for (int months : {-1, 0, 1, 12, 24, 25}) {
      SCOPED_TRACE(absl::StrCat(v1::SanctionKind_Name(kind), " ", months));
      v1::InspectionResult result = FullResult();
      result.mutable_sanctions(1)->set_kind(kind);
      result.mutable_sanctions(1)->set_suspension_months(months);
      const bool ok = months >= 1 && months <= 24;
      if (ok) {
        EXPECT_THAT(Validate(result), IsEmpty());
      } else {
        EXPECT_THAT(Validate(result), ElementsAre("result.sanctions[1].suspension_months"));
      }
    }
  }
}

TEST(ValidateResultTest, ASanctionWithoutAnyViolationIsReported) {
  v1::InspectionResult result;
  v1::Sanction* warning = result.add_sanctions();
  warning->set_kind(v1::SANCTION_KIND_WARNING);
  Validator v;
  ValidateResult(v, "result", result, kInspectionDay, LegalCatalogue::Default());
  EXPECT_THAT(Fields(v), ElementsAre("result.sanctions[0].violation_index"));
  EXPECT_THAT(OnlyDescription(v), HasSubstr("none"));
}

TEST(ValidateResultTest, AnOutOfRangeViolationIndexSaysTheRange) {
  v1::InspectionResult result = FullResult();
  result.mutable_sanctions(2)->set_violation_index(7);
  Validator v;
  ValidateResult(v, "result", result, kInspectionDay, LegalCatalogue::Default());
  EXPECT_THAT(Fields(v), ElementsAre("result.sanctions[2].violation_index"));
  EXPECT_THAT(OnlyDescription(v), HasSubstr("between 0 and 1"));
}

TEST(ValidateResultTest, AReferenceValidOnlyAfterTheInspectionDateNamesTheCodeAndTheDate) {
  v1::InspectionResult result = FullResult();
  result.mutable_violations(1)->set_legal_reference(kBuyingSex282);
  result.set_follow_up_by("2026-01-15");
  Validator v;
  ValidateResult(v, "result", result, kLastDayOf144, LegalCatalogue::Default());
  EXPECT_THAT(Fields(v), ElementsAre("result.violations[1].legal_reference"));
  EXPECT_THAT(OnlyDescription(v), HasSubstr(kBuyingSex282));
  EXPECT_THAT(OnlyDescription(v), HasSubstr("2025-12-14"));
}

TEST(ValidateResultTest, AReferenceNoLongerValidOnTheInspectionDateIsReported) {
  v1::InspectionResult result;
  result.add_violations()->set_legal_reference(kBuyingSex144);
  Validator v;
  ValidateResult(v, "", result, kFirstDayOf282, LegalCatalogue::Default());
  EXPECT_THAT(Fields(v), ElementsAre("violations[0].legal_reference"));
  EXPECT_THAT(OnlyDescription(v), HasSubstr("2025-12-15"));
}

TEST(ValidateResultTest, AFineIsNotMeasuredAgainstAReferenceThatDoesNotApply) {
  // Only the reference is wrong: its bounds would refuse this amount too, but one
  // mistake is reported once.
  v1::InspectionResult result;
  result.add_violations()->set_legal_reference(kBuyingSex282);
  v1::Sanction* fine = result.add_sanctions();
  fine->set_kind(v1::SANCTION_KIND_FINE);
  fine->set_fine_amount_vnd(30'000'000);
  EXPECT_THAT(Validate(result), ElementsAre("result.violations[0].legal_reference"));
}

TEST(ValidateResultTest, OverLimitCountsAreReportedOnceWithoutExaminingTheElements) {
  v1::InspectionResult result;
  for (int i = 0; i < 5000; ++i) {
    result.add_violations()->set_legal_reference("unknown");
    result.add_sanctions()->set_kind(v1::SANCTION_KIND_UNSPECIFIED);
    result.add_persons_met();  // No name: each would be a violation if examined.
  }
  Validator v;
  ValidateResult(v, "result", result, kInspectionDay, LegalCatalogue::Default());
  EXPECT_THAT(Fields(v),
              ElementsAre("result.violations", "result.sanctions", "result.persons_met"));
  EXPECT_THAT(v.violations()[0].description, HasSubstr("5000"));
}

TEST(ValidateResultTest, FiftyOfEachIsAllowed) {
  v1::InspectionResult result = FullResult();
  while (result.violations_size() < 50) *result.add_violations() = result.violations(0);
  while (result.sanctions_size() < 50) *result.add_sanctions() = result.sanctions(2);
  while (result.persons_met_size() < 50) *result.add_persons_met() = result.persons_met(0);
  EXPECT_THAT(Validate(result), IsEmpty());
  result.add_violations()->set_legal_reference(kNegligentOwner144);
  EXPECT_THAT(Validate(result), ElementsAre("result.violations"));
}

TEST(ValidateResultTest, MinorInvolvedWithoutCrimeSuspectedIsReported) {
  v1::InspectionResult result;
  result.set_minor_involved(true);
  EXPECT_THAT(Validate(result), ElementsAre("result.minor_involved"));
  result.set_crime_suspected(true);
  EXPECT_THAT(Validate(result), IsEmpty());
}

TEST(ValidateResultTest, FollowUpMustComeAfterTheInspectionDate) {
  v1::InspectionResult result;
  result.set_follow_up_by("2025-06-11");
  EXPECT_THAT(Validate(result), IsEmpty());
  result.set_follow_up_by("2025-06-10");
  Validator v;
  ValidateResult(v, "result", result, kInspectionDay, LegalCatalogue::Default());
  EXPECT_THAT(Fields(v), ElementsAre("result.follow_up_by"));
  EXPECT_THAT(OnlyDescription(v), HasSubstr("2025-06-10"));
}

TEST(ValidateResultTest, BadUtf8InFindingsIsReported) {
  for (const std::string& bytes : {std::string("Ph\xC3"), std::string("\xC0\xAF"),
                                   std::string("\xED\xA0\x80"), std::string("ok\xFF")}) {
    v1::InspectionResult result = FullResult();
    result.set_findings(bytes);
    Validator v;
    ValidateResult(v, "result", result, kInspectionDay, LegalCatalogue::Default());
    EXPECT_THAT(Fields(v), ElementsAre("result.findings"));
    EXPECT_THAT(OnlyDescription(v), HasSubstr("UTF-8"));
  }
}

TEST(ValidateResultTest, FindingsCountCharactersNotBytesAndAllowLineBreaks) {
  v1::InspectionResult result = FullResult();
  std::string findings;
  for (int i = 0; i < 4000; ++i) findings += "ệ";  // 3 bytes each.
  findings += "\n\t";
  for (int i = 0; i < 3998; ++i) findings += "a";
  result.set_findings(findings);
  EXPECT_THAT(Validate(result), IsEmpty());
  result.mutable_findings()->append("a");
  EXPECT_THAT(Validate(result), ElementsAre("result.findings"));
}

TEST(ValidateResultTest, ProblemsInSeveralFieldsAreAllReported) {
  v1::InspectionResult result = FullResult();
  result.mutable_violations(0)->set_description(std::string(2001, 'x'));
  result.mutable_sanctions(1)->set_suspension_months(30);
  result.set_workers_informed(-1);
  result.set_follow_up_by("2025-01-01");
  EXPECT_THAT(Validate(result), ElementsAre("result.violations[0].description",
                                            "result.sanctions[1].suspension_months",
                                            "result.workers_informed", "result.follow_up_by"));
}

}  // namespace
}  // namespace pcmd::inspections
