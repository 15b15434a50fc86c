// The access matrix over real gRPC calls. The four service binaries run as
// deploy/run.sh runs them — mutual TLS, one Redis — and every RPC of every service they
// host is called as an agency of every kind. The RPCs are not listed here: the test asks
// each binary what it hosts (server reflection) and reads the methods from the protobuf
// descriptors, so an RPC or a service added without a row in the hand-written table
// (tests/security/expected_access.h) fails it; streaming RPCs, should any appear, are
// called as streams with one request. Then unit scope on real records (own unit, a
// district under it, another province), what the TLS layer refuses, and the input
// limits every service shares (message size, UTF-8).
#include <chrono>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/security/identity.h"
#include "common/server/raw_call_testing.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/admin.pb.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/plans/v1/directory.grpc.pb.h"
#include "pcmd/plans/v1/plans.grpc.pb.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "tests/integration/service_process.h"
#include "tests/security/expected_access.h"

namespace pcmd::security {
namespace {

using integration::Eventually;
using integration::RegisterTestUnits;

using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;
using integration::Binary;
using integration::ChannelAs;
using integration::kServices;
using integration::RunningBinary;
using integration::StateUse;
using integration::TestCerts;
using pcmd::testing::Subprocess;
using pcmd::testing::TempDir;
using ::testing::HasSubstr;

// One demo agency of every kind (deploy/certs.sh), in Hà Nội (01), its district Thanh
// Trì (268) or national (VN).
struct DemoAgency {
  AgencyKind kind;
  const char* cert;
  const char* unit;
};

constexpr DemoAgency kAgencies[] = {
    {AgencyKind::kPolice, "police-hanoi", "01"},
    {AgencyKind::kSocialAffairs, "social-affairs-hanoi", "01"},
    {AgencyKind::kInspectionTeam, "team178-thanhtri", "268"},
    {AgencyKind::kProvider, "provider-hanoi", "01"},
    {AgencyKind::kProcuracy, "procuracy-hanoi", "01"},
    {AgencyKind::kCourt, "court-hanoi", "01"},
    {AgencyKind::kCulture, "culture-hanoi", "01"},
    {AgencyKind::kHealth, "health-hanoi", "01"},
    {AgencyKind::kMinistry, "ministry-health", "VN"},
    {AgencyKind::kService, "intake", "VN"},
    {AgencyKind::kOperator, "operator", "VN"},
};
// Police of another province, Hưng Yên (33).
constexpr char kHungYenPolice[] = "police-hungyen";

// The services a binary may host besides pcmd's own, which the access rules do not
// cover: they carry no records.
const std::set<std::string>& InfrastructureServices() {
  static const auto* s = new std::set<std::string>{"grpc.health.v1.Health",
                                                   "grpc.reflection.v1alpha.ServerReflection"};
  return *s;
}

std::string MethodPath(const MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

std::set<std::string> AllowedKinds(const Expected& expected) {
  const std::vector<std::string> names = absl::StrSplit(expected.allowed, ' ');
  return {names.begin(), names.end()};
}

// Runs a bash script (openssl, deploy/certs.sh) with `args` as $1, $2...; fails the
// test when it fails.
void RunScript(const TempDir& dir, const std::string& script,
               const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/bin/bash", "-euo", "pipefail", "-c", script, "script"};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string log = dir.File("script.log");
  Subprocess run(argv, log);
  ASSERT_EQ(run.Wait(absl::Seconds(60)), std::optional<int>(0)) << script << "\n"
                                                                << pcmd::testing::ReadFile(log);
}

// The subject alternative names of TestCerts()/<name>.crt, as openssl prints them.
std::string SubjectAltNames(const TempDir& dir, const std::string& name) {
  RunScript(dir, R"(openssl x509 -noout -ext subjectAltName -in "$1" > "$2")",
            {absl::StrCat(TestCerts(), "/", name, ".crt"), dir.File("san.txt")});
  return pcmd::testing::ReadFile(dir.File("san.txt"));
}

// Issues <dir>/<name>.crt and .key from the services' own CA (TestCerts()) with `san` as
// subject alternative names: a certificate the TLS layer accepts, whatever it names.
void IssueFromServicesCa(const TempDir& dir, const std::string& name, const std::string& san) {
  RunScript(dir, R"(
    cd "$1"
    printf '%s\n' "subjectAltName=$3" extendedKeyUsage=clientAuth \
      basicConstraints=critical,CA:FALSE > "$2.ext"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$2.key" -out "$2.csr" -subj "/O=pcmd/CN=$2" 2>/dev/null
    openssl x509 -req -in "$2.csr" -CA "$4/ca.crt" -CAkey "$4/ca.key" -CAserial "$2.srl" \
      -CAcreateserial -out "$2.crt" -days 1 -extfile "$2.ext" 2>/dev/null
  )",
            {dir.path(), name, san, TestCerts()});
}

// How a call went, for messages: "PERMISSION_DENIED: ...".
std::string Describe(const grpc::Status& status) {
  // gRPC's codes are absl's (both are google.rpc.Code).
  return absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                      ": ", status.error_message());
}

void WithDeadline(grpc::ClientContext& context, int seconds = 10) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// The names of the services `channel`'s server hosts, asked through server reflection
// (grpc.reflection.v1alpha, list_services) with hand-encoded messages: the reflection
// protos are not installed with gRPC.
std::vector<std::string> HostedServices(const std::shared_ptr<grpc::Channel>& channel,
                                        grpc::Status* status) {
  grpc::ClientContext context;
  WithDeadline(context);
  // ServerReflectionRequest{list_services (field 7) = "*"}.
  const std::string list_services("\x3a\x01*", 3);
  std::vector<std::string> responses;
  *status = pcmd::testing::StreamCall(
      channel, context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      {list_services}, &responses);
  std::vector<std::string> names;
  // ServerReflectionResponse{list_services_response (6): {service (1): {name (1)}}}.
  auto length_delimited = [](const std::string& bytes, int number) {
    std::vector<std::string> values;
    google::protobuf::UnknownFieldSet fields;
    if (!fields.ParseFromString(bytes)) return values;
    for (int i = 0; i < fields.field_count(); ++i) {
      const google::protobuf::UnknownField& f = fields.field(i);
      if (f.number() == number &&
          f.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
        values.push_back(f.length_delimited());
      }
    }
    return values;
  };
  for (const std::string& response : responses) {
    for (const std::string& list : length_delimited(response, 6)) {
      for (const std::string& service : length_delimited(list, 1)) {
        for (const std::string& name : length_delimited(service, 1)) names.push_back(name);
      }
    }
  }
  return names;
}

// The four binaries on one Redis, started once per test program (ctest runs each test
// in its own program) and stopped after the last test.
class GrpcAccess : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Links the generated code of every service the binaries host, so that their
    // descriptors are in the generated pool even where the test names no symbol of them.
    for (const ServiceDescriptor* service :
         {events::v1::GetEventStatsRequest::descriptor()->file()->service(0),
          intake::v1::Tip::descriptor()->file()->service(0),
          inspections::v1::Establishment::descriptor()->file()->service(0),
          referrals::v1::Provider::descriptor()->file()->service(0),
          plans::v1::Unit::descriptor()->file()->service(0),
          plans::v1::Plan::descriptor()->file()->service(0)}) {
      EXPECT_NE(service, nullptr);
    }
    dir_ = new TempDir;
    redis_ = new pcmd::testing::RedisServer;
    const std::vector<std::string> bus = {"--redis=" + redis_->address()};
    for (const Binary& b : kServices) {
      binaries_[b.name] = std::make_unique<RunningBinary>(b, *dir_, "127.0.0.1:0", bus);
    }
    // Units reach intake and inspections as plans' UnitCreated events over Redis.
    if (Service("plans").port() > 0 && Service("intake").port() > 0 &&
        Service("inspections").port() > 0 && Service("referrals").port() > 0) {
      EXPECT_TRUE(RegisterTestUnits(Service("plans").target(), Service("intake").target(),
                                    Service("inspections").target(), Service("referrals").target()))
          << Service("intake").log();
    }
  }

  static void TearDownTestSuite() {
    binaries_.clear();
    channels_.clear();
    delete redis_;
    redis_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    for (const auto& [name, binary] : binaries_) {
      ASSERT_GT(binary->port(), 0) << name << " never served:\n" << binary->log();
    }
  }

  static RunningBinary& Service(const std::string& name) { return *binaries_.at(name); }

  // A channel to `service` as the holder of TestCerts()/<identity>.crt, kept for reuse.
  static std::shared_ptr<grpc::Channel> As(const std::string& service,
                                           const std::string& identity) {
    auto& channel = channels_[service + "/" + identity];
    if (channel == nullptr) channel = ChannelAs(Service(service).target(), identity);
    return channel;
  }

  // The pcmd services `service`'s binary hosts, by reflection, with their descriptors.
  // Fails the test for a hosted service the test cannot see in the descriptor pool.
  static std::vector<const ServiceDescriptor*> HostedPcmdServices(const std::string& service) {
    grpc::Status status;
    const std::vector<std::string> names = HostedServices(As(service, "operator"), &status);
    EXPECT_TRUE(status.ok()) << service << " reflection: " << Describe(status);
    std::vector<const ServiceDescriptor*> hosted;
    for (const std::string& name : names) {
      if (InfrastructureServices().count(name)) continue;
      const ServiceDescriptor* descriptor =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      if (descriptor == nullptr) {
        ADD_FAILURE() << service << " hosts " << name
                      << ", which this test does not know: link its proto library into "
                         "pcmd_security_grpc_access_matrix_test (and give every RPC a row in "
                         "tests/security/expected_access.h)";
        continue;
      }
      hosted.push_back(descriptor);
    }
    return hosted;
  }

  // Which of the two headers a call states.
  enum class Use { kBoth, kNone, kEndUserOnly, kPurposeOnly };

  // Calls `method` with the serialized `request` as the holder of `identity`. Streaming
  // methods get the request as their one message and a shorter deadline (a stream that
  // stays open is no refusal).
  static grpc::Status Call(const std::string& service, const std::string& identity,
                           const MethodDescriptor& method, const std::string& request,
                           Use use = Use::kBoth) {
    grpc::ClientContext context;
    if (use == Use::kBoth || use == Use::kEndUserOnly) {
      context.AddMetadata(std::string(kEndUserHeader), "officer-0001");
    }
    if (use == Use::kBoth || use == Use::kPurposeOnly) {
      context.AddMetadata(std::string(kPurposeHeader), "tip-handling");
    }
    if (!method.client_streaming() && !method.server_streaming()) {
      WithDeadline(context);
      return pcmd::testing::RawUnaryCall(As(service, identity), context, MethodPath(method),
                                         request);
    }
    WithDeadline(context, 3);
    return pcmd::testing::StreamCall(As(service, identity), context, MethodPath(method), {request});
  }

  // Typed unary calls for the scope tests, as the holder of `identity`, with an end
  // user and purpose.
  template <typename Stub, typename Request, typename Response>
  static grpc::Status Unary(const std::string& service, const std::string& identity,
                            grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                      Response*),
                            const Request& request, Response* response) {
    Stub stub(As(service, identity));
    grpc::ClientContext context;
    WithDeadline(context);
    StateUse(context);
    return (stub.*rpc)(&context, request, response);
  }

  static grpc::Status SubmitTip(const std::string& identity, const std::string& request_id,
                                const std::string& unit, std::string* name) {
    intake::v1::SubmitTipRequest request;
    request.set_request_id(request_id);
    request.set_channel(intake::v1::CHANNEL_HOTLINE);
    request.set_legal_kind(intake::v1::LEGAL_KIND_DENUNCIATION);
    request.set_category(intake::v1::CATEGORY_PUBLIC_PLACE);
    request.set_unit_code(unit);
    intake::v1::SubmitTipResponse response;
    const grpc::Status status =
        Unary("intake", identity, &intake::v1::IntakeService::Stub::SubmitTip, request, &response);
    *name = response.tip().name();
    return status;
  }

  static grpc::Status GetTip(const std::string& identity, const std::string& name) {
    intake::v1::GetTipRequest request;
    request.set_name(name);
    intake::v1::GetTipResponse response;
    return Unary("intake", identity, &intake::v1::IntakeService::Stub::GetTip, request, &response);
  }

  static grpc::Status CreateEstablishment(const std::string& identity,
                                          const std::string& request_id, const std::string& unit,
                                          std::string* name) {
    inspections::v1::CreateEstablishmentRequest request;
    request.set_request_id(request_id);
    request.set_display_name("Karaoke Hoàng Gia");
    request.set_business_type(inspections::v1::BUSINESS_TYPE_KARAOKE);
    request.set_address("12 Ngọc Hồi");
    request.set_unit_code(unit);
    inspections::v1::CreateEstablishmentResponse response;
    const grpc::Status status =
        Unary("inspections", identity,
              &inspections::v1::InspectionsService::Stub::CreateEstablishment, request, &response);
    *name = response.establishment().name();
    return status;
  }

  static grpc::Status GetEstablishment(const std::string& identity, const std::string& name) {
    inspections::v1::GetEstablishmentRequest request;
    request.set_name(name);
    inspections::v1::GetEstablishmentResponse response;
    return Unary("inspections", identity,
                 &inspections::v1::InspectionsService::Stub::GetEstablishment, request, &response);
  }

  static grpc::Status CreateUnit(const std::string& code, const std::string& display_name,
                                 plans::v1::UnitLevel level, const std::string& parent) {
    plans::v1::CreateUnitRequest request;
    request.set_code(code);
    request.set_display_name(display_name);
    request.set_level(level);
    request.set_parent_code(parent);
    plans::v1::CreateUnitResponse response;
    return Unary("plans", "operator", &plans::v1::DirectoryService::Stub::CreateUnit, request,
                 &response);
  }

  static TempDir* dir_;
  static pcmd::testing::RedisServer* redis_;
  static std::map<std::string, std::unique_ptr<RunningBinary>> binaries_;
  static std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

