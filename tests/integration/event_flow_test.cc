// The services as one system over a real Redis: what intake records reaches plans and
// inspections through the outbox, the streams and their consumers, and a restart of
// Redis loses nothing; what an inspection suspects reaches intake as a tip; a person
// the police hand over reaches referrals as outreach work and walks the referral loop.
#include <signal.h>

#include <iterator>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/redis_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/admin.grpc.pb.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "tests/integration/service_process.h"

namespace pcmd::integration {
namespace {

// The service's event stats; a failed call fails the test (empty stats would make
// the lag checks pass vacuously).
events::v1::GetEventStatsResponse Stats(const RunningBinary& b) {
  auto stub = events::v1::EventAdminService::NewStub(ChannelAs(b.target(), "operator"));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  events::v1::GetEventStatsResponse response;
  const grpc::Status status = stub->GetEventStats(&ctx, {}, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

// Tips counted by plans for Thanh Trì (268), read from its own database file.
int64_t TipsCountedByPlans(const TempDir& dir) {
  auto db =
      storage::SqliteDatabase::Open({.path = dir.File("plans/plans.db"), .migrate = false}, {});
  if (!db.ok()) return -1;
  int64_t n = -1;
  (void)(*db)->Read([&](storage::Transaction& tx) -> absl::Status {
    auto row = tx.QueryOne(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS INTEGER) FROM counters"
        " WHERE metric = 'tips.received' AND dim = '' AND unit_code = '268'");
    if (row.ok() && row->has_value()) n = (*row)->Int(0);
    return absl::OkStatus();
  });
  return n;
}

// Registers the massage parlour the tips name, as the Hà Nội police; returns its name.
std::string RegisterEstablishment(const RunningBinary& inspections) {
  auto stub =
      inspections::v1::InspectionsService::NewStub(ChannelAs(inspections.target(), "police-hanoi"));
  inspections::v1::CreateEstablishmentRequest request;
  request.set_request_id("massage-hoa-sen");
  request.set_display_name("Massage Hoa Sen");
  request.set_business_type(inspections::v1::BUSINESS_TYPE_MASSAGE);
  request.set_address("Số 12 đường Ngọc Hồi, Hà Nội");
  request.set_unit_code("01");
  inspections::v1::CreateEstablishmentResponse response;
  grpc::ClientContext ctx;
  StateUse(ctx, "officer-0001", "establishment-registry");
  const grpc::Status status = stub->CreateEstablishment(&ctx, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.establishment().name();
}

grpc::Status Submit(const RunningBinary& intake, const std::string& request_id,
                    const std::string& establishment = "") {
  auto stub = intake::v1::IntakeService::NewStub(ChannelAs(intake.target(), "police-hanoi"));
  intake::v1::SubmitTipRequest request;
  request.set_request_id(request_id);
  request.set_channel(intake::v1::CHANNEL_HOTLINE);
  request.set_legal_kind(intake::v1::LEGAL_KIND_DENUNCIATION);
  request.set_category(intake::v1::CATEGORY_ESTABLISHMENT);
  request.set_unit_code("268");
  request.set_establishment(establishment);
  intake::v1::SubmitTipResponse response;
  grpc::ClientContext ctx;
  StateUse(ctx);
  return stub->SubmitTip(&ctx, request, &response);
}

TEST(EventFlow, ATipReachesPlansAndInspectionsThroughTheBusEvenAcrossARedisRestart) {
  testing::RedisServer redis;
  TempDir dir;
  const std::vector<std::string> bus = {"--redis=" + redis.address(), "--event-claim-idle=500ms"};
  RunningBinary plans(kServices[0], dir, "127.0.0.1:0", bus);
  RunningBinary inspections(kServices[2], dir, "127.0.0.1:0", bus);
  std::vector<std::string> intake_flags = bus;
  intake_flags.push_back("--inspections=" + inspections.target());
  RunningBinary intake(kServices[1], dir, "127.0.0.1:0", intake_flags);
  ASSERT_GT(plans.port(), 0) << plans.log();
  ASSERT_GT(intake.port(), 0) << intake.log();
  ASSERT_GT(inspections.port(), 0) << inspections.log();
  // Plans publishes the units; intake and inspections apply them from the bus.
  ASSERT_TRUE(RegisterTestUnits(plans.target(), intake.target())) << intake.log();
  const int64_t units = std::size(kTestUnits);
  ASSERT_TRUE(Eventually([&] { return Stats(inspections).applied() == units; }))
      << inspections.log();
  const std::string parlour = RegisterEstablishment(inspections);

  // Intake asks inspections (service to service, each with its own certificate).
  ASSERT_TRUE(Submit(intake, "flow-1", parlour).ok());
  // Intake published TipReceived and EstablishmentReported; plans counts the tip (and
  // the establishment inspections registered), inspections applies both.
  EXPECT_TRUE(Eventually([&] { return Stats(intake).outbox_backlog() == 0; })) << intake.log();
  EXPECT_TRUE(Eventually([&] { return TipsCountedByPlans(dir) == 1; })) << plans.log();
  EXPECT_TRUE(Eventually([&] { return Stats(inspections).applied() == units + 2; }))
      << inspections.log();

  // Redis goes away: writes still succeed and wait in the outbox.
  redis.Stop();
  ASSERT_TRUE(Submit(intake, "flow-2", parlour).ok());
  ASSERT_TRUE(Submit(intake, "flow-3", parlour).ok());
  EXPECT_TRUE(Eventually([&] { return Stats(intake).outbox_backlog() == 4; }));
  redis.Start();
  EXPECT_TRUE(Eventually([&] { return Stats(intake).outbox_backlog() == 0; })) << intake.log();
  EXPECT_TRUE(Eventually([&] { return TipsCountedByPlans(dir) == 3; })) << plans.log();
  EXPECT_TRUE(Eventually([&] { return Stats(inspections).applied() == units + 6; }))
      << inspections.log();
  EXPECT_EQ(TipsCountedByPlans(dir), 3);
  const auto final_stats = Stats(plans);
  EXPECT_EQ(final_stats.dead_letters(), 0);
  ASSERT_FALSE(final_stats.consumer_lag().empty());
  for (const auto& lag : final_stats.consumer_lag()) EXPECT_EQ(lag.lag(), 0) << lag.stream();
}

TEST(EventFlow, AnInstanceThatCannotListenLeavesTheEventsToTheOneThatServes) {
  testing::RedisServer redis;
  TempDir dir;
  const std::vector<std::string> bus = {"--redis=" + redis.address()};
  RunningBinary intake(kServices[1], dir, "127.0.0.1:0", bus);
  ASSERT_GT(intake.port(), 0) << intake.log();
  {
    // Intake learns the units from a plans instance that then stops, so that the tip
    // below waits on the bus for a plans that is not running yet.
    RunningBinary first(kServices[0], dir, "127.0.0.1:0", bus);
    ASSERT_GT(first.port(), 0) << first.log();
    ASSERT_TRUE(RegisterTestUnits(first.target(), intake.target())) << intake.log();
    first.process().Signal(SIGTERM);
    ASSERT_EQ(first.process().Wait(absl::Seconds(15)), std::optional<int>(0)) << first.log();
  }
  ASSERT_TRUE(Submit(intake, "busy-1").ok());
  ASSERT_TRUE(Eventually([&] { return Stats(intake).outbox_backlog() == 0; }));
  {
    // A plans instance pointed at a port that is taken (intake's) fails to start...
    TempDir other;
    RunningBinary failed(kServices[0], other, intake.target(), bus);
    ASSERT_EQ(failed.process().Wait(absl::Seconds(15)), std::optional<int>(1)) << failed.log();
  }
  // ...and the one that serves still receives the tip (one TipReceived).
  RunningBinary plans(kServices[0], dir, "127.0.0.1:0", bus);
  ASSERT_GT(plans.port(), 0) << plans.log();
  EXPECT_TRUE(Eventually([&] { return Stats(plans).applied() == 1; })) << plans.log();
  EXPECT_EQ(TipsCountedByPlans(dir), 1);
}

// Runs pcmd-events with `args`; returns its exit code and fills `output`.
int PcmdEvents(const TempDir& dir, const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv = {PCMD_EVENTS_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  for (const char* file : {"ca", "operator"}) {
    const std::string flag = std::string(file) == "ca" ? "--tls-ca=" : "--tls-cert=";
    argv.push_back(absl::StrCat(flag, TestCerts(), "/", file, ".crt"));
  }
  argv.push_back(absl::StrCat("--tls-key=", TestCerts(), "/operator.key"));
  const std::string log = dir.File("pcmd-events.out");
  std::remove(log.c_str());
  Subprocess tool(argv, log);
  const int code = tool.Wait(absl::Seconds(30)).value_or(-1);
  *output = testing::ReadFile(log);
  return code;
}

TEST(EventFlow, AnOperatorCanRepublishEverythingWithoutCountingAnythingTwice) {
  testing::RedisServer redis;
  TempDir dir;
  const std::vector<std::string> bus = {"--redis=" + redis.address()};
  RunningBinary plans(kServices[0], dir, "127.0.0.1:0", bus);
  RunningBinary intake(kServices[1], dir, "127.0.0.1:0", bus);
  ASSERT_GT(plans.port(), 0) << plans.log();
  ASSERT_GT(intake.port(), 0) << intake.log();
  ASSERT_TRUE(RegisterTestUnits(plans.target(), intake.target())) << intake.log();
  ASSERT_TRUE(Submit(intake, "op-1").ok());
  ASSERT_TRUE(Submit(intake, "op-2").ok());
  ASSERT_TRUE(Eventually([&] { return Stats(plans).applied() == 2; })) << plans.log();

  std::string out;
  ASSERT_EQ(PcmdEvents(dir, {"stats", "--target=" + plans.target()}, &out), 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("applied events      2"));
  // The recovery after Redis lost data: publish everything again.
  ASSERT_EQ(
      PcmdEvents(dir, {"republish", "--target=" + intake.target(), "--since=2000-01-01T00:00:00Z"},
                 &out),
      0)
      << out;
  EXPECT_THAT(out, ::testing::HasSubstr("2 events will be published again"));
  ASSERT_TRUE(Eventually([&] { return Stats(intake).outbox_backlog() == 0; }));
  // Give plans time to read the copies, then check it skipped them.
  ASSERT_TRUE(Eventually([&] {
    const auto stats = Stats(plans);  // Keep it alive while iterating its lags.
    if (stats.consumer_lag().empty()) return false;
    for (const auto& lag : stats.consumer_lag()) {
      if (lag.lag() != 0) return false;
    }
    return true;
  }));
  EXPECT_EQ(Stats(plans).applied(), 2);
  EXPECT_EQ(TipsCountedByPlans(dir), 2);  // Each tip counted once, not twice.

  ASSERT_EQ(PcmdEvents(dir, {"dead-letters", "--redis=" + redis.address(), "--group=plans"}, &out),
            0)
      << out;
  EXPECT_THAT(out, ::testing::HasSubstr("0 dead letter(s)"));
  EXPECT_EQ(
      PcmdEvents(dir, {"republish", "--target=" + intake.target(), "--since=yesterday"}, &out), 2);
}

// Today in Vietnam (UTC+7), as the services count days.
std::string VietnamToday() {
  return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600)));
}

// A client context with a deadline that states the end user and the purpose of use.
void StateUseWithDeadline(grpc::ClientContext& ctx, const std::string& purpose) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  StateUse(ctx, "officer-0001", purpose);
}

TEST(EventFlow, AnInspectionThatSuspectsACrimeBecomesATeam178TipForThePolice) {
  testing::RedisServer redis;
  TempDir dir;
  const std::vector<std::string> bus = {"--redis=" + redis.address()};
  RunningBinary plans(kServices[0], dir, "127.0.0.1:0", bus);
  RunningBinary inspections(kServices[2], dir, "127.0.0.1:0", bus);
  std::vector<std::string> intake_flags = bus;
  intake_flags.push_back("--inspections=" + inspections.target());
  RunningBinary intake(kServices[1], dir, "127.0.0.1:0", intake_flags);
  ASSERT_GT(plans.port(), 0) << plans.log();
  ASSERT_GT(inspections.port(), 0) << inspections.log();
  ASSERT_GT(intake.port(), 0) << intake.log();
  ASSERT_TRUE(RegisterTestUnits(plans.target(), intake.target())) << intake.log();

  auto team = inspections::v1::InspectionsService::NewStub(
      ChannelAs(inspections.target(), "team178-thanhtri"));
  // Inspections learns the units from the same events as intake.
  grpc::Status listed;
  ASSERT_TRUE(Eventually([&] {
    inspections::v1::ListEstablishmentsRequest request;
    request.set_unit_code("268");
    inspections::v1::ListEstablishmentsResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "establishment-registry");
    listed = team->ListEstablishments(&ctx, request, &response);
    return listed.ok();
  })) << listed.error_message()
      << "\n"
      << inspections.log();
  const std::string today = VietnamToday();

