// Tests of the inspections logic over the real SQLite stores: scheduling, results with
// their events and sealing, cancelling, listing, risk through inspections and tips,
// the legal references, schedule proposals and coverage.
#include "services/inspections/inspections.h"

#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/crypto/keyring.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/outbox_testing.h"
#include "common/events/relay.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/envelope.pb.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/inspections/establishments.h"
#include "services/inspections/legal.h"
#include "services/inspections/sqlite_establishment_store.h"
#include "services/inspections/sqlite_inspection_store.h"
#include "services/inspections/sqlite_team_store.h"
#include "services/inspections/teams.h"

namespace pcmd::inspections {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// The fixture's clock: 2024-06-03 14:33 in Vietnam.
constexpr int64_t kNowUnixSeconds = 1717400000;
constexpr absl::CivilDay kToday(2024, 6, 3);

constexpr const char* kCompleted = "pcmd.events.v1.InspectionCompleted";
constexpr const char* kViolation = "pcmd.events.v1.ViolationRecorded";
constexpr const char* kSanction = "pcmd.events.v1.SanctionIssued";
constexpr const char* kSupport = "pcmd.events.v1.PersonMayNeedSupport";
constexpr const char* kCrime = "pcmd.events.v1.CrimeSuspected";
constexpr const char* kRiskChanged = "pcmd.events.v1.EstablishmentRiskChanged";
constexpr const char* kScheduled = "pcmd.events.v1.InspectionScheduled";

// Personal values of the full result below: none may leave the sealed result.
constexpr const char* kFindings =
    "Phát hiện 3 nữ nhân viên phục vụ phòng hát có dấu hiệu bán dâm; chủ cơ sở không xuất "
    "trình được hồ sơ người lao động.";
constexpr const char* kDescription0 =
    "Quản lý Đặng Văn Hùng môi giới cho khách mua dâm tại phòng VIP 3";
constexpr const char* kDescription1 = "Không lưu giữ thông tin của chị Lò Thị Hoa khi nhận vào làm";
constexpr const char* kMinorName = "Nguyễn Thị Mai";
constexpr const char* kMinorIdNumber = "001305012345";
constexpr const char* kMinorPhone = "0987 654 321";
constexpr const char* kMinorBirthDate = "2007-05-20";
constexpr const char* kMinorNeeds = "Cần hỗ trợ tâm lý và học nghề";
constexpr const char* kAdultName = "Lò Thị Hoa";
constexpr const char* kAdultNeeds = "Chỗ ở tạm thời, liên hệ gia đình ở Điện Biên";

std::vector<std::string> NamesOf(const v1::ListInspectionsResponse& response) {
  std::vector<std::string> names;
  for (const v1::Inspection& i : response.inspections()) names.push_back(i.name());
  return names;
}

const v1::RiskFactor* FactorOf(const v1::RiskAssessment& risk, absl::string_view code) {
  for (const v1::RiskFactor& f : risk.factors()) {
    if (f.code() == code) return &f;
  }
  return nullptr;
}

const v1::ScheduleRule* RuleOf(const v1::ProposeScheduleResponse& response,
                               absl::string_view code) {
  for (const v1::ScheduleRule& r : response.rules()) {
    if (r.code() == code) return &r;
  }
  return nullptr;
}

// What the rule `code` needs, or -1 when the response has no such rule.
int NeededBy(const v1::ProposeScheduleResponse& response, absl::string_view code) {
  const v1::ScheduleRule* rule = RuleOf(response, code);
  return rule == nullptr ? -1 : rule->needed();
}

const v1::ProposedInspection* ProposalFor(const v1::ProposeScheduleResponse& response,
                                          absl::string_view establishment) {
  for (const v1::ProposedInspection& p : response.inspections()) {
    if (p.establishment() == establishment) return &p;
  }
  return nullptr;
}

// The first reference of the shipped catalogue valid on `day` with `severity` and a fine.
v1::LegalReference ReferenceOn(absl::CivilDay day, v1::Severity severity) {
  for (v1::LegalReference& r : LegalCatalogue::Default().ValidOn(day)) {
    if (r.severity() == severity && r.fine_max_vnd() > 0) return r;
  }
  ADD_FAILURE() << "no reference of severity " << severity << " on " << day;
  return v1::LegalReference();
}

class InspectionsTest : public ::testing::Test {
 protected:
  InspectionsTest()
      : clock_(absl::FromUnixSeconds(kNowUnixSeconds)),
        db_(*storage::SqliteDatabase::Open({.path = dir_.File("inspections.db")},
                                           InspectionsMigrations())),
        outbox_("inspections", clock_),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'k')}}, std::string(32, 'i'))),
        establishment_store_(*db_, outbox_, clock_, *keys_),
        team_store_(*db_, clock_),
        inspection_store_(*db_, outbox_, clock_, *keys_, LegalCatalogue::Default()),
        units_(*db_),
        establishments_(establishment_store_, clock_, units_, keys_->index_key()),
        teams_(team_store_, clock_, units_),
        inspections_(inspection_store_, establishment_store_, team_store_,
                     LegalCatalogue::Default(), clock_, units_, keys_->index_key()) {}

  // Hà Nội (01) with the district 268; Hưng Yên (33). Runs before the members that
  // register records below.
  bool RememberTestUnits() {
    const absl::Status s = units::RememberUnits(*db_, {{"01", "VN"}, {"268", "01"}, {"33", "VN"}});
    EXPECT_TRUE(s.ok()) << s;
    return s.ok();
  }

  // Registers an operating business as the national caller.
  v1::Establishment MustRegister(const std::string& request_id, const std::string& display_name,
                                 v1::BusinessType type, const std::string& unit = "268",
                                 const std::string& hotspot = "") {
    v1::CreateEstablishmentRequest r;
    r.set_request_id(request_id);
    r.set_display_name(display_name);
    r.set_business_type(type);
    r.set_address("Số 5 phố Quang Trung, quận Hà Đông, Hà Nội");
    r.set_unit_code(unit);
    r.set_hotspot(hotspot);
    absl::StatusOr<v1::Establishment> e = establishments_.Create(national_, r);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : v1::Establishment();
  }

  v1::Team MustCreateTeam(const std::string& request_id, const std::string& unit,
                          const std::string& agency, const std::string& active_from = "2024-01-01",
                          const std::string& active_to = "", int monthly_capacity = 12) {
    v1::CreateTeamRequest r;
    r.set_request_id(request_id);
    v1::Team* t = r.mutable_team();
    t->set_display_name(absl::StrCat("Đội kiểm tra liên ngành 178 (", unit, ")"));
    t->set_level(unit == "268" ? v1::TEAM_LEVEL_DISTRICT : v1::TEAM_LEVEL_PROVINCE);
    t->set_unit_code(unit);
    t->set_agency_code(agency);
    t->set_decision("Quyết định số 1234/QĐ-UBND ngày 15/3/2024");
    v1::TeamMember* leader = t->add_members();
    leader->set_display_name("Bà Trần Thị Thu Hằng, Trưởng phòng Lao động – Thương binh và Xã hội");
    leader->set_agency(v1::MEMBER_AGENCY_SOCIAL_AFFAIRS);
    leader->set_role(v1::MEMBER_ROLE_LEADER);
    v1::TeamMember* police = t->add_members();
    police->set_display_name("Ông Nguyễn Văn Đức, Phó trưởng Công an quận");
    police->set_agency(v1::MEMBER_AGENCY_POLICE);
    police->set_role(v1::MEMBER_ROLE_DEPUTY);
    t->set_active_from(active_from);
    t->set_active_to(active_to);
    t->set_monthly_capacity(monthly_capacity);
    absl::StatusOr<v1::Team> team = teams_.Create(national_, r);
    EXPECT_TRUE(team.ok()) << team.status();
    return team.ok() ? *team : v1::Team();
  }

  static v1::ScheduleInspectionRequest ScheduleRequest(const std::string& request_id,
                                                       const std::string& establishment,
                                                       const std::string& team,
                                                       const std::string& planned_date) {
    v1::ScheduleInspectionRequest r;
    r.set_request_id(request_id);
    r.set_establishment(establishment);
    r.set_team(team);
    r.set_kind(v1::INSPECTION_KIND_PERIODIC);
    r.set_planned_date(planned_date);
    return r;
  }

  v1::Inspection MustSchedule(const std::string& request_id, const std::string& establishment,
                              const std::string& planned_date = "2024-06-03") {
    absl::StatusOr<v1::Inspection> i = inspections_.Schedule(
        national_, ScheduleRequest(request_id, establishment, team_.name(), planned_date));
    EXPECT_TRUE(i.ok()) << i.status();
    return i.ok() ? *i : v1::Inspection();
  }

  // A result with a very serious and a minor violation valid today, a fine within
  // bounds and a warning, people informed, two persons met (one with an ID number, one
  // without) and a suspected crime involving a minor.
  v1::InspectionResult FullResult() const {
    v1::InspectionResult r;
    r.set_findings(kFindings);
    v1::Violation* v0 = r.add_violations();
    v0->set_legal_reference(very_serious_.code());
    v0->set_description(kDescription0);
    v1::Violation* v1 = r.add_violations();
    v1->set_legal_reference(minor_.code());
    v1->set_description(kDescription1);
    v1::Sanction* fine = r.add_sanctions();
    fine->set_kind(v1::SANCTION_KIND_FINE);
    fine->set_violation_index(0);
    fine->set_fine_amount_vnd(very_serious_.fine_min_vnd());
    fine->set_decision_number("123-QD-XPHC");
    v1::Sanction* warning = r.add_sanctions();
    warning->set_kind(v1::SANCTION_KIND_WARNING);
    warning->set_violation_index(1);
    r.set_owners_informed(1);
    r.set_workers_informed(6);
    v1::PersonMet* minor = r.add_persons_met();
    minor->set_full_name(kMinorName);
    minor->set_id_number(kMinorIdNumber);
    minor->set_phone(kMinorPhone);
    minor->set_birth_date(kMinorBirthDate);
    minor->set_needs(kMinorNeeds);
    minor->set_minor(true);
    minor->set_trafficking_victim(true);
    v1::PersonMet* adult = r.add_persons_met();
    adult->set_full_name(kAdultName);
    adult->set_needs(kAdultNeeds);
    r.set_crime_suspected(true);
    r.set_minor_involved(true);
    r.set_follow_up_by("2024-07-03");
    return r;
  }

  static v1::RecordInspectionResultRequest RecordRequest(const std::string& name,
                                                         const std::string& request_id,
                                                         const v1::InspectionResult& result,
                                                         const std::string& day = "2024-06-03") {
    v1::RecordInspectionResultRequest r;
    r.set_name(name);
    r.set_request_id(request_id);
    r.set_inspection_date(day);
    *r.mutable_result() = result;
    return r;
  }

  // A result with only a very serious violation (no follow-up asked).
  v1::InspectionResult VerySeriousOnly() const {
    v1::InspectionResult r;
    r.set_findings("Chủ cơ sở chứa mại dâm tại tầng 3");
    r.add_violations()->set_legal_reference(very_serious_.code());
    return r;
  }

  int64_t CountRows(const std::string& table) {
    int64_t n = -1;
    const absl::Status s = db_->Read([&](storage::Transaction& tx) -> absl::Status {
      PCMD_ASSIGN_OR_RETURN(std::optional<storage::Row> row,
                            tx.QueryOne(absl::StrCat("SELECT COUNT(*) FROM ", table)));
      n = row->Int(0);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  // The envelopes appended after the first `skip`.
  std::vector<events::v1::EventEnvelope> EnvelopesAfter(size_t skip) {
    std::vector<events::v1::EventEnvelope> all = events::OutboxEnvelopes(*db_);
    if (skip >= all.size()) return {};
    return std::vector<events::v1::EventEnvelope>(all.begin() + skip, all.end());
  }

  static std::vector<std::string> TypesOf(const std::vector<events::v1::EventEnvelope>& envs) {
    std::vector<std::string> types;
    for (const auto& e : envs) types.push_back(e.event_type());
    return types;
  }

  // The payloads of type T among `envs`, in order.
  template <typename T>
  static std::vector<T> PayloadsOf(const std::vector<events::v1::EventEnvelope>& envs) {
    std::vector<T> out;
    for (const auto& e : envs) {
      T payload;
      if (e.payload().UnpackTo(&payload)) out.push_back(std::move(payload));
    }
    return out;
  }

  // The database file and its write-ahead log, as raw bytes.
  std::string RawFileBytes() const {
    return testing::ReadFile(dir_.File("inspections.db")) +
           testing::ReadFile(dir_.File("inspections.db-wal"));
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  std::unique_ptr<crypto::Keyring> keys_;
  SqliteEstablishmentStore establishment_store_;
  SqliteTeamStore team_store_;
  SqliteInspectionStore inspection_store_;
  units::SqliteUnitTree units_;
  Establishments establishments_;
  Teams teams_;
  Inspections inspections_;

  const security::Access national_ = security::Access::For(
      security::AgencyKind::kMinistry, "VN", "BLDTBXH", security::Scope::kOwnUnitSubtree);
  // The certificate the Hà Nội team acts through.
  const security::Access team_caller_ = security::Access::For(
      security::AgencyKind::kInspectionTeam, "01", "DOI178-HN", security::Scope::kOwnUnitSubtree);
  // In Hà Nội's units, but not the team.
  const security::Access ha_noi_social_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "01", "SLDTBXH-HN", security::Scope::kOwnUnitSubtree);
  const security::Access hung_yen_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "33", "SLDTBXH-HY", security::Scope::kOwnUnitSubtree);

  const bool units_known_ = RememberTestUnits();
  const v1::LegalReference very_serious_ = ReferenceOn(kToday, v1::SEVERITY_VERY_SERIOUS);
  const v1::LegalReference minor_ = ReferenceOn(kToday, v1::SEVERITY_MINOR);

  const v1::Establishment karaoke_ =
      MustRegister("est-karaoke", "Karaoke Hoàng Gia", v1::BUSINESS_TYPE_KARAOKE);
  const v1::Team team_ = MustCreateTeam("team-hn", "01", "DOI178-HN");
};

// ---------------------------------------------------------------------------------
// Schedule.

TEST_F(InspectionsTest, SchedulesAnInspectionWithTheUnitAndTeamAgencyCopied) {
  const size_t before = events::OutboxEnvelopes(*db_).size();
  absl::StatusOr<v1::Inspection> i = inspections_.Schedule(
      national_, ScheduleRequest("sch-1", karaoke_.name(), team_.name(), "2024-06-10"));
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_THAT(i->name(), ::testing::StartsWith("inspections/"));
  EXPECT_EQ(i->state(), v1::INSPECTION_STATE_SCHEDULED);
  EXPECT_EQ(i->establishment(), karaoke_.name());
  EXPECT_EQ(i->team(), team_.name());
  EXPECT_EQ(i->unit_code(), "268");
  EXPECT_EQ(i->team_agency(), "DOI178-HN");
  EXPECT_EQ(i->planned_date(), "2024-06-10");
  EXPECT_EQ(i->kind(), v1::INSPECTION_KIND_PERIODIC);
  EXPECT_FALSE(i->etag().empty());

  const std::vector<events::v1::EventEnvelope> added = EnvelopesAfter(before);
  ASSERT_THAT(TypesOf(added), ElementsAre(kScheduled));
  const auto scheduled = PayloadsOf<events::v1::InspectionScheduled>(added);
  ASSERT_EQ(scheduled.size(), 1u);
  EXPECT_EQ(scheduled[0].inspection(), i->name());
  EXPECT_EQ(scheduled[0].establishment(), karaoke_.name());
  EXPECT_EQ(scheduled[0].team(), team_.name());
  EXPECT_EQ(scheduled[0].unit_code(), "268");
  EXPECT_EQ(scheduled[0].planned_date(), "2024-06-10");
  EXPECT_EQ(scheduled[0].kind(), v1::INSPECTION_KIND_PERIODIC);

  absl::StatusOr<v1::Inspection> read = inspections_.Get(national_, i->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state(), v1::INSPECTION_STATE_SCHEDULED);
  EXPECT_EQ(read->unit_code(), "268");
}

TEST_F(InspectionsTest, ReturnsTheSameInspectionWithoutASecondEventWhenScheduleIsRetried) {
  const v1::ScheduleInspectionRequest request =
      ScheduleRequest("sch-1", karaoke_.name(), team_.name(), "2024-06-10");
  absl::StatusOr<v1::Inspection> first = inspections_.Schedule(national_, request);
  const size_t after_first = events::OutboxEnvelopes(*db_).size();
  absl::StatusOr<v1::Inspection> retry = inspections_.Schedule(national_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(first->name(), retry->name());
  EXPECT_EQ(events::OutboxEnvelopes(*db_).size(), after_first);
  EXPECT_EQ(CountRows("inspections"), 1);

  // The same request_id for another request is refused.
  v1::ScheduleInspectionRequest other = request;
  other.set_planned_date("2024-06-11");
  const absl::Status reused = inspections_.Schedule(national_, other).status();
  EXPECT_EQ(reused.code(), absl::StatusCode::kInvalidArgument) << reused;
  EXPECT_THAT(ViolatedFields(reused), Contains("request_id"));
  EXPECT_EQ(CountRows("inspections"), 1);
}

TEST_F(InspectionsTest, ReturnsTheSameInspectionWhenScheduleIsRetriedAfterMidnight) {
  // The client plans for today at 23:59 and its first call succeeds but the answer is
  // lost; it retries a minute later. The contract: "a retry with the same id returns
  // the record the first call created".
  clock_.Set(
      absl::FromCivil(absl::CivilSecond(2024, 6, 3, 23, 59, 0), absl::FixedTimeZone(7 * 3600)));
  const v1::ScheduleInspectionRequest request =
      ScheduleRequest("sch-1", karaoke_.name(), team_.name(), "2024-06-03");
  absl::StatusOr<v1::Inspection> first = inspections_.Schedule(national_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Minutes(2));  // 2024-06-04 00:01 in Vietnam.
  absl::StatusOr<v1::Inspection> retry = inspections_.Schedule(national_, request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());
  EXPECT_EQ(CountRows("inspections"), 1);
}

TEST_F(InspectionsTest, RefusesAPlannedDateBeforeTodayNamingPlannedDate) {
  const int64_t outbox = CountRows("outbox");
  const absl::Status s = inspections_
                             .Schedule(national_, ScheduleRequest("sch-1", karaoke_.name(),
                                                                  team_.name(), "2024-06-02"))
                             .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), ElementsAre("planned_date"));
  EXPECT_EQ(CountRows("inspections"), 0);
  EXPECT_EQ(CountRows("outbox"), outbox);
}