TempDir* GrpcAccess::dir_ = nullptr;
pcmd::testing::RedisServer* GrpcAccess::redis_ = nullptr;
std::map<std::string, std::unique_ptr<RunningBinary>> GrpcAccess::binaries_;
std::map<std::string, std::shared_ptr<grpc::Channel>> GrpcAccess::channels_;

TEST(DemoCertificates, NameAnAgencyOfEveryKind) {
  TempDir dir;
  std::set<AgencyKind> covered;
  for (const DemoAgency& agency : kAgencies) {
    covered.insert(agency.kind);
    EXPECT_THAT(
        SubjectAltNames(dir, agency.cert),
        HasSubstr(absl::StrCat("urn:pcmd:agency:", KindName(agency.kind), ":", agency.unit, ":")))
        << agency.cert;
  }
  for (AgencyKind kind : AllKinds()) {
    EXPECT_TRUE(covered.count(kind)) << "no demo agency of kind " << KindName(kind)
                                     << ": add one to deploy/certs.sh and to kAgencies";
  }
  EXPECT_THAT(SubjectAltNames(dir, kHungYenPolice), HasSubstr("urn:pcmd:agency:police:33:"));
}

TEST_F(GrpcAccess, EveryRpcEveryBinaryHostsHasARowInTheExpectedTable) {
  std::set<std::string> found_services;
  std::set<std::string> found_methods;
  for (const Binary& b : kServices) {
    for (const ServiceDescriptor* service : HostedPcmdServices(b.name)) {
      found_services.insert(service->full_name());
      for (int i = 0; i < service->method_count(); ++i) {
        const std::string path = MethodPath(*service->method(i));
        found_methods.insert(path);
        EXPECT_TRUE(Matrix().count(path))
            << b.name << " hosts " << path
            << " without a row in tests/security/expected_access.h: every RPC needs an access "
               "rule (services/*/access_rules.cc) and a row saying who may call it";
      }
    }
  }
  // Not vacuous: the services the suite is made of were all seen.
  for (const char* name :
       {"pcmd.intake.v1.IntakeService", "pcmd.inspections.v1.InspectionsService",
        "pcmd.referrals.v1.ReferralsService", "pcmd.referrals.v1.ProviderInboxService",
        "pcmd.referrals.v1.CasesService", "pcmd.plans.v1.DirectoryService",
        "pcmd.plans.v1.PlansService", "pcmd.events.v1.EventAdminService"}) {
    EXPECT_TRUE(found_services.count(name)) << name << " is hosted by no binary";
  }
  for (const auto& [method, expected] : Matrix()) {
    EXPECT_TRUE(found_methods.count(method))
        << method << " has a row but no binary hosts it: remove the row or the RPC is missing";
  }
}