  // The Team 178 of Thanh Trì registers a massage parlour (no owner known).
  std::string parlour;
  {
    inspections::v1::CreateEstablishmentRequest request;
    request.set_request_id("massage-sen-vang");
    request.set_display_name("Massage Sen Vàng");
    request.set_business_type(inspections::v1::BUSINESS_TYPE_MASSAGE);
    request.set_address("Số 45 đường Ngọc Hồi, xã Ngọc Hồi, Thanh Trì, Hà Nội");
    request.set_unit_code("268");
    inspections::v1::CreateEstablishmentResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "establishment-registry");
    const grpc::Status status = team->CreateEstablishment(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    parlour = response.establishment().name();
  }

  // The Hà Nội social-affairs authority sets up the team (it leads Teams 178).
  std::string team_name;
  {
    auto social = inspections::v1::InspectionsService::NewStub(
        ChannelAs(inspections.target(), "social-affairs-hanoi"));
    inspections::v1::CreateTeamRequest request;
    request.set_request_id("team-178-thanh-tri");
    inspections::v1::Team& t = *request.mutable_team();
    t.set_display_name("Đội kiểm tra liên ngành 178 huyện Thanh Trì");
    t.set_level(inspections::v1::TEAM_LEVEL_DISTRICT);
    t.set_unit_code("268");
    t.set_agency_code("DKT178-TT");
    t.set_decision("Quyết định số 1234/QĐ-UBND ngày 15/3/2024");
    inspections::v1::TeamMember& leader = *t.add_members();
    leader.set_display_name("Bà Trần Thị Lan, Phó trưởng phòng Y tế");
    leader.set_agency(inspections::v1::MEMBER_AGENCY_SOCIAL_AFFAIRS);
    leader.set_role(inspections::v1::MEMBER_ROLE_LEADER);
    inspections::v1::TeamMember& officer = *t.add_members();
    officer.set_display_name("Ông Nguyễn Văn Hùng, Công an huyện Thanh Trì");
    officer.set_agency(inspections::v1::MEMBER_AGENCY_POLICE);
    officer.set_role(inspections::v1::MEMBER_ROLE_MEMBER);
    t.set_active_from("2024-01-01");
    t.set_monthly_capacity(10);
    inspections::v1::CreateTeamResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "team-registry");
    const grpc::Status status = social->CreateTeam(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    team_name = response.team().name();
  }