TEST_F(InspectionsTest, NamesEveryMalformedFieldOfAScheduleRequest) {
  v1::ScheduleInspectionRequest bad = ScheduleRequest("", "tips/x", "teams", "2024-02-30");
  bad.set_kind(static_cast<v1::InspectionKind>(42));
  bad.set_tip("establishments/x");
  const absl::Status s = inspections_.Schedule(national_, bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), ::testing::IsSupersetOf({"request_id", "establishment", "team",
                                                          "kind", "planned_date", "tip"}));
  EXPECT_EQ(CountRows("inspections"), 0);
}

TEST_F(InspectionsTest, AnswersNotFoundForAnUnknownEstablishmentOrTeamAndWritesNothing) {
  const int64_t outbox = CountRows("outbox");
  const absl::Status no_establishment =
      inspections_
          .Schedule(national_,
                    ScheduleRequest("sch-1", "establishments/none", team_.name(), "2024-06-10"))
          .status();
  EXPECT_EQ(no_establishment.code(), absl::StatusCode::kNotFound) << no_establishment;
  EXPECT_THAT(no_establishment.message(), HasSubstr("establishments/none"));
  const absl::Status no_team = inspections_
                                   .Schedule(national_, ScheduleRequest("sch-2", karaoke_.name(),
                                                                        "teams/none", "2024-06-10"))
                                   .status();
  EXPECT_EQ(no_team.code(), absl::StatusCode::kNotFound) << no_team;
  EXPECT_THAT(no_team.message(), HasSubstr("teams/none"));
  EXPECT_EQ(CountRows("inspections"), 0);
  EXPECT_EQ(CountRows("outbox"), outbox);
}

