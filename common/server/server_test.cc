#include "common/server/server.h"

#include <fstream>
#include <future>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/testing/temp_dir.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "pcmd/testing/v1/echo.grpc.pb.h"

namespace pcmd {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using pcmd::testing::v1::EchoRequest;
using pcmd::testing::v1::EchoResponse;
using pcmd::testing::v1::EchoService;

class SlowEcho final : public EchoService::Service {
 public:
  absl::Notification started;
  grpc::Status Echo(grpc::ServerContext*, const EchoRequest* request,
                    EchoResponse* response) override {
    if (!started.HasBeenNotified()) started.Notify();
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(request->delay_ms(), 10000)));
    response->set_text(request->text());
    return grpc::Status::OK;
  }
};

std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

grpc::Status Check(int port, const std::string& service, HealthCheckResponse* response) {
  auto stub = Health::NewStub(Connect(port));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthCheckRequest request;
  request.set_service(service);
  return stub->Check(&ctx, request, response);
}

TEST(StartServer, ServesHealthPerServiceOnAFreePortAndWritesThePortFile) {
  pcmd::testing::TempDir dir;
  SlowEcho echo;
  ServerOptions options;
  options.insecure = true;
  options.port_file = dir.File("port");
  auto server = StartServer(options, {{&echo, EchoService::service_full_name()}});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  int written = 0;
  std::ifstream(dir.File("port")) >> written;
  EXPECT_EQ(written, port);

  HealthCheckResponse response;
  ASSERT_TRUE(Check(port, "pcmd.testing.v1.EchoService", &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(Check(port, "", &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(port, "pcmd.nothing.v1.Nope", &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(StartServer, FailsClearlyWhenThePortIsTaken) {
  SlowEcho echo;
  auto first = StartServer({.insecure = true}, {{&echo, EchoService::service_full_name()}});
  ASSERT_TRUE(first.ok());
  ServerOptions options;
  options.insecure = true;
  options.listen = "127.0.0.1:" + std::to_string((*first)->port());
  SlowEcho other;
  auto second = StartServer(options, {{&other, EchoService::service_full_name()}});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("cannot listen"), std::string::npos);
}

TEST(RunningServer, LetsAnInFlightCallFinishDuringShutdown) {
  SlowEcho echo;
  ServerOptions options;
  options.insecure = true;
  options.grace_period = absl::Seconds(5);
  auto server = StartServer(options, {{&echo, EchoService::service_full_name()}});
  ASSERT_TRUE(server.ok());
  auto stub = EchoService::NewStub(Connect((*server)->port()));
  auto call = std::async(std::launch::async, [&stub] {
    grpc::ClientContext ctx;
    EchoRequest request;
    request.set_text("Thanh Trì");
    request.set_delay_ms(500);
    EchoResponse response;
    grpc::Status s = stub->Echo(&ctx, request, &response);
    return std::make_pair(s, response.text());
  });
  // Shut down only once the call is being handled, however slow the machine.
  ASSERT_TRUE(echo.started.WaitForNotificationWithTimeout(absl::Seconds(30)));
  (*server)->Shutdown();
  auto [status, text] = call.get();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(text, "Thanh Trì");
}

TEST(StartServer, RefusesToServePlaintextUnlessInsecureIsAskedFor) {
  SlowEcho echo;
  auto server = StartServer({}, {{&echo, EchoService::service_full_name()}});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(server.status().message().find("--insecure"), std::string::npos);
}

TEST(StartServer, RefusesInsecureTogetherWithTlsFiles) {
  SlowEcho echo;
  ServerOptions options;
  options.insecure = true;
  options.tls_cert_file = "/nonexistent/cert.pem";
  options.tls_key_file = "/nonexistent/key.pem";
  options.tls_ca_file = "/nonexistent/ca.pem";
  auto server = StartServer(options, {{&echo, EchoService::service_full_name()}});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pcmd
