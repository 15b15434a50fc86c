#include "common/server/server.h"

#include <fstream>
#include <future>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/server/raw_call_testing.h"
#include "common/testing/temp_dir.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server_builder.h"
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

// An EchoRequest whose text (field 1, length-delimited) is the two bytes C3 28: a UTF-8
// lead byte followed by a byte that cannot continue it.
const std::string kInvalidUtf8Echo("\x0a\x02\xc3\x28", 4);
constexpr char kEchoMethod[] = "/pcmd.testing.v1.EchoService/Echo";

grpc::Status EchoText(int port, const std::string& text) {
  auto stub = EchoService::NewStub(Connect(port));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  EchoRequest request;
  request.set_text(text);
  EchoResponse response;
  grpc::Status status = stub->Echo(&ctx, request, &response);
  if (status.ok() && response.text() != text) {
    return grpc::Status(grpc::StatusCode::DATA_LOSS, "echo came back different");
  }
  return status;
}

grpc::Status RawEcho(int port, const std::string& bytes) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return testing::RawUnaryCall(Connect(port), ctx, kEchoMethod, bytes);
}

// Why StartServer installs its interceptor: gRPC C++ by itself reports a request that
// does not parse (here, a proto3 string that is not UTF-8) as a server fault.
TEST(BareGrpcServer, AnswersInternalToAStringThatIsNotUtf8) {
  SlowEcho echo;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&echo);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(RawEcho(port, kInvalidUtf8Echo).error_code(), grpc::StatusCode::INTERNAL);
  server->Shutdown();
}

TEST(StartServer, AnswersInvalidArgumentNamingTheMessageToAStringThatIsNotUtf8) {
  SlowEcho echo;
  auto server = StartServer({.insecure = true}, {{&echo, EchoService::service_full_name()}});
  ASSERT_TRUE(server.ok()) << server.status();
  const grpc::Status status = RawEcho((*server)->port(), kInvalidUtf8Echo);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(status.error_message(),
            "the request is not a valid pcmd.testing.v1.EchoRequest message (strings must be "
            "valid UTF-8)");
  // The same bytes with a valid two-byte character ("é") are served, and so is the next
  // call on the server.
  EXPECT_TRUE(RawEcho((*server)->port(), std::string("\x0a\x02\xc3\xa9", 4)).ok());
  EXPECT_TRUE(EchoText((*server)->port(), "Thanh Trì").ok());
}

TEST(StartServer, AnswersInvalidArgumentToBytesThatAreNoMessageAtAll) {
  SlowEcho echo;
  auto server = StartServer({.insecure = true}, {{&echo, EchoService::service_full_name()}});
  ASSERT_TRUE(server.ok()) << server.status();
  // Field 1 announces 100 bytes and brings 1.
  const grpc::Status truncated = RawEcho((*server)->port(), std::string("\x0a\x64x", 3));
  EXPECT_EQ(truncated.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << truncated.error_message();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status empty = testing::StreamCall(Connect((*server)->port()), ctx, kEchoMethod, {});
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << empty.error_message();
  EXPECT_EQ(empty.error_message(), "the call carried no readable request message");
}

// A service that fails on its own, with gRPC's own code and no message.
class BrokenEcho final : public EchoService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext*, const EchoRequest*, EchoResponse*) override {
    return grpc::Status(grpc::StatusCode::INTERNAL, "");
  }
};

TEST(StartServer, LeavesAnInternalErrorOfTheServiceItselfAsItIs) {
  BrokenEcho echo;
  auto server = StartServer({.insecure = true}, {{&echo, EchoService::service_full_name()}});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(EchoText((*server)->port(), "Hà Nội").error_code(), grpc::StatusCode::INTERNAL);
}

TEST(StartServer, RefusesARequestOverTheMaximumSizeWithResourceExhaustedAndKeepsServing) {
  SlowEcho echo;
  ServerOptions options;
  options.insecure = true;
  options.max_message_bytes = 1024;
  auto server = StartServer(options, {{&echo, EchoService::service_full_name()}});
  ASSERT_TRUE(server.ok()) << server.status();
  const grpc::Status over = EchoText((*server)->port(), std::string(2000, 'a'));
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << over.error_message();
  EXPECT_TRUE(EchoText((*server)->port(), std::string(900, 'a')).ok());
}

}  // namespace
}  // namespace pcmd