TEST_F(InspectionsTest, RefusesAClosedEstablishmentNamingItsState) {
  v1::CloseEstablishmentRequest close;
  close.set_name(karaoke_.name());
  close.set_close_date("2024-06-01");
  close.set_reason("Thu hồi giấy phép kinh doanh");
  ASSERT_TRUE(establishments_.Close(national_, close).ok());
  const int64_t outbox = CountRows("outbox");
  const absl::Status s = inspections_
                             .Schedule(national_, ScheduleRequest("sch-1", karaoke_.name(),
                                                                  team_.name(), "2024-06-10"))
                             .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("CLOSED"));
  EXPECT_EQ(CountRows("inspections"), 0);
  EXPECT_EQ(CountRows("outbox"), outbox);
}

TEST_F(InspectionsTest, RefusesATeamNotActiveOnThePlannedDate) {
  const v1::Team ending =
      MustCreateTeam("team-end", "01", "DOI178-HN2", "2024-01-01", "2024-06-30");
  const v1::Team starting = MustCreateTeam("team-start", "01", "DOI178-HN3", "2024-09-01");
  const int64_t outbox = CountRows("outbox");
  const absl::Status after_end =
      inspections_
          .Schedule(national_,
                    ScheduleRequest("sch-1", karaoke_.name(), ending.name(), "2024-07-15"))
          .status();
  EXPECT_EQ(after_end.code(), absl::StatusCode::kInvalidArgument) << after_end;
  EXPECT_THAT(ViolatedFields(after_end), ElementsAre("team"));
  const absl::Status before_start =
      inspections_
          .Schedule(national_,
                    ScheduleRequest("sch-2", karaoke_.name(), starting.name(), "2024-08-31"))
          .status();
  EXPECT_EQ(before_start.code(), absl::StatusCode::kInvalidArgument) << before_start;
  EXPECT_THAT(ViolatedFields(before_start), ElementsAre("team"));
  // On its last active day it may.
  EXPECT_TRUE(inspections_
                  .Schedule(national_,
                            ScheduleRequest("sch-3", karaoke_.name(), ending.name(), "2024-06-30"))
                  .ok());
  EXPECT_EQ(CountRows("inspections"), 1);
  EXPECT_EQ(CountRows("outbox"), outbox + 1);
}

TEST_F(InspectionsTest, RefusesATeamThatDoesNotReachTheEstablishmentsUnit) {
  const v1::Team hung_yen_team = MustCreateTeam("team-hy", "33", "DOI178-HY");
  const v1::Team district_team = MustCreateTeam("team-268", "268", "DOI178-HD");
  const v1::Establishment elsewhere =
      MustRegister("est-hy", "Nhà nghỉ Phố Hiến", v1::BUSINESS_TYPE_LODGING, "33");
  const int64_t outbox = CountRows("outbox");
  const absl::Status far =
      inspections_
          .Schedule(national_,
                    ScheduleRequest("sch-1", karaoke_.name(), hung_yen_team.name(), "2024-06-10"))
          .status();
  EXPECT_EQ(far.code(), absl::StatusCode::kInvalidArgument) << far;
  EXPECT_THAT(ViolatedFields(far), ElementsAre("team"));
  // A district team does not reach another province either.
  const absl::Status other_province =
      inspections_
          .Schedule(national_,
                    ScheduleRequest("sch-2", elsewhere.name(), district_team.name(), "2024-06-10"))
          .status();
  EXPECT_EQ(other_province.code(), absl::StatusCode::kInvalidArgument) << other_province;
  EXPECT_THAT(ViolatedFields(other_province), ElementsAre("team"));
  EXPECT_EQ(CountRows("inspections"), 0);
  EXPECT_EQ(CountRows("outbox"), outbox);
  // The province team reaches the district below it.
  EXPECT_TRUE(inspections_
                  .Schedule(national_,
                            ScheduleRequest("sch-3", karaoke_.name(), team_.name(), "2024-06-10"))
                  .ok());
}

TEST_F(InspectionsTest, RefusesACallerOutsideTheEstablishmentsUnits) {
  const int64_t outbox = CountRows("outbox");
  const absl::Status s = inspections_
                             .Schedule(hung_yen_, ScheduleRequest("sch-1", karaoke_.name(),
                                                                  team_.name(), "2024-06-10"))
                             .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_EQ(CountRows("inspections"), 0);
  EXPECT_EQ(CountRows("outbox"), outbox);
  // A caller of the establishment's province may.
  EXPECT_TRUE(inspections_
                  .Schedule(ha_noi_social_,
                            ScheduleRequest("sch-2", karaoke_.name(), team_.name(), "2024-06-10"))
                  .ok());
}

TEST_F(InspectionsTest, CountsTodayInVietnamTime) {
  // 2024-06-03 18:00 UTC is 2024-06-04 01:00 in Vietnam.
  clock_.Set(absl::FromCivil(absl::CivilSecond(2024, 6, 3, 18, 0, 0), absl::UTCTimeZone()));
  const absl::Status yesterday =
      inspections_
          .Schedule(national_,
                    ScheduleRequest("sch-1", karaoke_.name(), team_.name(), "2024-06-03"))
          .status();
  EXPECT_EQ(yesterday.code(), absl::StatusCode::kInvalidArgument) << yesterday;
  EXPECT_THAT(ViolatedFields(yesterday), ElementsAre("planned_date"));
  absl::StatusOr<v1::Inspection> today = inspections_.Schedule(
      national_, ScheduleRequest("sch-2", karaoke_.name(), team_.name(), "2024-06-04"));
  ASSERT_TRUE(today.ok()) << today.status();
  // Held "today" in Vietnam is not in the future.
  absl::StatusOr<v1::Inspection> done = inspections_.Record(
      team_caller_, RecordRequest(today->name(), "rec-1", VerySeriousOnly(), "2024-06-04"));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->inspection_date(), "2024-06-04");
}

TEST_F(InspectionsTest, KeepsTheTipThatAskedForTheInspection) {
  v1::ScheduleInspectionRequest request =
      ScheduleRequest("sch-1", karaoke_.name(), team_.name(), "2024-06-05");
  request.set_kind(v1::INSPECTION_KIND_SURPRISE);
  request.set_tip("tips/t-42");
  absl::StatusOr<v1::Inspection> i = inspections_.Schedule(national_, request);
  ASSERT_TRUE(i.ok()) << i.status();
  absl::StatusOr<v1::Inspection> read = inspections_.Get(national_, i->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->tip(), "tips/t-42");
  EXPECT_EQ(read->kind(), v1::INSPECTION_KIND_SURPRISE);
}

