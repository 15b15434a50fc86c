#include "common/ids/ids.h"

#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace pcmd {
namespace {

const absl::Time kStart = absl::FromUnixMillis(1732406400000);  // 2024-11-24

TEST(IdGenerator, WritesCanonicalUuidVersion7) {
  FakeClock clock(kStart);
  IdGenerator ids(clock);
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(std::regex_match(ids.Next(), shape));
}

TEST(IdGenerator, EncodesTheClockTimeInTheId) {
  FakeClock clock(kStart);
  IdGenerator ids(clock);
  EXPECT_EQ(UuidV7Millis(ids.Next()), absl::ToUnixMillis(kStart));
  clock.Advance(absl::Seconds(3));
  EXPECT_EQ(UuidV7Millis(ids.Next()), absl::ToUnixMillis(kStart) + 3000);
}

TEST(IdGenerator, StaysStrictlyIncreasingWhenTheClockStandsStillOrStepsBack) {
  FakeClock clock(kStart);
  IdGenerator ids(clock);
  std::string previous = ids.Next();
  for (int i = 0; i < 20000; ++i) {
    if (i == 10000) clock.Advance(absl::Seconds(-5));
    const std::string next = ids.Next();
    ASSERT_LT(previous, next) << "at " << i;
    previous = next;
  }
}

TEST(IdGenerator, GivesUniqueIdsAcrossThreads) {
  IdGenerator ids(Clock::Real());
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&ids, &out] {
      for (int i = 0; i < 5000; ++i) out.push_back(ids.Next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : per_thread) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 20000u);
}

TEST(UuidV7Millis, RejectsStringsThatAreNotVersion7) {
  EXPECT_EQ(UuidV7Millis("not-an-id"), -1);
  EXPECT_EQ(UuidV7Millis("0192d8e4-1c2b-4def-8abc-0123456789ab"), -1);
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock(kStart);
  EXPECT_EQ(clock.Now(), kStart);
  clock.Advance(absl::Hours(24));
  EXPECT_EQ(clock.Now(), kStart + absl::Hours(24));
  clock.Set(kStart);
  EXPECT_EQ(clock.Now(), kStart);
}

}  // namespace
}  // namespace pcmd
