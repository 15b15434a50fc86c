// The plans service's logic on a real SQLite file, fed by a real EventConsumer reading
// a real Redis: targets measured from the events of intake, inspections and referrals,
// drill-down to the records, roll-up over the unit tree, hotspot relapse, report
// obligations and deadlines, and the generated report.
#include "services/plans/plans.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/outbox_testing.h"
#include "common/events/relay.h"
#include "common/ids/clock.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/redis_server.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "pcmd/events/v1/plans_events.pb.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "services/plans/counters.h"
#include "services/plans/directory.h"
#include "services/plans/plan_document.h"
#include "services/plans/plans_stack.h"
#include "services/plans/schema.h"
#include "services/plans/sqlite_directory_store.h"
#include "services/plans/sqlite_figures.h"
#include "services/plans/sqlite_plan_store.h"

namespace pcmd::plans {
namespace {

using security::AgencyKind;
using security::Scope;
using ::testing::Contains;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr storage::Migration kUpstreamMigrations[] = {{1, "outbox", events::kOutboxMigrationSql}};

// A producing service as plans sees it: its outbox and its relay to Redis.
struct Upstream {
  Upstream(const std::string& producer, const std::string& redis, const Clock& clock)
      : db(*storage::SqliteDatabase::Open({.path = ":memory:"}, kUpstreamMigrations)),
        outbox(producer, clock),
        relay({.producer = producer, .redis_address = redis}, *db, Clock::Real()) {}
  std::unique_ptr<storage::SqliteDatabase> db;
  events::Outbox outbox;
  events::OutboxRelay relay;
};

v1::Measure M(const std::string& metric, std::vector<std::string> filters = {},
              v1::Aggregate aggregate = v1::AGGREGATE_UNSPECIFIED) {
  v1::Measure m;
  m.set_metric(metric);
  for (std::string& f : filters) m.add_filters(std::move(f));
  m.set_aggregate(aggregate);
  return m;
}

v1::Target Computed(const std::string& id, v1::TargetKind kind, double value, v1::Measure num) {
  v1::Target t;
  t.set_id(id);
  t.set_title(absl::StrCat("Chỉ tiêu ", id));
  t.set_kind(kind);
  t.set_target_value(value);
  t.set_source(v1::TARGET_SOURCE_COMPUTED);
  *t.mutable_numerator() = std::move(num);
  return t;
}

// A Hà Nội plan for 2024 with one target of every kind the service computes.
v1::Plan HanoiPlan() {
  v1::Plan p;
  p.set_code("hn-test-2024");
  p.set_number("99/KH-UBND");
  p.set_title("Kế hoạch phòng, chống mại dâm năm 2024");
  p.set_issuer("Ủy ban nhân dân Thành phố Hà Nội");
  p.set_issuer_agency("SLDTBXH-HN");
  p.set_level(v1::PLAN_LEVEL_PROVINCE);
  p.set_unit_code("01");
  p.set_period_start("2024-01-01");
  p.set_period_end("2024-12-31");
  v1::Target* tips = p.add_targets();
  *tips = Computed("1", v1::TARGET_KIND_COUNT, 10, M("tips.received"));
  *tips->add_sub_targets() = Computed("1.a", v1::TARGET_KIND_COUNT, 4,
                                      M("tips.received", {"category=CATEGORY_ESTABLISHMENT"}));
  v1::Target on_time =
      Computed("2", v1::TARGET_KIND_PERCENT, 90, M("tips.resolved", {"on_time=true"}));
  *on_time.mutable_denominator() = M("tips.received");
  *p.add_targets() = on_time;
  v1::Target growth = Computed("3", v1::TARGET_KIND_GROWTH, 3, M("inspections.completed"));
  growth.set_target_max(5);
  *p.add_targets() = growth;
  v1::Target monthly = Computed("4", v1::TARGET_KIND_FREQUENCY, 1,
                                M("activities.sessions", {"kind=ACTIVITY_KIND_COMMUNICATION"}));
  monthly.set_interval(v1::INTERVAL_MONTHLY);
  *p.add_targets() = monthly;
  v1::Target communes = Computed("5", v1::TARGET_KIND_PERCENT, 100,
                                 M("activities.sessions", {"kind=ACTIVITY_KIND_COMMUNICATION"},
                                   v1::AGGREGATE_COMMUNES_WITH_ANY));
  *communes.mutable_denominator() = M("units.communes");
  *p.add_targets() = communes;
  *p.add_targets() = Computed("6", v1::TARGET_KIND_COUNT, 1, M("hotspots.eliminated"));
  *p.add_targets() = Computed("7", v1::TARGET_KIND_COUNT, 2, M("referrals.outreach_contacts"));
  v1::Target reported;
  reported.set_id("8");
  reported.set_title("Số đối tượng bị xử lý hình sự");
  reported.set_kind(v1::TARGET_KIND_COUNT);
  reported.set_target_value(20);
  reported.set_source(v1::TARGET_SOURCE_REPORTED);
  reported.set_lead("Công an Thành phố");
  reported.add_lead_agencies("CA-HN-PC02");
  *p.add_targets() = reported;
  v1::Task* task = p.add_tasks();
  task->set_number("1.1");
  task->set_title("Tuyên truyền tại khu công nghiệp");
  task->add_lead_agencies("CA-HN-PC02");
  v1::PlanHotspot* h = p.add_hotspots();
  h->set_code("hn-tt-ngoc-hoi");
  h->set_display_name("Khu vực đường Ngọc Hồi");
  h->set_unit_code("268");
  h->set_kind(v1::HOTSPOT_KIND_PUBLIC_PLACE);
  h->set_level(v1::HOTSPOT_LEVEL_COMPLEX);
  h->set_goal(v1::HOTSPOT_GOAL_ELIMINATE);
  v1::ReportingRule* six = p.add_reporting();
  six->set_kind(v1::REPORT_KIND_SIX_MONTHLY);
  six->set_due("06-17");
  six->add_agencies("CA-HN-PC02");
  six->add_agencies("SYT-HN");
  v1::ReportingRule* year = p.add_reporting();
  year->set_kind(v1::REPORT_KIND_ANNUAL);
  year->set_due("12-17");
  year->add_agencies("CA-HN-PC02");
  return p;
}

class PlansTest : public ::testing::Test {
 protected:
  PlansTest()
      // 2024-06-10, 10:00 in Vietnam.
      : stack_(absl::FromCivil(absl::CivilSecond(2024, 6, 10, 10, 0, 0),
                               absl::FixedTimeZone(7 * 3600))),
        clock_(stack_.clock),
        db_(stack_.db),
        outbox_(stack_.outbox),
        directory_(stack_.directory),
        plans_(stack_.plans),
        intake_("intake", redis_.address(), clock_),
        inspections_("inspections", redis_.address(), clock_),
        referrals_("referrals", redis_.address(), clock_),
        consumer_({.group = "plans",
                   .consumer_name = "plans-test",
                   .producers = {"intake", "inspections", "referrals"},
                   .redis_address = redis_.address(),
                   .block = absl::Milliseconds(50),
                   .max_attempts = 1},
                  *db_, Clock::Real()) {
    RegisterCounterHandlers(consumer_, outbox_);
    SeedDirectory();
  }