TEST_F(InspectionsTest, GetAnswersInvalidArgumentForAMalformedNameAndNotFoundForAnUnknownOne) {
  EXPECT_EQ(inspections_.Get(national_, "teams/x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(inspections_.Get(national_, "inspections/none").status().code(),
            absl::StatusCode::kNotFound);
  v1::RecordInspectionResultRequest record =
      RecordRequest("inspections/none", "rec-1", VerySeriousOnly());
  EXPECT_EQ(inspections_.Record(team_caller_, record).status().code(), absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------
// Record.

TEST_F(InspectionsTest, RecordsAFullResultAsCompletedWithExactlyItsEvents) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  const size_t before = events::OutboxEnvelopes(*db_).size();
  absl::StatusOr<v1::Inspection> done =
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", FullResult()));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->name(), scheduled.name());
  EXPECT_EQ(done->state(), v1::INSPECTION_STATE_COMPLETED);
  EXPECT_EQ(done->inspection_date(), "2024-06-03");
  EXPECT_NE(done->etag(), scheduled.etag());

  const std::vector<events::v1::EventEnvelope> added = EnvelopesAfter(before);
  EXPECT_THAT(TypesOf(added),
              UnorderedElementsAre(kCompleted, kViolation, kViolation, kSanction, kSanction,
                                   kSupport, kSupport, kCrime, kRiskChanged));

  const auto completed = PayloadsOf<events::v1::InspectionCompleted>(added);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].inspection(), scheduled.name());
  EXPECT_EQ(completed[0].establishment(), karaoke_.name());
  EXPECT_EQ(completed[0].team(), team_.name());
  EXPECT_EQ(completed[0].unit_code(), "268");
  EXPECT_EQ(completed[0].business_type(), v1::BUSINESS_TYPE_KARAOKE);
  EXPECT_EQ(completed[0].kind(), v1::INSPECTION_KIND_PERIODIC);
  EXPECT_EQ(completed[0].inspection_date(), "2024-06-03");
  EXPECT_EQ(completed[0].violations(), 2);
  EXPECT_EQ(completed[0].sanctions(), 2);
  EXPECT_EQ(completed[0].owners_informed(), 1);
  EXPECT_EQ(completed[0].workers_informed(), 6);
  EXPECT_EQ(completed[0].persons_met(), 2);
  EXPECT_TRUE(completed[0].complex());  // A very serious violation is a complex sign.

  const auto violations = PayloadsOf<events::v1::ViolationRecorded>(added);
  ASSERT_EQ(violations.size(), 2u);
  std::set<std::pair<std::string, int>> recorded;
  for (const auto& v : violations) {
    EXPECT_EQ(v.inspection(), scheduled.name());
    EXPECT_EQ(v.establishment(), karaoke_.name());
    EXPECT_EQ(v.unit_code(), "268");
    EXPECT_EQ(v.inspection_date(), "2024-06-03");
    recorded.insert({v.legal_reference(), v.severity()});
  }
  EXPECT_THAT(recorded,
              UnorderedElementsAre(
                  std::pair<std::string, int>(very_serious_.code(), v1::SEVERITY_VERY_SERIOUS),
                  std::pair<std::string, int>(minor_.code(), v1::SEVERITY_MINOR)));

  const auto sanctions = PayloadsOf<events::v1::SanctionIssued>(added);
  ASSERT_EQ(sanctions.size(), 2u);
  std::set<std::tuple<int, int64_t, std::string>> issued;
  for (const auto& s : sanctions) {
    EXPECT_EQ(s.inspection(), scheduled.name());
    EXPECT_EQ(s.establishment(), karaoke_.name());
    EXPECT_EQ(s.inspection_date(), "2024-06-03");
    issued.insert({s.kind(), s.fine_amount_vnd(), s.legal_reference()});
  }
  EXPECT_THAT(
      issued,
      UnorderedElementsAre(
          std::tuple<int, int64_t, std::string>(v1::SANCTION_KIND_FINE,
                                                very_serious_.fine_min_vnd(), very_serious_.code()),
          std::tuple<int, int64_t, std::string>(v1::SANCTION_KIND_WARNING, 0, minor_.code())));

  const auto support = PayloadsOf<events::v1::PersonMayNeedSupport>(added);
  ASSERT_EQ(support.size(), 2u);
  const std::string pseudonym = crypto::BlindIndex(*keys_).Pseudonym(kMinorIdNumber);
  ASSERT_THAT(pseudonym, ::testing::StartsWith("psn_"));
  const events::v1::PersonMayNeedSupport* with_id = nullptr;
  const events::v1::PersonMayNeedSupport* without_id = nullptr;
  for (const auto& p : support) {
    EXPECT_EQ(p.inspection(), scheduled.name());
    EXPECT_EQ(p.unit_code(), "268");
    EXPECT_EQ(p.inspection_date(), "2024-06-03");
    EXPECT_THAT(p.person_key(), ::testing::StartsWith(scheduled.name()));
    (p.pseudonym().empty() ? without_id : with_id) = &p;
  }
  ASSERT_NE(with_id, nullptr);
  ASSERT_NE(without_id, nullptr);
  EXPECT_EQ(with_id->pseudonym(), pseudonym);
  EXPECT_TRUE(with_id->minor());
  EXPECT_TRUE(with_id->trafficking_victim());
  EXPECT_FALSE(without_id->minor());
  EXPECT_NE(with_id->person_key(), without_id->person_key());

  const auto crime = PayloadsOf<events::v1::CrimeSuspected>(added);
  ASSERT_EQ(crime.size(), 1u);
  EXPECT_EQ(crime[0].inspection(), scheduled.name());
  EXPECT_EQ(crime[0].establishment(), karaoke_.name());
  EXPECT_EQ(crime[0].unit_code(), "268");
  EXPECT_EQ(crime[0].team_agency(), "DOI178-HN");
  EXPECT_TRUE(crime[0].minor_involved());
  EXPECT_FALSE(crime[0].trafficking_suspected());
  EXPECT_EQ(crime[0].inspection_date(), "2024-06-03");

  const auto risk = PayloadsOf<events::v1::EstablishmentRiskChanged>(added);
  ASSERT_EQ(risk.size(), 1u);
  absl::StatusOr<v1::Establishment> now = establishments_.Get(national_, karaoke_.name());
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(risk[0].establishment(), karaoke_.name());
  EXPECT_EQ(risk[0].unit_code(), "268");
  EXPECT_EQ(risk[0].score(), now->risk().score());
  EXPECT_EQ(risk[0].category(), now->risk().category());
  EXPECT_TRUE(risk[0].complex());
  EXPECT_TRUE(risk[0].follow_up_requested());
  EXPECT_EQ(now->last_inspection_date(), "2024-06-03");
}

TEST_F(InspectionsTest, PublishesNoRiskChangeWhenACleanInspectionLeavesTheRiskWhereItWas) {
  // A lodging never inspected: 20 + 15 = 35 (D); inspected cleanly: 20 (D), not complex.
  const v1::Establishment lodging =
      MustRegister("est-lodging", "Nhà nghỉ Bình Minh", v1::BUSINESS_TYPE_LODGING);
  const v1::Inspection scheduled = MustSchedule("sch-1", lodging.name());
  const size_t before = events::OutboxEnvelopes(*db_).size();
  v1::InspectionResult clean;
  clean.set_findings("Không phát hiện vi phạm");
  clean.set_owners_informed(1);
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", clean)).ok());
  EXPECT_THAT(TypesOf(EnvelopesAfter(before)), ElementsAre(kCompleted));
}

TEST_F(InspectionsTest, KeepsEveryPersonalValueOutOfTheEventsAndTheDatabaseFile) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", FullResult()))
          .ok());
  const std::vector<const char*> secrets = {
      kFindings,   kDescription0, kDescription1,   kMinorName, kMinorIdNumber,
      kMinorPhone, kMinorNeeds,   kMinorBirthDate, kAdultName, kAdultNeeds};
  const std::vector<events::v1::EventEnvelope> all = events::OutboxEnvelopes(*db_);
  ASSERT_FALSE(all.empty());
  for (const events::v1::EventEnvelope& env : all) {
    const std::string bytes = env.SerializeAsString();
    for (const char* secret : secrets) {
      EXPECT_EQ(bytes.find(secret), std::string::npos)
          << env.event_type() << " carries \"" << secret << "\"";
    }
  }
  const std::string raw = RawFileBytes();
  ASSERT_FALSE(raw.empty());
  for (const char* secret : secrets) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " is in the file in plaintext";
  }
  // The scan can see text: the establishment's name is not personal and stays readable.
  EXPECT_NE(raw.find("Karaoke Hoàng Gia"), std::string::npos);
}

TEST_F(InspectionsTest, GetReturnsTheResultOpenedWithItsVietnameseTextIntact) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", FullResult()))
          .ok());
  absl::StatusOr<v1::Inspection> read = inspections_.Get(team_caller_, scheduled.name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state(), v1::INSPECTION_STATE_COMPLETED);
  const v1::InspectionResult& r = read->result();
  EXPECT_EQ(r.findings(), kFindings);
  ASSERT_EQ(r.violations_size(), 2);
  EXPECT_EQ(r.violations(0).description(), kDescription0);
  EXPECT_EQ(r.violations(1).description(), kDescription1);
  ASSERT_EQ(r.persons_met_size(), 2);
  EXPECT_EQ(r.persons_met(0).full_name(), kMinorName);
  EXPECT_EQ(r.persons_met(0).id_number(), kMinorIdNumber);
  EXPECT_EQ(r.persons_met(0).phone(), kMinorPhone);
  EXPECT_EQ(r.persons_met(0).needs(), kMinorNeeds);
  EXPECT_EQ(r.persons_met(0).pseudonym(), crypto::BlindIndex(*keys_).Pseudonym(kMinorIdNumber));
  EXPECT_EQ(r.persons_met(1).full_name(), kAdultName);
  EXPECT_EQ(r.persons_met(1).pseudonym(), "");
  EXPECT_EQ(r.sanctions(0).fine_amount_vnd(), very_serious_.fine_min_vnd());
  EXPECT_EQ(r.follow_up_by(), "2024-07-03");
  // Another province's agency may not read it.
  EXPECT_EQ(inspections_.Get(hung_yen_, scheduled.name()).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(InspectionsTest, IgnoresAPseudonymTheClientSends) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  v1::InspectionResult result = FullResult();
  result.mutable_persons_met(0)->set_pseudonym("psn_forged");
  result.mutable_persons_met(1)->set_pseudonym("psn_forged_too");
  absl::StatusOr<v1::Inspection> done =
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", result));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->result().persons_met(0).pseudonym(),
            crypto::BlindIndex(*keys_).Pseudonym(kMinorIdNumber));
  EXPECT_EQ(done->result().persons_met(1).pseudonym(), "");
}

TEST_F(InspectionsTest, RefusesARecordByAnAgencyThatIsNotTheTeams) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  const int64_t outbox = CountRows("outbox");
  const absl::Status s =
      inspections_.Record(ha_noi_social_, RecordRequest(scheduled.name(), "rec-1", FullResult()))
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_EQ(CountRows("outbox"), outbox);
  absl::StatusOr<v1::Inspection> read = inspections_.Get(national_, scheduled.name());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->state(), v1::INSPECTION_STATE_SCHEDULED);
  EXPECT_FALSE(read->has_result());
}

