// Launching the real service binaries for cross-service tests: each on a port it
// picks itself (port 0, --port-file), with its own SQLite file in the test's folder,
// with mutual TLS (certificates from deploy/certs.sh) and a key folder, both made once
// per test program — as deploy/run.sh runs them.
#ifndef PCMD_TESTS_INTEGRATION_SERVICE_PROCESS_H_
#define PCMD_TESTS_INTEGRATION_SERVICE_PROCESS_H_

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/crypto/keyring.h"
#include "common/security/identity.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/plans/v1/directory.grpc.pb.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"

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

// The development CA and certificates of deploy/certs.sh (services, operator, demo
// agencies), issued once per test program.
inline const std::string& TestCerts() {
  static const std::string* const dir = [] {
    static TempDir folder;
    const std::string certs = folder.File("certs");
    Subprocess issue({"/bin/bash", PCMD_CERTS_SCRIPT, certs}, folder.File("certs.log"));
    if (issue.Wait(absl::Seconds(120)) != std::optional<int>(0)) {
      std::fprintf(stderr, "deploy/certs.sh failed:\n%s\n",
                   testing::ReadFile(folder.File("certs.log")).c_str());
      std::abort();
    }
    return new std::string(certs);
  }();
  return *dir;
}

// A key folder (field, index and audit keys), made once per test program.
inline const std::string& TestKeys() {
  static const std::string* const dir = [] {
    static TempDir folder;
    const std::string keys = folder.File("keys");
    if (absl::Status s = crypto::Keyring::Generate(keys); !s.ok()) {
      std::fprintf(stderr, "keys: %s\n", std::string(s.message()).c_str());
      std::abort();
    }
    return new std::string(keys);
  }();
  return *dir;
}

// A mutual-TLS channel to `target` as the holder of TestCerts()/<identity>.crt
// ("police-hanoi", "operator", "intake", ...). Services' certificates name
// "localhost"; tests dial 127.0.0.1 and override the name.
inline std::shared_ptr<grpc::Channel> ChannelAs(const std::string& target,
                                                const std::string& identity) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = testing::ReadFile(TestCerts() + "/ca.crt");
  ssl.pem_cert_chain = testing::ReadFile(TestCerts() + "/" + identity + ".crt");
  ssl.pem_private_key = testing::ReadFile(TestCerts() + "/" + identity + ".key");
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args);
}

// States the end user and purpose of use, as agency systems must with every call that
// touches personal data.
inline void StateUse(grpc::ClientContext& context, const std::string& end_user = "officer-0001",
                     const std::string& purpose = "tip-handling") {
  context.AddMetadata(std::string(security::kEndUserHeader), end_user);
  context.AddMetadata(std::string(security::kPurposeHeader), purpose);
}

// The flags that give `binary` its certificate and the key folder.
inline std::vector<std::string> SecureFlags(const Binary& binary) {
  const std::string certs = TestCerts();
  return {absl::StrCat("--tls-cert=", certs, "/", binary.name, ".crt"),
          absl::StrCat("--tls-key=", certs, "/", binary.name, ".key"),
          absl::StrCat("--tls-ca=", certs, "/ca.crt"), "--keys=" + TestKeys()};
}