// The heart of it: as a kind the table does not list, PERMISSION_DENIED; as a listed
// kind, stating end user and purpose, never a refusal and never a server fault (an
// empty request is the caller's mistake, typically INVALID_ARGUMENT).
TEST_F(GrpcAccess, EveryRpcAnswersEveryAgencyKindAsTheExpectedTableSays) {
  int calls = 0;
  for (const Binary& b : kServices) {
    for (const ServiceDescriptor* service : HostedPcmdServices(b.name)) {
      for (int i = 0; i < service->method_count(); ++i) {
        const MethodDescriptor& method = *service->method(i);
        const auto expected = Matrix().find(MethodPath(method));
        if (expected == Matrix().end()) continue;  // Reported by the test above.
        const std::set<std::string> allowed = AllowedKinds(expected->second);
        for (const DemoAgency& agency : kAgencies) {
          const std::string kind(KindName(agency.kind));
          const grpc::Status status = Call(b.name, agency.cert, method, "");
          ++calls;
          const std::string where = absl::StrCat(b.name, " ", MethodPath(method), " as ", kind,
                                                 " (", agency.cert, "): ", Describe(status));
          if (!allowed.count(kind)) {
            EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << where;
            continue;
          }
          for (grpc::StatusCode refused :
               {grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::UNAUTHENTICATED,
                grpc::StatusCode::INTERNAL, grpc::StatusCode::UNKNOWN,
                grpc::StatusCode::UNIMPLEMENTED, grpc::StatusCode::UNAVAILABLE}) {
            EXPECT_NE(status.error_code(), refused) << where;
          }
        }
      }
    }
  }
  EXPECT_GE(calls, static_cast<int>(Matrix().size() * std::size(kAgencies)));
}