  void Unit(const std::string& code, const std::string& name, v1::UnitLevel level,
            const std::string& parent, const std::string& to = "") {
    v1::CreateUnitRequest r;
    r.set_code(code);
    r.set_display_name(name);
    r.set_level(level);
    r.set_parent_code(parent);
    r.set_valid_from("2008-08-01");
    r.set_valid_to(to);
    absl::StatusOr<v1::Unit> u = directory_.CreateUnit(r);
    ASSERT_TRUE(u.ok()) << code << ": " << u.status();
  }

  void Agency(const std::string& code, v1::AgencyKind kind, const std::string& unit) {
    v1::CreateAgencyRequest r;
    r.set_code(code);
    r.set_display_name(absl::StrCat("Cơ quan ", code));
    r.set_kind(kind);
    r.set_unit_code(unit);
    absl::StatusOr<v1::Agency> a = directory_.CreateAgency(r);
    ASSERT_TRUE(a.ok()) << code << ": " << a.status();
  }

  void SeedDirectory() {
    Unit("VN", "Việt Nam", v1::UNIT_LEVEL_NATIONAL, "");
    Unit("01", "Thành phố Hà Nội", v1::UNIT_LEVEL_PROVINCE, "VN");
    Unit("268", "Huyện Thanh Trì", v1::UNIT_LEVEL_DISTRICT, "01", "2025-06-30");
    Unit("002", "Quận Hoàn Kiếm", v1::UNIT_LEVEL_DISTRICT, "01", "2025-06-30");
    Unit("09964", "Thị trấn Văn Điển", v1::UNIT_LEVEL_COMMUNE, "268", "2025-06-30");
    Unit("09967", "Xã Tam Hiệp", v1::UNIT_LEVEL_COMMUNE, "268", "2025-06-30");
    Unit("00037", "Phường Hàng Bạc", v1::UNIT_LEVEL_COMMUNE, "002", "2025-06-30");
    Unit("00040", "Phường Hàng Bồ", v1::UNIT_LEVEL_COMMUNE, "002", "2025-06-30");
    Unit("33", "Tỉnh Hưng Yên", v1::UNIT_LEVEL_PROVINCE, "VN");
    Agency("SLDTBXH-HN", v1::AGENCY_KIND_SOCIAL_AFFAIRS, "01");
    Agency("CA-HN-PC02", v1::AGENCY_KIND_POLICE, "01");
    Agency("SYT-HN", v1::AGENCY_KIND_HEALTH, "01");
  }

