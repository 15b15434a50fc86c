#include "common/units/units.h"

#include "common/units/units_testing.h"
#include "gtest/gtest.h"

namespace pcmd::units {
namespace {

using security::Access;
using security::AgencyKind;
using security::RecordScope;
using security::Scope;

constexpr storage::Migration kMigrations[] = {{1, "units", kUnitsMigrationSql}};

// Hà Nội (01) → Thanh Trì (020) → Văn Điển (09964); Hưng Yên (33) beside it.
class UnitsTest : public ::testing::Test {
 protected:
  UnitsTest()
      : db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, kMigrations)), tree_(*db_) {
    EXPECT_TRUE(
        RememberUnits(*db_, {{"01", "VN"}, {"020", "01"}, {"09964", "020"}, {"33", "VN"}}).ok());
  }
  std::unique_ptr<storage::SqliteDatabase> db_;
  SqliteUnitTree tree_;
};

TEST_F(UnitsTest, AUnitLiesWithinItsParentsAndItself) {
  EXPECT_TRUE(*tree_.IsWithin("09964", "09964"));
  EXPECT_TRUE(*tree_.IsWithin("09964", "020"));
  EXPECT_TRUE(*tree_.IsWithin("09964", "01"));
  EXPECT_TRUE(*tree_.IsWithin("09964", "VN"));
}

TEST_F(UnitsTest, AUnitDoesNotLieWithinASiblingOrAChild) {
  EXPECT_FALSE(*tree_.IsWithin("09964", "33"));
  EXPECT_FALSE(*tree_.IsWithin("01", "020"));
}

TEST_F(UnitsTest, AnUnknownUnitLiesOnlyWithinItself) {
  EXPECT_FALSE(*tree_.IsWithin("99999", "01"));
  EXPECT_TRUE(*tree_.IsWithin("99999", "99999"));
}

TEST_F(UnitsTest, AncestorsRunFromTheParentUpToTheTop) {
  EXPECT_EQ(*tree_.AncestorsOf("09964"), (std::vector<std::string>{"020", "01", "VN"}));
  EXPECT_EQ(*tree_.AncestorsOf("01"), (std::vector<std::string>{"VN"}));
  EXPECT_TRUE(tree_.AncestorsOf("99999")->empty());
}

TEST_F(UnitsTest, ASubtreeHoldsTheUnitAndEveryUnitUnderItOnly) {
  EXPECT_EQ(*tree_.SubtreeOf("01"), (std::vector<std::string>{"01", "020", "09964"}));
  EXPECT_EQ(*tree_.SubtreeOf("VN"), (std::vector<std::string>{"01", "020", "09964", "33", "VN"}));
  EXPECT_EQ(*tree_.SubtreeOf("99999"), (std::vector<std::string>{"99999"}));
}

TEST_F(UnitsTest, TheTreeKnowsTheNationalUnitAndTheDirectoryButNothingElse) {
  EXPECT_TRUE(*tree_.Knows("VN"));
  EXPECT_TRUE(*tree_.Knows("09964"));
  EXPECT_FALSE(*tree_.Knows("99999"));
  EXPECT_FALSE(*tree_.Knows(""));
}

TEST_F(UnitsTest, AnUnknownUnitIsAViolationNamingItAndAMalformedOneIsReportedOnce) {
  Validator v;
  v.Code("bad", "a b");
  ASSERT_TRUE(CheckKnownUnit(v, "bad", "a b", tree_).ok());
  ASSERT_TRUE(CheckKnownUnit(v, "unit_code", "99999", tree_).ok());
  ASSERT_TRUE(CheckKnownUnit(v, "known", "020", tree_).ok());
  ASSERT_TRUE(CheckKnownUnit(v, "empty", "", tree_).ok());
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].field, "bad");
  EXPECT_EQ(v.violations()[1].field, "unit_code");
  EXPECT_NE(v.violations()[1].description.find("99999"), std::string::npos);
}

TEST_F(UnitsTest, AProvincialAgencyReachesRecordsOfItsCommunesButNotOfAnotherProvince) {
  const Access hanoi_police =
      Access::For(AgencyKind::kPolice, "01", "CA-HN", Scope::kOwnUnitSubtree);
  EXPECT_TRUE(
      security::CheckScope(hanoi_police, {.name = "tips/a", .unit_code = "09964"}, tree_).ok());
  const absl::Status other =
      security::CheckScope(hanoi_police, {.name = "tips/b", .unit_code = "33"}, tree_);
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("tips/b"), absl::string_view::npos);
}

TEST_F(UnitsTest, ARecordAssignedToTheCallerIsInScopeWhereverItLies) {
  const Access team =
      Access::For(AgencyKind::kInspectionTeam, "020", "DKT178-TT", Scope::kOwnUnitSubtree);
  EXPECT_TRUE(
      security::CheckScope(
          team, {.name = "tips/c", .unit_code = "33", .assigned_agency = "DKT178-TT"}, tree_)
          .ok());
}

TEST_F(UnitsTest, AssignedOnlyScopeRefusesRecordsOfTheOwnUnitNotAssignedToTheCaller) {
  const Access team =
      Access::For(AgencyKind::kInspectionTeam, "020", "DKT178-TT", Scope::kAssignedToCaller);
  EXPECT_EQ(security::CheckScope(team, {.name = "tips/d", .unit_code = "020"}, tree_).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(UnitsTest, ProviderScopeReachesOnlyReferralsAddressedToThatProvider) {
  const Access provider =
      Access::For(AgencyKind::kProvider, "01", "CTXH-HN", Scope::kAddressedToProvider);
  EXPECT_TRUE(
      security::CheckScope(
          provider, {.name = "referrals/a", .unit_code = "33", .provider_agency = "CTXH-HN"}, tree_)
          .ok());
  EXPECT_EQ(
      security::CheckScope(
          provider, {.name = "referrals/b", .unit_code = "01", .provider_agency = "OTHER"}, tree_)
          .code(),
      absl::StatusCode::kPermissionDenied);
}

TEST_F(UnitsTest, ANationalAgencyReachesEveryUnit) {
  const Access ministry = Access::For(AgencyKind::kMinistry, "VN", "BYT", Scope::kOwnUnitSubtree);
  EXPECT_TRUE(security::CheckScope(ministry, {.name = "tips/e", .unit_code = "99999"}, tree_).ok());
}

}  // namespace
}  // namespace pcmd::units