  // The team plans a surprise inspection for today...
  std::string inspection;
  {
    inspections::v1::ScheduleInspectionRequest request;
    request.set_request_id("surprise-sen-vang");
    request.set_establishment(parlour);
    request.set_team(team_name);
    request.set_kind(inspections::v1::INSPECTION_KIND_SURPRISE);
    request.set_planned_date(today);
    inspections::v1::ScheduleInspectionResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "inspection");
    const grpc::Status status = team->ScheduleInspection(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    inspection = response.inspection().name();
  }

  // ...against a very serious violation the law in force today names.
  std::string reference;
  {
    inspections::v1::ListLegalReferencesRequest request;
    request.set_valid_on(today);
    inspections::v1::ListLegalReferencesResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "inspection");
    const grpc::Status status = team->ListLegalReferences(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const inspections::v1::LegalReference& r : response.legal_references()) {
      if (r.severity() == inspections::v1::SEVERITY_VERY_SERIOUS) {
        reference = r.code();
        break;
      }
    }
    ASSERT_FALSE(reference.empty()) << "no very serious legal reference valid on " << today;
  }

  // The team finds a girl under 18 selling sex there: a crime is suspected.
  const std::string person = "Lò Thị Kiểm Tra Một";
  const std::string findings =
      "Phát hiện một cô gái dưới 18 tuổi bán dâm tại phòng 2 tầng 3 của cơ sở Sen Vàng";
  {
    inspections::v1::RecordInspectionResultRequest request;
    request.set_name(inspection);
    request.set_request_id("result-sen-vang");
    request.set_inspection_date(today);
    inspections::v1::InspectionResult& r = *request.mutable_result();
    r.set_findings(findings);
    inspections::v1::Violation& violation = *r.add_violations();
    violation.set_legal_reference(reference);
    violation.set_description("Chứa chấp hoạt động mua bán dâm tại cơ sở");
    r.set_owners_informed(1);
    r.set_workers_informed(4);
    inspections::v1::PersonMet& met = *r.add_persons_met();
    met.set_full_name(person);
    met.set_minor(true);
    r.set_crime_suspected(true);
    r.set_minor_involved(true);
    inspections::v1::RecordInspectionResultResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "inspection");
    const grpc::Status status = team->RecordInspectionResult(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.inspection().state(), inspections::v1::INSPECTION_STATE_COMPLETED);
  }

  // Intake turns the CrimeSuspected event into a crime report from the Team 178, which
  // the Hà Nội police see in their province.
  auto police = intake::v1::IntakeService::NewStub(ChannelAs(intake.target(), "police-hanoi"));
  intake::v1::Tip tip;
  grpc::Status read;
  ASSERT_TRUE(Eventually([&] {
    intake::v1::ListTipsRequest request;
    request.set_unit_code("268");
    request.set_view(intake::v1::TIP_VIEW_FULL);
    intake::v1::ListTipsResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "tip-handling");
    read = police->ListTips(&ctx, request, &response);
    for (const intake::v1::Tip& t : response.tips()) {
      if (t.channel() == intake::v1::CHANNEL_TEAM_178 && t.establishment() == parlour) {
        tip = t;
        return true;
      }
    }
    return false;
  })) << read.error_message()
      << "\n"
      << intake.log();
  EXPECT_EQ(tip.legal_kind(), intake::v1::LEGAL_KIND_CRIME_REPORT);
  EXPECT_EQ(tip.category(), intake::v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION);
  EXPECT_EQ(tip.unit_code(), "268");
  EXPECT_EQ(tip.state(), intake::v1::TIP_STATE_RECEIVED);
  // The Team 178 received it and holds its first stage...
  EXPECT_EQ(tip.receiving_agency(), "DKT178-TT");
  EXPECT_EQ(tip.responsible_agency(), "DKT178-TT");
  EXPECT_EQ(tip.responsible_unit(), "268");
  // ...and the routing rules propose the provincial police for a child exploited.
  EXPECT_EQ(tip.proposed_route().agency_kind(), "police");
  EXPECT_EQ(tip.proposed_route().unit_code(), "01");
  EXPECT_EQ(tip.proposed_route().rule(), "child-exploitation");
  // It points at the inspection without copying what the team found or whom it met.
  EXPECT_THAT(tip.description(), ::testing::HasSubstr(inspection));
  EXPECT_THAT(tip.description(), ::testing::Not(::testing::HasSubstr(person)));
  EXPECT_THAT(tip.description(), ::testing::Not(::testing::HasSubstr(findings)));
  EXPECT_TRUE(tip.persons().empty());
  EXPECT_FALSE(tip.has_reporter());

  // Everything was published and intake read every event without a dead letter.
  EXPECT_TRUE(Eventually([&] { return Stats(inspections).outbox_backlog() == 0; }))
      << inspections.log();
  EXPECT_TRUE(Eventually([&] {
    const auto stats = Stats(intake);  // Keep it alive while iterating its lags.
    if (stats.consumer_lag().empty()) return false;
    for (const auto& lag : stats.consumer_lag()) {
      if (lag.lag() != 0) return false;
    }
    return true;
  })) << intake.log();
  EXPECT_EQ(Stats(intake).dead_letters(), 0) << intake.log();
  // Not checked here: that `person` and `findings` stay off the Redis streams. This
  // target links no Redis client to read them (tests/security/leak_test.cc does).
}