  // `from` publishes `events`; the consumer applies them all.
  void Deliver(Upstream& from, const std::vector<const google::protobuf::Message*>& events) {
    ASSERT_TRUE(from.db
                    ->Write([&](storage::Transaction& tx) -> absl::Status {
                      for (const google::protobuf::Message* e : events) {
                        PCMD_RETURN_IF_ERROR(from.outbox.Append(tx, "record", "x", *e).status());
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    absl::StatusOr<int> published = from.relay.PublishBatch();
    ASSERT_TRUE(published.ok()) << published.status();
    int applied = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (applied < static_cast<int>(events.size()) && absl::Now() < deadline) {
      applied += consumer_.PollOnce().value_or(0);
    }
    ASSERT_EQ(applied, static_cast<int>(events.size())) << "the consumer did not apply every event";
  }

  static events::v1::TipReceived Tip(const std::string& id, const std::string& unit,
                                     const std::string& day, int category = 1) {
    events::v1::TipReceived t;
    t.set_tip(absl::StrCat("tips/", id));
    t.set_unit_code(unit);
    t.set_receive_date(day);
    t.set_category(category);
    t.set_channel(1);
    t.set_legal_kind(1);
    return t;
  }
  static events::v1::TipResolved Resolved(const std::string& id, const std::string& unit,
                                          const std::string& day, bool on_time) {
    events::v1::TipResolved t;
    t.set_tip(absl::StrCat("tips/", id));
    t.set_unit_code(unit);
    t.set_resolve_date(day);
    t.set_on_time(on_time);
    t.set_outcome(2);
    return t;
  }
  static events::v1::InspectionCompleted Inspection(const std::string& id, const std::string& unit,
                                                    const std::string& day) {
    events::v1::InspectionCompleted i;
    i.set_inspection(absl::StrCat("inspections/", id));
    i.set_establishment(absl::StrCat("establishments/e-", id));
    i.set_unit_code(unit);
    i.set_inspection_date(day);
    i.set_kind(1);
    i.set_business_type(1);
    return i;
  }

  v1::Plan Import(const v1::Plan& plan, bool issue = true) {
    v1::ImportPlanRequest r;
    r.set_request_id(absl::StrCat("import-", plan.code()));
    r.set_document(PlanDocument(plan));
    r.set_issue(issue);
    absl::StatusOr<v1::Plan> imported = plans_.ImportPlan(operator_, r);
    EXPECT_TRUE(imported.ok()) << imported.status();
    return imported.value_or(v1::Plan());
  }

  void Activity(const std::string& id, const std::string& unit, const std::string& day,
                int workers = 0) {
    v1::RecordActivityRequest r;
    r.set_request_id(id);
    v1::Activity* a = r.mutable_activity();
    a->set_kind(v1::ACTIVITY_KIND_COMMUNICATION);
    a->set_unit_code(unit);
    a->set_date(day);
    a->set_title("Tuyên truyền phòng, chống mại dâm");
    if (workers > 0) {
      v1::AudienceCount* c = a->add_audiences();
      c->set_audience(v1::AUDIENCE_INDUSTRIAL_ZONE_WORKERS);
      c->set_people(workers);
    }
    absl::StatusOr<v1::Activity> recorded = plans_.RecordActivity(hanoi_, r);
    ASSERT_TRUE(recorded.ok()) << recorded.status();
  }

  v1::PlanProgress Progress(const std::string& as_of, const std::string& unit = "",
                            bool breakdown = false, const std::string& plan = "hn-test-2024") {
    v1::GetPlanProgressRequest r;
    r.set_plan(absl::StrCat("plans/", plan));
    r.set_as_of_date(as_of);
    r.set_unit_code(unit);
    r.set_include_breakdown(breakdown);
    absl::StatusOr<v1::PlanProgress> p = plans_.GetPlanProgress(r);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.value_or(v1::PlanProgress());
  }

  static v1::TargetProgress TargetOf(const v1::PlanProgress& p, const std::string& id) {
    for (const v1::TargetProgress& t : p.targets()) {
      if (t.target_id() == id) return t;
      for (const v1::TargetProgress& s : t.sub_targets()) {
        if (s.target_id() == id) return s;
      }
    }
    const v1::TargetProgress none;
    ADD_FAILURE() << "no target " << id;
    return none;
  }

  template <typename T>
  std::vector<T> Published() {
    std::vector<T> out;
    for (const events::v1::EventEnvelope& env : events::OutboxEnvelopes(*db_)) {
      T payload;
      if (env.payload().UnpackTo(&payload)) out.push_back(std::move(payload));
    }
    return out;
  }

  testing::RedisServer redis_;
  PlansStack stack_;
  FakeClock& clock_;
  std::unique_ptr<storage::SqliteDatabase>& db_;
  events::Outbox& outbox_;
  Directory& directory_;
  Plans& plans_;
  Upstream intake_;
  Upstream inspections_;
  Upstream referrals_;
  events::EventConsumer consumer_;
  const security::Access operator_ =
      security::Access::For(AgencyKind::kOperator, "VN", "pcmd-operator", Scope::kAll);
  const security::Access hanoi_ =
      security::Access::For(AgencyKind::kSocialAffairs, "01", "SLDTBXH-HN", Scope::kOwnUnitSubtree);
  const security::Access police_ =
      security::Access::For(AgencyKind::kPolice, "01", "CA-HN-PC02", Scope::kOwnUnitSubtree);
  const security::Access health_ =
      security::Access::For(AgencyKind::kHealth, "01", "SYT-HN", Scope::kOwnUnitSubtree);
  const security::Access hung_yen_ =
      security::Access::For(AgencyKind::kSocialAffairs, "33", "SLDTBXH-HY", Scope::kOwnUnitSubtree);
};

// ---------------------------------------------------------------------------------
// Progress

TEST_F(PlansTest, CountsTipsAsTheyArriveAndSaysHowFarTheTargetIs) {
  Import(HanoiPlan());
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "1").value(), 0);
  const auto t1 = Tip("t1", "268", "2024-02-01"), t2 = Tip("t2", "09964", "2024-03-01"),
             t3 = Tip("t3", "002", "2024-04-01", 2), t4 = Tip("t4", "268", "2024-05-01"),
             t5 = Tip("t5", "268", "2024-06-01"), t6 = Tip("t6", "33", "2024-06-02"),
             old = Tip("t0", "268", "2023-12-31");
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, {&t1, &t2, &t3, &t4, &t5, &t6, &old}));

  const v1::PlanProgress p = Progress("2024-06-30");
  EXPECT_NEAR(p.elapsed_share(), 182.0 / 366, 1e-9);
  const v1::TargetProgress tips = TargetOf(p, "1");
  EXPECT_EQ(tips.value(), 5) << "Hưng Yên's tip and last year's are not Hà Nội's 2024";
  EXPECT_EQ(tips.share_achieved(), 0.5);
  EXPECT_EQ(tips.status(), v1::PROGRESS_STATUS_ON_TRACK);
  EXPECT_THAT(tips.method(), HasSubstr("tips.received"));
  EXPECT_THAT(tips.method(), HasSubstr("2024-01-01"));
  EXPECT_THAT(tips.method(), HasSubstr("2024-06-30"));
  const v1::TargetProgress establishments = TargetOf(p, "1.a");
  EXPECT_EQ(establishments.value(), 4) << "the public-place tip is not an establishment tip";
  EXPECT_EQ(establishments.status(), v1::PROGRESS_STATUS_MET);
  EXPECT_EQ(TargetOf(Progress("2024-03-15"), "1").value(), 2) << "as of a date counts to it";
}

TEST_F(PlansTest, APercentTargetDividesItsNumeratorByItsDenominator) {
  Import(HanoiPlan());
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "2").status(), v1::PROGRESS_STATUS_NO_DATA)
      << "no tips: nothing to divide by";
  const auto t1 = Tip("t1", "268", "2024-02-01"), t2 = Tip("t2", "268", "2024-02-02"),
             t3 = Tip("t3", "002", "2024-02-03"), t4 = Tip("t4", "002", "2024-02-04");
  const auto r1 = Resolved("t1", "268", "2024-02-10", true),
             r2 = Resolved("t2", "268", "2024-03-10", true),
             r3 = Resolved("t3", "002", "2024-04-10", false);
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, {&t1, &t2, &t3, &t4, &r1, &r2, &r3}));
  const v1::TargetProgress on_time = TargetOf(Progress("2024-06-30"), "2");
  EXPECT_EQ(on_time.numerator(), 2);
  EXPECT_EQ(on_time.denominator(), 4);
  EXPECT_EQ(on_time.value(), 50);
  EXPECT_EQ(on_time.status(), v1::PROGRESS_STATUS_BEHIND) << "50% against 90%";
  EXPECT_THAT(on_time.method(), HasSubstr("on_time=true"));
}