// Personal data needs both headers, even from an allowed kind; the rest needs neither.
TEST_F(GrpcAccess, PersonalDataNeedsAnEndUserAndAPurposeEvenFromAnAllowedKind) {
  for (const Binary& b : kServices) {
    for (const ServiceDescriptor* service : HostedPcmdServices(b.name)) {
      for (int i = 0; i < service->method_count(); ++i) {
        const MethodDescriptor& method = *service->method(i);
        const auto expected = Matrix().find(MethodPath(method));
        if (expected == Matrix().end()) continue;
        const std::set<std::string> allowed = AllowedKinds(expected->second);
        for (const DemoAgency& agency : kAgencies) {
          if (!allowed.count(std::string(KindName(agency.kind)))) continue;
          const std::string where =
              absl::StrCat(b.name, " ", MethodPath(method), " as ", agency.cert, ": ");
          const grpc::Status anonymous = Call(b.name, agency.cert, method, "", Use::kNone);
          if (!expected->second.personal_data) {
            EXPECT_NE(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED)
                << where << Describe(anonymous);
            EXPECT_NE(anonymous.error_code(), grpc::StatusCode::PERMISSION_DENIED)
                << where << Describe(anonymous);
            continue;
          }
          EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED)
              << where << Describe(anonymous);
          // One of the two is not enough.
          for (const Use half : {Use::kEndUserOnly, Use::kPurposeOnly}) {
            const grpc::Status status = Call(b.name, agency.cert, method, "", half);
            EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
                << where << (half == Use::kEndUserOnly ? "end user only: " : "purpose only: ")
                << Describe(status);
          }
        }
      }
    }
  }
}

