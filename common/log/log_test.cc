#include "common/log/log.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd::log {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSinkForTesting([this](absl::string_view line) { lines_.emplace_back(line); });
    SetLevel(Level::kInfo);
  }
  void TearDown() override {
    SetSinkForTesting(nullptr);
    SetService("");
  }
  std::vector<std::string> lines_;
};

TEST_F(LogTest, WritesOneJsonObjectPerEventWithTypedFields) {
  SetService("intake");
  Info("tip_received", {{"tip", "tips/abc"}, {"count", 3}, {"urgent", true}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_THAT(lines_[0], HasSubstr("\"level\":\"info\""));
  EXPECT_THAT(lines_[0], HasSubstr("\"event\":\"tip_received\""));
  EXPECT_THAT(lines_[0], HasSubstr("\"service\":\"intake\""));
  EXPECT_THAT(lines_[0], HasSubstr("\"tip\":\"tips/abc\",\"count\":3,\"urgent\":true}"));
}

TEST_F(LogTest, DropsLinesBelowTheLevel) {
  ASSERT_TRUE(SetLevel("warning").ok());
  Info("quiet");
  Warning("loud");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_THAT(lines_[0], HasSubstr("loud"));
}

TEST_F(LogTest, RejectsAnUnknownLevelName) {
  EXPECT_EQ(SetLevel("verbose").code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LogTest, EscapesQuotesAndNewlinesButKeepsVietnameseReadable) {
  Info("unit_loaded", {{"unit", "Thanh Trì \"cũ\"\nx"}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_THAT(lines_[0], HasSubstr("Thanh Trì \\\"cũ\\\"\\nx"));
  EXPECT_THAT(lines_[0], Not(HasSubstr("\n")));
}

}  // namespace
}  // namespace pcmd::log
