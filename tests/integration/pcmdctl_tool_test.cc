// pcmdctl against the four real binaries (Redis, mutual TLS, the certificates of
// deploy/certs.sh): requests from flags and from a JSON file, answers as text and JSON
// with Vietnamese intact, the service's field errors shown, and the exit codes scripts
// rely on.
#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/service_process.h"

namespace pcmd::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct CtlRun {
  std::optional<int> exit_code;
  std::string output;  // stdout and stderr together
};

class PcmdctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    redis_ = new testing::RedisServer;
    const std::vector<std::string> bus = {"--redis=" + redis_->address()};
    for (const Binary& b : kServices) {
      binaries_[b.name] = std::make_unique<RunningBinary>(b, *dir_, "127.0.0.1:0", bus);
    }
    for (const auto& [name, binary] : binaries_) {
      if (binary->port() == 0) return;
    }
    EXPECT_TRUE(RegisterTestUnits(binaries_["plans"]->target(), binaries_["intake"]->target(),
                                  binaries_["inspections"]->target(),
                                  binaries_["referrals"]->target()));
  }
  static void TearDownTestSuite() {
    binaries_.clear();
    delete redis_;
    delete dir_;
  }

  void SetUp() override {
    for (const auto& [name, binary] : binaries_) {
      ASSERT_GT(binary->port(), 0) << name << " never served:\n" << binary->log();
    }
  }

  // Runs pcmdctl with `args` after the connection flags.
  static CtlRun Ctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {PCMD_CTL_BIN, "--certs=" + TestCerts(),
                                     "--end-user=officer-0001", "--purpose=tip-handling"};
    for (const char* service : {"plans", "intake", "inspections", "referrals"}) {
      argv.push_back(absl::StrCat("--", service, "=", binaries_.at(service)->target()));
    }
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = dir_->File(absl::StrCat("pcmdctl-", ++runs_, ".log"));
    testing::Subprocess ctl(argv, log);
    CtlRun run;
    run.exit_code = ctl.Wait(absl::Seconds(60));
    run.output = testing::ReadFile(log);
    return run;
  }

  // The value after "name: " on the first line that has it.
  static std::string Field(const std::string& text, const std::string& name) {
    const std::string key = name + ": ";
    const size_t at = text.find(key);
    if (at == std::string::npos) return "";
    const size_t end = text.find('\n', at);
    return text.substr(at + key.size(), end - at - key.size());
  }

  static inline TempDir* dir_ = nullptr;
  static inline testing::RedisServer* redis_ = nullptr;
  static inline std::map<std::string, std::unique_ptr<RunningBinary>> binaries_;
  static inline int runs_ = 0;
};

TEST_F(PcmdctlTest, SubmitsATipFromFlagsAndReadsItBackWithItsVietnameseText) {
  const CtlRun submit = Ctl({"tips", "submit", "--as=police-hanoi", "--channel=hotline",
                             "--legal-kind=denunciation", "--category=establishment",
                             "--unit-code=268", "--place.address=Số 88 đường Ngọc Hồi, Thanh Trì",
                             "--description=Quán massage mở khuya"});
  ASSERT_EQ(submit.exit_code, std::optional<int>(0)) << submit.output;
  EXPECT_THAT(submit.output, HasSubstr("state: received"));
  const std::string name = Field(submit.output, "name");
  ASSERT_THAT(name, HasSubstr("tips/"));

  const CtlRun get = Ctl({"tips", "get", "--as=police-hanoi", "--name=" + name, "--json"});
  ASSERT_EQ(get.exit_code, std::optional<int>(0)) << get.output;
  EXPECT_THAT(get.output, HasSubstr("\"description\": \"Quán massage mở khuya\""));
  EXPECT_THAT(get.output, HasSubstr("\"address\": \"Số 88 đường Ngọc Hồi, Thanh Trì\""));
  EXPECT_THAT(get.output, HasSubstr("\"state\": \"TIP_STATE_RECEIVED\""));
}

TEST_F(PcmdctlTest, TakesTheRequestFromAJsonFileWithFlagsOverIt) {
  const std::string file = dir_->File("tip.json");
  std::ofstream(file) << R"({"channel": "CHANNEL_WALK_IN", "legal_kind": "LEGAL_KIND_DENUNCIATION",
      "category": "CATEGORY_PUBLIC_PLACE", "unit_code": "01", "description": "Từ tệp"})";
  const CtlRun submit =
      Ctl({"tips", "submit", "--as=police-hanoi", "--file=" + file, "--unit-code=268"});
  ASSERT_EQ(submit.exit_code, std::optional<int>(0)) << submit.output;
  EXPECT_EQ(Field(submit.output, "channel"), "walk_in");
  EXPECT_EQ(Field(submit.output, "unit_code"), "268");
  EXPECT_EQ(Field(submit.output, "description"), "Từ tệp");
}

