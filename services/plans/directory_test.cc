#include "services/plans/directory.h"

#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/plans/sqlite_directory_store.h"

namespace pcmd::plans {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

v1::CreateUnitRequest Unit(std::string code, std::string name, v1::UnitLevel level,
                           std::string parent, std::string from = "", std::string to = "") {
  v1::CreateUnitRequest r;
  r.set_code(code);
  r.set_display_name(name);
  r.set_level(level);
  r.set_parent_code(parent);
  r.set_valid_from(from);
  r.set_valid_to(to);
  return r;
}

class DirectoryTest : public ::testing::Test {
 protected:
  DirectoryTest()
      : db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, PlansMigrations())),
        outbox_("plans", Clock::Real()),
        store_(*db_, outbox_),
        directory_(store_, Clock::Real()) {}

  void SeedHanoi() {
    ASSERT_TRUE(directory_.CreateUnit(Unit("VN", "Việt Nam", v1::UNIT_LEVEL_NATIONAL, "")).ok());
    ASSERT_TRUE(directory_.CreateUnit(Unit("01", "Hà Nội", v1::UNIT_LEVEL_PROVINCE, "VN")).ok());
  }

  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteDirectoryStore store_;
  Directory directory_;
};

TEST_F(DirectoryTest, KeepsADistrictAbolishedIn2025WithItsDiacriticsAndValidity) {
  SeedHanoi();
  auto thanh_tri = directory_.CreateUnit(
      Unit("268", "Thanh Trì", v1::UNIT_LEVEL_DISTRICT, "01", "2008-08-01", "2025-06-30"));
  ASSERT_TRUE(thanh_tri.ok()) << thanh_tri.status();
  auto read = directory_.GetUnit("units/268");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->display_name(), "Thanh Trì");
  EXPECT_EQ(read->parent_code(), "01");
  EXPECT_EQ(read->valid_to(), "2025-06-30");
}

TEST_F(DirectoryTest, CreatingTheSameUnitTwiceAnswersWithTheStoredOne) {
  SeedHanoi();
  auto again = directory_.CreateUnit(Unit("01", "Hà Nội", v1::UNIT_LEVEL_PROVINCE, "VN"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), "units/01");
}

TEST_F(DirectoryTest, RefusesACodeThatHoldsADifferentUnit) {
  SeedHanoi();
  auto clash = directory_.CreateUnit(Unit("01", "Hải Dương", v1::UNIT_LEVEL_PROVINCE, "VN"));
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(directory_.GetUnit("units/01")->display_name(), "Hà Nội");
}

TEST_F(DirectoryTest, AnswersNotFoundForAnUnknownParentAndWritesNothing) {
  auto orphan = directory_.CreateUnit(Unit("268", "Thanh Trì", v1::UNIT_LEVEL_DISTRICT, "01"));
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kNotFound);
  ASSERT_EQ(FieldViolationsOf(orphan.status()).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(orphan.status())[0].field, "parent_code");
  EXPECT_EQ(directory_.GetUnit("units/268").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(DirectoryTest, NamesEveryInvalidField) {
  const absl::Status s =
      directory_
          .CreateUnit(Unit("01/2", "", v1::UNIT_LEVEL_NATIONAL, "VN", "2025-07-01", "2024-01-01"))
          .status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& fv : FieldViolationsOf(s)) fields.push_back(fv.field);
  EXPECT_THAT(fields, UnorderedElementsAre("code", "display_name", "parent_code", "valid_to"));
}

TEST_F(DirectoryTest, RequiresAParentBelowTheNationalLevel) {
  const absl::Status s =
      directory_.CreateUnit(Unit("02", "Hà Giang", v1::UNIT_LEVEL_PROVINCE, "")).status();
  ASSERT_EQ(FieldViolationsOf(s).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "parent_code");
}

std::vector<std::string> Codes(const absl::StatusOr<v1::ListUnitsResponse>& list) {
  std::vector<std::string> codes;
  EXPECT_TRUE(list.ok()) << list.status();
  if (list.ok()) {
    for (const v1::Unit& u : list->units()) codes.push_back(u.code());
  }
  return codes;
}