// Polls `done` every 50 ms until it holds or 30 s pass; returns whether it held.
template <typename Fn>
bool Eventually(Fn done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

// One running service binary on a port it chose itself (port 0, --port-file).
class RunningBinary {
 public:
  // `extra` flags are appended (e.g. "--redis=127.0.0.1:PORT"). Unless they hold TLS
  // flags, --insecure or --keys, SecureFlags(binary) are added.
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
    // Likewise intake's inspections service: tests that name establishments give it.
    bool has_inspections = false;
    for (const std::string& flag : extra) has_inspections |= flag.rfind("--inspections=", 0) == 0;
    if (std::string(binary.name) == "intake" && !has_inspections) {
      argv.push_back(absl::StrCat("--inspections=127.0.0.1:", testing::PickFreePort()));
    }
    bool has_security = false;
    for (const std::string& flag : extra) {
      has_security |=
          flag.rfind("--tls-", 0) == 0 || flag == "--insecure" || flag.rfind("--keys=", 0) == 0;
    }
    if (!has_security) {
      for (std::string& flag : SecureFlags(binary)) argv.push_back(std::move(flag));
    }
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

// A unit of the plans directory that cross-service tests name.
struct TestUnit {
  const char* code;
  const char* display_name;
  plans::v1::UnitLevel level;
  const char* parent;
};

// The units the tests' certificates and requests name (deploy/certs.sh gives the
// Team 178 certificate unit 268).
inline constexpr TestUnit kTestUnits[] = {
    {"VN", "Việt Nam", plans::v1::UNIT_LEVEL_NATIONAL, ""},
    {"01", "Hà Nội", plans::v1::UNIT_LEVEL_PROVINCE, "VN"},
    {"33", "Hưng Yên", plans::v1::UNIT_LEVEL_PROVINCE, "VN"},
    {"268", "Thanh Trì", plans::v1::UNIT_LEVEL_DISTRICT, "01"},
};

// Creates `unit` in the directory of the plans service at `plans_target`, as the
// operator. A unit that exists already counts as created (a test may run it twice).
inline grpc::Status CreateUnit(const std::string& plans_target, const TestUnit& unit) {
  auto stub = plans::v1::DirectoryService::NewStub(ChannelAs(plans_target, "operator"));
  plans::v1::CreateUnitRequest request;
  request.set_code(unit.code);
  request.set_display_name(unit.display_name);
  request.set_level(unit.level);
  request.set_parent_code(unit.parent);
  plans::v1::CreateUnitResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = stub->CreateUnit(&ctx, request, &response);
  return status.error_code() == grpc::StatusCode::ALREADY_EXISTS ? grpc::Status::OK : status;
}

// True once intake at `intake_target` knows `unit`: a ListTips filtered by it is no
// longer refused as naming an unknown unit.
inline bool IntakeKnowsUnit(const std::string& intake_target, const std::string& unit) {
  auto stub = intake::v1::IntakeService::NewStub(ChannelAs(intake_target, "police-hanoi"));
  intake::v1::ListTipsRequest request;
  request.set_unit_code(unit);
  request.set_page_size(1);
  intake::v1::ListTipsResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  StateUse(ctx);
  const grpc::StatusCode code = stub->ListTips(&ctx, request, &response).error_code();
  return code != grpc::StatusCode::INVALID_ARGUMENT && code != grpc::StatusCode::UNAVAILABLE &&
         code != grpc::StatusCode::DEADLINE_EXCEEDED;
}

// True once inspections at `inspections_target` knows `unit`, as IntakeKnowsUnit.
inline bool InspectionsKnowsUnit(const std::string& inspections_target, const std::string& unit) {
  auto stub =
      inspections::v1::InspectionsService::NewStub(ChannelAs(inspections_target, "police-hanoi"));
  inspections::v1::ListEstablishmentsRequest request;
  request.set_unit_code(unit);
  request.set_page_size(1);
  inspections::v1::ListEstablishmentsResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  StateUse(ctx);
  const grpc::StatusCode code = stub->ListEstablishments(&ctx, request, &response).error_code();
  return code != grpc::StatusCode::INVALID_ARGUMENT && code != grpc::StatusCode::UNAVAILABLE &&
         code != grpc::StatusCode::DEADLINE_EXCEEDED;
}

// True once referrals at `referrals_target` knows `unit`, as IntakeKnowsUnit.
inline bool ReferralsKnowsUnit(const std::string& referrals_target, const std::string& unit) {
  auto stub =
      referrals::v1::ReferralsService::NewStub(ChannelAs(referrals_target, "social-affairs-hanoi"));
  referrals::v1::ListClientsRequest request;
  request.set_unit_code(unit);
  request.set_page_size(1);
  referrals::v1::ListClientsResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  StateUse(ctx);
  const grpc::StatusCode code = stub->ListClients(&ctx, request, &response).error_code();
  return code != grpc::StatusCode::INVALID_ARGUMENT && code != grpc::StatusCode::UNAVAILABLE &&
         code != grpc::StatusCode::DEADLINE_EXCEEDED;
}

// Creates kTestUnits through plans and waits until intake (and inspections, when its
// referrals, when their targets are given) have learnt every one of them from plans' UnitCreated
// events on the bus, as a deployment does at start-up.
inline ::testing::AssertionResult RegisterTestUnits(const std::string& plans_target,
                                                    const std::string& intake_target,
                                                    const std::string& inspections_target = "",
                                                    const std::string& referrals_target = "") {
  for (const TestUnit& unit : kTestUnits) {
    const grpc::Status status = CreateUnit(plans_target, unit);
    if (!status.ok()) {
      return ::testing::AssertionFailure()
             << "CreateUnit " << unit.code << ": " << status.error_message();
    }
  }
  for (const TestUnit& unit : kTestUnits) {
    if (!Eventually([&] { return IntakeKnowsUnit(intake_target, unit.code); })) {
      return ::testing::AssertionFailure() << "intake never learnt unit " << unit.code;
    }
    if (!inspections_target.empty() &&
        !Eventually([&] { return InspectionsKnowsUnit(inspections_target, unit.code); })) {
      return ::testing::AssertionFailure() << "inspections never learnt unit " << unit.code;
    }
    if (!referrals_target.empty() &&
        !Eventually([&] { return ReferralsKnowsUnit(referrals_target, unit.code); })) {
      return ::testing::AssertionFailure() << "referrals never learnt unit " << unit.code;
    }
  }
  return ::testing::AssertionSuccess();
}

inline HealthCheckResponse::ServingStatus Health(const std::string& target,
                                                 const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(ChannelAs(target, "operator"));
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