TEST_F(InspectionsTest, RefusesToRecordTwiceNamingTheState) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", FullResult()))
          .ok());
  const int64_t outbox = CountRows("outbox");
  const absl::Status again =
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-2", VerySeriousOnly()))
          .status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
  EXPECT_THAT(again.message(), HasSubstr("INSPECTION_STATE_COMPLETED"));
  // Without a request_id too.
  const absl::Status anonymous =
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "", VerySeriousOnly()))
          .status();
  EXPECT_EQ(anonymous.code(), absl::StatusCode::kFailedPrecondition) << anonymous;
  EXPECT_EQ(CountRows("outbox"), outbox);
  EXPECT_EQ(CountRows("inspection_violations"), 2);
}

TEST_F(InspectionsTest, ReturnsTheRecordedInspectionWithoutNewEventsWhenARecordIsRetried) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  v1::RecordInspectionResultRequest request =
      RecordRequest(scheduled.name(), "rec-1", FullResult());
  request.set_etag(scheduled.etag());  // As read before the first call; stale after it.
  absl::StatusOr<v1::Inspection> first = inspections_.Record(team_caller_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  const int64_t outbox = CountRows("outbox");
  absl::StatusOr<v1::Inspection> retry = inspections_.Record(team_caller_, request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());
  EXPECT_EQ(retry->state(), v1::INSPECTION_STATE_COMPLETED);
  EXPECT_EQ(retry->etag(), first->etag());
  EXPECT_EQ(retry->result().findings(), kFindings);
  EXPECT_EQ(CountRows("outbox"), outbox);
  EXPECT_EQ(CountRows("inspection_violations"), 2);
}

TEST_F(InspectionsTest, ARetriedScheduleAfterTheResultNeverOpensThePersonsMet) {
  const v1::ScheduleInspectionRequest schedule =
      ScheduleRequest("sch-1", karaoke_.name(), team_.name(), "2024-06-03");
  absl::StatusOr<v1::Inspection> scheduled = inspections_.Schedule(national_, schedule);
  ASSERT_TRUE(scheduled.ok()) << scheduled.status();
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled->name(), "rec-1", FullResult()))
          .ok());
  absl::StatusOr<v1::Inspection> retry = inspections_.Schedule(national_, schedule);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), scheduled->name());
  EXPECT_EQ(retry->state(), v1::INSPECTION_STATE_COMPLETED);
  EXPECT_FALSE(retry->has_result()) << "ScheduleInspection is not audited as personal data";
}

TEST_F(InspectionsTest, ARetriedRecordWithTheEtagReadAfterTheFirstAnswersTheFirst) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  v1::RecordInspectionResultRequest request =
      RecordRequest(scheduled.name(), "rec-1", FullResult());
  request.set_etag(scheduled.etag());
  absl::StatusOr<v1::Inspection> first = inspections_.Record(team_caller_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  request.set_etag(first->etag());  // The client re-read before retrying.
  absl::StatusOr<v1::Inspection> retry = inspections_.Record(team_caller_, request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->etag(), first->etag());
}

TEST_F(InspectionsTest, NamesTheExactPathsOfABadResultAndWritesNothing) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  const int64_t outbox = CountRows("outbox");
  v1::InspectionResult bad = FullResult();
  // Above the reference's bounds for an individual, though under the legal ceiling.
  bad.mutable_sanctions(0)->set_fine_amount_vnd(very_serious_.fine_max_vnd() + 1'000'000);
  bad.mutable_violations(1)->set_legal_reference("ND999-2030/1/1/a");
  const absl::Status s =
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", bad)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), UnorderedElementsAre("result.sanctions[0].fine_amount_vnd",
                                                      "result.violations[1].legal_reference"));
  EXPECT_EQ(CountRows("outbox"), outbox);
  EXPECT_EQ(CountRows("inspection_violations"), 0);
  EXPECT_EQ(CountRows("follow_ups"), 0);
  absl::StatusOr<v1::Inspection> read = inspections_.Get(national_, scheduled.name());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->state(), v1::INSPECTION_STATE_SCHEDULED);
  EXPECT_FALSE(read->has_result());
}

TEST_F(InspectionsTest, RefusesAReferenceOfTheOtherDecreeForTheInspectionDate) {
  // A code of Decree 282/2025, in force from 2025-12-15 only, on a 2024 inspection.
  std::string later;
  for (const v1::LegalReference& r :
       LegalCatalogue::Default().ValidOn(absl::CivilDay(2025, 12, 15))) {
    if (r.valid_from() > "2024-06-03") {
      later = r.code();
      break;
    }
  }
  ASSERT_FALSE(later.empty());
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  v1::InspectionResult bad = VerySeriousOnly();
  bad.add_violations()->set_legal_reference(later);
  const absl::Status s =
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", bad)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), ElementsAre("result.violations[1].legal_reference"));
}

TEST_F(InspectionsTest, RefusesAnInspectionDateInTheFutureOrBeforeThePlannedMonth) {
  const v1::Inspection july = MustSchedule("sch-1", karaoke_.name(), "2024-07-10");
  const int64_t outbox = CountRows("outbox");
  const absl::Status early =
      inspections_
          .Record(team_caller_,
                  RecordRequest(july.name(), "rec-1", VerySeriousOnly(), "2024-06-03"))
          .status();
  EXPECT_EQ(early.code(), absl::StatusCode::kInvalidArgument) << early;
  EXPECT_THAT(ViolatedFields(early), ElementsAre("inspection_date"));
  const absl::Status future =
      inspections_
          .Record(team_caller_,
                  RecordRequest(july.name(), "rec-2", VerySeriousOnly(), "2024-07-10"))
          .status();
  EXPECT_EQ(future.code(), absl::StatusCode::kInvalidArgument) << future;
  EXPECT_THAT(ViolatedFields(future), ElementsAre("inspection_date"));
  EXPECT_EQ(CountRows("outbox"), outbox);
  EXPECT_EQ(CountRows("inspection_violations"), 0);
}

TEST_F(InspectionsTest, RefusesARecordWithAStaleEtag) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  v1::RecordInspectionResultRequest request =
      RecordRequest(scheduled.name(), "rec-1", VerySeriousOnly());
  request.set_etag("v999");
  const absl::Status s = inspections_.Record(team_caller_, request).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  request.set_etag(scheduled.etag());
  EXPECT_TRUE(inspections_.Record(team_caller_, request).ok());
}

TEST_F(InspectionsTest, RefusesToServeAResultMovedToAnotherInspection) {
  const v1::Inspection a = MustSchedule("sch-1", karaoke_.name());
  const v1::Inspection b = MustSchedule("sch-2", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(a.name(), "rec-1", FullResult())).ok());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(b.name(), "rec-2", VerySeriousOnly())).ok());
  // Someone with the file copies A's sealed result over B's: it must not open as B's.
  ASSERT_TRUE(db_->Write([&](storage::Transaction& tx) {
                   return tx.Execute(
                       "UPDATE inspections SET result = (SELECT result FROM inspections "
                       "WHERE id = ?1) WHERE id = ?2",
                       {a.name().substr(12), b.name().substr(12)});
                 })
                  .ok());
  EXPECT_EQ(inspections_.Get(national_, b.name()).status().code(), absl::StatusCode::kInternal);
  absl::StatusOr<v1::Inspection> read_a = inspections_.Get(national_, a.name());
  ASSERT_TRUE(read_a.ok()) << read_a.status();
  EXPECT_EQ(read_a->result().findings(), kFindings);
}

TEST_F(InspectionsTest, ProposesTheFollowUpTheResultAsksFor) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", FullResult()))
          .ok());
  v1::ProposeScheduleRequest request;
  request.set_team(team_.name());
  request.set_period_from("2024-06-01");
  request.set_period_to("2024-07-31");
  absl::StatusOr<v1::ProposeScheduleResponse> proposal =
      inspections_.ProposeSchedule(team_caller_, request);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  const v1::ProposedInspection* p = ProposalFor(*proposal, karaoke_.name());
  ASSERT_NE(p, nullptr);
  ASSERT_FALSE(p->reasons().empty());
  EXPECT_EQ(p->reasons(0), "follow_up");
  EXPECT_EQ(p->due_by(), "2024-07-03");
  const v1::ScheduleRule* rule = RuleOf(*proposal, "follow_up");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->needed(), 1);
  EXPECT_TRUE(rule->met());
}

TEST_F(InspectionsTest, ClosesTheFollowUpWhenTheNextInspectionIsCompleted) {
  const v1::Inspection first = MustSchedule("sch-1", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(first.name(), "rec-1", FullResult())).ok());
  clock_.Advance(absl::Hours(24 * 10));  // 2024-06-13.
  const v1::Inspection second = MustSchedule("sch-2", karaoke_.name(), "2024-06-13");
  v1::InspectionResult clean;
  clean.set_findings("Cơ sở đã khắc phục");
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(second.name(), "rec-2", clean, "2024-06-13"))
          .ok());
  v1::ProposeScheduleRequest request;
  request.set_team(team_.name());
  request.set_period_from("2024-06-13");
  request.set_period_to("2024-07-31");
  absl::StatusOr<v1::ProposeScheduleResponse> proposal =
      inspections_.ProposeSchedule(team_caller_, request);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(NeededBy(*proposal, "follow_up"), 0);
  if (const v1::ProposedInspection* p = ProposalFor(*proposal, karaoke_.name()); p != nullptr) {
    EXPECT_THAT(p->reasons(), Not(Contains("follow_up")));
  }
}

// ---------------------------------------------------------------------------------
// Cancel.