TEST_F(PlansTest, AGrowthTargetComparesWithTheSameDaysOfThePreviousYear) {
  Import(HanoiPlan());
  const auto a = Inspection("a", "268", "2023-02-01"), b = Inspection("b", "268", "2023-05-01"),
             late = Inspection("late", "268", "2023-09-01"),
             c = Inspection("c", "268", "2024-02-01"), d = Inspection("d", "002", "2024-03-01"),
             e = Inspection("e", "268", "2024-06-01");
  ASSERT_NO_FATAL_FAILURE(Deliver(inspections_, {&a, &b, &late, &c, &d, &e}));
  const v1::TargetProgress growth = TargetOf(Progress("2024-06-30"), "3");
  EXPECT_EQ(growth.previous_value(), 2) << "September 2023 is after 30 June 2023";
  EXPECT_EQ(growth.numerator(), 3);
  EXPECT_EQ(growth.value(), 50);
  EXPECT_EQ(growth.status(), v1::PROGRESS_STATUS_ON_TRACK) << "+50% against +3–5%";
  EXPECT_THAT(growth.method(), HasSubstr("2023-01-01 to 2023-06-30"));
}

TEST_F(PlansTest, AFrequencyTargetCountsTheMonthsWithAnActivityAndTheOnesMissed) {
  Import(HanoiPlan());
  for (const char* day : {"2024-01-15", "2024-02-15", "2024-04-15", "2024-05-15", "2024-06-05"}) {
    Activity(absl::StrCat("act-", day), "09964", day);
  }
  const v1::TargetProgress monthly = TargetOf(Progress("2024-06-30"), "4");
  EXPECT_EQ(monthly.value(), 5);
  EXPECT_EQ(monthly.denominator(), 6);
  EXPECT_EQ(monthly.status(), v1::PROGRESS_STATUS_AT_RISK) << "March was missed";
  EXPECT_EQ(TargetOf(Progress("2024-02-28"), "4").status(), v1::PROGRESS_STATUS_ON_TRACK);
  Activity("act-march", "00037", "2024-03-20");
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "4").status(), v1::PROGRESS_STATUS_ON_TRACK);
}

TEST_F(PlansTest, TheShareOfCommunesWithAnActivityCountsEachCommuneOnce) {
  Import(HanoiPlan());
  Activity("a1", "09964", "2024-01-15", 120);
  Activity("a2", "09964", "2024-02-15", 80);
  Activity("a3", "00037", "2024-02-20");
  const v1::TargetProgress communes = TargetOf(Progress("2024-06-30"), "5");
  EXPECT_EQ(communes.numerator(), 2);
  EXPECT_EQ(communes.denominator(), 4);
  EXPECT_EQ(communes.value(), 50);
  EXPECT_EQ(communes.status(), v1::PROGRESS_STATUS_BEHIND);
}

TEST_F(PlansTest, AReportedTargetTakesTheValueTheLeadAgencySubmitted) {
  Import(HanoiPlan());
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "8").status(), v1::PROGRESS_STATUS_NO_DATA);
  v1::SubmitReportRequest r;
  r.set_request_id("report-pc02-h1");
  r.set_plan("plans/hn-test-2024");
  r.set_period("2024-H1");
  v1::ReportedValue* v = r.add_values();
  v->set_target_id("8");
  v->set_value(12);
  r.set_narrative("Đã khởi tố 12 đối tượng.");
  absl::StatusOr<v1::Report> report = plans_.SubmitReport(police_, r);
  ASSERT_TRUE(report.ok()) << report.status();
  const v1::TargetProgress reported = TargetOf(Progress("2024-06-30"), "8");
  EXPECT_EQ(reported.value(), 12);
  EXPECT_EQ(reported.status(), v1::PROGRESS_STATUS_ON_TRACK) << "12 of 20 by mid-year";
}

// ---------------------------------------------------------------------------------
// Drill-down and roll-up

