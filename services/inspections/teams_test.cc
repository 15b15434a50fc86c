#include "services/inspections/teams.h"

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/storage/idempotency.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/inspections/sqlite_team_store.h"

namespace pcmd::inspections {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr storage::Migration kMigrations[] = {
    {1, "idempotency keys", storage::kIdempotencyMigrationSql},
    {2, "known units", units::kUnitsMigrationSql},
    {3, "teams", kTeamsMigrationSql},
};

std::vector<std::string> NamesOf(const v1::ListTeamsResponse& response) {
  std::vector<std::string> names;
  for (const v1::Team& t : response.teams()) names.push_back(t.display_name());
  return names;
}

v1::TeamMember Member(const std::string& name, v1::MemberAgency agency, v1::MemberRole role) {
  v1::TeamMember m;
  m.set_display_name(name);
  m.set_agency(agency);
  m.set_role(role);
  return m;
}

class TeamsTest : public ::testing::Test {
 protected:
  TeamsTest()
      : clock_(absl::FromUnixSeconds(1717400000)),
        db_(*storage::SqliteDatabase::Open({.path = dir_.File("inspections.db")}, kMigrations)),
        store_(*db_, clock_),
        units_(*db_),
        teams_(store_, clock_, units_) {
    // Hà Nội (01) with two districts; Hưng Yên (33) with one.
    const absl::Status s = units::RememberUnits(
        *db_, {{"01", "VN"}, {"268", "01"}, {"008", "01"}, {"33", "VN"}, {"323", "33"}});
    if (!s.ok()) ADD_FAILURE() << s;
  }

  // A valid district team of Hà Đông (Hà Nội).
  static v1::CreateTeamRequest HaDong(const std::string& request_id) {
    v1::CreateTeamRequest r;
    r.set_request_id(request_id);
    v1::Team* t = r.mutable_team();
    t->set_display_name("Đội kiểm tra liên ngành 178 quận Hà Đông");
    t->set_level(v1::TEAM_LEVEL_DISTRICT);
    t->set_unit_code("268");
    t->set_agency_code("DOI178-HD");
    t->set_decision("Quyết định số 1234/QĐ-UBND ngày 15/3/2024 của UBND quận Hà Đông");
    *t->add_members() =
        Member("Bà Trần Thị Thu Hằng, Trưởng phòng Lao động – Thương binh và Xã hội",
               v1::MEMBER_AGENCY_SOCIAL_AFFAIRS, v1::MEMBER_ROLE_LEADER);
    *t->add_members() = Member("Ông Nguyễn Văn Đức, Phó trưởng Công an quận",
                               v1::MEMBER_AGENCY_POLICE, v1::MEMBER_ROLE_DEPUTY);
    *t->add_members() = Member("Ông Lê Quốc Việt, chuyên viên Phòng Văn hóa và Thông tin",
                               v1::MEMBER_AGENCY_CULTURE, v1::MEMBER_ROLE_MEMBER);
    t->set_active_from("2024-03-15");
    t->set_active_to("2026-03-14");
    t->set_monthly_capacity(12);
    return r;
  }

  // HaDong with another name, unit and active period.
  static v1::CreateTeamRequest TeamAt(const std::string& request_id, const std::string& unit,
                                      const std::string& display_name,
                                      const std::string& active_from = "2024-01-01",
                                      const std::string& active_to = "") {
    v1::CreateTeamRequest r = HaDong(request_id);
    r.mutable_team()->set_unit_code(unit);
    r.mutable_team()->set_display_name(display_name);
    r.mutable_team()->set_active_from(active_from);
    r.mutable_team()->set_active_to(active_to);
    return r;
  }

