#include "services/plans/directory.h"

#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/plans/sqlite_directory_store.h"

namespace pcmd::plans {
namespace {

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

}  // namespace
}  // namespace pcmd::plans