TEST_F(PlansTest, DrillDownListsTheRecordsBehindANumber) {
  Import(HanoiPlan());
  const auto t1 = Tip("t1", "268", "2024-02-01"), t2 = Tip("t2", "002", "2024-03-01", 2),
             t3 = Tip("t3", "268", "2024-04-01"), t4 = Tip("t4", "33", "2024-04-02");
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, {&t1, &t2, &t3, &t4}));
  v1::ListTargetRecordsRequest r;
  r.set_plan("plans/hn-test-2024");
  r.set_target_id("1.a");
  r.set_as_of_date("2024-06-30");
  absl::StatusOr<v1::ListTargetRecordsResponse> records = plans_.ListTargetRecords(r);
  ASSERT_TRUE(records.ok()) << records.status();
  std::vector<std::string> names;
  for (const v1::TargetRecord& rec : records->records()) names.push_back(rec.record());
  EXPECT_THAT(names, ElementsAre("tips/t1", "tips/t3"));
  EXPECT_THAT(records->method(), HasSubstr("category=CATEGORY_ESTABLISHMENT"));

  r.set_target_id("1");
  r.set_unit_code("002");
  records = plans_.ListTargetRecords(r);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->records_size(), 1);
  EXPECT_EQ(records->records(0).record(), "tips/t2");
  EXPECT_EQ(records->records(0).unit_code(), "002");

  // Paged: one at a time, no repeats.
  r.set_unit_code("");
  r.set_page_size(1);
  std::vector<std::string> paged;
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<v1::ListTargetRecordsResponse> page = plans_.ListTargetRecords(r);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::TargetRecord& rec : page->records()) paged.push_back(rec.record());
    if (page->next_page_token().empty()) break;
    r.set_page_token(page->next_page_token());
  }
  EXPECT_THAT(paged, ElementsAre("tips/t1", "tips/t2", "tips/t3"));

  r.set_page_token("");
  r.set_page_size(0);
  r.set_target_id("8");
  EXPECT_EQ(plans_.ListTargetRecords(r).status().code(), absl::StatusCode::kFailedPrecondition)
      << "a reported target has no records in pcmd";
  r.set_target_id("99");
  EXPECT_EQ(plans_.ListTargetRecords(r).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PlansTest, AProvinceFigureIsTheSumOfItsDistrictsAndTheNationOfItsProvinces) {
  Import(HanoiPlan());
  const auto t1 = Tip("t1", "268", "2024-02-01"), t2 = Tip("t2", "09964", "2024-02-02"),
             t3 = Tip("t3", "002", "2024-02-03"), t4 = Tip("t4", "00040", "2024-02-04"),
             t5 = Tip("t5", "002", "2024-02-05"), t6 = Tip("t6", "33", "2024-02-06"),
             t7 = Tip("t7", "01", "2024-02-07");
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, {&t1, &t2, &t3, &t4, &t5, &t6, &t7}));

  const v1::PlanProgress hanoi = Progress("2024-06-30", "", true);
  const v1::TargetProgress tips = TargetOf(hanoi, "1");
  EXPECT_EQ(tips.value(), 6);
  double districts = 0;
  for (const v1::UnitFigure& f : tips.breakdown()) districts += f.value();
  ASSERT_EQ(tips.breakdown_size(), 2);
  EXPECT_EQ(tips.breakdown(0).unit_code(), "002");
  EXPECT_EQ(tips.breakdown(0).value(), 3);
  EXPECT_EQ(tips.breakdown(1).unit_code(), "268");
  EXPECT_EQ(tips.breakdown(1).value(), 2);
  EXPECT_EQ(districts + 1, tips.value()) << "one tip is recorded for the city itself";

  EXPECT_EQ(TargetOf(Progress("2024-06-30", "268"), "1").value(), 2);
  absl::Status beyond = plans_
                            .GetPlanProgress([] {
                              v1::GetPlanProgressRequest r;
                              r.set_plan("plans/hn-test-2024");
                              r.set_unit_code("33");
                              return r;
                            }())
                            .status();
  EXPECT_THAT(ViolatedFields(beyond), ElementsAre("unit_code"))
      << "Hưng Yên is not in Hà Nội's plan";

  // The ministry's plan over the whole country sums the provinces.
  v1::Plan national = HanoiPlan();
  national.set_code("vn-test-2024");
  national.set_unit_code("VN");
  national.set_level(v1::PLAN_LEVEL_MINISTRY);
  national.clear_hotspots();
  Import(national);
  const v1::TargetProgress national_tips =
      TargetOf(Progress("2024-06-30", "", true, "vn-test-2024"), "1");
  EXPECT_EQ(national_tips.value(), 7);
  std::map<std::string, double> provinces;
  for (const v1::UnitFigure& f : national_tips.breakdown()) provinces[f.unit_code()] = f.value();
  EXPECT_EQ(provinces["01"], 6);
  EXPECT_EQ(provinces["33"], 1);
}

TEST_F(PlansTest, AConsumerResetRebuildsTheFiguresWithoutCountingTwice) {
  Import(HanoiPlan());
  const auto t1 = Tip("t1", "268", "2024-02-01");
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, {&t1}));
  Activity("a1", "09964", "2024-01-15", 100);
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "1").value(), 1);
  // A consumer reset replays the stream from the start: the figures are rebuilt, not doubled.
  absl::StatusOr<int64_t> forgotten = consumer_.Reset();
  ASSERT_TRUE(forgotten.ok()) << forgotten.status();
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "1").value(), 0) << "a reset clears the counters";
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "4").value(), 1)
      << "activities are plans' own records, not derived from events";
  int applied = 0;
  for (int i = 0; i < 20 && applied < 1; ++i) applied += consumer_.PollOnce().value_or(0);
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "1").value(), 1);
  EXPECT_EQ(consumer_.PollOnce().value_or(-1), 0) << "nothing more to apply";
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "1").value(), 1);
}

// ---------------------------------------------------------------------------------
// Hotspots

TEST_F(PlansTest, ATipAboutAnEliminatedHotspotMarksItRelapsedAndPublishesIt) {
  Import(HanoiPlan());
  absl::StatusOr<v1::Hotspot> h = plans_.GetHotspot("hotspots/hn-tt-ngoc-hoi");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->state(), v1::HOTSPOT_STATE_TARGETED) << "issuing the plan targets its hotspots";
  EXPECT_EQ(h->target_year(), 2024);
  EXPECT_THAT(h->plans(), ElementsAre("plans/hn-test-2024"));

  // Before elimination a tip about it is just a tip.
  auto before = Tip("t1", "268", "2024-03-01");
  before.set_hotspot("hotspots/hn-tt-ngoc-hoi");
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, {&before}));
  EXPECT_EQ(plans_.GetHotspot("hotspots/hn-tt-ngoc-hoi")->state(), v1::HOTSPOT_STATE_TARGETED);

  v1::UpdateHotspotStateRequest eliminate;
  eliminate.set_name("hotspots/hn-tt-ngoc-hoi");
  eliminate.set_state(v1::HOTSPOT_STATE_ELIMINATED);
  eliminate.set_date("2024-05-01");
  absl::StatusOr<v1::Hotspot> eliminated = plans_.UpdateHotspotState(hanoi_, eliminate);
  ASSERT_TRUE(eliminated.ok()) << eliminated.status();
  EXPECT_EQ(TargetOf(Progress("2024-06-09"), "6").value(), 1);
  EXPECT_EQ(TargetOf(Progress("2024-06-09"), "6").status(), v1::PROGRESS_STATUS_MET);
  EXPECT_EQ(TargetOf(Progress("2024-04-30"), "6").value(), 0) << "not yet eliminated then";

  auto violation = events::v1::ViolationRecorded();
  violation.set_inspection("inspections/i-9");
  violation.set_unit_code("268");
  violation.set_inspection_date("2024-06-05");
  violation.set_severity(1);
  violation.set_hotspot("hotspots/hn-tt-ngoc-hoi");
  ASSERT_NO_FATAL_FAILURE(Deliver(inspections_, {&violation}));

  h = plans_.GetHotspot("hotspots/hn-tt-ngoc-hoi");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->state(), v1::HOTSPOT_STATE_RELAPSED);
  EXPECT_EQ(h->relapse_date(), "2024-06-05");
  EXPECT_EQ(h->relapse_record(), "inspections/i-9");
  const auto relapses = Published<events::v1::HotspotRelapsed>();
  ASSERT_EQ(relapses.size(), 1u);
  EXPECT_EQ(relapses[0].hotspot(), "hotspots/hn-tt-ngoc-hoi");
  EXPECT_EQ(relapses[0].unit_code(), "268");

  // A second touch does not publish again.
  auto again = Tip("t2", "268", "2024-06-06");
  again.set_hotspot("hotspots/hn-tt-ngoc-hoi");
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, {&again}));
  EXPECT_EQ(Published<events::v1::HotspotRelapsed>().size(), 1u);

  // A relapsed hotspot is not eliminated any more; it may be targeted again.
  EXPECT_EQ(TargetOf(Progress("2024-06-30"), "6").value(), 0);
  eliminate.set_state(v1::HOTSPOT_STATE_HANDED_OVER);
  absl::Status refused = plans_.UpdateHotspotState(hanoi_, eliminate).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("RELAPSED"));
}