TEST_F(InspectionsTest, CancelsAScheduledInspectionWithItsReason) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name(), "2024-06-20");
  v1::CancelInspectionRequest request;
  request.set_name(scheduled.name());
  request.set_reason("Cơ sở tạm ngừng hoạt động để sửa chữa");
  absl::StatusOr<v1::Inspection> cancelled = inspections_.Cancel(team_caller_, request);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state(), v1::INSPECTION_STATE_CANCELLED);
  EXPECT_EQ(cancelled->cancel_reason(), "Cơ sở tạm ngừng hoạt động để sửa chữa");
  absl::StatusOr<v1::Inspection> read = inspections_.Get(national_, scheduled.name());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->state(), v1::INSPECTION_STATE_CANCELLED);
  EXPECT_EQ(read->cancel_reason(), "Cơ sở tạm ngừng hoạt động để sửa chữa");
  // Cancelled twice: the state is named.
  const absl::Status again = inspections_.Cancel(team_caller_, request).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
  EXPECT_THAT(again.message(), HasSubstr("INSPECTION_STATE_CANCELLED"));
}

TEST_F(InspectionsTest, RefusesToCancelACompletedInspection) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", VerySeriousOnly()))
          .ok());
  v1::CancelInspectionRequest request;
  request.set_name(scheduled.name());
  request.set_reason("Nhầm lịch");
  const absl::Status s = inspections_.Cancel(team_caller_, request).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("INSPECTION_STATE_COMPLETED"));
  absl::StatusOr<v1::Inspection> read = inspections_.Get(national_, scheduled.name());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->state(), v1::INSPECTION_STATE_COMPLETED);
  EXPECT_EQ(read->cancel_reason(), "");
}

TEST_F(InspectionsTest, RefusesACancelWithoutAReasonWithAStaleEtagOrByAnotherAgency) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name(), "2024-06-20");
  v1::CancelInspectionRequest request;
  request.set_name(scheduled.name());
  request.set_reason("Không cần thiết");
  request.set_etag("v999");
  EXPECT_EQ(inspections_.Cancel(team_caller_, request).status().code(), absl::StatusCode::kAborted);
  request.clear_etag();
  request.clear_reason();
  const absl::Status no_reason = inspections_.Cancel(team_caller_, request).status();
  EXPECT_EQ(no_reason.code(), absl::StatusCode::kInvalidArgument) << no_reason;
  EXPECT_THAT(ViolatedFields(no_reason), ElementsAre("reason"));
  request.set_reason("Không cần thiết");
  EXPECT_EQ(inspections_.Cancel(ha_noi_social_, request).status().code(),
            absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::Inspection> read = inspections_.Get(national_, scheduled.name());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->state(), v1::INSPECTION_STATE_SCHEDULED);
}

// ---------------------------------------------------------------------------------
// List.

class ListInspectionsTest : public InspectionsTest {
 protected:
  ListInspectionsTest() {
    // A: one completed on 06-03, one scheduled on 06-20. B: one scheduled on 07-15,
    // one cancelled (planned 06-10).
    done_a_ = MustSchedule("l-1", karaoke_.name(), "2024-06-03");
    later_a_ = MustSchedule("l-2", karaoke_.name(), "2024-06-20");
    july_b_ = MustSchedule("l-3", massage_.name(), "2024-07-15");
    cancelled_b_ = MustSchedule("l-4", massage_.name(), "2024-06-10");
    EXPECT_TRUE(
        inspections_.Record(team_caller_, RecordRequest(done_a_.name(), "rec-1", FullResult()))
            .ok());
    v1::CancelInspectionRequest cancel;
    cancel.set_name(cancelled_b_.name());
    cancel.set_reason("Trùng lịch");
    EXPECT_TRUE(inspections_.Cancel(team_caller_, cancel).ok());
  }

  std::vector<std::string> List(const v1::ListInspectionsRequest& request) {
    absl::StatusOr<v1::ListInspectionsResponse> r = inspections_.List(national_, request);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? NamesOf(*r) : std::vector<std::string>{"<error>"};
  }

  const v1::Establishment massage_ =
      MustRegister("est-massage", "Massage Thư Giãn Hoa Sen", v1::BUSINESS_TYPE_MASSAGE);
  v1::Inspection done_a_, later_a_, july_b_, cancelled_b_;
};

TEST_F(ListInspectionsTest, ListsNewestPlannedDateFirst) {
  EXPECT_THAT(List({}),
              ElementsAre(july_b_.name(), later_a_.name(), cancelled_b_.name(), done_a_.name()));
}

TEST_F(ListInspectionsTest, FiltersByEstablishment) {
  v1::ListInspectionsRequest r;
  r.set_establishment(karaoke_.name());
  EXPECT_THAT(List(r), ElementsAre(later_a_.name(), done_a_.name()));
}

TEST_F(ListInspectionsTest, FiltersByState) {
  v1::ListInspectionsRequest scheduled;
  scheduled.add_states(v1::INSPECTION_STATE_SCHEDULED);
  EXPECT_THAT(List(scheduled), ElementsAre(july_b_.name(), later_a_.name()));
  v1::ListInspectionsRequest closed;
  closed.add_states(v1::INSPECTION_STATE_COMPLETED);
  closed.add_states(v1::INSPECTION_STATE_CANCELLED);
  EXPECT_THAT(List(closed), ElementsAre(cancelled_b_.name(), done_a_.name()));
  v1::ListInspectionsRequest both;
  both.set_establishment(massage_.name());
  both.add_states(v1::INSPECTION_STATE_SCHEDULED);
  EXPECT_THAT(List(both), ElementsAre(july_b_.name()));
}

TEST_F(ListInspectionsTest, FiltersByDates) {
  v1::ListInspectionsRequest june;
  june.set_date_from("2024-06-05");
  june.set_date_to("2024-06-30");
  EXPECT_THAT(List(june), ElementsAre(later_a_.name(), cancelled_b_.name()));
  v1::ListInspectionsRequest first_days;
  first_days.set_date_to("2024-06-03");
  EXPECT_THAT(List(first_days), ElementsAre(done_a_.name()));
  v1::ListInspectionsRequest from_july;
  from_july.set_date_from("2024-07-01");
  EXPECT_THAT(List(from_july), ElementsAre(july_b_.name()));
}

TEST_F(ListInspectionsTest, RefusesBadFiltersNamingThem) {
  v1::ListInspectionsRequest r;
  r.set_date_from("2024-07-01");
  r.set_date_to("2024-06-01");
  r.add_states(static_cast<v1::InspectionState>(99));
  r.set_unit_code("999");
  r.set_page_size(501);
  const absl::Status s = inspections_.List(national_, r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), ::testing::IsSupersetOf({"states[0]", "unit_code", "page_size"}));
}

TEST_F(ListInspectionsTest, LeavesResultsOutOfListItems) {
  absl::StatusOr<v1::ListInspectionsResponse> r = inspections_.List(national_, {});
  ASSERT_TRUE(r.ok()) << r.status();
  bool saw_completed = false;
  for (const v1::Inspection& i : r->inspections()) {
    EXPECT_FALSE(i.has_result()) << i.name();
    if (i.name() == done_a_.name()) {
      saw_completed = true;
      EXPECT_EQ(i.state(), v1::INSPECTION_STATE_COMPLETED);
      EXPECT_EQ(i.inspection_date(), "2024-06-03");
    }
  }
  EXPECT_TRUE(saw_completed);
  absl::StatusOr<v1::Inspection> read = inspections_.Get(national_, done_a_.name());
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->has_result());
}

TEST_F(ListInspectionsTest, ShowsOnlyTheCallersUnits) {
  absl::StatusOr<v1::ListInspectionsResponse> elsewhere = inspections_.List(hung_yen_, {});
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status();
  EXPECT_THAT(NamesOf(*elsewhere), IsEmpty());
  v1::ListInspectionsRequest ha_noi;
  ha_noi.set_unit_code("01");
  EXPECT_EQ(inspections_.List(hung_yen_, ha_noi).status().code(),
            absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::ListInspectionsResponse> mine = inspections_.List(ha_noi_social_, ha_noi);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->inspections_size(), 4);
}

TEST_F(InspectionsTest, PagesThroughInspectionsWithAToken) {
  std::vector<std::string> planned;
  for (int day = 5; day <= 9; ++day) {
    planned.push_back(
        MustSchedule(absl::StrCat("p-", day), karaoke_.name(), absl::StrCat("2024-06-0", day))
            .name());
  }
  v1::ListInspectionsRequest request;
  request.set_establishment(karaoke_.name());
  request.set_page_size(2);
  std::vector<std::string> seen;
  std::vector<int> page_sizes;
  std::string first_token;
  for (int page = 0; page < 5; ++page) {
    absl::StatusOr<v1::ListInspectionsResponse> r = inspections_.List(national_, request);
    ASSERT_TRUE(r.ok()) << r.status();
    page_sizes.push_back(r->inspections_size());
    for (const std::string& name : NamesOf(*r)) seen.push_back(name);
    if (page == 0) first_token = r->next_page_token();
    if (r->next_page_token().empty()) break;
    request.set_page_token(r->next_page_token());
  }
  EXPECT_THAT(page_sizes, ElementsAre(2, 2, 1));
  EXPECT_THAT(seen, ElementsAre(planned[4], planned[3], planned[2], planned[1], planned[0]));

  // The token of this query, reused with other filters, is refused.
  ASSERT_FALSE(first_token.empty());
  v1::ListInspectionsRequest other;
  other.set_establishment(karaoke_.name());
  other.add_states(v1::INSPECTION_STATE_SCHEDULED);
  other.set_page_size(2);
  other.set_page_token(first_token);
  const absl::Status s = inspections_.List(national_, other).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), ElementsAre("page_token"));
  other.set_page_token("not-a-token");
  EXPECT_THAT(ViolatedFields(inspections_.List(national_, other).status()),
              ElementsAre("page_token"));
}

