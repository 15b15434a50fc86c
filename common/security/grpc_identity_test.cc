// Mutual TLS end to end: certificates from deploy/certs.sh, a real server, real
// clients. The handler answers with the caller it was given.
#include "common/security/grpc_identity.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/server/server.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "pcmd/testing/v1/echo.grpc.pb.h"

namespace pcmd::security {
namespace {

using pcmd::testing::v1::EchoRequest;
using pcmd::testing::v1::EchoResponse;
using pcmd::testing::v1::EchoService;

class WhoAmI final : public EchoService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context, const EchoRequest*,
                    EchoResponse* response) override {
    absl::StatusOr<Caller> caller = CallerFromContext(*context);
    if (!caller.ok()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no identity");
    response->set_text(
        absl::StrCat(AgencyUri(caller->agency), " ", caller->end_user, " ", caller->purpose));
    return grpc::Status::OK;
  }
};

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Issues a CA and certificates into dir/name with deploy/certs.sh.
std::string Issue(const pcmd::testing::TempDir& dir, const std::string& name) {
  pcmd::testing::Subprocess certs({"/bin/bash", PCMD_CERTS_SCRIPT, dir.File(name)},
                                  dir.File(name + ".log"));
  EXPECT_EQ(certs.Wait(absl::Seconds(60)), std::optional<int>(0))
      << pcmd::testing::ReadFile(dir.File(name + ".log"));
  return dir.File(name);
}

class MutualTls : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = Issue(dir_, "certs");
    ServerOptions options;
    options.tls_cert_file = certs_ + "/intake.crt";
    options.tls_key_file = certs_ + "/intake.key";
    options.tls_ca_file = certs_ + "/ca.crt";
    auto server = StartServer(options, {{&service_, EchoService::service_full_name()}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  grpc::Status Call(const std::string& folder, const std::string& identity, std::string* answer) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(certs_ + "/ca.crt");
    if (!identity.empty()) {
      ssl.pem_cert_chain = Read(folder + "/" + identity + ".crt");
      ssl.pem_private_key = Read(folder + "/" + identity + ".key");
    }
    // An IP literal, not "localhost": no DNS lookup (Debian's c-ares leaks a few bytes
    // per lookup, which LeakSanitizer reports); the certificate is checked by name.
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto stub = EchoService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::SslCredentials(ssl), args));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("x-pcmd-end-user", "officer-7");
    ctx.AddMetadata("x-pcmd-purpose", "tip-handling");
    EchoResponse response;
    const grpc::Status status = stub->Echo(&ctx, EchoRequest(), &response);
    *answer = response.text();
    return status;
  }

  pcmd::testing::TempDir dir_;
  std::string certs_;
  WhoAmI service_;
  std::unique_ptr<RunningServer> server_;
};

TEST_F(MutualTls, NamesTheAgencyOfTheCertificateWithItsEndUserAndPurpose) {
  std::string answer;
  const grpc::Status status = Call(certs_, "police-hanoi", &answer);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answer, "urn:pcmd:agency:police:01:CA-HN-PC02 officer-7 tip-handling");
  ASSERT_TRUE(Call(certs_, "team178-thanhtri", &answer).ok());
  EXPECT_THAT(answer, ::testing::StartsWith("urn:pcmd:agency:inspection_team:268:DKT178-TT"));
}

TEST_F(MutualTls, RefusesAClientWithoutACertificate) {
  std::string answer;
  EXPECT_FALSE(Call(certs_, "", &answer).ok());
  EXPECT_TRUE(answer.empty());
}

TEST_F(MutualTls, RefusesACertificateFromAnotherAuthority) {
  const std::string other = Issue(dir_, "other");
  std::string answer;
  EXPECT_FALSE(Call(other, "police-hanoi", &answer).ok());
  EXPECT_TRUE(answer.empty());
}

TEST(StartServer, RefusesHalfATlsConfiguration) {
  ServerOptions options;
  options.tls_cert_file = "/nonexistent/cert.pem";
  WhoAmI service;
  auto server = StartServer(options, {{&service, EchoService::service_full_name()}});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pcmd::security