TEST_F(PlansTest, HotspotsAreFoundByNameWithoutDiacritics) {
  Import(HanoiPlan());
  v1::ListHotspotsRequest r;
  r.set_text("ngoc hoi");
  absl::StatusOr<v1::ListHotspotsResponse> found = plans_.ListHotspots(r);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->hotspots_size(), 1);
  EXPECT_EQ(found->hotspots(0).display_name(), "Khu vực đường Ngọc Hồi");
  r.set_text("");
  r.set_unit_code("002");
  EXPECT_THAT(plans_.ListHotspots(r)->hotspots(), IsEmpty());
}

// ---------------------------------------------------------------------------------
// Reports

TEST_F(PlansTest, IssuingAPlanSetsADeadlineForEveryAgencyAndPeriod) {
  Import(HanoiPlan());
  v1::ListReportObligationsRequest r;
  r.set_plan("plans/hn-test-2024");
  absl::StatusOr<v1::ListReportObligationsResponse> list = plans_.ListReportObligations(r);
  ASSERT_TRUE(list.ok()) << list.status();
  std::vector<std::string> due;
  for (const v1::ReportObligation& o : list->obligations()) {
    due.push_back(absl::StrCat(o.agency_code(), " ", o.period(), " ", o.due_date()));
    EXPECT_EQ(o.state(), v1::OBLIGATION_STATE_PENDING);
  }
  EXPECT_THAT(due, UnorderedElementsAre("CA-HN-PC02 2024-H1 2024-06-17",
                                        "SYT-HN 2024-H1 2024-06-17", "CA-HN-PC02 2024 2024-12-17"));
}

TEST_F(PlansTest, APlanIssuedLateAsksForNoReportDueBeforeItWasIssued) {
  v1::Plan plan = HanoiPlan();
  plan.set_issue_date("2024-05-01");
  v1::ReportingRule* monthly = plan.add_reporting();
  monthly->set_kind(v1::REPORT_KIND_MONTHLY);
  monthly->set_due("10");
  monthly->add_agencies("CA-HN-PC02");
  Import(plan);
  v1::ListReportObligationsRequest r;
  r.set_plan("plans/hn-test-2024");
  r.set_agency_code("CA-HN-PC02");
  absl::StatusOr<v1::ListReportObligationsResponse> list = plans_.ListReportObligations(r);
  ASSERT_TRUE(list.ok()) << list.status();
  std::vector<std::string> monthly_periods;
  for (const v1::ReportObligation& o : list->obligations()) {
    EXPECT_GE(o.due_date(), "2024-05-01") << o.period();
    if (o.kind() == v1::REPORT_KIND_MONTHLY) monthly_periods.push_back(o.period());
  }
  // January to March were due before 1 May; April's report is due on 10 May.
  EXPECT_THAT(monthly_periods, ::testing::Contains("2024-04"));
  EXPECT_THAT(monthly_periods, ::testing::Not(::testing::Contains("2024-03")));
  EXPECT_EQ(monthly_periods.size(), 9u);  // 2024-04 … 2024-12
}

TEST_F(PlansTest, DeadlinesRaiseReportDueThenReportOverdueOnceEach) {
  Import(HanoiPlan());
  // 2024-06-10: the six-monthly reports are due within the week.
  absl::StatusOr<int> raised = plans_.ScanDeadlines();
  ASSERT_TRUE(raised.ok()) << raised.status();
  EXPECT_EQ(Published<events::v1::ReportDue>().size(), 2u);
  EXPECT_EQ(Published<events::v1::ReportOverdue>().size(), 0u);
  ASSERT_TRUE(plans_.ScanDeadlines().ok());
  EXPECT_EQ(Published<events::v1::ReportDue>().size(), 2u) << "a rescan raises nothing new";

  v1::SubmitReportRequest r;
  r.set_request_id("pc02-h1");
  r.set_plan("plans/hn-test-2024");
  r.set_period("2024-H1");
  r.set_narrative("Báo cáo 6 tháng đầu năm 2024.");
  ASSERT_TRUE(plans_.SubmitReport(police_, r).ok());

  clock_.Advance(absl::Hours(24 * 8));  // 2024-06-18.
  ASSERT_TRUE(plans_.ScanDeadlines().ok());
  const auto overdue = Published<events::v1::ReportOverdue>();
  ASSERT_EQ(overdue.size(), 1u) << "only the health department's report is missing";
  EXPECT_EQ(overdue[0].agency_code(), "SYT-HN");
  EXPECT_EQ(overdue[0].period(), "2024-H1");

  // Health reports late: recorded, marked late.
  r.set_request_id("syt-h1");
  absl::StatusOr<v1::Report> late = plans_.SubmitReport(health_, r);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(late->late());
  EXPECT_EQ(late->submit_date(), "2024-06-18");

  v1::GetReportingRatesRequest rates;
  rates.set_plan("plans/hn-test-2024");
  rates.set_as_of_date("2024-06-30");
  absl::StatusOr<v1::GetReportingRatesResponse> got = plans_.GetReportingRates(rates);
  ASSERT_TRUE(got.ok()) << got.status();
  std::map<std::string, v1::ReportingRate> by_agency;
  for (const v1::ReportingRate& rate : got->rates()) by_agency[rate.agency_code()] = rate;
  EXPECT_EQ(by_agency["CA-HN-PC02"].due(), 1);
  EXPECT_EQ(by_agency["CA-HN-PC02"].on_time(), 1);
  EXPECT_EQ(by_agency["CA-HN-PC02"].on_time_rate(), 1);
  EXPECT_EQ(by_agency["SYT-HN"].late(), 1);
  EXPECT_EQ(by_agency["SYT-HN"].on_time_rate(), 0);
}