TEST_F(PcmdctlTest, ListsShowATableAndFindTextTypedWithoutDiacritics) {
  const CtlRun submit = Ctl({"tips", "submit", "--as=police-hanoi", "--channel=hotline",
                             "--legal-kind=denunciation", "--category=public-place",
                             "--unit-code=268", "--description=Môi giới ở vườn hoa Văn Điển"});
  ASSERT_EQ(submit.exit_code, std::optional<int>(0)) << submit.output;
  const CtlRun list = Ctl({"tips", "list", "--as=police-hanoi", "--text=van dien", "--wide"});
  ASSERT_EQ(list.exit_code, std::optional<int>(0)) << list.output;
  EXPECT_THAT(list.output, HasSubstr("tips (1):"));
  // Lists leave the free text out; the one tip found is the one that has it.
  EXPECT_THAT(list.output, HasSubstr(Field(submit.output, "name")));
  EXPECT_THAT(list.output, HasSubstr("public_place"));
}

TEST_F(PcmdctlTest, ShowsTheFieldsTheServiceRefusedAndExitsOne) {
  const CtlRun bad =
      Ctl({"tips", "submit", "--as=police-hanoi", "--channel=hotline", "--unit-code=9999"});
  EXPECT_EQ(bad.exit_code, std::optional<int>(1));
  EXPECT_THAT(bad.output, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(bad.output, HasSubstr("\n  legal_kind: "));
  EXPECT_THAT(bad.output, HasSubstr("\n  unit_code: "));
}

TEST_F(PcmdctlTest, ARefusedAgencyIsTold) {
  const CtlRun denied =
      Ctl({"tips", "submit", "--as=provider-hanoi", "--channel=hotline",
           "--legal-kind=denunciation", "--category=establishment", "--unit-code=268"});
  EXPECT_EQ(denied.exit_code, std::optional<int>(1));
  EXPECT_THAT(denied.output, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(PcmdctlTest, BadUsageExitsTwoNamingWhatIsWrongAndCallsNothing) {
  const CtlRun field = Ctl({"tips", "submit", "--as=police-hanoi", "--colour=red"});
  EXPECT_EQ(field.exit_code, std::optional<int>(2));
  EXPECT_THAT(field.output, HasSubstr("--colour"));
  const CtlRun value = Ctl({"tips", "submit", "--as=police-hanoi", "--channel=pigeon"});
  EXPECT_EQ(value.exit_code, std::optional<int>(2));
  EXPECT_THAT(value.output, HasSubstr("hotline"));
  const CtlRun verb = Ctl({"tips", "fly"});
  EXPECT_EQ(verb.exit_code, std::optional<int>(2));
  EXPECT_THAT(verb.output, HasSubstr("submit"));
  // Nothing reached intake: its list still has no tip from a pigeon.
  const CtlRun list = Ctl({"tips", "list", "--as=police-hanoi", "--json"});
  EXPECT_THAT(list.output, Not(HasSubstr("pigeon")));
}

TEST_F(PcmdctlTest, CannotReachAServiceExitsThreeAndGivesTheRequestIdToRetryWith) {
  // A port nothing listens on (the Redis test server's own port speaks no gRPC TLS).
  const CtlRun down = Ctl({"tips", "submit", "--as=police-hanoi", "--intake=127.0.0.1:1",
                           "--timeout=2s", "--channel=hotline", "--legal-kind=denunciation",
                           "--category=establishment", "--unit-code=268"});
  EXPECT_EQ(down.exit_code, std::optional<int>(3)) << down.output;
  EXPECT_THAT(down.output, HasSubstr("--request-id=ctl-"));
}

TEST_F(PcmdctlTest, HelpAtEveryLevelExitsZero) {
  const CtlRun top = Ctl({"--help"});
  EXPECT_EQ(top.exit_code, std::optional<int>(0));
  EXPECT_THAT(top.output, HasSubstr("referrals"));
  const CtlRun group = Ctl({"plans", "--help"});
  EXPECT_EQ(group.exit_code, std::optional<int>(0));
  EXPECT_THAT(group.output, HasSubstr("progress"));
  const CtlRun verb = Ctl({"plans", "progress", "--help"});
  EXPECT_EQ(verb.exit_code, std::optional<int>(0));
  EXPECT_THAT(verb.output, HasSubstr("--plan"));
}

TEST_F(PcmdctlTest, StreamsAWatchUntilTheLimit) {
  // A watch without a cursor starts now: it sees the tips submitted while it runs.
  std::vector<std::string> argv = {PCMD_CTL_BIN,
                                   "--certs=" + TestCerts(),
                                   "--intake=" + binaries_.at("intake")->target(),
                                   "tips",
                                   "watch",
                                   "--as=police-hanoi",
                                   "--limit=1",
                                   "--json"};
  const std::string log = dir_->File("watch.log");
  testing::Subprocess watch(argv, log);
  std::optional<int> exit_code;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!exit_code.has_value() && absl::Now() < deadline) {
    ASSERT_EQ(Ctl({"tips", "submit", "--as=police-hanoi", "--channel=hotline",
                   "--legal-kind=denunciation", "--category=establishment", "--unit-code=268"})
                  .exit_code,
              std::optional<int>(0));
    exit_code = watch.Wait(absl::Milliseconds(500));
  }
  const std::string output = testing::ReadFile(log);
  EXPECT_EQ(exit_code, std::optional<int>(0)) << output;
  EXPECT_THAT(output, HasSubstr("\"change\":\"TipReceived\""));
  // --limit=1: one line, one change.
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
}

}  // namespace
}  // namespace pcmd::integration