  int64_t CountRows(const std::string& table) {
    int64_t n = -1;
    const absl::Status s = db_->Read([&](storage::Transaction& tx) -> absl::Status {
      absl::StatusOr<std::optional<storage::Row>> row =
          tx.QueryOne(absl::StrCat("SELECT COUNT(*) FROM ", table));
      if (!row.ok()) return row.status();
      n = (*row)->Int(0);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  // Creates `request` as the national caller, failing the test when it fails.
  v1::Team MustCreate(const v1::CreateTeamRequest& request) {
    absl::StatusOr<v1::Team> team = teams_.Create(national_, request);
    EXPECT_TRUE(team.ok()) << team.status();
    return team.ok() ? *team : v1::Team();
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  SqliteTeamStore store_;
  units::SqliteUnitTree units_;
  Teams teams_;
  const security::Access national_ = security::Access::For(
      security::AgencyKind::kMinistry, "VN", "BLDTBXH", security::Scope::kOwnUnitSubtree);
  const security::Access ha_noi_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "01", "SLDTBXH-HN", security::Scope::kOwnUnitSubtree);
  const security::Access hung_yen_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "33", "SLDTBXH-HY", security::Scope::kOwnUnitSubtree);
};

TEST_F(TeamsTest, CreatesATeamThatReadsBackWithItsVietnameseTextAndMembersInOrder) {
  const v1::CreateTeamRequest request = HaDong("team-1");
  absl::StatusOr<v1::Team> created = teams_.Create(ha_noi_, request);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_THAT(created->name(), ::testing::StartsWith("teams/"));
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(created->create_time()),
            absl::ToUnixMillis(clock_.Now()));

  absl::StatusOr<v1::Team> read = teams_.Get(ha_noi_, created->name());
  ASSERT_TRUE(read.ok()) << read.status();
  v1::Team expected = request.team();
  expected.set_name(created->name());
  *expected.mutable_create_time() = created->create_time();
  EXPECT_EQ(read->SerializeAsString(), expected.SerializeAsString()) << read->DebugString();
  EXPECT_EQ(read->display_name(), "Đội kiểm tra liên ngành 178 quận Hà Đông");
  ASSERT_EQ(read->members_size(), 3);
  EXPECT_EQ(read->members(0).display_name(),
            "Bà Trần Thị Thu Hằng, Trưởng phòng Lao động – Thương binh và Xã hội");
  EXPECT_EQ(read->members(2).display_name(),
            "Ông Lê Quốc Việt, chuyên viên Phòng Văn hóa và Thông tin");
}

TEST_F(TeamsTest, ReturnsTheSameTeamWhenARequestIsRetriedAndStoresItOnce) {
  const v1::Team first = MustCreate(HaDong("team-1"));
  clock_.Advance(absl::Minutes(5));
  absl::StatusOr<v1::Team> retry = teams_.Create(national_, HaDong("team-1"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first.name());
  EXPECT_EQ(retry->create_time().seconds(), first.create_time().seconds());
  EXPECT_EQ(CountRows("teams"), 1);
  EXPECT_EQ(CountRows("team_members"), 3);
}

TEST_F(TeamsTest, TreatsARetryThatDiffersOnlyInTheFieldsTheServerSetsAsTheSameRequest) {
  const v1::Team first = MustCreate(HaDong("team-1"));
  v1::CreateTeamRequest retry = HaDong("team-1");
  retry.mutable_team()->set_name("teams/chosen-by-the-client");
  retry.mutable_team()->mutable_create_time()->set_seconds(42);
  absl::StatusOr<v1::Team> again = teams_.Create(national_, retry);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first.name());
  EXPECT_EQ(CountRows("teams"), 1);
}

TEST_F(TeamsTest, RefusesARequestIdReusedForADifferentTeamNamingRequestId) {
  MustCreate(HaDong("team-1"));
  v1::CreateTeamRequest other = HaDong("team-1");
  other.mutable_team()->set_monthly_capacity(20);
  const absl::Status status = teams_.Create(national_, other).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(ViolatedFields(status), ElementsAre("request_id"));
  EXPECT_EQ(CountRows("teams"), 1);
  EXPECT_EQ(CountRows("team_members"), 3);
}

TEST_F(TeamsTest, NamesExactlyTheOneBadFieldAndWritesNothing) {
  struct Case {
    std::string field;
    std::function<void(v1::CreateTeamRequest&)> spoil;
  };
  const auto team = [](v1::CreateTeamRequest& r) { return r.mutable_team(); };
  const auto member = [](v1::CreateTeamRequest& r, int i) {
    return r.mutable_team()->mutable_members(i);
  };
  const std::vector<Case> cases = {
      {"request_id", [](auto& r) { r.set_request_id(""); }},
      {"request_id", [](auto& r) { r.set_request_id("đội 1"); }},
      {"request_id", [](auto& r) { r.set_request_id(std::string(65, 'a')); }},
      {"team", [](auto& r) { r.clear_team(); }},
      {"team.display_name", [&](auto& r) { team(r)->set_display_name(""); }},
      {"team.display_name", [&](auto& r) { team(r)->set_display_name(std::string(201, 'a')); }},
      {"team.display_name", [&](auto& r) { team(r)->set_display_name("Đội\n178"); }},
      {"team.display_name", [&](auto& r) { team(r)->set_display_name("\xC3\x28"); }},
      {"team.level", [&](auto& r) { team(r)->set_level(v1::TEAM_LEVEL_UNSPECIFIED); }},
      {"team.level", [&](auto& r) { team(r)->set_level(static_cast<v1::TeamLevel>(9)); }},
      {"team.unit_code", [&](auto& r) { team(r)->set_unit_code(""); }},
      {"team.unit_code", [&](auto& r) { team(r)->set_unit_code("Hà Đông"); }},
      {"team.agency_code", [&](auto& r) { team(r)->set_agency_code(""); }},
      {"team.agency_code", [&](auto& r) { team(r)->set_agency_code("DOI 178"); }},
      {"team.agency_code", [&](auto& r) { team(r)->set_agency_code(std::string(33, 'A')); }},
      {"team.decision", [&](auto& r) { team(r)->set_decision(""); }},
      {"team.decision", [&](auto& r) { team(r)->set_decision(std::string(301, 'q')); }},
      {"team.members", [&](auto& r) { team(r)->clear_members(); }},
      {"team.members",
       [&](auto& r) {
         for (int i = 0; i < 28; ++i) {
           *team(r)->add_members() =
               Member("Ông Phạm Văn Bình", v1::MEMBER_AGENCY_HEALTH, v1::MEMBER_ROLE_MEMBER);
         }
       }},
      {"team.members", [&](auto& r) { member(r, 0)->set_role(v1::MEMBER_ROLE_DEPUTY); }},
      {"team.members[1].display_name", [&](auto& r) { member(r, 1)->set_display_name(""); }},
      {"team.members[2].display_name",
       [&](auto& r) { member(r, 2)->set_display_name(std::string(201, 'n')); }},
      {"team.members[1].agency",
       [&](auto& r) { member(r, 1)->set_agency(v1::MEMBER_AGENCY_UNSPECIFIED); }},
      {"team.members[2].agency",
       [&](auto& r) { member(r, 2)->set_agency(static_cast<v1::MemberAgency>(77)); }},
      {"team.members[1].role",
       [&](auto& r) { member(r, 1)->set_role(v1::MEMBER_ROLE_UNSPECIFIED); }},
      {"team.members[2].role",
       [&](auto& r) { member(r, 2)->set_role(static_cast<v1::MemberRole>(42)); }},
      // A second leader.
      {"team.members[1].role", [&](auto& r) { member(r, 1)->set_role(v1::MEMBER_ROLE_LEADER); }},
      // A leader from the police.
      {"team.members[0].agency",
       [&](auto& r) { member(r, 0)->set_agency(v1::MEMBER_AGENCY_POLICE); }},
      {"team.active_from", [&](auto& r) { team(r)->set_active_from(""); }},
      {"team.active_from", [&](auto& r) { team(r)->set_active_from("2024-02-30"); }},
      {"team.active_from", [&](auto& r) { team(r)->set_active_from("15/03/2024"); }},
      {"team.active_to", [&](auto& r) { team(r)->set_active_to("2024-13-01"); }},
      {"team.active_to", [&](auto& r) { team(r)->set_active_to("2024-03-14"); }},
      {"team.monthly_capacity", [&](auto& r) { team(r)->set_monthly_capacity(0); }},
      {"team.monthly_capacity", [&](auto& r) { team(r)->set_monthly_capacity(501); }},
      {"team.monthly_capacity", [&](auto& r) { team(r)->set_monthly_capacity(-3); }},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    v1::CreateTeamRequest request = HaDong(absl::StrCat("bad-", i));
    c.spoil(request);
    SCOPED_TRACE(absl::StrCat("case ", i, " (", c.field, "): ", request.ShortDebugString()));
    const absl::Status status = teams_.Create(national_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(ViolatedFields(status), ElementsAre(c.field)) << status;
  }
  EXPECT_EQ(CountRows("teams"), 0);
  EXPECT_EQ(CountRows("team_members"), 0);
  EXPECT_EQ(CountRows("idempotency_keys"), 0);
}

TEST_F(TeamsTest, NamesEveryBadFieldOfOneRequestTogether) {
  v1::CreateTeamRequest request = HaDong("");
  request.mutable_team()->set_display_name("");
  request.mutable_team()->mutable_members(2)->set_role(v1::MEMBER_ROLE_UNSPECIFIED);
  request.mutable_team()->set_monthly_capacity(0);
  const absl::Status status = teams_.Create(national_, request).status();
  EXPECT_THAT(ViolatedFields(status),
              ::testing::UnorderedElementsAre("request_id", "team.display_name",
                                              "team.members[2].role", "team.monthly_capacity"));
}

TEST_F(TeamsTest, AcceptsTheBoundaryValuesOfEveryRule) {
  v1::CreateTeamRequest request = HaDong("edges");
  v1::Team* t = request.mutable_team();
  std::string name;
  for (int i = 0; i < 200; ++i) name += "Đ";  // 200 characters, 400 bytes.
  t->set_display_name(name);
  t->set_decision(std::string(300, 'q'));
  t->set_agency_code(std::string(32, 'A'));
  while (t->members_size() < 30) {
    *t->add_members() =
        Member("Bà Hoàng Thị Mai", v1::MEMBER_AGENCY_TOURISM, v1::MEMBER_ROLE_MEMBER);
  }
  t->set_active_to(t->active_from());  // A one-day team.
  for (int capacity : {1, 500}) {
    request.set_request_id(absl::StrCat("edges-", capacity));
    t->set_monthly_capacity(capacity);
    absl::StatusOr<v1::Team> created = teams_.Create(national_, request);
    ASSERT_TRUE(created.ok()) << created.status();
    EXPECT_EQ(created->members_size(), 30);
    EXPECT_EQ(created->display_name(), name);
  }
  // Open-ended.
  request.set_request_id("open-ended");
  t->clear_active_to();
  EXPECT_TRUE(teams_.Create(national_, request).ok());
  EXPECT_EQ(CountRows("teams"), 3);
}

TEST_F(TeamsTest, NamesAnUnknownUnitCodeAndWritesNothing) {
  v1::CreateTeamRequest request = HaDong("unknown-unit");
  request.mutable_team()->set_unit_code("999");
  const absl::Status status = teams_.Create(national_, request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  const std::vector<FieldViolation> violations = FieldViolationsOf(status);
  ASSERT_EQ(violations.size(), 1u) << status;
  EXPECT_EQ(violations[0].field, "team.unit_code");
  EXPECT_THAT(violations[0].description, HasSubstr("999"));
  EXPECT_EQ(CountRows("teams"), 0);
}

TEST_F(TeamsTest, RefusesAHungYenAgencyCreatingAHaNoiTeam) {
  const absl::Status status = teams_.Create(hung_yen_, HaDong("elsewhere")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_EQ(CountRows("teams"), 0);
  EXPECT_EQ(CountRows("idempotency_keys"), 0);
}

TEST_F(TeamsTest, RefusesAHungYenAgencyReadingAHaNoiTeamWithoutRevealingIt) {
  const v1::Team team = MustCreate(HaDong("team-1"));
  const absl::Status status = teams_.Get(hung_yen_, team.name()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("Hà Đông")));
}

TEST_F(TeamsTest, LetsANationalCallerCreateAndReadTeamsInAnyProvince) {
  for (const char* unit : {"01", "268", "33", "VN"}) {
    absl::StatusOr<v1::Team> created =
        teams_.Create(national_, TeamAt(absl::StrCat("national-", unit), unit, "Đội 178"));
    ASSERT_TRUE(created.ok()) << unit << ": " << created.status();
    absl::StatusOr<v1::Team> read = teams_.Get(national_, created->name());
    ASSERT_TRUE(read.ok()) << unit << ": " << read.status();
    EXPECT_EQ(read->unit_code(), unit);
  }
}

TEST_F(TeamsTest, LetsAProvinceAgencyCreateAndReadTeamsOfItsDistricts) {
  absl::StatusOr<v1::Team> created = teams_.Create(ha_noi_, HaDong("district"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(teams_.Get(ha_noi_, created->name()).ok());
}

TEST_F(TeamsTest, AnswersNotFoundForAnUnknownTeamAndNamesAMalformedName) {
  EXPECT_EQ(teams_.Get(national_, "teams/0192aaaa").status().code(), absl::StatusCode::kNotFound);
  for (const char* name : {"establishments/0192aaaa", "teams/", "teams/a/b", ""}) {
    const absl::Status status = teams_.Get(national_, name).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(ViolatedFields(status), ElementsAre("name")) << name;
  }
}

TEST_F(TeamsTest, ListsTheTeamsUnderAUnitByUnitThenName) {
  MustCreate(TeamAt("a", "268", "Đội 178 phường Yết Kiêu"));
  MustCreate(TeamAt("b", "008", "Đội 178 quận Hoàng Mai"));
  MustCreate(TeamAt("c", "01", "Đội 178 thành phố Hà Nội"));
  MustCreate(TeamAt("d", "268", "Đội 178 quận Hà Đông"));
  MustCreate(TeamAt("e", "323", "Đội 178 thành phố Hưng Yên"));

  v1::ListTeamsRequest request;
  request.set_unit_code("01");
  absl::StatusOr<v1::ListTeamsResponse> listed = teams_.List(national_, request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(NamesOf(*listed), ElementsAre("Đội 178 quận Hoàng Mai", "Đội 178 thành phố Hà Nội",
                                            "Đội 178 phường Yết Kiêu", "Đội 178 quận Hà Đông"));
  EXPECT_TRUE(listed->next_page_token().empty());
  ASSERT_EQ(listed->teams_size(), 4);
  EXPECT_EQ(listed->teams(0).members_size(), 3);

  request.set_unit_code("268");
  listed = teams_.List(national_, request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(NamesOf(*listed), ElementsAre("Đội 178 phường Yết Kiêu", "Đội 178 quận Hà Đông"));
}

TEST_F(TeamsTest, ListsOnlyTheCallersUnitsWhenNoUnitIsGiven) {
  MustCreate(TeamAt("a", "268", "Đội 178 quận Hà Đông"));
  MustCreate(TeamAt("b", "33", "Đội 178 tỉnh Hưng Yên"));
  MustCreate(TeamAt("c", "323", "Đội 178 thành phố Hưng Yên"));

  absl::StatusOr<v1::ListTeamsResponse> mine = teams_.List(hung_yen_, {});
  ASSERT_TRUE(mine.ok()) << mine.status();
  // By unit code as text: "323" before "33".
  EXPECT_THAT(NamesOf(*mine), ElementsAre("Đội 178 thành phố Hưng Yên", "Đội 178 tỉnh Hưng Yên"));

  absl::StatusOr<v1::ListTeamsResponse> all = teams_.List(national_, {});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->teams_size(), 3);
}

TEST_F(TeamsTest, RefusesToListAUnitOutsideTheCallersUnits) {
  MustCreate(TeamAt("a", "268", "Đội 178 quận Hà Đông"));
  v1::ListTeamsRequest request;
  request.set_unit_code("01");
  const absl::Status status = teams_.List(hung_yen_, request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
}

TEST_F(TeamsTest, ListsOnlyTheTeamsActiveOnAGivenDayCountingBothEnds) {
  MustCreate(TeamAt("old", "268", "Đội 2023", "2023-01-01", "2023-12-31"));
  MustCreate(TeamAt("now", "268", "Đội 2024", "2024-01-01", "2024-12-31"));
  MustCreate(TeamAt("open", "268", "Đội từ 2025", "2025-01-01", ""));

  const auto active_on = [&](const std::string& day) {
    v1::ListTeamsRequest request;
    request.set_active_on(day);
    absl::StatusOr<v1::ListTeamsResponse> listed = teams_.List(national_, request);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? NamesOf(*listed) : std::vector<std::string>();
  };
  EXPECT_THAT(active_on("2024-01-01"), ElementsAre("Đội 2024"));
  EXPECT_THAT(active_on("2024-12-31"), ElementsAre("Đội 2024"));
  EXPECT_THAT(active_on("2030-06-01"), ElementsAre("Đội từ 2025"));
  EXPECT_THAT(active_on("2022-12-31"), ElementsAre());
  EXPECT_THAT(active_on(""), ElementsAre("Đội 2023", "Đội 2024", "Đội từ 2025"));
}

TEST_F(TeamsTest, PagesThroughEveryTeamOnceWithATokenBoundToTheQuery) {
  // Two teams share a unit and a name: the id keeps them apart.
  MustCreate(TeamAt("a", "268", "Đội B"));
  MustCreate(TeamAt("b", "268", "Đội A"));
  MustCreate(TeamAt("c", "008", "Đội C"));
  MustCreate(TeamAt("d", "268", "Đội A"));
  MustCreate(TeamAt("e", "01", "Đội D"));
  MustCreate(TeamAt("f", "33", "Đội E"));  // Outside the filter.

  v1::ListTeamsRequest request;
  request.set_unit_code("01");
  request.set_page_size(2);
  std::vector<std::string> seen;
  std::vector<int> page_sizes;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListTeamsResponse> listed = teams_.List(national_, request);
    ASSERT_TRUE(listed.ok()) << listed.status();
    page_sizes.push_back(listed->teams_size());
    for (const v1::Team& t : listed->teams()) seen.push_back(t.name());
    if (listed->next_page_token().empty()) break;
    request.set_page_token(listed->next_page_token());
  }
  EXPECT_THAT(page_sizes, ElementsAre(2, 2, 1));

  v1::ListTeamsRequest everything;
  everything.set_unit_code("01");
  absl::StatusOr<v1::ListTeamsResponse> all = teams_.List(national_, everything);
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<std::string> expected;
  for (const v1::Team& t : all->teams()) expected.push_back(t.name());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 5u);
}

TEST_F(TeamsTest, RefusesAPageTokenReusedWithOtherFiltersNamingPageToken) {
  for (const char* id : {"a", "b", "c"}) MustCreate(TeamAt(id, "268", absl::StrCat("Đội ", id)));
  v1::ListTeamsRequest request;
  request.set_unit_code("268");
  request.set_page_size(1);
  absl::StatusOr<v1::ListTeamsResponse> first = teams_.List(national_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->next_page_token().empty());

  // Another page size continues the same query.
  v1::ListTeamsRequest bigger = request;
  bigger.set_page_size(5);
  bigger.set_page_token(first->next_page_token());
  absl::StatusOr<v1::ListTeamsResponse> rest = teams_.List(national_, bigger);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(NamesOf(*rest), ElementsAre("Đội b", "Đội c"));

  v1::ListTeamsRequest other_unit = request;
  other_unit.set_unit_code("01");
  v1::ListTeamsRequest other_day = request;
  other_day.set_active_on("2024-06-01");
  v1::ListTeamsRequest garbage = request;
  for (v1::ListTeamsRequest* changed : {&other_unit, &other_day}) {
    changed->set_page_token(first->next_page_token());
    const absl::Status status = teams_.List(national_, *changed).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << changed->ShortDebugString();
    EXPECT_THAT(ViolatedFields(status), ElementsAre("page_token")) << changed->ShortDebugString();
  }
  for (const char* token : {"not-a-token", "!!", "bm90LmEudG9rZW4"}) {
    garbage.set_page_token(token);
    EXPECT_THAT(ViolatedFields(teams_.List(national_, garbage).status()), ElementsAre("page_token"))
        << token;
  }
}

TEST_F(TeamsTest, NamesEachBadListFilter) {
  struct Case {
    std::string field;
    std::function<void(v1::ListTeamsRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {"unit_code", [](auto& r) { r.set_unit_code("999"); }},
      {"unit_code", [](auto& r) { r.set_unit_code("Hà Nội"); }},
      {"active_on", [](auto& r) { r.set_active_on("2024-02-30"); }},
      {"active_on", [](auto& r) { r.set_active_on("1/6/2024"); }},
      {"page_size", [](auto& r) { r.set_page_size(501); }},
      {"page_size", [](auto& r) { r.set_page_size(-1); }},
  };
  for (const Case& c : cases) {
    v1::ListTeamsRequest request;
    c.spoil(request);
    const absl::Status status = teams_.List(national_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << request.ShortDebugString();
    EXPECT_THAT(ViolatedFields(status), ElementsAre(c.field)) << request.ShortDebugString();
  }
}

TEST_F(TeamsTest, GivesFiftyTeamsAPageByDefault) {
  for (int i = 0; i < 51; ++i) {
    MustCreate(TeamAt(absl::StrCat("t", i), "268", absl::StrCat("Đội ", 100 + i)));
  }
  absl::StatusOr<v1::ListTeamsResponse> listed = teams_.List(national_, {});
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->teams_size(), 50);
  EXPECT_FALSE(listed->next_page_token().empty());

  v1::ListTeamsRequest largest;
  largest.set_page_size(500);
  listed = teams_.List(national_, largest);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->teams_size(), 51);
  EXPECT_TRUE(listed->next_page_token().empty());
}

}  // namespace
}  // namespace pcmd::inspections