TEST_F(PlansTest, OnlyThePlanOwnerApprovesAndAnApprovedReportCannotBeReplaced) {
  Import(HanoiPlan());
  v1::SubmitReportRequest r;
  r.set_request_id("pc02-h1");
  r.set_plan("plans/hn-test-2024");
  r.set_period("2024-H1");
  r.set_narrative("Báo cáo.");
  absl::StatusOr<v1::Report> report = plans_.SubmitReport(police_, r);
  ASSERT_TRUE(report.ok()) << report.status();
  v1::ApproveReportRequest approve;
  approve.set_name(report->name());
  EXPECT_EQ(plans_.ApproveReport(hung_yen_, approve).status().code(),
            absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::Report> approved = plans_.ApproveReport(hanoi_, approve);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->state(), v1::REPORT_STATE_APPROVED);
  absl::Status again = plans_.ApproveReport(hanoi_, approve).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  r.set_request_id("pc02-h1-v2");
  absl::Status replaced = plans_.SubmitReport(police_, r).status();
  EXPECT_EQ(replaced.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(replaced.message(), HasSubstr("APPROVED"));
}

TEST_F(PlansTest, AReportForAPeriodOrTargetThePlanDoesNotAskForIsRefusedByField) {
  Import(HanoiPlan());
  v1::SubmitReportRequest r;
  r.set_request_id("pc02-bad");
  r.set_plan("plans/hn-test-2024");
  r.set_period("2024-Q1");
  EXPECT_THAT(ViolatedFields(plans_.SubmitReport(police_, r).status()), Contains("period"));
  r.set_period("2024-H1");
  r.add_values()->set_target_id("1");   // computed
  r.add_values()->set_target_id("42");  // unknown
  EXPECT_THAT(ViolatedFields(plans_.SubmitReport(police_, r).status()),
              UnorderedElementsAre("values[0].target_id", "values[1].target_id"));
  v1::ListReportsRequest list;
  list.set_plan("plans/hn-test-2024");
  EXPECT_THAT(plans_.ListReports(list)->reports(), IsEmpty()) << "nothing was stored";
}

TEST_F(PlansTest, TheGeneratedReportHasTheTargetsTheHotspotsAndTheMissingReports) {
  Import(HanoiPlan());
  const auto t1 = Tip("t1", "268", "2024-02-01"), t2 = Tip("t2", "268", "2024-03-01");
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, {&t1, &t2}));
  v1::SubmitReportRequest submit;
  submit.set_request_id("pc02-h1");
  submit.set_plan("plans/hn-test-2024");
  submit.set_period("2024-H1");
  submit.set_narrative("Đã triệt phá 2 đường dây <mại dâm>.");
  ASSERT_TRUE(plans_.SubmitReport(police_, submit).ok());

  v1::GenerateReportRequest r;
  r.set_plan("plans/hn-test-2024");
  r.set_period("2024-H1");
  r.set_format(v1::REPORT_FORMAT_MARKDOWN);
  r.set_as_of_date("2024-06-30");
  absl::StatusOr<v1::GenerateReportResponse> md = plans_.GenerateReport(r);
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_THAT(md->title(), HasSubstr("6 tháng đầu năm 2024"));
  EXPECT_THAT(md->document(), HasSubstr("Kế hoạch phòng, chống mại dâm năm 2024"));
  EXPECT_THAT(md->document(), HasSubstr("| 1 | Chỉ tiêu 1 |"));
  EXPECT_THAT(md->document(), HasSubstr("Khu vực đường Ngọc Hồi"));
  EXPECT_THAT(md->document(), HasSubstr("SYT-HN")) << "the missing report is listed";
  EXPECT_THAT(md->document(), HasSubstr("> Đã triệt phá 2 đường dây"));
  EXPECT_THAT(md->document(), HasSubstr("| Khu vực đường Ngọc Hồi | Huyện Thanh Trì |"))
      << "units by name";

  r.set_format(v1::REPORT_FORMAT_HTML);
  absl::StatusOr<v1::GenerateReportResponse> html = plans_.GenerateReport(r);
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_THAT(html->document(), HasSubstr("<table"));
  EXPECT_THAT(html->document(), HasSubstr("&lt;mại dâm&gt;")) << "narratives are escaped";
  EXPECT_THAT(html->document(), ::testing::Not(HasSubstr("<mại dâm>")));
  EXPECT_THAT(html->document(), HasSubstr("lang=\"vi\""));

  r.set_period("2024-Q3");
  EXPECT_THAT(ViolatedFields(plans_.GenerateReport(r).status()), ElementsAre("period"));
}

// ---------------------------------------------------------------------------------
// Documents and bad input

