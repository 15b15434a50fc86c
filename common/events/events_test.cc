// The event bus against a real redis-server: outbox, relay, consumer, dead letters.
// The fault tests (kills, outages, concurrency) live in tests/events.
#include <atomic>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/status/status_macros.h"
#include "common/testing/redis_server.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/intake_events.pb.h"

namespace pcmd::events {
namespace {

using ::testing::ElementsAre;

constexpr storage::Migration kProducerMigrations[] = {{1, "outbox", kOutboxMigrationSql}};
constexpr storage::Migration kConsumerMigrations[] = {
    {1, "inbox", kInboxMigrationSql},
    {2, "tips per unit",
     "CREATE TABLE tips_per_unit (unit TEXT PRIMARY KEY, n INTEGER NOT NULL);"}};

v1::TipReceived Tip(const std::string& id, const std::string& unit) {
  v1::TipReceived t;
  t.set_tip("tips/" + id);
  t.set_unit_code(unit);
  return t;
}

class EventsTest : public ::testing::Test {
 protected:
  EventsTest()
      : producer_db_(
            *storage::SqliteDatabase::Open({.path = dir_.File("intake.db")}, kProducerMigrations)),
        consumer_db_(
            *storage::SqliteDatabase::Open({.path = dir_.File("plans.db")}, kConsumerMigrations)),
        outbox_("intake", Clock::Real()),
        relay_({.producer = "intake", .redis_address = redis_.address()}, *producer_db_,
               Clock::Real()) {}

  std::unique_ptr<EventConsumer> MakeConsumer(const std::string& name, int max_attempts = 5) {
    auto c = std::make_unique<EventConsumer>(ConsumerOptions{.group = "plans",
                                                             .consumer_name = name,
                                                             .producers = {"intake"},
                                                             .redis_address = redis_.address(),
                                                             .block = absl::Milliseconds(50),
                                                             .claim_idle = absl::Milliseconds(100),
                                                             .max_attempts = max_attempts},
                                             *consumer_db_, Clock::Real());
    c->Handle("pcmd.events.v1.TipReceived",
              [this](storage::Transaction& tx, const v1::EventEnvelope& env) -> absl::Status {
                ++handled_;
                if (fail_.load()) return absl::InternalError("handler is broken");
                v1::TipReceived tip;
                if (!env.payload().UnpackTo(&tip)) return absl::InvalidArgumentError("bad payload");
                if (tip.unit_code() == "poison") {
                  // Write first, then fail: the savepoint must undo the write.
                  (void)tx.Execute("INSERT INTO tips_per_unit(unit, n) VALUES ('poison', 1)");
                  return absl::InternalError("cannot count this unit");
                }
                return tx.Execute(
                    "INSERT INTO tips_per_unit(unit, n) VALUES (?1, 1) "
                    "ON CONFLICT(unit) DO UPDATE SET n = n + 1",
                    {tip.unit_code()});
              });
    c->OnReset([](storage::Transaction& tx) { return tx.Execute("DELETE FROM tips_per_unit"); });
    return c;
  }

  absl::Status Produce(const std::string& id, const std::string& unit) {
    return producer_db_->Write([&](storage::Transaction& tx) {
      return outbox_.Append(tx, "tip", "tips/" + id, Tip(id, unit)).status();
    });
  }

  int64_t Count(const std::string& unit) {
    int64_t n = 0;
    (void)consumer_db_->Read([&](storage::Transaction& tx) -> absl::Status {
      PCMD_ASSIGN_OR_RETURN(auto row,
                            tx.QueryOne("SELECT n FROM tips_per_unit WHERE unit = ?1", {unit}));
      n = row.has_value() ? row->Int(0) : 0;
      return absl::OkStatus();
    });
    return n;
  }

  // Polls until `want` events were applied in total or 10 s pass.
  int PollUntil(EventConsumer& c, int want) {
    int applied = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (applied < want && absl::Now() < deadline) applied += c.PollOnce().value_or(0);
    return applied;
  }