TEST_F(InspectionsTest, PagesThroughInspectionsPlannedOnTheSameDayWithoutLosingAny) {
  std::set<std::string> planned;
  for (int n = 0; n < 7; ++n) {
    planned.insert(MustSchedule(absl::StrCat("same-", n), karaoke_.name(), "2024-06-10").name());
  }
  v1::ListInspectionsRequest request;
  request.set_page_size(3);
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListInspectionsResponse> r = inspections_.List(national_, request);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const std::string& name : NamesOf(*r)) seen.push_back(name);
    if (r->next_page_token().empty()) break;
    request.set_page_token(r->next_page_token());
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), planned);
}

TEST_F(InspectionsTest, FiltersByTeam) {
  const v1::Team district = MustCreateTeam("team-268", "268", "DOI178-HD");
  const v1::Inspection by_province = MustSchedule("sch-1", karaoke_.name(), "2024-06-05");
  absl::StatusOr<v1::Inspection> by_district = inspections_.Schedule(
      national_, ScheduleRequest("sch-2", karaoke_.name(), district.name(), "2024-06-06"));
  ASSERT_TRUE(by_district.ok()) << by_district.status();
  v1::ListInspectionsRequest request;
  request.set_team(district.name());
  absl::StatusOr<v1::ListInspectionsResponse> r = inspections_.List(national_, request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(NamesOf(*r), ElementsAre(by_district->name()));
  request.set_team(team_.name());
  r = inspections_.List(national_, request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(NamesOf(*r), ElementsAre(by_province.name()));
}

// ---------------------------------------------------------------------------------
// Risk through inspections.

TEST_F(InspectionsTest, RaisesTheRiskAfterAVerySeriousViolation) {
  absl::StatusOr<v1::Establishment> before = establishments_.Get(national_, karaoke_.name());
  ASSERT_TRUE(before.ok()) << before.status();
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", VerySeriousOnly()))
          .ok());
  absl::StatusOr<v1::Establishment> after = establishments_.Get(national_, karaoke_.name());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_GT(after->risk().score(), before->risk().score());
  const v1::RiskFactor* violations = FactorOf(after->risk(), "violations");
  ASSERT_NE(violations, nullptr);
  EXPECT_EQ(violations->points(), 30);
  EXPECT_FALSE(before->risk().complex());
  EXPECT_TRUE(after->risk().complex());
  EXPECT_EQ(after->last_inspection_date(), "2024-06-03");
}

TEST_F(InspectionsTest, PutsABusinessScoringSixtyAfterAnInspectionInCategoryB) {
  // Karaoke 25 + very serious 30 + minor 5 + inspected today 0 = 60: category B
  // (risk.h: "≥ 60 B (12 months)").
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  v1::InspectionResult result = VerySeriousOnly();
  result.add_violations()->set_legal_reference(minor_.code());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", result)).ok());
  absl::StatusOr<v1::Establishment> after = establishments_.Get(national_, karaoke_.name());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->risk().score(), 60);
  EXPECT_EQ(after->risk().category(), v1::RISK_CATEGORY_B);
  EXPECT_EQ(after->risk().interval_months(), 12);
}

// ---------------------------------------------------------------------------------
// Tips through the event bus: intake's EstablishmentReported on a real Redis, applied
// by a real EventConsumer with the inspections handlers.

constexpr storage::Migration kIntakeMigrations[] = {{1, "outbox", events::kOutboxMigrationSql}};

class TipEventsTest : public InspectionsTest {
 protected:
  TipEventsTest()
      : intake_db_(
            *storage::SqliteDatabase::Open({.path = dir_.File("intake.db")}, kIntakeMigrations)),
        intake_outbox_("intake", clock_),
        relay_({.producer = "intake", .redis_address = redis_.address()}, *intake_db_,
               Clock::Real()),
        consumer_({.group = "inspections",
                   .consumer_name = "inspections-test",
                   .producers = {"intake"},
                   .redis_address = redis_.address(),
                   .block = absl::Milliseconds(50)},
                  *db_, Clock::Real()) {
    RegisterInspectionsHandlers(consumer_, outbox_);
  }

  // Intake reports `tip` about `establishment` on the clock's day; the consumer applies it.
  void ReportTip(const std::string& tip, const std::string& establishment, int category) {
    events::v1::EstablishmentReported reported;
    reported.set_tip(tip);
    reported.set_establishment(establishment);
    reported.set_category(category);
    ASSERT_TRUE(intake_db_
                    ->Write([&](storage::Transaction& tx) {
                      return intake_outbox_.Append(tx, "tip", tip, reported).status();
                    })
                    .ok());
    absl::StatusOr<int> published = relay_.PublishBatch();
    ASSERT_TRUE(published.ok()) << published.status();
    ASSERT_EQ(*published, 1);
    int applied = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (applied < 1 && absl::Now() < deadline) applied += consumer_.PollOnce().value_or(0);
    ASSERT_EQ(applied, 1) << "the consumer did not apply the tip";
  }

  absl::StatusOr<v1::ProposeScheduleResponse> Propose(const std::string& from,
                                                      const std::string& to) {
    v1::ProposeScheduleRequest request;
    request.set_team(team_.name());
    request.set_period_from(from);
    request.set_period_to(to);
    return inspections_.ProposeSchedule(team_caller_, request);
  }

  testing::RedisServer redis_;
  std::unique_ptr<storage::SqliteDatabase> intake_db_;
  events::Outbox intake_outbox_;
  events::OutboxRelay relay_;
  events::EventConsumer consumer_;
};

TEST_F(TipEventsTest, ATipAboutABusinessWithASeriousViolationAddsTipsAndOpensAFollowUp) {
  const v1::Inspection scheduled = MustSchedule("sch-1", karaoke_.name());
  ASSERT_TRUE(
      inspections_.Record(team_caller_, RecordRequest(scheduled.name(), "rec-1", VerySeriousOnly()))
          .ok());
  absl::StatusOr<v1::Establishment> before = establishments_.Get(national_, karaoke_.name());
  ASSERT_TRUE(before.ok());
  const size_t events_before = events::OutboxEnvelopes(*db_).size();

  // pcmd.intake.v1.Category 4: trafficking, a follow-up due in 7 days.
  ASSERT_NO_FATAL_FAILURE(ReportTip("tips/t-1", karaoke_.name(), 4));

  absl::StatusOr<v1::Establishment> after = establishments_.Get(national_, karaoke_.name());
  ASSERT_TRUE(after.ok()) << after.status();
  const v1::RiskFactor* tips = FactorOf(after->risk(), "tips");
  ASSERT_NE(tips, nullptr);
  EXPECT_EQ(tips->points(), 10);
  EXPECT_EQ(after->risk().score(), before->risk().score() + 10);
  EXPECT_EQ(*TipsReportedAbout(*db_, karaoke_.name()), 1);

  const auto changed =
      PayloadsOf<events::v1::EstablishmentRiskChanged>(EnvelopesAfter(events_before));
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].establishment(), karaoke_.name());
  EXPECT_TRUE(changed[0].follow_up_requested());

  absl::StatusOr<v1::ProposeScheduleResponse> proposal = Propose("2024-06-03", "2024-06-30");
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  const v1::ProposedInspection* p = ProposalFor(*proposal, karaoke_.name());
  ASSERT_NE(p, nullptr);
  ASSERT_FALSE(p->reasons().empty());
  EXPECT_EQ(p->reasons(0), "follow_up");
  EXPECT_EQ(p->due_by(), "2024-06-10");
}

TEST_F(TipEventsTest, AFirstTipAboutAPlainBusinessOpensNoFollowUpButASecondOneLaterDoes) {
  const v1::Establishment lodging =
      MustRegister("est-lodging", "Nhà nghỉ Bình Minh", v1::BUSINESS_TYPE_LODGING);
  ASSERT_NO_FATAL_FAILURE(ReportTip("tips/t-1", lodging.name(), 1));
  absl::StatusOr<v1::Establishment> after = establishments_.Get(national_, lodging.name());
  ASSERT_TRUE(after.ok()) << after.status();
  const v1::RiskFactor* tips = FactorOf(after->risk(), "tips");
  ASSERT_NE(tips, nullptr);
  EXPECT_EQ(tips->points(), 10);
  EXPECT_TRUE(after->risk().complex());

  absl::StatusOr<v1::ProposeScheduleResponse> first = Propose("2024-06-03", "2024-08-31");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(NeededBy(*first, "follow_up"), 0);

  // Ten days later another tip: an earlier tip within 12 months and never inspected.
  clock_.Advance(absl::Hours(24 * 10));  // 2024-06-13.
  ASSERT_NO_FATAL_FAILURE(ReportTip("tips/t-2", lodging.name(), 1));
  EXPECT_EQ(*TipsReportedAbout(*db_, lodging.name()), 2);
  // Not urgent (category 1): due in 30 days, on 2024-07-13. A period ending the day
  // before does not need it; one ending that day does, with follow_up its first reason.
  absl::StatusOr<v1::ProposeScheduleResponse> short_period = Propose("2024-06-13", "2024-07-12");
  ASSERT_TRUE(short_period.ok()) << short_period.status();
  EXPECT_EQ(NeededBy(*short_period, "follow_up"), 0);
  absl::StatusOr<v1::ProposeScheduleResponse> second = Propose("2024-06-13", "2024-07-13");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(NeededBy(*second, "follow_up"), 1);
  const v1::ProposedInspection* p = ProposalFor(*second, lodging.name());
  ASSERT_NE(p, nullptr);
  ASSERT_FALSE(p->reasons().empty());
  EXPECT_EQ(p->reasons(0), "follow_up");
  // Complex and never inspected, it is due at once under its risk minimum too.
  EXPECT_THAT(p->reasons(), Contains("risk_minimum"));
  EXPECT_EQ(p->due_by(), "2024-06-13");
}