TEST_F(DirectoryTest, FindsUnitsByNameIgnoringDiacriticsAndWithinASubtree) {
  SeedHanoi();
  ASSERT_TRUE(directory_
                  .CreateUnit(Unit("268", "Huyện Thanh Trì", v1::UNIT_LEVEL_DISTRICT, "01",
                                   "2008-08-01", "2025-06-30"))
                  .ok());
  ASSERT_TRUE(directory_
                  .CreateUnit(Unit("006", "Quận Đống Đa", v1::UNIT_LEVEL_DISTRICT, "01",
                                   "2008-08-01", "2025-06-30"))
                  .ok());
  ASSERT_TRUE(directory_
                  .CreateUnit(Unit("09964", "Thị trấn Văn Điển", v1::UNIT_LEVEL_COMMUNE, "268",
                                   "2008-08-01", "2025-06-30"))
                  .ok());
  ASSERT_TRUE(
      directory_.CreateUnit(Unit("33", "Tỉnh Hưng Yên", v1::UNIT_LEVEL_PROVINCE, "VN")).ok());
  v1::ListUnitsRequest r;
  r.set_text("thanh tri");
  EXPECT_THAT(Codes(directory_.ListUnits(r)), ElementsAre("268"));
  r.set_text("dong da");
  EXPECT_THAT(Codes(directory_.ListUnits(r)), ElementsAre("006")) << "đ matches d";
  r.set_text("Văn Điển");
  EXPECT_THAT(Codes(directory_.ListUnits(r)), ElementsAre("09964"));
  r.set_text("");
  r.set_subtree_of("268");
  EXPECT_THAT(Codes(directory_.ListUnits(r)), UnorderedElementsAre("268", "09964"));
  r.set_subtree_of("01");
  r.set_level(v1::UNIT_LEVEL_DISTRICT);
  EXPECT_THAT(Codes(directory_.ListUnits(r)), UnorderedElementsAre("268", "006"));
  r.set_valid_on("2025-07-01");
  EXPECT_THAT(Codes(directory_.ListUnits(r)), IsEmpty()) << "districts ended on 30 June 2025";
  r.set_subtree_of("units/01!");
  EXPECT_EQ(directory_.ListUnits(r).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DirectoryTest, SaysWhichUnitsHoldAnAbolishedUnitsAreaToday) {
  SeedHanoi();
  ASSERT_TRUE(directory_
                  .CreateUnit(Unit("31", "Thành phố Hải Phòng", v1::UNIT_LEVEL_PROVINCE, "VN",
                                   "1976-07-02"))
                  .ok());
  v1::CreateUnitRequest hai_duong =
      Unit("30", "Tỉnh Hải Dương", v1::UNIT_LEVEL_PROVINCE, "VN", "1997-01-01", "2025-06-30");
  hai_duong.add_successor_codes("31");
  ASSERT_TRUE(directory_.CreateUnit(hai_duong).ok());
  v1::ResolveUnitRequest r;
  r.set_name("units/30");
  r.set_date("2026-01-01");
  absl::StatusOr<v1::ResolveUnitResponse> today = directory_.ResolveUnit(r);
  ASSERT_TRUE(today.ok()) << today.status();
  ASSERT_EQ(today->units_size(), 1);
  EXPECT_EQ(today->units(0).display_name(), "Thành phố Hải Phòng");
  r.set_date("2024-06-30");
  absl::StatusOr<v1::ResolveUnitResponse> then = directory_.ResolveUnit(r);
  ASSERT_TRUE(then.ok()) << then.status();
  ASSERT_EQ(then->units_size(), 1);
  EXPECT_EQ(then->units(0).code(), "30") << "in 2024 Hải Dương was itself";
  r.set_name("units/99");
  EXPECT_EQ(directory_.ResolveUnit(r).status().code(), absl::StatusCode::kNotFound);
  v1::CreateUnitRequest dangling =
      Unit("h-x", "Tỉnh X", v1::UNIT_LEVEL_PROVINCE, "VN", "1997-01-01", "2025-06-30");
  dangling.add_successor_codes("98");
  EXPECT_THAT(ViolatedFields(directory_.CreateUnit(dangling).status()),
              ElementsAre("successor_codes[0]"));
}

v1::CreateAgencyRequest Agency(std::string code, std::string name, v1::AgencyKind kind,
                               std::string unit, std::string from, std::string to) {
  v1::CreateAgencyRequest r;
  r.set_code(code);
  r.set_display_name(name);
  r.set_kind(kind);
  r.set_unit_code(unit);
  r.set_valid_from(from);
  r.set_valid_to(to);
  return r;
}

TEST_F(DirectoryTest, TheSocialAffairsRolePassesToTheHealthDepartmentByData) {
  SeedHanoi();
  ASSERT_TRUE(directory_
                  .CreateAgency(Agency("SYT-HN-PCTNXH", "Chi cục Phòng, chống tệ nạn xã hội",
                                       v1::AGENCY_KIND_SOCIAL_AFFAIRS, "01", "2025-03-01", ""))
                  .ok());
  v1::CreateAgencyRequest dolisa =
      Agency("SLDTBXH-HN", "Sở Lao động - Thương binh và Xã hội", v1::AGENCY_KIND_SOCIAL_AFFAIRS,
             "01", "2008-08-01", "2025-02-28");
  dolisa.add_successor_codes("SYT-HN-PCTNXH");
  ASSERT_TRUE(directory_.CreateAgency(dolisa).ok());
  v1::ListAgenciesRequest r;
  r.set_kind(v1::AGENCY_KIND_SOCIAL_AFFAIRS);
  r.set_unit_code("01");
  r.set_valid_on("2024-06-01");
  absl::StatusOr<v1::ListAgenciesResponse> in_2024 = directory_.ListAgencies(r);
  ASSERT_TRUE(in_2024.ok()) << in_2024.status();
  ASSERT_EQ(in_2024->agencies_size(), 1);
  EXPECT_EQ(in_2024->agencies(0).code(), "SLDTBXH-HN");
  r.set_valid_on("2025-06-01");
  absl::StatusOr<v1::ListAgenciesResponse> in_2025 = directory_.ListAgencies(r);
  ASSERT_TRUE(in_2025.ok()) << in_2025.status();
  ASSERT_EQ(in_2025->agencies_size(), 1);
  EXPECT_EQ(in_2025->agencies(0).code(), "SYT-HN-PCTNXH");
  r.clear_valid_on();
  r.set_text("lao dong thuong binh");
  absl::StatusOr<v1::ListAgenciesResponse> by_name = directory_.ListAgencies(r);
  ASSERT_TRUE(by_name.ok());
  ASSERT_EQ(by_name->agencies_size(), 1);
  EXPECT_EQ(by_name->agencies(0).display_name(), "Sở Lao động - Thương binh và Xã hội");
  EXPECT_THAT(
      ViolatedFields(
          directory_.CreateAgency(Agency("CA-HN", "Công an", v1::AGENCY_KIND_POLICE, "77", "", ""))
              .status()),
      ElementsAre("unit_code"));
}

}  // namespace
}  // namespace pcmd::plans
