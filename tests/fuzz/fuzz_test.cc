// Malformed input over every RPC of the four real service binaries (mutual TLS, one
// Redis, as deploy/run.sh runs them): for each method, requests built at random from its
// descriptor (huge and empty strings, negative and extreme numbers, enum numbers no
// value has, deep and long repeated fields), the same messages with bytes flipped, cut
// or appended, strings that are not UTF-8, and plain noise. Each is sent as an agency
// the method allows, with an end user and purpose, so that it reaches validation rather
// than stopping at the access rules. No answer may be INTERNAL, UNKNOWN or DATA_LOSS,
// and every service must still be running and SERVING at the end.
//
// Deterministic: the seed is fixed (PCMD_FUZZ_SEED overrides it, PCMD_FUZZ_ROUNDS the
// number of requests per method) and printed, so a failure can be replayed.
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/security/identity.h"
#include "common/server/raw_call_testing.h"
#include "common/testing/redis_server.h"
#include "common/testing/temp_dir.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/admin.pb.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/plans/v1/directory.grpc.pb.h"
#include "pcmd/plans/v1/plans.grpc.pb.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "tests/integration/service_process.h"
#include "tests/security/expected_access.h"

namespace pcmd::fuzz {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::Reflection;
using google::protobuf::ServiceDescriptor;
using integration::Binary;
using integration::ChannelAs;
using integration::kServices;
using integration::RunningBinary;

// The demo certificate of each agency kind (deploy/certs.sh).
const std::map<std::string, std::string>& CertOfKind() {
  static const auto* m =
      new std::map<std::string, std::string>{{"police", "police-hanoi"},
                                             {"social_affairs", "social-affairs-hanoi"},
                                             {"inspection_team", "team178-thanhtri"},
                                             {"provider", "provider-hanoi"},
                                             {"procuracy", "procuracy-hanoi"},
                                             {"court", "court-hanoi"},
                                             {"culture", "culture-hanoi"},
                                             {"health", "health-hanoi"},
                                             {"ministry", "ministry-health"},
                                             {"service", "intake"},
                                             {"operator", "operator"}};
  return *m;
}

// Which binary hosts a proto service.
std::string HostOf(const ServiceDescriptor& service) {
  const std::string& package = service.file()->package();
  if (package == "pcmd.intake.v1") return "intake";
  if (package == "pcmd.inspections.v1") return "inspections";
  if (package == "pcmd.referrals.v1") return "referrals";
  return "plans";
}

uint64_t SeedFromEnv() {
  const char* seed = std::getenv("PCMD_FUZZ_SEED");
  return seed != nullptr ? std::strtoull(seed, nullptr, 10) : 20261204;
}

int RoundsFromEnv() {
  const char* rounds = std::getenv("PCMD_FUZZ_ROUNDS");
  return rounds != nullptr ? std::max(1, std::atoi(rounds)) : 14;
}

// Random requests built from descriptors.
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Below(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool OneIn(int n) { return Below(n) == 0; }

  // Valid UTF-8 (Vietnamese, ASCII, control characters), sometimes empty, sometimes
  // far longer than any field allows.
  std::string Text() {
    static const char* const kPieces[] = {"a",
                                          "Z",
                                          "0",
                                          "-",
                                          "_",
                                          "/",
                                          " ",
                                          "\n",
                                          "\t",
                                          "Thanh Trì",
                                          "đ",
                                          "Đ",
                                          "ệ",
                                          "\xe2\x80\x8b",
                                          "plans/hn-2024",
                                          "tips/",
                                          "units/01",
                                          "268",
                                          "../",
                                          "%",
                                          "'",
                                          "\"",
                                          "\\",
                                          "{",
                                          "😀",
                                          "\x01",
                                          "\x7f",
                                          "SELECT",
                                          "*"};
    const int kind = Below(10);
    const int length = kind == 0 ? 0 : kind < 7 ? Below(16) : kind < 9 ? Below(600) : 20000;
    std::string s;
    for (int i = 0; i < length; ++i) s += kPieces[Below(std::size(kPieces))];
    return s;
  }

  int64_t Number() {
    static const int64_t kEdges[] = {0,       1,         -1,        2,         100,      -100,
                                     1 << 20, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    if (OneIn(2)) return kEdges[Below(std::size(kEdges))];
    return static_cast<int64_t>(rng_());
  }

  void Fill(Message& m, int depth) {
    const Descriptor& type = *m.GetDescriptor();
    const Reflection& r = *m.GetReflection();
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor* f = type.field(i);
      if (OneIn(3)) continue;
      if (f->real_containing_oneof() != nullptr && OneIn(2)) continue;
      // Long repeated fields of scalars only, and only at the top: nested ones would
      // grow the message exponentially.
      const bool message = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
      const int count =
          f->is_repeated() ? (!message && depth == 0 && OneIn(8) ? 300 : Below(4)) : 1;
      for (int n = 0; n < count && budget_ > 0; ++n) SetOne(m, r, *f, depth);
    }
  }

  std::string Random(const Message& prototype) {
    budget_ = 1 << 20;  // About 1 MB of strings per request at most.
    std::unique_ptr<Message> m(prototype.New());
    Fill(*m, 0);
    return m->SerializeAsString();
  }

  // `bytes` with some bytes flipped, a piece cut off or noise appended.
  std::string Mutate(std::string bytes) {
    if (bytes.empty()) bytes = "\x0a\x01x";
    switch (Below(4)) {
      case 0:
        for (int i = 0; i < 1 + Below(8); ++i) bytes[Below(bytes.size())] ^= 1 << Below(8);
        break;
      case 1:
        bytes.resize(Below(bytes.size()));
        break;
      case 2:
        bytes += Noise(1 + Below(64));
        break;
      default:
        bytes.insert(Below(bytes.size()), Noise(1 + Below(16)));
    }
    return bytes;
  }

  std::string Noise(int length) {
    std::string s;
    for (int i = 0; i < length; ++i) s += static_cast<char>(rng_());
    return s;
  }

  // Field 1..15, wire type 2 (length-delimited), holding bytes that are not UTF-8: a
  // proto3 string field that protobuf refuses to parse.
  std::string NotUtf8() {
    std::string s;
    s += static_cast<char>(((1 + Below(15)) << 3) | 2);
    s += "\x04\xc3\x28\xff\xfe";
    return s;
  }

 private:
  void SetOne(Message& m, const Reflection& r, const FieldDescriptor& f, int depth) {
    const bool rep = f.is_repeated();
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string v = f.type() == FieldDescriptor::TYPE_BYTES ? Noise(Below(64)) : Text();
        budget_ -= static_cast<int64_t>(v.size()) + 1;
        rep ? r.AddString(&m, &f, v) : r.SetString(&m, &f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        rep ? r.AddBool(&m, &f, OneIn(2)) : r.SetBool(&m, &f, OneIn(2));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        rep ? r.AddInt32(&m, &f, static_cast<int32_t>(Number()))
            : r.SetInt32(&m, &f, static_cast<int32_t>(Number()));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        rep ? r.AddInt64(&m, &f, Number()) : r.SetInt64(&m, &f, Number());
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        rep ? r.AddUInt32(&m, &f, static_cast<uint32_t>(Number()))
            : r.SetUInt32(&m, &f, static_cast<uint32_t>(Number()));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        rep ? r.AddUInt64(&m, &f, static_cast<uint64_t>(Number()))
            : r.SetUInt64(&m, &f, static_cast<uint64_t>(Number()));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        static const double kEdges[] = {0.0, -1.0, 1e308, -1e308, 0.5, 1e-300};
        const double v = kEdges[Below(std::size(kEdges))];
        rep ? r.AddDouble(&m, &f, v) : r.SetDouble(&m, &f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_FLOAT:
        rep ? r.AddFloat(&m, &f, -1.5f) : r.SetFloat(&m, &f, 3.4e38f);
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        // A declared value, or a number no value has (proto3 keeps it).
        const int v = OneIn(3)
                          ? static_cast<int>(Number() % 1000)
                          : f.enum_type()->value(Below(f.enum_type()->value_count()))->number();
        rep ? r.AddEnumValue(&m, &f, v) : r.SetEnumValue(&m, &f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth >= 4) break;
        budget_ -= 16;
        Fill(rep ? *r.AddMessage(&m, &f) : *r.MutableMessage(&m, &f), depth + 1);
        break;
    }
  }

  std::mt19937_64 rng_;
  int64_t budget_ = 0;
};

class FuzzTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    redis_ = new testing::RedisServer;
    const std::vector<std::string> bus = {"--redis=" + redis_->address()};
    for (const Binary& b : kServices) {
      binaries_[b.name] = std::make_unique<RunningBinary>(b, *dir_, "127.0.0.1:0", bus);
    }
    // Real units, so that requests naming them get past the unit checks.
    for (const auto& [name, binary] : binaries_) {
      if (binary->port() == 0) return;
    }
    EXPECT_TRUE(integration::RegisterTestUnits(
        binaries_["plans"]->target(), binaries_["intake"]->target(),
        binaries_["inspections"]->target(), binaries_["referrals"]->target()));
  }
  static void TearDownTestSuite() {
    binaries_.clear();
    delete redis_;
    delete dir_;
  }

