#include "common/config/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Config MakeConfig() {
  Config c("pcmd-test");
  c.DefineString("listen", "127.0.0.1:50052", "where to listen");
  c.DefineInt("max-message-bytes", 4 << 20, "largest request");
  c.DefineBool("insecure", false, "plaintext for debugging");
  c.DefineDuration("grace-period", absl::Seconds(10), "shutdown grace");
  c.DefineString("redis-password", "", "password", /*secret=*/true);
  return c;
}

TEST(Config, UsesDefaultsWhenNothingIsSet) {
  Config c = MakeConfig();
  const char* argv[] = {"prog"};
  ASSERT_TRUE(c.Parse(1, argv, {}).ok());
  EXPECT_EQ(c.GetString("listen"), "127.0.0.1:50052");
  EXPECT_EQ(c.GetInt("max-message-bytes"), 4 << 20);
  EXPECT_FALSE(c.GetBool("insecure"));
  EXPECT_EQ(c.GetDuration("grace-period"), absl::Seconds(10));
}

TEST(Config, LetsAFlagBeatTheEnvironmentAndTheEnvironmentBeatTheDefault) {
  Config c = MakeConfig();
  const char* argv[] = {"prog", "--listen=127.0.0.1:6000", "--grace-period", "250ms"};
  ASSERT_TRUE(
      c.Parse(4, argv, {{"PCMD_LISTEN", "127.0.0.1:5000"}, {"PCMD_MAX_MESSAGE_BYTES", "1024"}})
          .ok());
  EXPECT_EQ(c.GetString("listen"), "127.0.0.1:6000");
  EXPECT_EQ(c.GetInt("max-message-bytes"), 1024);
  EXPECT_EQ(c.GetDuration("grace-period"), absl::Milliseconds(250));
  EXPECT_THAT(c.Describe(), HasSubstr("listen=127.0.0.1:6000 (flag)"));
  EXPECT_THAT(c.Describe(), HasSubstr("max-message-bytes=1024 (environment)"));
}

TEST(Config, TreatsABareBooleanFlagAsTrue) {
  Config c = MakeConfig();
  const char* argv[] = {"prog", "--insecure"};
  ASSERT_TRUE(c.Parse(2, argv, {}).ok());
  EXPECT_TRUE(c.GetBool("insecure"));
}

TEST(Config, RejectsUnknownFlagsAndMistypedValuesNamingTheOption) {
  {
    Config c = MakeConfig();
    const char* argv[] = {"prog", "--lisen=x"};
    const absl::Status s = c.Parse(2, argv, {});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.message()), HasSubstr("--lisen"));
  }
  {
    Config c = MakeConfig();
    const char* argv[] = {"prog", "--max-message-bytes=lots"};
    EXPECT_THAT(std::string(c.Parse(2, argv, {}).message()), HasSubstr("max-message-bytes"));
  }
  {
    Config c = MakeConfig();
    const char* argv[] = {"prog"};
    const absl::Status s = c.Parse(1, argv, {{"PCMD_GRACE_PERIOD", "soon"}});
    EXPECT_THAT(std::string(s.message()), HasSubstr("PCMD_GRACE_PERIOD"));
  }
  {
    Config c = MakeConfig();
    const char* argv[] = {"prog", "--listen"};
    EXPECT_THAT(std::string(c.Parse(2, argv, {}).message()), HasSubstr("needs a value"));
  }
}

TEST(Config, NeverPrintsASecret) {
  Config c = MakeConfig();
  const char* argv[] = {"prog", "--redis-password=hunter2"};
  ASSERT_TRUE(c.Parse(2, argv, {}).ok());
  EXPECT_EQ(c.GetString("redis-password"), "hunter2");
  EXPECT_THAT(c.Describe(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(c.Describe(), HasSubstr("redis-password=<redacted>"));
}

TEST(Config, ReportsAHelpRequest) {
  Config c = MakeConfig();
  const char* argv[] = {"prog", "--help"};
  ASSERT_TRUE(c.Parse(2, argv, {}).ok());
  EXPECT_TRUE(c.help_requested());
  EXPECT_THAT(c.Usage(), HasSubstr("--grace-period (env PCMD_GRACE_PERIOD"));
}

}  // namespace
}  // namespace pcmd