// ---------------------------------------------------------------------------------
// Legal references.

TEST_F(InspectionsTest, ListsTheReferencesOfTheDecreeInForceOnADate) {
  v1::ListLegalReferencesRequest old_decree;
  old_decree.set_valid_on("2025-12-14");
  absl::StatusOr<v1::ListLegalReferencesResponse> before =
      inspections_.ListLegalReferences(old_decree);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_GT(before->legal_references_size(), 0);
  for (const v1::LegalReference& r : before->legal_references()) {
    EXPECT_THAT(r.code(), ::testing::StartsWith("ND144-2021/"));
    EXPECT_EQ(r.instrument(), "Nghị định 144/2021/NĐ-CP");
  }
  EXPECT_EQ(static_cast<size_t>(before->legal_references_size()),
            LegalCatalogue::Default().ValidOn(absl::CivilDay(2025, 12, 14)).size());

  v1::ListLegalReferencesRequest new_decree;
  new_decree.set_valid_on("2025-12-15");
  absl::StatusOr<v1::ListLegalReferencesResponse> after =
      inspections_.ListLegalReferences(new_decree);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_GT(after->legal_references_size(), 0);
  for (const v1::LegalReference& r : after->legal_references()) {
    EXPECT_THAT(r.code(), ::testing::StartsWith("ND282-2025/"));
    EXPECT_EQ(r.instrument(), "Nghị định 282/2025/NĐ-CP");
  }

  absl::StatusOr<v1::ListLegalReferencesResponse> all = inspections_.ListLegalReferences({});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->legal_references_size(),
            before->legal_references_size() + after->legal_references_size());
}

TEST_F(InspectionsTest, RefusesABadValidOnDate) {
  v1::ListLegalReferencesRequest request;
  request.set_valid_on("2025-13-01");
  const absl::Status s = inspections_.ListLegalReferences(request).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), ElementsAre("valid_on"));
}

// ---------------------------------------------------------------------------------
// Schedule proposals and coverage on a small registry.

class RegistryTest : public InspectionsTest {
 protected:
  RegistryTest() {
    // Karaoke: inspected today with a very serious violation (complex, inspected).
    const v1::Inspection i = MustSchedule("reg-1", karaoke_.name());
    EXPECT_TRUE(
        inspections_.Record(team_caller_, RecordRequest(i.name(), "rec-1", VerySeriousOnly()))
            .ok());
    // Sauna, closed: never counted.
    v1::CloseEstablishmentRequest close;
    close.set_name(sauna_.name());
    close.set_close_date("2024-06-01");
    close.set_reason("Ngừng kinh doanh");
    EXPECT_TRUE(establishments_.Close(national_, close).ok());
  }

  // Complex by a hotspot link, never inspected: 30 + 20 + 15 = 65.
  const v1::Establishment massage_ = MustRegister("est-massage", "Massage Thư Giãn Hoa Sen",
                                                  v1::BUSINESS_TYPE_MASSAGE, "268", "hotspots/h1");
  // Complex by a hotspot link, never inspected: 25 + 20 + 15 = 60.
  const v1::Establishment bar_ =
      MustRegister("est-bar", "Bar Ánh Trăng", v1::BUSINESS_TYPE_BAR, "268", "hotspots/h1");
  // Plain, never inspected.
  const v1::Establishment lodging_ =
      MustRegister("est-lodging", "Nhà nghỉ Bình Minh", v1::BUSINESS_TYPE_LODGING);
  const v1::Establishment sauna_ =
      MustRegister("est-sauna", "Xông hơi Sao Mai", v1::BUSINESS_TYPE_SAUNA);
  // In Hưng Yên: outside unit 01.
  const v1::Establishment far_ =
      MustRegister("est-far", "Karaoke Phố Hiến", v1::BUSINESS_TYPE_KARAOKE, "33", "hotspots/h2");
};

TEST_F(RegistryTest, CountsTheCoverageOfTheUnitsRegistry) {
  v1::GetCoverageRequest request;
  request.set_unit_code("01");
  absl::StatusOr<v1::GetCoverageResponse> coverage =
      inspections_.GetCoverage(ha_noi_social_, request);
  ASSERT_TRUE(coverage.ok()) << coverage.status();
  EXPECT_EQ(coverage->registry_size(), 4);  // Karaoke, massage, bar, lodging.
  EXPECT_EQ(coverage->inspected_this_year(), 1);
  EXPECT_DOUBLE_EQ(coverage->share_inspected(), 0.25);
  EXPECT_EQ(coverage->complex_total(), 3);  // Karaoke, massage, bar.
  EXPECT_EQ(coverage->complex_not_inspected(), 2);
  EXPECT_THAT(coverage->complex_not_inspected_names(), ElementsAre(massage_.name(), bar_.name()));
  EXPECT_EQ(coverage->never_inspected(), 3);

  // Another year: nothing inspected in it.
  request.set_year(2023);
  absl::StatusOr<v1::GetCoverageResponse> last_year =
      inspections_.GetCoverage(ha_noi_social_, request);
  ASSERT_TRUE(last_year.ok()) << last_year.status();
  EXPECT_EQ(last_year->inspected_this_year(), 0);
  EXPECT_EQ(last_year->never_inspected(), 4);
}

TEST_F(RegistryTest, RefusesCoverageOutsideTheCallersUnitsOrOfAnUnknownUnit) {
  v1::GetCoverageRequest request;
  request.set_unit_code("01");
  EXPECT_EQ(inspections_.GetCoverage(hung_yen_, request).status().code(),
            absl::StatusCode::kPermissionDenied);
  request.set_unit_code("999");
  const absl::Status unknown = inspections_.GetCoverage(national_, request).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument) << unknown;
  EXPECT_THAT(ViolatedFields(unknown), Contains("unit_code"));
}

TEST_F(RegistryTest, ReportsARuleNotMetWithACapacityOfOne) {
  v1::ProposeScheduleRequest request;
  request.set_team(team_.name());
  request.set_period_from("2024-06-01");
  request.set_period_to("2024-06-30");
  request.set_capacity(1);
  absl::StatusOr<v1::ProposeScheduleResponse> proposal =
      inspections_.ProposeSchedule(team_caller_, request);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(proposal->capacity(), 1);
  ASSERT_EQ(proposal->inspections_size(), 1);
  EXPECT_EQ(proposal->inspections(0).establishment(), massage_.name());  // The riskiest.
  const v1::ScheduleRule* complex = RuleOf(*proposal, "complex_yearly");
  ASSERT_NE(complex, nullptr);
  EXPECT_EQ(complex->needed(), 2);  // Massage and bar; the karaoke was inspected this year.
  EXPECT_EQ(complex->proposed(), 1);
  EXPECT_FALSE(complex->met());
  EXPECT_THAT(complex->detail(), HasSubstr("capacity 1"));
  // Neither the closed sauna nor the business in Hưng Yên is ever proposed.
  for (const v1::ProposedInspection& p : proposal->inspections()) {
    EXPECT_NE(p.establishment(), sauna_.name());
    EXPECT_NE(p.establishment(), far_.name());
  }
}

TEST_F(RegistryTest, UsesTheTeamsMonthlyCapacityByDefaultAndMeetsEveryRuleWithIt) {
  v1::ProposeScheduleRequest request;
  request.set_team(team_.name());
  request.set_period_from("2024-06-01");
  request.set_period_to("2024-08-31");
  absl::StatusOr<v1::ProposeScheduleResponse> proposal =
      inspections_.ProposeSchedule(team_caller_, request);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_EQ(proposal->capacity(), 12 * 3);
  for (const v1::ScheduleRule& rule : proposal->rules()) {
    EXPECT_TRUE(rule.met()) << rule.code() << ": " << rule.detail();
  }
  // 20% of 4 is 1, and the karaoke was inspected this year already.
  const v1::ScheduleRule* share = RuleOf(*proposal, "annual_share");
  ASSERT_NE(share, nullptr);
  EXPECT_EQ(share->needed(), 0);
  std::set<std::string> proposed;
  for (const v1::ProposedInspection& p : proposal->inspections())
    proposed.insert(p.establishment());
  EXPECT_THAT(proposed,
              UnorderedElementsAre(karaoke_.name(), massage_.name(), bar_.name(), lodging_.name()));
}

TEST_F(RegistryTest, RefusesABadProposalRequestNamingTheFields) {
  v1::ProposeScheduleRequest request;
  request.set_team(team_.name());
  request.set_period_from("2024-06-01");
  request.set_period_to("2025-06-01");  // More than 12 months.
  request.set_capacity(-1);
  request.set_programme_end("2024-05-01");
  const absl::Status s = inspections_.ProposeSchedule(team_caller_, request).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), UnorderedElementsAre("period_to", "capacity", "programme_end"));
  request.set_period_to("2024-06-30");
  request.set_capacity(0);
  request.set_programme_end("");
  EXPECT_EQ(inspections_.ProposeSchedule(hung_yen_, request).status().code(),
            absl::StatusCode::kPermissionDenied);
  request.set_team("teams/none");
  EXPECT_EQ(inspections_.ProposeSchedule(national_, request).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace pcmd::inspections