  // Every pcmd service the four binaries host, from the generated descriptors.
  static std::vector<const ServiceDescriptor*> Services() {
    std::vector<const ServiceDescriptor*> services;
    for (const google::protobuf::FileDescriptor* file :
         {events::v1::GetEventStatsRequest::descriptor()->file(),
          intake::v1::Tip::descriptor()->file(),
          inspections::v1::Establishment::descriptor()->file(),
          referrals::v1::Provider::descriptor()->file(), plans::v1::Unit::descriptor()->file(),
          plans::v1::Plan::descriptor()->file()}) {
      for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
    }
    return services;
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline testing::RedisServer* redis_ = nullptr;
  static inline std::map<std::string, std::unique_ptr<RunningBinary>> binaries_;
};

TEST_F(FuzzTest, NoMalformedRequestToAnyRpcCrashesAServiceOrAnswersInternal) {
  for (const auto& [name, binary] : binaries_) {
    ASSERT_GT(binary->port(), 0) << name << " never served:\n" << binary->log();
  }
  const uint64_t seed = SeedFromEnv();
  const int rounds = RoundsFromEnv();
  std::printf("fuzz seed %llu, %d requests per method (PCMD_FUZZ_SEED, PCMD_FUZZ_ROUNDS)\n",
              static_cast<unsigned long long>(seed), rounds);
  Generator gen(seed);
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  int calls = 0;
  std::map<grpc::StatusCode, int> codes;
  for (const ServiceDescriptor* service : Services()) {
    ASSERT_NE(service, nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor& method = *service->method(i);
      const std::string path = absl::StrCat("/", service->full_name(), "/", method.name());
      // The event administration answers on every binary; one is enough.
      const std::string host =
          service->full_name() == "pcmd.events.v1.EventAdminService" ? "plans" : HostOf(*service);
      auto expected = security::Matrix().find(path);
      std::string kind = "operator";
      if (expected != security::Matrix().end()) {
        const std::vector<std::string> kinds = absl::StrSplit(expected->second.allowed, ' ');
        kind = kinds.front();
      }
      const std::string cert = CertOfKind().count(kind) ? CertOfKind().at(kind) : "operator";
      auto& channel = channels[host + "/" + cert];
      if (channel == nullptr) channel = ChannelAs(binaries_.at(host)->target(), cert);
      const Message* prototype =
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(method.input_type());
      ASSERT_NE(prototype, nullptr) << path;
      for (int round = 0; round < rounds; ++round) {
        std::string request;
        switch (round % 7) {
          case 0:
            request = "";
            break;
          case 1:
            request = gen.NotUtf8();
            break;
          case 2:
            request = gen.Noise(1 + gen.Below(200));
            break;
          case 3:
            request = gen.Mutate(gen.Random(*prototype));
            break;
          default:
            request = gen.Random(*prototype);
        }
        grpc::ClientContext ctx;
        ctx.AddMetadata(std::string(security::kEndUserHeader), "fuzz-officer");
        ctx.AddMetadata(std::string(security::kPurposeHeader), "tip-handling");
        grpc::Status status;
        const absl::Time start = absl::Now();
        if (method.server_streaming() || method.client_streaming()) {
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
          status = testing::StreamCall(channel, ctx, path, {request});
        } else {
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
          status = testing::RawUnaryCall(channel, ctx, path, request);
        }
        if (absl::Now() - start > absl::Seconds(2)) {
          std::printf("slow: %s round %d took %s (%zu bytes)\n", path.c_str(), round,
                      absl::FormatDuration(absl::Now() - start).c_str(), request.size());
        }
        ++calls;
        ++codes[status.error_code()];
        const grpc::StatusCode code = status.error_code();
        EXPECT_TRUE(code != grpc::StatusCode::INTERNAL && code != grpc::StatusCode::UNKNOWN &&
                    code != grpc::StatusCode::DATA_LOSS)
            << path << " as " << cert << " answered " << code << ": " << status.error_message()
            << "\nrequest (" << request.size() << " bytes, seed " << seed << ", round " << round
            << "): " << absl::BytesToHexString(request.substr(0, 200));
        EXPECT_NE(code, grpc::StatusCode::UNAVAILABLE)
            << path << ": the service stopped answering after round " << round << "\n"
            << binaries_.at(host)->log().substr(0, 4000);
        if (code == grpc::StatusCode::UNAVAILABLE) return;
      }
    }
  }
  std::string summary;
  for (const auto& [code, n] : codes) absl::StrAppend(&summary, " ", code, "×", n);
  std::printf("%d calls; answers by code:%s\n", calls, summary.c_str());
  // Most requests are refused as invalid; a fuzz run where nothing reached validation
  // (all PERMISSION_DENIED, say) would prove nothing.
  EXPECT_GT(codes[grpc::StatusCode::INVALID_ARGUMENT], calls / 3);
  for (const Binary& b : kServices) {
    RunningBinary& binary = *binaries_.at(b.name);
    EXPECT_FALSE(binary.process().Wait(absl::ZeroDuration()).has_value())
        << b.name << " exited during the fuzz run:\n"
        << binary.log();
    EXPECT_EQ(integration::Health(binary.target(), b.health_name),
              grpc::health::v1::HealthCheckResponse::SERVING)
        << b.name << " no longer SERVING";
  }
}

}  // namespace
}  // namespace pcmd::fuzz