TEST_F(GrpcAccess, ATipIsReadInItsOwnUnitAndRefusedToAnotherProvince) {
  std::string tip;
  ASSERT_TRUE(SubmitTip("police-hanoi", "scope-tip-1", "01", &tip).ok());
  ASSERT_FALSE(tip.empty());
  EXPECT_TRUE(GetTip("police-hanoi", tip).ok());
  EXPECT_TRUE(GetTip("procuracy-hanoi", tip).ok());
  EXPECT_EQ(GetTip(kHungYenPolice, tip).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A district's team does not see its province's records.
  EXPECT_EQ(GetTip("team178-thanhtri", tip).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The refusal names the record and the agency, not what the tip says.
  const grpc::Status refused = GetTip(kHungYenPolice, tip);
  EXPECT_THAT(refused.error_message(), HasSubstr(tip));
}

TEST_F(GrpcAccess, AnEstablishmentIsKeptAndReadInItsOwnUnitOnly) {
  std::string establishment;
  ASSERT_TRUE(CreateEstablishment("culture-hanoi", "scope-est-1", "01", &establishment).ok());
  ASSERT_FALSE(establishment.empty());
  EXPECT_TRUE(GetEstablishment("police-hanoi", establishment).ok());
  EXPECT_TRUE(GetEstablishment("health-hanoi", establishment).ok());
  EXPECT_EQ(GetEstablishment(kHungYenPolice, establishment).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Nor may another province register a business in Hà Nội.
  std::string ignored;
  EXPECT_EQ(CreateEstablishment(kHungYenPolice, "scope-est-2", "01", &ignored).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GrpcAccess, AHandOverIsMadeByThePoliceOfItsUnitAndReadThereOnly) {
  intake::v1::CreateHandOverRequest create;
  create.set_request_id("scope-handover-1");
  create.mutable_hand_over()->set_unit_code("01");
  create.mutable_hand_over()->set_found_date("2024-06-02");
  create.mutable_hand_over()->add_persons()->set_full_name("Nguyễn Thị Hồng");
  intake::v1::CreateHandOverResponse created;
  const grpc::Status made = Unary(
      "intake", "police-hanoi", &intake::v1::IntakeService::Stub::CreateHandOver, create, &created);
  ASSERT_TRUE(made.ok()) << Describe(made);
  const auto get = [&](const std::string& identity) {
    intake::v1::GetHandOverRequest request;
    request.set_name(created.hand_over().name());
    intake::v1::GetHandOverResponse response;
    return Unary("intake", identity, &intake::v1::IntakeService::Stub::GetHandOver, request,
                 &response);
  };
  EXPECT_TRUE(get("police-hanoi").ok());
  EXPECT_TRUE(get("social-affairs-hanoi").ok());
  const grpc::Status refused = get(kHungYenPolice);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(refused);
  EXPECT_THAT(refused.error_message(), HasSubstr(created.hand_over().name()));
  EXPECT_THAT(refused.error_message(), ::testing::Not(HasSubstr("Hồng")));
  // The procuracy reads tips, but not who was handed over.
  EXPECT_EQ(get("procuracy-hanoi").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Nor may another province's police hand people over in Hà Nội.
  create.set_request_id("scope-handover-2");
  intake::v1::CreateHandOverResponse ignored;
  EXPECT_EQ(Unary("intake", kHungYenPolice, &intake::v1::IntakeService::Stub::CreateHandOver,
                  create, &ignored)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GrpcAccess, AProviderIsRegisteredInItsOwnUnitAndFoundFromAnywhere) {
  referrals::v1::CreateProviderRequest request;
  request.set_request_id("scope-provider-1");
  request.set_display_name("Trung tâm Công tác xã hội Hà Nội");
  request.set_kind(referrals::v1::PROVIDER_KIND_SOCIAL_WORK_CENTRE);
  request.add_services(referrals::v1::SERVICE_TYPE_PSYCHOLOGICAL_COUNSELLING);
  request.set_unit_code("01");
  request.set_agency_code("CTXH-HN");
  referrals::v1::CreateProviderResponse created;
  const grpc::Status create =
      Unary("referrals", "health-hanoi", &referrals::v1::ReferralsService::Stub::CreateProvider,
            request, &created);
  ASSERT_TRUE(create.ok()) << Describe(create);
  // Registering one in another province's unit is refused...
  request.set_request_id("scope-provider-2");
  request.set_unit_code("33");
  referrals::v1::CreateProviderResponse ignored;
  EXPECT_EQ(Unary("referrals", "health-hanoi",
                  &referrals::v1::ReferralsService::Stub::CreateProvider, request, &ignored)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // ...but the directory is read from anywhere (scope: all).
  referrals::v1::GetProviderRequest get;
  get.set_name(created.provider().name());
  referrals::v1::GetProviderResponse got;
  const grpc::Status read = Unary("referrals", kHungYenPolice,
                                  &referrals::v1::ReferralsService::Stub::GetProvider, get, &got);
  EXPECT_TRUE(read.ok()) << Describe(read);
  EXPECT_EQ(got.provider().unit_code(), "01");
}

// Units reach intake and inspections as plans' UnitCreated events over Redis: a
// commune created in the directory becomes a place tips may name, within its district
// and province.
TEST_F(GrpcAccess, OnceUnitsAreKnownAProvinceReadsItsDistrictsRecordsButNotTheReverse) {
  std::string district_tip, province_tip, district_establishment;
  ASSERT_EQ(SubmitTip("team178-thanhtri", "child-tip-0", "10201", &district_tip).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "intake took a tip for a commune the directory does not have";
  ASSERT_TRUE(CreateUnit("10201", "Ngũ Hiệp", plans::v1::UNIT_LEVEL_COMMUNE, "268").ok());
  EXPECT_TRUE(Eventually([&] {
    return SubmitTip("team178-thanhtri", "child-tip-1", "10201", &district_tip).ok();
  })) << "intake never learnt commune 10201:\n"
      << Service("intake").log();
  ASSERT_TRUE(SubmitTip("police-hanoi", "child-tip-2", "01", &province_tip).ok());
  ASSERT_TRUE(
      CreateEstablishment("team178-thanhtri", "child-est-1", "10201", &district_establishment)
          .ok());

  EXPECT_TRUE(GetTip("police-hanoi", district_tip).ok());
  EXPECT_TRUE(GetTip("procuracy-hanoi", district_tip).ok());
  EXPECT_TRUE(GetTip("team178-thanhtri", district_tip).ok());
  EXPECT_EQ(GetTip(kHungYenPolice, district_tip).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetTip("team178-thanhtri", province_tip).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  EXPECT_TRUE(Eventually([&] {
    return GetEstablishment("police-hanoi", district_establishment).ok();
  })) << "inspections never learnt that 268 lies under 01:\n"
      << Service("inspections").log();
  EXPECT_EQ(GetEstablishment(kHungYenPolice, district_establishment).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GrpcAccess, ACertificateFromAnotherCaOrNoneIsRefusedAtTheTlsLayer) {
  TempDir dir;
  // A CA of its own, with certificates of the same names as the real ones.
  RunScript(dir, R"(/bin/bash "$1" "$2")", {PCMD_CERTS_SCRIPT, dir.File("other")});
  const std::string real_ca = pcmd::testing::ReadFile(TestCerts() + "/ca.crt");
  for (const Binary& b : kServices) {
    grpc::SslCredentialsOptions foreign;
    foreign.pem_root_certs = real_ca;  // The client trusts the real server...
    foreign.pem_cert_chain = pcmd::testing::ReadFile(dir.File("other/police-hanoi.crt"));
    foreign.pem_private_key = pcmd::testing::ReadFile(dir.File("other/police-hanoi.key"));
    grpc::SslCredentialsOptions anonymous;  // ...and a client with no certificate at all.
    anonymous.pem_root_certs = real_ca;
    for (const auto& [who, ssl] :
         {std::pair{"another CA", foreign}, std::pair{"none", anonymous}}) {
      grpc::ChannelArguments args;
      args.SetSslTargetNameOverride("localhost");
      auto channel =
          grpc::CreateCustomChannel(Service(b.name).target(), grpc::SslCredentials(ssl), args);
      grpc::ClientContext context;
      WithDeadline(context, 5);
      const grpc::Status status = pcmd::testing::RawUnaryCall(
          channel, context, "/pcmd.plans.v1.DirectoryService/GetUnit", "");
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
          << b.name << ", certificate from " << who << ": " << Describe(status);
    }
    // The service is unharmed and serves a caller with a good certificate.
    EXPECT_EQ(integration::Health(Service(b.name).target(), ""),
              grpc::health::v1::HealthCheckResponse::SERVING)
        << b.name;
    EXPECT_THAT(Service(b.name).log(), ::testing::Not(HasSubstr("INSECURE_MODE"))) << b.name;
  }
}

TEST_F(GrpcAccess, ACertificateFromTheRightCaThatNamesNoValidAgencyIsUnauthenticated) {
  TempDir dir;
  // Certificates from the services' own CA: without an agency URI, with a malformed one
  // (an unknown kind), and with two.
  const std::map<std::string, std::string> sans = {
      {"no-agency", "DNS:localhost"},
      {"bad-kind", "URI:urn:pcmd:agency:spy:01:X-1"},
      {"two-agencies", "URI:urn:pcmd:agency:police:01:A-1,URI:urn:pcmd:agency:court:01:B-1"},
  };
  for (const auto& [name, san] : sans) {
    IssueFromServicesCa(dir, name, san);
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pcmd::testing::ReadFile(TestCerts() + "/ca.crt");
    ssl.pem_cert_chain = pcmd::testing::ReadFile(dir.File(name + ".crt"));
    ssl.pem_private_key = pcmd::testing::ReadFile(dir.File(name + ".key"));
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    for (const Binary& b : kServices) {
      auto channel =
          grpc::CreateCustomChannel(Service(b.name).target(), grpc::SslCredentials(ssl), args);
      grpc::ClientContext context;
      WithDeadline(context);
      StateUse(context);
      // GetEventStats: hosted by every binary, and open to pcmd's own services.
      const grpc::Status status = pcmd::testing::RawUnaryCall(
          channel, context, "/pcmd.events.v1.EventAdminService/GetEventStats", "");
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << b.name << " with " << name << ": " << Describe(status);
    }
  }
}

// The first string field (at the top level) of `type`, or nullptr.
const google::protobuf::FieldDescriptor* FirstStringField(
    const google::protobuf::Descriptor& type) {
  for (int i = 0; i < type.field_count(); ++i) {
    const auto* field = type.field(i);
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING && !field->is_map()) {
      return field;
    }
  }
  return nullptr;
}

TEST_F(GrpcAccess, AStringThatIsNotUtf8IsInvalidArgumentNamingTheMessageInEveryRpc) {
  int checked = 0;
  for (const Binary& b : kServices) {
    for (const ServiceDescriptor* service : HostedPcmdServices(b.name)) {
      for (int i = 0; i < service->method_count(); ++i) {
        const MethodDescriptor& method = *service->method(i);
        const auto* field = FirstStringField(*method.input_type());
        if (field == nullptr) continue;
        // The field, length-delimited, holding C3 28: a lead byte and no continuation.
        std::string request;
        request.push_back(static_cast<char>((field->number() << 3) | 2));
        request.append("\x02\xc3\x28", 3);
        ASSERT_LT(field->number(), 16) << "the tag above takes one byte";
        const grpc::Status status = Call(b.name, "operator", method, request);
        EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
            << b.name << " " << MethodPath(method) << ": " << Describe(status);
        EXPECT_EQ(status.error_message(),
                  absl::StrCat("the request is not a valid ", method.input_type()->full_name(),
                               " message (strings must be valid UTF-8)"))
            << MethodPath(method);
        ++checked;
      }
    }
    // Still serving.
    EXPECT_EQ(integration::Health(Service(b.name).target(), ""),
              grpc::health::v1::HealthCheckResponse::SERVING)
        << b.name;
  }
  EXPECT_GE(checked, 4);
}

TEST_F(GrpcAccess, AnOverSizeRequestIsResourceExhaustedAndTheServiceKeepsServing) {
  // 4 MiB is the default --max-message-bytes.
  intake::v1::SubmitTipRequest huge;
  huge.set_request_id("size-1");
  huge.set_channel(intake::v1::CHANNEL_HOTLINE);
  huge.set_legal_kind(intake::v1::LEGAL_KIND_DENUNCIATION);
  huge.set_category(intake::v1::CATEGORY_PUBLIC_PLACE);
  huge.set_unit_code("01");
  huge.set_establishment(std::string(4 * 1024 * 1024 + 1, 'a'));
  intake::v1::SubmitTipResponse response;
  const grpc::Status over =
      Unary("intake", "police-hanoi", &intake::v1::IntakeService::Stub::SubmitTip, huge, &response);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(over);
  // The same channel, and the service, carry on.
  std::string tip;
  const grpc::Status normal = SubmitTip("police-hanoi", "size-2", "01", &tip);
  EXPECT_TRUE(normal.ok()) << Describe(normal);
  EXPECT_TRUE(GetTip("police-hanoi", tip).ok());
}

}  // namespace
}  // namespace pcmd::security
