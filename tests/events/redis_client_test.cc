// RedisClient against a real redis-server: what the relay and the consumer rely on
// when Redis goes away and comes back.
#include "common/events/redis_client.h"

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/testing/redis_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd::events {
namespace {

using ::testing::HasSubstr;
using testing::RedisServer;

TEST(RedisClient, AnswersOnTheNextCallAfterRedisRestarts) {
  RedisServer redis;
  RedisClient client(redis.address());
  ASSERT_TRUE(client.Command({"SET", "k", "v"}).ok());

  redis.Stop();
  redis.Start();

  // The connection from before the restart is dead: the header promises that this
  // costs at most one failed command, which must then say "retry later".
  absl::StatusOr<RedisReply> first = client.Command({"GET", "k"});
  if (!first.ok()) {
    EXPECT_TRUE(absl::IsUnavailable(first.status())) << first.status();
    first = client.Command({"GET", "k"});
  }
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->type, RedisReply::Type::kString);
  EXPECT_EQ(first->str, "v");
}

TEST(RedisClient, ReportsUnavailableQuicklyWhileRedisIsDownAndRecoversWhenItIsBack) {
  RedisServer redis;
  RedisClient client(redis.address());
  ASSERT_TRUE(client.Command({"PING"}).ok());

  redis.Kill();
  for (int i = 0; i < 3; ++i) {
    const absl::Time start = absl::Now();
    absl::StatusOr<RedisReply> reply = client.Command({"PING"});
    EXPECT_TRUE(absl::IsUnavailable(reply.status())) << reply.status();
    // A refused connection is answered at once, not after the 5 s timeout.
    EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  }

  redis.Start();
  absl::StatusOr<RedisReply> reply = client.Command({"PING"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->str, "PONG");
}

TEST(RedisClient, GivesUpOnACommandThatOutlastsItsTimeoutAndWorksOnTheNextCall) {
  RedisServer redis;
  RedisClient client(redis.address());
  const absl::Time start = absl::Now();
  // BLPOP on an empty list with no server-side limit waits forever.
  absl::StatusOr<RedisReply> blocked =
      client.Command({"BLPOP", "nothing-here", "0"}, absl::Milliseconds(200));
  EXPECT_TRUE(absl::IsUnavailable(blocked.status())) << blocked.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));

  absl::StatusOr<RedisReply> reply = client.Command({"PING"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->str, "PONG");
}

TEST(RedisClient, ReturnsAnErrorReplyAsAReplyAndKeepsTheConnection) {
  RedisServer redis;
  RedisClient client(redis.address());
  ASSERT_TRUE(client.Command({"SET", "text", "not a number"}).ok());

  absl::StatusOr<RedisReply> reply = client.Command({"INCR", "text"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->type, RedisReply::Type::kError);
  EXPECT_THAT(reply->str, HasSubstr("not an integer"));

  absl::StatusOr<RedisReply> after = client.Command({"INCR", "counter"});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->type, RedisReply::Type::kInteger);
  EXPECT_EQ(after->integer, 1);
}

TEST(RedisClient, KeepsBinaryArgumentsIntact) {
  RedisServer redis;
  RedisClient client(redis.address());
  const std::string bytes("a\0b\r\nc", 6);
  ASSERT_TRUE(client.Command({"SET", "bin", bytes}).ok());
  absl::StatusOr<RedisReply> reply = client.Command({"GET", "bin"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->str, bytes);
}

TEST(RedisClient, RejectsAnAddressWithoutAPortAsInvalid) {
  RedisClient client("127.0.0.1");
  EXPECT_TRUE(absl::IsInvalidArgument(client.Command({"PING"}).status()));
}

}  // namespace
}  // namespace pcmd::events
