// Launching the real service binaries for cross-service tests: each on a port it
// picks itself (port 0, --port-file), with its own SQLite file in the test's folder.
#ifndef PCMD_TESTS_INTEGRATION_SERVICE_PROCESS_H_
#define PCMD_TESTS_INTEGRATION_SERVICE_PROCESS_H_

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace pcmd::integration {

using grpc::health::v1::HealthCheckResponse;
using testing::Subprocess;
using testing::TempDir;

struct Binary {
  const char* name;
  const char* path;
  const char* health_name;
};

inline constexpr Binary kServices[] = {
    {"plans", PCMD_PLANS_BIN, "pcmd.plans.v1.DirectoryService"},
    {"intake", PCMD_INTAKE_BIN, "pcmd.intake.v1.IntakeService"},
    {"inspections", PCMD_INSPECTIONS_BIN, "pcmd.inspections.v1.InspectionsService"},
    {"referrals", PCMD_REFERRALS_BIN, "pcmd.referrals.v1.ReferralsService"},
};

// One running service binary on a port it chose itself (port 0, --port-file).
class RunningBinary {
 public:
  // `extra` flags are appended (e.g. "--redis=127.0.0.1:PORT").
  RunningBinary(const Binary& binary, const TempDir& dir, const std::string& listen = "127.0.0.1:0",
                const std::vector<std::string>& extra = {})
      : log_(dir.File(absl::StrCat(binary.name, ".log"))) {
    const std::string port_file = dir.File(absl::StrCat(binary.name, ".port"));
    std::remove(port_file.c_str());
    std::vector<std::string> argv = {
        binary.path, "--listen=" + listen, "--port-file=" + port_file,
        "--db=" + dir.File(absl::StrCat(binary.name, "/", binary.name, ".db")),
        "--grace-period=2s"};
    // Never the developer's Redis on the default port: without a bus given, point at
    // a port nobody listens on, so the services run with Redis down.
    bool has_redis = false;
    for (const std::string& flag : extra) has_redis |= flag.rfind("--redis=", 0) == 0;
    if (!has_redis) argv.push_back(absl::StrCat("--redis=127.0.0.1:", testing::PickFreePort()));
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Subprocess>(argv, log_);
    port_ = testing::WaitForPortFile(port_file, absl::Seconds(20), process_.get()).value_or(0);
  }
  int port() const { return port_; }
  Subprocess& process() { return *process_; }
  std::string log() const { return testing::ReadFile(log_); }
  std::string target() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  std::string log_;
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
};

inline HealthCheckResponse::ServingStatus Health(const std::string& target,
                                                 const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  if (!stub->Check(&ctx, request, &response).ok()) return HealthCheckResponse::UNKNOWN;
  return response.status();
}

}  // namespace pcmd::integration

#endif  // PCMD_TESTS_INTEGRATION_SERVICE_PROCESS_H_