  testing::TempDir dir_;
  testing::RedisServer redis_;
  std::unique_ptr<storage::SqliteDatabase> producer_db_;
  std::unique_ptr<storage::SqliteDatabase> consumer_db_;
  Outbox outbox_;
  OutboxRelay relay_;
  std::atomic<int> handled_{0};
  std::atomic<bool> fail_{false};
};

TEST_F(EventsTest, NumbersTheEventsOfEachAggregateFromOne) {
  std::vector<int64_t> a, b;
  ASSERT_TRUE(
      producer_db_
          ->Write([&](storage::Transaction& tx) -> absl::Status {
            for (int i = 0; i < 3; ++i) {
              PCMD_ASSIGN_OR_RETURN(auto env, outbox_.Append(tx, "tip", "tips/a", Tip("a", "268")));
              a.push_back(env.sequence());
            }
            PCMD_ASSIGN_OR_RETURN(auto env, outbox_.Append(tx, "tip", "tips/b", Tip("b", "268")));
            b.push_back(env.sequence());
            return absl::OkStatus();
          })
          .ok());
  EXPECT_THAT(a, ElementsAre(1, 2, 3));
  EXPECT_THAT(b, ElementsAre(1));
}

TEST_F(EventsTest, DropsTheEventWhenTheChangeRollsBack) {
  const absl::Status s = producer_db_->Write([&](storage::Transaction& tx) -> absl::Status {
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", "tips/a", Tip("a", "268")).status());
    return absl::AbortedError("the change itself failed");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(relay_.Stats()->backlog, 0);
}

TEST_F(EventsTest, DeliversEachEventOnceEvenWhenItIsPublishedTwice) {
  ASSERT_TRUE(Produce("1", "268").ok());
  ASSERT_TRUE(Produce("2", "268").ok());
  ASSERT_TRUE(Produce("3", "001").ok());
  EXPECT_EQ(relay_.Stats()->backlog, 3);
  const absl::Time before = absl::Now() - absl::Seconds(1);
  ASSERT_EQ(*relay_.PublishBatch(), 3);
  EXPECT_EQ(relay_.Stats()->backlog, 0);
  auto consumer = MakeConsumer("plans-1");
  EXPECT_EQ(PollUntil(*consumer, 3), 3);
  // A lost stream is rebuilt from the outbox; consumers skip what they already have.
  ASSERT_EQ(*relay_.RepublishSince(before), 3);
  ASSERT_EQ(*relay_.PublishBatch(), 3);
  for (int i = 0; i < 5; ++i) (void)consumer->PollOnce();
  EXPECT_EQ(Count("268"), 2);
  EXPECT_EQ(Count("001"), 1);
  EXPECT_EQ(handled_.load(), 3);
  auto stats = consumer->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->applied, 3);
  EXPECT_EQ(stats->lag[StreamFor("intake")], 0);
}

TEST_F(EventsTest, KeepsWritingWhileRedisIsDownAndDrainsWhenItReturns) {
  redis_.Stop();
  ASSERT_TRUE(Produce("1", "268").ok());
  EXPECT_EQ(relay_.PublishBatch().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(relay_.Stats()->backlog, 1);
  redis_.Start();
  EXPECT_EQ(*relay_.PublishBatch(), 1);
  EXPECT_EQ(relay_.Stats()->backlog, 0);
}

TEST_F(EventsTest, DeadLettersAPoisonEventAndAppliesItOnceWhenReplayed) {
  ASSERT_TRUE(Produce("1", "268").ok());
  ASSERT_EQ(*relay_.PublishBatch(), 1);
  auto consumer = MakeConsumer("plans-1", /*max_attempts=*/3);
  fail_ = true;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (consumer->Stats()->dead_letters == 0 && absl::Now() < deadline) {
    (void)consumer->PollOnce();
  }
  auto letters = consumer->ListDeadLetters();
  ASSERT_TRUE(letters.ok()) << letters.status();
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].attempts, 3);
  EXPECT_NE((*letters)[0].error.find("handler is broken"), std::string::npos);
  EXPECT_EQ(Count("268"), 0);

  fail_ = false;
  EXPECT_EQ(*consumer->ReplayDeadLetters(), 1);
  EXPECT_EQ(PollUntil(*consumer, 1), 1);
  EXPECT_EQ(Count("268"), 1);
  EXPECT_TRUE(consumer->ListDeadLetters()->empty());
  EXPECT_EQ(consumer->ReplayDeadLetters("0-1").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EventsTest, AppliesTheRestOfABatchWhenOneEventFailsAndUndoesWhatTheFailureWrote) {
  ASSERT_TRUE(Produce("1", "268").ok());
  ASSERT_TRUE(Produce("2", "poison").ok());
  ASSERT_TRUE(Produce("3", "001").ok());
  ASSERT_EQ(*relay_.PublishBatch(), 3);
  auto consumer = MakeConsumer("plans-1");
  EXPECT_EQ(PollUntil(*consumer, 2), 2);
  EXPECT_EQ(Count("268"), 1);
  EXPECT_EQ(Count("001"), 1);
  EXPECT_EQ(Count("poison"), 0);
  EXPECT_EQ(consumer->Stats()->applied, 2);
}

TEST_F(EventsTest, RecoversWhenRedisLosesItsStreamsAndGroups) {
  ASSERT_TRUE(Produce("1", "268").ok());
  ASSERT_EQ(*relay_.PublishBatch(), 1);
  auto consumer = MakeConsumer("plans-1");
  EXPECT_EQ(PollUntil(*consumer, 1), 1);
  RedisClient raw(redis_.address());
  ASSERT_TRUE(raw.Command({"FLUSHALL"}).ok());
  EXPECT_FALSE(consumer->PollOnce().ok());  // The group is gone...
  ASSERT_TRUE(Produce("2", "268").ok());
  ASSERT_EQ(*relay_.PublishBatch(), 1);
  EXPECT_EQ(PollUntil(*consumer, 1), 1);  // ...and comes back.
  EXPECT_EQ(Count("268"), 2);
}

TEST_F(EventsTest, RebuildsDerivedDataFromTheBeginningAfterAReset) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Produce(absl::StrCat(i), "268").ok());
  ASSERT_EQ(*relay_.PublishBatch(), 4);
  auto consumer = MakeConsumer("plans-1");
  EXPECT_EQ(PollUntil(*consumer, 4), 4);
  EXPECT_EQ(*consumer->Reset(), 4);
  EXPECT_EQ(Count("268"), 0);
  EXPECT_EQ(PollUntil(*consumer, 4), 4);
  EXPECT_EQ(Count("268"), 4);
}

TEST_F(EventsTest, TakesOverWhatACrashedConsumerLeftPending) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Produce(absl::StrCat(i), "268").ok());
  ASSERT_EQ(*relay_.PublishBatch(), 3);
  // A consumer that read the entries and died before applying any.
  RedisClient raw(redis_.address());
  ASSERT_TRUE(
      raw.Command({"XGROUP", "CREATE", StreamFor("intake"), "plans", "0", "MKSTREAM"}).ok());
  ASSERT_TRUE(raw.Command({"XREADGROUP", "GROUP", "plans", "dead-one", "COUNT", "10", "STREAMS",
                           StreamFor("intake"), ">"})
                  .ok());
  auto survivor = MakeConsumer("plans-2");
  absl::SleepFor(absl::Milliseconds(150));  // Past claim_idle.
  EXPECT_EQ(PollUntil(*survivor, 3), 3);
  EXPECT_EQ(Count("268"), 3);
}

}  // namespace
}  // namespace pcmd::events
