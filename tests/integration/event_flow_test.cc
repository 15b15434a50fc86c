// The services as one system over a real Redis: what intake records reaches plans and
// inspections through the outbox, the streams and their consumers, and a restart of
// Redis loses nothing.
#include <signal.h>

#include <iterator>
#include <memory>

#include "absl/time/clock.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/redis_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/admin.grpc.pb.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
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
    auto row = tx.QueryOne("SELECT COALESCE(SUM(tips), 0) FROM tip_counts WHERE unit_code = '268'");
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
  // Intake published TipReceived and EstablishmentReported; plans applies the first
  // (it counts tips) and records both in its inbox, inspections likewise.
  EXPECT_TRUE(Eventually([&] { return Stats(intake).outbox_backlog() == 0; })) << intake.log();
  EXPECT_TRUE(Eventually([&] { return Stats(plans).applied() == 2; })) << plans.log();
  EXPECT_TRUE(Eventually([&] { return Stats(inspections).applied() == units + 2; }))
      << inspections.log();

  // Redis goes away: writes still succeed and wait in the outbox.
  redis.Stop();
  ASSERT_TRUE(Submit(intake, "flow-2", parlour).ok());
  ASSERT_TRUE(Submit(intake, "flow-3", parlour).ok());
  EXPECT_TRUE(Eventually([&] { return Stats(intake).outbox_backlog() == 4; }));
  redis.Start();
  EXPECT_TRUE(Eventually([&] { return Stats(intake).outbox_backlog() == 0; })) << intake.log();
  EXPECT_TRUE(Eventually([&] { return Stats(plans).applied() == 6; })) << plans.log();
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

}  // namespace
}  // namespace pcmd::integration