TEST_F(PlansTest, ImportNamesEveryErrorByItsPathAndStoresNothing) {
  v1::Plan bad = HanoiPlan();
  bad.mutable_targets(2)->mutable_numerator()->set_metric("tips.imaginary");
  bad.mutable_targets(0)->mutable_sub_targets(0)->set_id("1");
  bad.mutable_targets(1)->clear_denominator();
  bad.set_unit_code("99");
  bad.mutable_hotspots(0)->set_code("Ngọc Hồi");
  bad.mutable_reporting(0)->set_due("17/6");
  v1::ImportPlanRequest r;
  r.set_request_id("import-bad");
  r.set_document(PlanDocument(bad));
  const absl::Status status = plans_.ImportPlan(operator_, r).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(status),
              ::testing::IsSupersetOf({"targets[2].numerator.metric",
                                       "targets[0].sub_targets[0].id", "targets[1].denominator",
                                       "unit_code", "hotspots[0].code", "reporting[0].due"}));
  EXPECT_EQ(plans_.GetPlan("plans/hn-test-2024").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(plans_.GetHotspot("hotspots/hn-tt-ngoc-hoi").status().code(),
            absl::StatusCode::kNotFound);

  r.set_document("{\"code\": \"x\", \"targets\": 7}");
  EXPECT_THAT(ViolatedFields(plans_.ImportPlan(operator_, r).status()), ElementsAre("document"));
}

TEST_F(PlansTest, AnExportedPlanImportsBackToTheSameDocument) {
  const v1::Plan imported = Import(HanoiPlan());
  absl::StatusOr<std::string> exported = plans_.ExportPlan("plans/hn-test-2024");
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_THAT(*exported, HasSubstr("\"period_start\": \"2024-01-01\""));
  EXPECT_THAT(*exported, HasSubstr("Khu vực đường Ngọc Hồi")) << "diacritics kept, not escaped";
  absl::StatusOr<v1::Plan> parsed = ParsePlanDocument(*exported);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(DocumentOnly(*parsed).SerializeAsString(), DocumentOnly(imported).SerializeAsString());
  // Importing the same document again answers with the stored plan.
  v1::ImportPlanRequest again;
  again.set_request_id("import-again");
  again.set_document(*exported);
  again.set_issue(true);
  absl::StatusOr<v1::Plan> same = plans_.ImportPlan(operator_, again);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->etag(), imported.etag());
  // A different document under an issued code is refused.
  v1::Plan changed = HanoiPlan();
  changed.set_title("Kế hoạch khác");
  again.set_request_id("import-changed");
  again.set_document(PlanDocument(changed));
  EXPECT_EQ(plans_.ImportPlan(operator_, again).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(PlansTest, APlanBeyondTheCallersUnitIsRefused) {
  v1::ImportPlanRequest r;
  r.set_request_id("import-hy");
  r.set_document(PlanDocument(HanoiPlan()));
  EXPECT_EQ(plans_.ImportPlan(hung_yen_, r).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(plans_.GetPlan("plans/hn-test-2024").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PlansTest, OnlyTheLeadAgencyUpdatesATaskAndOnlyOnceIssued) {
  Import(HanoiPlan(), /*issue=*/false);
  v1::UpdateTaskStatusRequest r;
  r.set_plan("plans/hn-test-2024");
  r.set_task_number("1.1");
  r.set_status(v1::TASK_STATUS_IN_PROGRESS);
  r.set_note("Đã tổ chức 3 buổi tuyên truyền.");
  absl::Status draft = plans_.UpdateTaskStatus(police_, r).status();
  EXPECT_EQ(draft.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(draft.message(), HasSubstr("DRAFT"));
  v1::IssuePlanRequest issue;
  issue.set_name("plans/hn-test-2024");
  ASSERT_TRUE(plans_.IssuePlan(hanoi_, issue).ok());
  EXPECT_EQ(plans_.UpdateTaskStatus(health_, r).status().code(),
            absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::Task> task = plans_.UpdateTaskStatus(police_, r);
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->status(), v1::TASK_STATUS_IN_PROGRESS);
  ASSERT_EQ(task->updates_size(), 1);
  EXPECT_EQ(task->updates(0).agency_code(), "CA-HN-PC02");
  EXPECT_EQ(task->updates(0).date(), "2024-06-10");
  r.set_task_number("9.9");
  EXPECT_EQ(plans_.UpdateTaskStatus(police_, r).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PlansTest, PeopleReachedByAudienceFeedATargetAndActivitiesAreListed) {
  v1::Plan plan = HanoiPlan();
  *plan.add_targets() =
      Computed("9", v1::TARGET_KIND_COUNT, 25000,
               M("activities.people_reached", {"audience=AUDIENCE_INDUSTRIAL_ZONE_WORKERS"}));
  Import(plan);
  Activity("a1", "09964", "2024-01-15", 1200);
  Activity("a2", "00037", "2024-02-15", 800);
  Activity("a2", "00037", "2024-02-15", 800);  // A retry: the same activity.
  const v1::TargetProgress workers = TargetOf(Progress("2024-06-30"), "9");
  EXPECT_EQ(workers.value(), 2000);
  EXPECT_EQ(workers.status(), v1::PROGRESS_STATUS_BEHIND);
  v1::ListActivitiesRequest list;
  list.set_unit_code("268");
  absl::StatusOr<v1::ListActivitiesResponse> in_thanh_tri = plans_.ListActivities(list);
  ASSERT_TRUE(in_thanh_tri.ok()) << in_thanh_tri.status();
  ASSERT_EQ(in_thanh_tri->activities_size(), 1);
  EXPECT_EQ(in_thanh_tri->activities(0).unit_code(), "09964");
  v1::RecordActivityRequest bad;
  bad.set_request_id("bad");
  bad.mutable_activity()->set_unit_code("09964");
  bad.mutable_activity()->set_date("2099-01-01");
  bad.mutable_activity()->add_audiences()->set_people(-5);
  EXPECT_THAT(ViolatedFields(plans_.RecordActivity(hanoi_, bad).status()),
              ::testing::IsSupersetOf({"activity.kind", "activity.date"}));
}

}  // namespace
}  // namespace pcmd::plans
