// Launches the four real service binaries on free ports, as deploy/run.sh does, and
// checks what an operator relies on: every service answers the standard health check
// as SERVING, SIGTERM ends each one cleanly, data written before the stop is there
// after a restart, and a second instance on a busy port fails with a clear message.
#include <signal.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "tests/integration/service_process.h"

namespace pcmd {
namespace {

using grpc::health::v1::HealthCheckResponse;
using integration::Binary;
using integration::Health;
using integration::kServices;
using integration::RunningBinary;
using ::testing::HasSubstr;
using testing::Subprocess;
using testing::TempDir;

TEST(FourServices, EachAnswersHealthAsServingAndExitsCleanlyOnSigterm) {
  TempDir dir;
  std::vector<std::unique_ptr<RunningBinary>> running;
  for (const Binary& b : kServices) running.push_back(std::make_unique<RunningBinary>(b, dir));
  for (size_t i = 0; i < running.size(); ++i) {
    ASSERT_GT(running[i]->port(), 0) << kServices[i].name << " never served:\n"
                                     << running[i]->log();
    EXPECT_EQ(Health(running[i]->target(), kServices[i].health_name), HealthCheckResponse::SERVING)
        << kServices[i].name;
    EXPECT_EQ(Health(running[i]->target(), ""), HealthCheckResponse::SERVING) << kServices[i].name;
  }
  for (size_t i = 0; i < running.size(); ++i) {
    running[i]->process().Signal(SIGTERM);
    EXPECT_EQ(running[i]->process().Wait(absl::Seconds(15)), std::optional<int>(0))
        << kServices[i].name << ":\n"
        << running[i]->log();
    EXPECT_THAT(running[i]->log(), HasSubstr("shutdown_complete")) << kServices[i].name;
  }
}

TEST(FourServices, KeepWhatTheyAcknowledgedAcrossARestart) {
  testing::RedisServer redis;
  TempDir dir;
  // Intake learns the units from plans over the bus.
  const std::vector<std::string> bus = {"--redis=" + redis.address()};
  RunningBinary plans(kServices[0], dir, "127.0.0.1:0", bus);
  ASSERT_GT(plans.port(), 0) << plans.log();
  std::string tip_name;
  {
    RunningBinary intake(kServices[1], dir, "127.0.0.1:0", bus);
    ASSERT_GT(intake.port(), 0) << intake.log();
    ASSERT_TRUE(integration::RegisterTestUnits(plans.target(), intake.target())) << intake.log();
    auto stub =
        intake::v1::IntakeService::NewStub(integration::ChannelAs(intake.target(), "police-hanoi"));
    intake::v1::SubmitTipRequest request;
    request.set_request_id("restart-1");
    request.set_channel(intake::v1::CHANNEL_WALK_IN);
    request.set_legal_kind(intake::v1::LEGAL_KIND_COMPLAINT);
    request.set_category(intake::v1::CATEGORY_PUBLIC_PLACE);
    request.set_unit_code("01");
    intake::v1::SubmitTipResponse response;
    grpc::ClientContext ctx;
    integration::StateUse(ctx);
    ASSERT_TRUE(stub->SubmitTip(&ctx, request, &response).ok());
    tip_name = response.tip().name();
    // SIGKILL, not SIGTERM: an acknowledged write must survive an abrupt end too.
    intake.process().Signal(SIGKILL);
    ASSERT_TRUE(intake.process().Wait(absl::Seconds(10)).has_value());
  }
  RunningBinary again(kServices[1], dir, "127.0.0.1:0", bus);
  ASSERT_GT(again.port(), 0) << again.log();
  auto stub =
      intake::v1::IntakeService::NewStub(integration::ChannelAs(again.target(), "police-hanoi"));
  intake::v1::GetTipRequest get;
  get.set_name(tip_name);
  intake::v1::GetTipResponse got;
  grpc::ClientContext ctx;
  integration::StateUse(ctx);
  const grpc::Status status = stub->GetTip(&ctx, get, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.tip().unit_code(), "01");
}

TEST(FourServices, ASecondInstanceOnABusyPortFailsWithAClearMessage) {
  TempDir dir;
  RunningBinary first(kServices[0], dir);
  ASSERT_GT(first.port(), 0) << first.log();
  TempDir other_dir;
  RunningBinary second(kServices[0], other_dir, first.target());
  EXPECT_EQ(second.process().Wait(absl::Seconds(15)), std::optional<int>(1));
  EXPECT_THAT(second.log(), HasSubstr("cannot listen on " + first.target()));
  // The first instance is unharmed.
  EXPECT_EQ(Health(first.target(), ""), HealthCheckResponse::SERVING);
}

// Runs pcmd-health against `target` with `extra` flags; returns its exit code.
int Probe(const TempDir& dir, const std::string& target, std::vector<std::string> extra) {
  std::vector<std::string> argv = {PCMD_HEALTH_BIN, "--target=" + target, "--timeout-ms=3000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Subprocess probe(argv, dir.File("probe.log"));
  return probe.Wait(absl::Seconds(20)).value_or(-1);
}

TEST(FourServices, ServeOnlyCallersWithACertificateFromTheirCa) {
  TempDir dir;
  const std::string certs = integration::TestCerts();
  for (const Binary& b : kServices) {
    const std::string name = b.name;
    RunningBinary service(b, dir);
    ASSERT_GT(service.port(), 0) << service.log();
    EXPECT_EQ(Probe(dir, service.target(),
                    {"--tls-ca=" + certs + "/ca.crt", "--tls-cert=" + certs + "/police-hanoi.crt",
                     "--tls-key=" + certs + "/police-hanoi.key"}),
              0)
        << name;
    EXPECT_EQ(Probe(dir, service.target(), {}), 1) << name << " answered a plaintext caller";
    EXPECT_THAT(service.log(), ::testing::Not(HasSubstr("INSECURE"))) << name;
  }
}

TEST(FourServices, RefuseToStartWithoutTlsUnlessInsecureIsAskedFor) {
  TempDir dir;
  for (const Binary& b : kServices) {
    RunningBinary service(b, dir, "127.0.0.1:0", {"--keys=" + integration::TestKeys()});
    EXPECT_EQ(service.process().Wait(absl::Seconds(15)), std::optional<int>(1)) << b.name;
    EXPECT_THAT(service.log(), HasSubstr("--insecure")) << b.name;
  }
}

TEST(FourServices, WarnLoudlyWhenRunInsecure) {
  TempDir dir;
  RunningBinary intake(kServices[1], dir, "127.0.0.1:0",
                       {"--insecure", "--keys=" + integration::TestKeys()});
  ASSERT_GT(intake.port(), 0) << intake.log();
  EXPECT_THAT(intake.log(), HasSubstr("\"level\":\"warning\",\"event\":\"INSECURE_MODE\""));
}

TEST(FourServices, RefuseToStartWithoutKeys) {
  TempDir dir;
  const std::vector<std::string> flags = integration::SecureFlags(kServices[1]);
  std::vector<std::string> without_keys(flags.begin(), flags.end() - 1);
  without_keys.push_back("--keys=" + dir.File("no-keys-here"));
  RunningBinary intake(kServices[1], dir, "127.0.0.1:0", without_keys);
  EXPECT_EQ(intake.process().Wait(absl::Seconds(15)), std::optional<int>(1));
  EXPECT_THAT(intake.log(), HasSubstr("keys"));
}

TEST(FourServices, RejectAnUnknownOptionWithExitCodeTwo) {
  TempDir dir;
  Subprocess p({PCMD_INTAKE_BIN, "--no-such-option=1"}, dir.File("log"));
  EXPECT_EQ(p.Wait(absl::Seconds(10)), std::optional<int>(2));
  EXPECT_THAT(testing::ReadFile(dir.File("log")), HasSubstr("unknown option --no-such-option"));
}

}  // namespace
}  // namespace pcmd