TEST(EventFlow, APersonHandedOverByPoliceIsReachedReferredAndServedUntilTheLoopCloses) {
  namespace rv1 = referrals::v1;
  testing::RedisServer redis;
  TempDir dir;
  const std::vector<std::string> bus = {"--redis=" + redis.address()};
  RunningBinary plans(kServices[0], dir, "127.0.0.1:0", bus);
  RunningBinary intake(kServices[1], dir, "127.0.0.1:0", bus);
  RunningBinary referrals(kServices[3], dir, "127.0.0.1:0", bus);
  ASSERT_GT(plans.port(), 0) << plans.log();
  ASSERT_GT(intake.port(), 0) << intake.log();
  ASSERT_GT(referrals.port(), 0) << referrals.log();
  ASSERT_TRUE(RegisterTestUnits(plans.target(), intake.target(), "", referrals.target()))
      << referrals.log();
  const std::string today = VietnamToday();
  auto worker =
      rv1::ReferralsService::NewStub(ChannelAs(referrals.target(), "social-affairs-hanoi"));
  auto provider =
      rv1::ProviderInboxService::NewStub(ChannelAs(referrals.target(), "provider-hanoi"));

  // The Hà Nội social-work centre is in the directory, receiving through its own system.
  std::string centre;
  {
    rv1::CreateProviderRequest request;
    request.set_request_id("ctxh-hanoi");
    request.set_display_name("Trung tâm Công tác xã hội Hà Nội");
    request.set_kind(rv1::PROVIDER_KIND_SOCIAL_WORK_CENTRE);
    request.add_services(rv1::SERVICE_TYPE_PSYCHOLOGICAL_COUNSELLING);
    request.add_services(rv1::SERVICE_TYPE_HIV_STI_TESTING);
    request.set_unit_code("01");
    request.set_agency_code("CTXH-HN");
    rv1::CreateProviderResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "provider-directory");
    const grpc::Status status = worker->CreateProvider(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    centre = response.provider().name();
  }

  // The police hand over a woman found during a raid in Thanh Trì.
  {
    auto police = intake::v1::IntakeService::NewStub(ChannelAs(intake.target(), "police-hanoi"));
    intake::v1::CreateHandOverRequest request;
    request.set_request_id("raid-ngoc-hoi");
    request.mutable_hand_over()->set_unit_code("268");
    request.mutable_hand_over()->set_found_date(today);
    intake::v1::HandedOverPerson* person = request.mutable_hand_over()->add_persons();
    person->set_full_name("Lò Thị Mai");
    person->set_id_number("014199001234");
    intake::v1::CreateHandOverResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "raid-follow-up");
    const grpc::Status status = police->CreateHandOver(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // It becomes an outreach task for the social-affairs authority, through the bus.
  rv1::OutreachTask task;
  ASSERT_TRUE(Eventually([&] {
    rv1::ListOutreachTasksRequest request;
    request.set_unit_code("268");
    rv1::ListOutreachTasksResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "outreach");
    if (!worker->ListOutreachTasks(&ctx, request, &response).ok() || response.tasks_size() != 1) {
      return false;
    }
    task = response.tasks(0);
    return true;
  })) << referrals.log();
  EXPECT_EQ(task.source(), rv1::OUTREACH_SOURCE_POLICE_HAND_OVER);
  EXPECT_THAT(task.pseudonym(), ::testing::StartsWith("psn_"));

  // The case worker reaches her; she becomes a client with the same pseudonym...
  std::string client;
  {
    rv1::RegisterClientRequest request;
    request.set_request_id("client-mai");
    request.set_unit_code("268");
    request.set_source(rv1::CLIENT_SOURCE_POLICE_HAND_OVER);
    request.set_outreach_task(task.name());
    request.mutable_identity()->set_full_name("Lò Thị Mai");
    request.mutable_identity()->set_id_number("014199001234");
    rv1::RegisterClientResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "case-work");
    const grpc::Status status = worker->RegisterClient(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.client().pseudonym(), task.pseudonym());
    client = response.client().name();
  }
  {
    rv1::CloseOutreachTaskRequest request;
    request.set_name(task.name());
    request.set_outcome(rv1::OUTREACH_TASK_STATE_CONTACTED);
    request.set_client(client);
    request.set_contact_date(today);
    rv1::CloseOutreachTaskResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "outreach");
    const grpc::Status status = worker->CloseOutreachTask(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // ...and agrees to counselling, her name shared with the centre.
  const auto refer = [&](const std::string& request_id, rv1::CreateReferralResponse* response) {
    rv1::CreateReferralRequest request;
    request.set_request_id(request_id);
    request.set_client(client);
    request.set_provider(centre);
    request.set_service_type(rv1::SERVICE_TYPE_PSYCHOLOGICAL_COUNSELLING);
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "case-work");
    return worker->CreateReferral(&ctx, request, response);
  };
  rv1::CreateReferralResponse refused;
  EXPECT_EQ(refer("ref-before-consent", &refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  {
    rv1::GiveConsentRequest request;
    request.set_request_id("consent-mai");
    request.set_client(client);
    request.set_basis(rv1::CONSENT_BASIS_CLIENT_CONSENT);
    request.add_provider_kinds(rv1::PROVIDER_KIND_SOCIAL_WORK_CENTRE);
    request.add_service_types(rv1::SERVICE_TYPE_PSYCHOLOGICAL_COUNSELLING);
    request.add_shared_fields(rv1::SHARED_FIELD_FULL_NAME);
    request.set_given_date(today);
    const absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600));
    request.set_expire_date(absl::FormatCivilTime(day + 180));
    rv1::GiveConsentResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "case-work");
    const grpc::Status status = worker->GiveConsent(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  rv1::CreateReferralResponse sent;
  {
    const grpc::Status status = refer("ref-counselling", &sent);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  const std::string referral = sent.referral().name();

  // The centre's system receives it on its watch, and sees the name it may see.
  {
    rv1::WatchInboxRequest request;
    request.set_cursor("c0");
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    StateUse(ctx, "intake-desk", "referrals");
    auto stream = provider->WatchInbox(&ctx, request);
    rv1::WatchInboxResponse change;
    ASSERT_TRUE(stream->Read(&change));
    EXPECT_EQ(change.referral(), referral);
    EXPECT_EQ(change.change(), "ReferralSent");
    ctx.TryCancel();
  }
  {
    rv1::GetInboxReferralRequest request;
    request.set_name(referral);
    rv1::GetInboxReferralResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "referrals");
    const grpc::Status status = provider->GetInboxReferral(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.referral().full_name(), "Lò Thị Mai");
    EXPECT_EQ(response.referral().id_number(), "");
  }
  // The police cannot act as a provider.
  {
    auto police = rv1::ProviderInboxService::NewStub(ChannelAs(referrals.target(), "police-hanoi"));
    rv1::AcceptReferralRequest request;
    request.set_name(referral);
    rv1::AcceptReferralResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "referrals");
    EXPECT_EQ(police->AcceptReferral(&ctx, request, &response).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  // The centre accepts, delivers a session and closes the loop.
  {
    rv1::AcceptReferralRequest request;
    request.set_name(referral);
    rv1::AcceptReferralResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "referrals");
    const grpc::Status status = provider->AcceptReferral(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  {
    rv1::RecordServiceDeliveryRequest request;
    request.set_name(referral);
    request.set_delivery_date(today);
    rv1::RecordServiceDeliveryResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "referrals");
    const grpc::Status status = provider->RecordServiceDelivery(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  {
    rv1::CompleteReferralRequest request;
    request.set_name(referral);
    request.set_outcome(rv1::OUTCOME_COMPLETED);
    rv1::CompleteReferralResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "referrals");
    const grpc::Status status = provider->CompleteReferral(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  {
    rv1::GetReferralRequest request;
    request.set_name(referral);
    rv1::GetReferralResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "case-work");
    const grpc::Status status = worker->GetReferral(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.referral().state(), rv1::REFERRAL_STATE_COMPLETED);
    EXPECT_EQ(response.referral().deliveries(), 1);
    EXPECT_EQ(response.referral().outcome(), rv1::OUTCOME_COMPLETED);
  }
}

}  // namespace
}  // namespace pcmd::integration
