// The event bus under the faults the issue names: the relay process and Redis killed
// with SIGKILL while events are produced, a consumer killed in the middle of a batch, a
// poison event, Redis down for 30 s during writes, and concurrent producers. Each test
// runs a real redis-server (AOF on) on a free port and real SQLite files in its own
// temporary folder, and checks the effect on the consuming side: exactly the produced
// set, each event applied once, each aggregate in sequence order.
//
// The workload (counted_events.h) gives every event a number n that is a primary key
// on both sides, so a duplicate production or application fails loudly; the handlers
// also count their successes and failures, which proves that nothing was applied twice
// (successes == rows) or even attempted twice (failures == 0).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/redis_client.h"
#include "common/events/relay.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/envelope.pb.h"
#include "pcmd/testing/v1/test_events.pb.h"
#include "tests/events/counted_events.h"

namespace pcmd::events {

// Readable dead letters in failure messages.
void PrintTo(const DeadLetter& d, std::ostream* os) {
  *os << "{id " << d.id << ", stream " << d.stream << ", event " << d.event_id << " ("
      << d.event_type << "), " << d.attempts << " attempts, error \"" << d.error << "\"}";
}

namespace testing {
namespace {

using pcmd::testing::ReadFile;
using pcmd::testing::RedisServer;
using pcmd::testing::Subprocess;
using pcmd::testing::TempDir;
using storage::SqliteDatabase;
using storage::Transaction;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using v1::EventEnvelope;

constexpr char kTestbed[] = PCMD_EVENT_TESTBED_BIN;
constexpr char kGroup[] = "counting";

#define PCMD_TEST_CONCAT_INNER_(a, b) a##b
#define PCMD_TEST_CONCAT_(a, b) PCMD_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK(expr)                                           \
  do {                                                            \
    const absl::Status pcmd_assert_status_ = (expr);              \
    ASSERT_TRUE(pcmd_assert_status_.ok()) << pcmd_assert_status_; \
  } while (false)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(PCMD_TEST_CONCAT_(pcmd_statusor_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();      \
  lhs = std::move(*statusor)

// Calls `step` (if any) until `done` holds or `timeout` passes; returns done().
bool PollUntil(absl::Duration timeout, const std::function<bool()>& done,
               const std::function<void()>& step = nullptr) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    if (step) {
      step();
    } else {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  return true;
}

// The seed of a test's random choices: PCMD_TEST_SEED when set, else a fresh one.
uint32_t TestSeed() {
  uint32_t seed = 0;
  const char* env = std::getenv("PCMD_TEST_SEED");
  if (env != nullptr && absl::SimpleAtoi(env, &seed)) return seed;
  return std::random_device{}();
}

absl::Duration RandomMillis(std::mt19937& rng, int low, int high) {
  return absl::Milliseconds(std::uniform_int_distribution<int>(low, high)(rng));
}

// What is wrong with `applied` as the set 1..total: "" when nothing.
std::string DifferenceFromOneTo(const std::vector<int64_t>& applied, int64_t total) {
  std::vector<int64_t> missing;
  std::vector<int64_t> unexpected;
  size_t i = 0;
  for (int64_t n = 1; n <= total; ++n) {
    while (i < applied.size() && applied[i] < n) unexpected.push_back(applied[i++]);
    if (i < applied.size() && applied[i] == n) {
      ++i;
    } else {
      missing.push_back(n);
    }
  }
  while (i < applied.size()) unexpected.push_back(applied[i++]);
  if (missing.empty() && unexpected.empty()) return "";
  auto first = [](const std::vector<int64_t>& v) {
    return absl::StrJoin(v.begin(), v.begin() + std::min<size_t>(v.size(), 20), ",");
  };
  return absl::StrCat(missing.size(), " missing (", first(missing), "), ", unexpected.size(),
                      " unexpected (", first(unexpected), ")");
}

RelayOptions FastRelay(const RedisServer& redis) {
  return {.producer = std::string(kProducer),
          .redis_address = redis.address(),
          .idle_poll = absl::Milliseconds(5),
          .min_backoff = absl::Milliseconds(20),
          .max_backoff = absl::Milliseconds(200)};
}

ConsumerOptions CountingGroup(const RedisServer& redis, std::string name) {
  return {.group = kGroup,
          .consumer_name = std::move(name),
          .producers = {std::string(kProducer)},
          .redis_address = redis.address(),
          .block = absl::Milliseconds(100),
          .claim_idle = absl::Milliseconds(500)};
}

// Publishes the whole outbox on the calling thread. Returns false after 30 s.
bool PublishAll(OutboxRelay& relay) {
  return PollUntil(
      absl::Seconds(30),
      [&] {
        absl::StatusOr<OutboxStats> stats = relay.Stats();
        return stats.ok() && stats->backlog == 0;
      },
      [&] { (void)relay.PublishBatch(); });
}

// An in-process consumer of the counting group that applies Counted events into its
// own SQLite file and counts what its handler did.
class CountingConsumer {
 public:
  CountingConsumer(std::unique_ptr<SqliteDatabase> db, ConsumerOptions options)
      : db_(std::move(db)), consumer_(std::move(options), *db_, Clock::Real()) {
    consumer_.Handle(std::string(kCountedType), [this](Transaction& tx, const EventEnvelope& e) {
      absl::Status s = ApplyCounted(tx, e);
      (s.ok() ? succeeded_ : failed_).fetch_add(1);
      return s;
    });
  }

  EventConsumer& consumer() { return consumer_; }
  SqliteDatabase& db() { return *db_; }
  // Handler calls that applied an event / that failed (here: a duplicate n).
  int64_t succeeded() const { return succeeded_.load(); }
  int64_t failed() const { return failed_.load(); }
  int64_t rows() { return CountRows(*db_, "applied").value_or(-1); }

 private:
  std::unique_ptr<SqliteDatabase> db_;
  EventConsumer consumer_;
  std::atomic<int64_t> succeeded_{0};
  std::atomic<int64_t> failed_{0};
};

// One command, tried twice: after a Redis restart the client's first command fails on
// the dead connection and the next one reconnects (redis_client.h).
absl::StatusOr<RedisReply> Command(RedisClient& redis, const std::vector<std::string>& args) {
  absl::StatusOr<RedisReply> reply = redis.Command(args);
  if (absl::IsUnavailable(reply.status())) reply = redis.Command(args);
  return reply;
}

// XPENDING's summary for the counting group: consumer name → entries it was given and
// has not acknowledged.
std::map<std::string, int64_t> PendingByConsumer(RedisClient& redis) {
  std::map<std::string, int64_t> out;
  absl::StatusOr<RedisReply> reply = Command(redis, {"XPENDING", StreamFor(kProducer), kGroup});
  if (!reply.ok() || reply->elements.size() < 4) return out;
  for (const RedisReply& row : reply->elements[3].elements) {
    if (row.elements.size() != 2) continue;
    out[row.elements[0].str] = std::stoll(row.elements[1].str);
  }
  return out;
}

struct StreamEntry {
  std::string id;
  EventEnvelope envelope;
};

// Every entry on the producer's stream, in stream order.
std::vector<StreamEntry> ReadStream(RedisClient& redis) {
  std::vector<StreamEntry> out;
  absl::StatusOr<RedisReply> reply = Command(redis, {"XRANGE", StreamFor(kProducer), "-", "+"});
  if (!reply.ok()) return out;
  for (const RedisReply& entry : reply->elements) {
    if (entry.elements.size() != 2) continue;
    const std::vector<RedisReply>& fields = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str != "envelope") continue;
      StreamEntry e{entry.elements[0].str};
      if (e.envelope.ParseFromString(fields[i + 1].str)) out.push_back(std::move(e));
    }
  }
  return out;
}

int64_t FileSize(const std::string& path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  return error ? -1 : static_cast<int64_t>(size);
}

// Redis's append-only file as it stands: the file it appends to now and its size.
struct AofTail {
  std::string path;
  int64_t size = -1;
};

// Asks Redis where its AOF lives (Redis 7: a manifest in `appenddirname` naming the
// incremental file it appends to). Empty path when Redis cannot say.
AofTail FindAofTail(RedisClient& redis) {
  auto config = [&](const std::string& name) -> std::string {
    absl::StatusOr<RedisReply> r = Command(redis, {"CONFIG", "GET", name});
    return r.ok() && r->elements.size() == 2 ? r->elements[1].str : "";
  };
  const std::string folder = absl::StrCat(config("dir"), "/", config("appenddirname"));
  std::string incremental;
  std::istringstream manifest(
      ReadFile(absl::StrCat(folder, "/", config("appendfilename"), ".manifest")));
  for (std::string line; std::getline(manifest, line);) {
    std::istringstream words(line);
    std::string file_word, file, seq_word, seq, type_word, type;
    if (words >> file_word >> file >> seq_word >> seq >> type_word >> type && type == "i") {
      incremental = file;
    }
  }
  if (incremental.empty()) return {};
  const std::string path = absl::StrCat(folder, "/", incremental);
  return {path, FileSize(path)};
}

int64_t StreamLength(RedisClient& redis) {
  absl::StatusOr<RedisReply> r = Command(redis, {"XLEN", StreamFor(kProducer)});
  return r.ok() ? r->integer : -1;
}

// 1. The relay process dies (SIGKILL) at random points while it writes and publishes,
// and every third time Redis dies too and comes back. The consumer still ends with
// exactly the 10,000 produced events, each applied once.
//
// A Redis crash here is SIGKILL plus the loss of a random part of what Redis appended
// to its AOF in its last second: with appendfsync everysec that is what a machine
// crash costs. A bare SIGKILL costs nothing (the written AOF survives in the
// page cache; without the truncation no event went missing even without the step
// below), so it would not test the recovery. The recovery is the documented
// procedure: RepublishSince(a moment before the crash) publishes that window again,
// and the consumer drops by event id what it already applied. Without it, this test
// loses events.
TEST(EventBus, AppliesEveryEventExactlyOnceWhileTheRelayAndRedisAreKilled) {
  constexpr int64_t kTotal = 10000;
  const uint32_t seed = TestSeed();
  SCOPED_TRACE(absl::StrCat("random seed ", seed, " (PCMD_TEST_SEED=", seed,
                            " repeats the choices, not the timing)"));
  std::mt19937 rng(seed);
  TempDir dir;
  RedisServer redis;
  RedisClient redis_client(redis.address());
  const std::string producer_path = dir.File("producer.db");
  const std::string producer_log = dir.File("producer.log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> producer_db, OpenProducerDb(producer_path));
  // The operator's recovery step, run on the producer's file from outside its process.
  OutboxRelay republisher(FastRelay(redis), *producer_db, Clock::Real());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> consumer_db,
                       OpenConsumerDb(dir.File("consumer.db")));
  CountingConsumer counting(std::move(consumer_db), CountingGroup(redis, "survivor"));
  counting.consumer().Start();

  auto start_producer = [&] {
    return std::make_unique<Subprocess>(
        // A busy service: up to a thousand events a second, one transaction each.
        std::vector<std::string>{kTestbed, "produce", "--db=" + producer_path,
                                 "--redis=" + redis.address(), absl::StrCat("--total=", kTotal),
                                 "--max_rate=1000"},
        producer_log);
  };

  int relay_kills = 0;
  int redis_kills = 0;
  int64_t entries_lost = 0;  // Stream entries Redis forgot in its crashes (at least).
  int64_t produced = 0;
  // Generous for a sanitizer build on a busy machine; 20-60 s is usual.
  const absl::Time produce_deadline = absl::Now() + absl::Seconds(150);
  for (int round = 1; produced < kTotal && round <= 1000 && absl::Now() < produce_deadline;
       ++round) {
    const bool crash_redis = round % 3 == 0;
    AofTail at_start;
    if (crash_redis) {
      at_start = FindAofTail(redis_client);
      ASSERT_GE(at_start.size, 0) << "cannot find Redis's AOF";
    }
    std::unique_ptr<Subprocess> relay_process = start_producer();
    // The AOF's size as time goes by, to know what "its last second" was at the crash.
    std::vector<std::pair<absl::Time, int64_t>> aof_sizes = {{absl::Now(), at_start.size}};
    // Kill points are counted in events, not time, so that a fast machine is not
    // spared faults; the jitter spreads them over writing and publishing.
    auto run_for = [&](int64_t events) {
      const int64_t target = std::min(kTotal, produced + events);
      // A fine-grained poll: a fast machine writes several events per millisecond.
      PollUntil(
          absl::Seconds(20),
          [&] {
            if (crash_redis) aof_sizes.emplace_back(absl::Now(), FileSize(at_start.path));
            produced = CountRows(*producer_db, "produced").value_or(produced);
            return produced >= target || relay_process->Wait(absl::ZeroDuration()).has_value();
          },
          [] { absl::SleepFor(absl::Milliseconds(2)); });
      absl::SleepFor(RandomMillis(rng, 0, 10));
    };
    run_for(std::uniform_int_distribution<int64_t>(20, 250)(rng));
    absl::Time crash;
    if (crash_redis) {
      const int64_t length_before = StreamLength(redis_client);
      crash = absl::Now();
      redis.Kill();
      ++redis_kills;
      // Lose a random part of what Redis appended in its last second.
      int64_t synced = at_start.size;
      for (const auto& [when, size] : aof_sizes) {
        if (when <= crash - absl::Seconds(1)) synced = size;
      }
      const int64_t size_at_crash = FileSize(at_start.path);
      ASSERT_GE(synced, 0);
      ASSERT_GE(size_at_crash, synced);
      std::filesystem::resize_file(
          at_start.path, std::uniform_int_distribution<int64_t>(synced, size_at_crash)(rng));
      absl::SleepFor(RandomMillis(rng, 0, 300));
      redis.Start();
      entries_lost += std::max<int64_t>(0, length_before - StreamLength(redis_client));
      // The relay goes on publishing after the gap for a while.
      run_for(std::uniform_int_distribution<int64_t>(20, 200)(rng));
    }
    // The testbed never exits by itself; an exit here is a write that failed.
    ASSERT_FALSE(relay_process->Wait(absl::ZeroDuration()).has_value()) << ReadFile(producer_log);
    relay_process->Signal(SIGKILL);
    ASSERT_EQ(relay_process->Wait(absl::Seconds(10)), 128 + SIGKILL);
    ++relay_kills;
    if (crash_redis) {
      // Run while no producer process writes: SQLite's lock between processes is not
      // fair, and a producer writing flat out would starve it past the busy timeout.
      // appendfsync everysec loses at most the last 2 s of writes; 3 s is a margin.
      ASSERT_OK(republisher.RepublishSince(crash - absl::Seconds(3)).status());
    }
    ASSERT_OK_AND_ASSIGN(produced, CountRows(*producer_db, "produced"));
  }
  ASSERT_EQ(produced, kTotal) << "after " << relay_kills << " relay kills";
  RecordProperty("relay_kills", relay_kills);
  RecordProperty("redis_kills", redis_kills);
  RecordProperty("stream_entries_lost", static_cast<int>(entries_lost));
  // Otherwise the Redis crashes tested nothing.
  EXPECT_GT(entries_lost, 0) << "no Redis crash lost a stream entry";

  // The last relay stays up and publishes what the killed ones left behind.
  std::unique_ptr<Subprocess> last_relay = start_producer();
  const bool all_applied =
      PollUntil(absl::Seconds(90), [&] { return counting.succeeded() >= kTotal; });
  counting.consumer().Stop();
  EXPECT_TRUE(all_applied) << "applied " << counting.succeeded() << " of " << kTotal
                           << " within 90 s after " << relay_kills << " relay kills and "
                           << redis_kills << " Redis crashes";
  EXPECT_FALSE(last_relay->Wait(absl::ZeroDuration()).has_value()) << ReadFile(producer_log);

  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> applied, AppliedNumbers(counting.db()));
  EXPECT_EQ(DifferenceFromOneTo(applied, kTotal), "");
  EXPECT_EQ(counting.succeeded(), kTotal);
  EXPECT_EQ(counting.failed(), 0) << "the handler was given an event it had already applied";
  // Relay kills between XADD and marking, and republishing, put copies on the stream:
  // the consumer met duplicates and dropped them.
  EXPECT_GT(StreamLength(redis_client), kTotal);
  // No event is poison here; those that waited for a lost predecessor waited.
  ASSERT_OK_AND_ASSIGN(std::vector<DeadLetter> dead, counting.consumer().ListDeadLetters());
  EXPECT_THAT(dead, IsEmpty());
}

// 2. A consumer process dies (SIGKILL) in the middle of a batch: the entries it was
// given stay pending under its name; another instance of the same group claims them
// once they are idle for claim_idle and applies the rest. The result is that of one
// clean run.
TEST(EventBus, AnotherInstanceFinishesTheBatchOfAConsumerKilledInTheMiddleOfIt) {
  constexpr int64_t kEvents = 300;
  constexpr int kBatch = 100;
  TempDir dir;
  RedisServer redis;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> producer_db,
                       OpenProducerDb(dir.File("producer.db")));
  Outbox outbox(std::string(kProducer), Clock::Real());
  for (int64_t n = 1; n <= kEvents; ++n) ASSERT_OK(ProduceCounted(*producer_db, outbox, n, 7));
  OutboxRelay relay(FastRelay(redis), *producer_db, Clock::Real());
  ASSERT_TRUE(PublishAll(relay));

  const std::string consumer_path = dir.File("consumer.db");
  const std::string doomed_log = dir.File("doomed.log");
  const std::string doomed_progress = dir.File("doomed.progress");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> consumer_db, OpenConsumerDb(consumer_path));
  Subprocess doomed(
      {kTestbed, "consume", "--db=" + consumer_path, "--redis=" + redis.address(),
       absl::StrCat("--group=", kGroup), "--name=doomed", absl::StrCat("--batch=", kBatch),
       "--apply_delay_ms=20", "--claim_idle_ms=300", "--progress=" + doomed_progress},
      doomed_log);
  // Handler calls so far, committed or not (one line each).
  auto handler_calls = [&] {
    const std::string lines = ReadFile(doomed_progress);
    return std::count(lines.begin(), lines.end(), '\n');
  };
  ASSERT_TRUE(PollUntil(
      absl::Seconds(30),
      [&] { return handler_calls() >= 10 || doomed.Wait(absl::ZeroDuration()).has_value(); }))
      << "the doomed consumer applied nothing in 30 s\n"
      << ReadFile(doomed_log);
  ASSERT_FALSE(doomed.Wait(absl::ZeroDuration()).has_value()) << ReadFile(doomed_log);
  doomed.Signal(SIGKILL);
  ASSERT_EQ(doomed.Wait(absl::Seconds(10)), 128 + SIGKILL);

  ASSERT_OK_AND_ASSIGN(const int64_t applied_before_kill, CountRows(*consumer_db, "applied"));
  ASSERT_LT(applied_before_kill, kEvents);
  // Acknowledgements follow a batch: entries given to the doomed consumer and not
  // acknowledged mean that it died inside a batch.
  RedisClient redis_client(redis.address());
  ASSERT_GT(PendingByConsumer(redis_client)["doomed"], 0)
      << "the killed consumer left nothing pending to reclaim";
  RecordProperty("handler_calls_before_kill", static_cast<int>(handler_calls()));
  RecordProperty("committed_before_kill", static_cast<int>(applied_before_kill));

  ConsumerOptions options = CountingGroup(redis, "rescuer");
  options.claim_idle = absl::Milliseconds(300);
  CountingConsumer rescuer(std::move(consumer_db), options);
  const bool done = PollUntil(
      absl::Seconds(30),
      [&] { return rescuer.rows() == kEvents && PendingByConsumer(redis_client).empty(); },
      [&] {
        absl::StatusOr<int> polled = rescuer.consumer().PollOnce();
        if (!polled.ok()) ADD_FAILURE() << polled.status();
      });
  EXPECT_TRUE(done) << "applied " << rescuer.rows() << " of " << kEvents << "; pending "
                    << PendingByConsumer(redis_client).size() << " consumers";

  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> applied, AppliedNumbers(rescuer.db()));
  EXPECT_EQ(DifferenceFromOneTo(applied, kEvents), "");
  EXPECT_EQ(rescuer.succeeded(), kEvents - applied_before_kill);
  EXPECT_EQ(rescuer.failed(), 0) << "the rescuer was given an event the doomed one had applied";
  ASSERT_OK_AND_ASSIGN(std::vector<DeadLetter> dead, rescuer.consumer().ListDeadLetters());
  EXPECT_THAT(dead, IsEmpty());
}

// 3. A poison event (its handler fails while a downstream fault lasts) is tried
// max_attempts times, then parked in the dead letters with its error while the other
// events flow; once the fault is fixed, replaying it applies it exactly once.
TEST(EventBus, DeadLettersAPoisonEventAfterMaxAttemptsAndAppliesItOnceWhenReplayedAfterTheFix) {
  constexpr int64_t kEvents = 10;
  constexpr int64_t kPoison = 5;
  constexpr int kMaxAttempts = 3;
  TempDir dir;
  RedisServer redis;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> producer_db,
                       OpenProducerDb(dir.File("producer.db")));
  Outbox outbox(std::string(kProducer), Clock::Real());
  // One aggregate per event, so that the poison one holds up no other.
  for (int64_t n = 1; n <= kEvents; ++n) {
    ASSERT_OK(ProduceCounted(*producer_db, outbox, n, kEvents));
  }
  OutboxRelay relay(FastRelay(redis), *producer_db, Clock::Real());
  ASSERT_TRUE(PublishAll(relay));

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> consumer_db,
                       OpenConsumerDb(dir.File("consumer.db")));
  ConsumerOptions options = CountingGroup(redis, "only");
  options.claim_idle = absl::Milliseconds(200);
  options.max_attempts = kMaxAttempts;
  EventConsumer consumer(options, *consumer_db, Clock::Real());
  std::atomic<bool> ledger_offline{true};
  std::atomic<int> poison_failures{0};
  std::atomic<int> poison_applications{0};
  consumer.Handle(std::string(kCountedType),
                  [&](Transaction& tx, const EventEnvelope& e) -> absl::Status {
                    // Writes before it fails: the failure must undo the write.
                    if (absl::Status s = ApplyCounted(tx, e); !s.ok()) return s;
                    if (CountedN(e) != kPoison) return absl::OkStatus();
                    if (ledger_offline) {
                      ++poison_failures;
                      return absl::FailedPreconditionError("the ledger is offline");
                    }
                    ++poison_applications;
                    return absl::OkStatus();
                  });
  auto poll = [&] {
    absl::StatusOr<int> polled = consumer.PollOnce();
    if (!polled.ok()) ADD_FAILURE() << polled.status();
  };

  std::vector<DeadLetter> dead;
  EXPECT_TRUE(PollUntil(
      absl::Seconds(30),
      [&] {
        dead = consumer.ListDeadLetters().value_or(std::vector<DeadLetter>{});
        return !dead.empty();
      },
      poll))
      << "no dead letter after " << poison_failures << " failed attempts";
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].stream, StreamFor(kProducer));
  EXPECT_EQ(dead[0].event_type, kCountedType);
  EXPECT_THAT(dead[0].error, HasSubstr("the ledger is offline"));
  EXPECT_EQ(dead[0].attempts, kMaxAttempts);
  EXPECT_EQ(poison_failures, kMaxAttempts);
  ASSERT_OK_AND_ASSIGN(ConsumerStats stats, consumer.Stats());
  EXPECT_EQ(stats.dead_letters, 1);

  // Parked means parked: a few more claim_idle periods bring no further attempt; the
  // healthy events are all applied, and nothing of the failed attempts remains.
  std::vector<int64_t> healthy;
  for (int64_t n = 1; n <= kEvents; ++n) {
    if (n != kPoison) healthy.push_back(n);
  }
  EXPECT_TRUE(PollUntil(
      absl::Seconds(10),
      [&] { return AppliedNumbers(*consumer_db).value_or(std::vector<int64_t>{}) == healthy; },
      poll))
      << "applied: "
      << absl::StrJoin(AppliedNumbers(*consumer_db).value_or(std::vector<int64_t>{}), ",");
  const absl::Time quiet_until = absl::Now() + absl::Seconds(1);
  PollUntil(
      absl::Seconds(2), [&] { return absl::Now() >= quiet_until; }, poll);
  EXPECT_EQ(poison_failures, kMaxAttempts);
  EXPECT_EQ(poison_applications, 0);

  ledger_offline = false;
  ASSERT_OK_AND_ASSIGN(const int64_t replayed, consumer.ReplayDeadLetters());
  EXPECT_EQ(replayed, 1);
  EXPECT_TRUE(PollUntil(
      absl::Seconds(10), [&] { return poison_applications > 0; }, poll));
  // A few more rounds, so that a second application would have had its chance.
  const absl::Time settled_until = absl::Now() + absl::Seconds(1);
  PollUntil(
      absl::Seconds(2), [&] { return absl::Now() >= settled_until; }, poll);

  EXPECT_EQ(poison_applications, 1);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> applied, AppliedNumbers(*consumer_db));
  EXPECT_EQ(DifferenceFromOneTo(applied, kEvents), "");
  ASSERT_OK_AND_ASSIGN(std::vector<DeadLetter> after, consumer.ListDeadLetters());
  EXPECT_THAT(after, IsEmpty());
  ASSERT_OK_AND_ASSIGN(ConsumerStats stats_after, consumer.Stats());
  EXPECT_EQ(stats_after.dead_letters, 0);
}

// An event lost by Redis (here removed with XDEL, as a crash that loses the tail of
// the AOF would) leaves the events after it in its aggregate early. They are not
// poison: they must wait until the documented recovery, RepublishSince, brings the
// lost one back, and then be applied in order, with nothing left in the dead letters.
TEST(EventBus, WaitsForALostPredecessorInsteadOfDeadLetteringTheEventsAfterIt) {
  constexpr int kMaxAttempts = 3;
  constexpr absl::Duration kClaimIdle = absl::Milliseconds(100);
  TempDir dir;
  RedisServer redis;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> producer_db,
                       OpenProducerDb(dir.File("producer.db")));
  Outbox outbox(std::string(kProducer), Clock::Real());
  const absl::Time before_publishing = absl::Now();
  // One aggregate: sequences 1, 2, 3.
  for (int64_t n = 1; n <= 3; ++n) ASSERT_OK(ProduceCounted(*producer_db, outbox, n, 1));
  OutboxRelay relay(FastRelay(redis), *producer_db, Clock::Real());
  ASSERT_TRUE(PublishAll(relay));
  RedisClient redis_client(redis.address());
  const std::vector<StreamEntry> published = ReadStream(redis_client);
  ASSERT_EQ(published.size(), 3u);
  ASSERT_EQ(published[0].envelope.sequence(), 1);
  ASSERT_OK(Command(redis_client, {"XDEL", StreamFor(kProducer), published[0].id}).status());

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> consumer_db,
                       OpenConsumerDb(dir.File("consumer.db")));
  ConsumerOptions options = CountingGroup(redis, "only");
  options.claim_idle = kClaimIdle;
  options.max_attempts = kMaxAttempts;
  CountingConsumer counting(std::move(consumer_db), options);
  auto poll = [&] {
    absl::StatusOr<int> polled = counting.consumer().PollOnce();
    if (!polled.ok()) ADD_FAILURE() << polled.status();
  };
  // Long enough for the early events to be delivered more than max_attempts times.
  const absl::Time waited_until = absl::Now() + (kMaxAttempts + 3) * kClaimIdle;
  PollUntil(
      absl::Seconds(5), [&] { return absl::Now() >= waited_until; }, poll);
  EXPECT_EQ(counting.rows(), 0) << "sequence 2 or 3 was applied before sequence 1";

  ASSERT_OK_AND_ASSIGN(const int64_t marked, relay.RepublishSince(before_publishing));
  EXPECT_EQ(marked, 3);
  ASSERT_TRUE(PublishAll(relay));
  EXPECT_TRUE(PollUntil(
      absl::Seconds(10), [&] { return counting.rows() == 3; }, poll))
      << "applied " << counting.rows() << " of 3 after the republish";
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> applied, AppliedNumbers(counting.db()));
  EXPECT_EQ(DifferenceFromOneTo(applied, 3), "");
  EXPECT_EQ(counting.failed(), 0);
  ASSERT_OK_AND_ASSIGN(std::vector<DeadLetter> dead, counting.consumer().ListDeadLetters());
  EXPECT_THAT(dead, IsEmpty()) << "events that only waited for their predecessor were "
                                  "dead-lettered, although they were applied";
}

TEST(EventBus, ReportsReplayingAnUnknownDeadLetterAsNotFound) {
  TempDir dir;
  RedisServer redis;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> consumer_db,
                       OpenConsumerDb(dir.File("consumer.db")));
  EventConsumer consumer(CountingGroup(redis, "only"), *consumer_db, Clock::Real());
  EXPECT_TRUE(absl::IsNotFound(consumer.ReplayDeadLetters("1-1").status()));
  ASSERT_OK_AND_ASSIGN(const int64_t replayed, consumer.ReplayDeadLetters());
  EXPECT_EQ(replayed, 0);
}

// 4. Redis is down for 30 s while the service keeps writing: every write succeeds at
// its usual speed (the events wait in the outbox), and every event reaches the
// consumer once Redis is back.
TEST(EventBus, KeepsAcceptingWritesWhileRedisIsDownFor30SecondsAndDeliversThemAfterwards) {
  TempDir dir;
  RedisServer redis;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> producer_db,
                       OpenProducerDb(dir.File("producer.db")));
  Outbox outbox(std::string(kProducer), Clock::Real());
  // Production settings: the relay backs off up to 5 s while Redis is away.
  OutboxRelay relay({.producer = std::string(kProducer), .redis_address = redis.address()},
                    *producer_db, Clock::Real());
  relay.Start();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> consumer_db,
                       OpenConsumerDb(dir.File("consumer.db")));
  CountingConsumer counting(std::move(consumer_db), CountingGroup(redis, "only"));
  counting.consumer().Start();

  int64_t n = 0;
  absl::Duration slowest_write;
  auto write_for = [&](absl::Duration period) {
    const absl::Time until = absl::Now() + period;
    while (absl::Now() < until) {
      const absl::Time start = absl::Now();
      const absl::Status s = ProduceCounted(*producer_db, outbox, ++n, 20);
      slowest_write = std::max(slowest_write, absl::Now() - start);
      if (!s.ok()) {
        ADD_FAILURE() << "write " << n << " failed: " << s;
        return;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  };

  write_for(absl::Seconds(1));
  const int64_t before_outage = n;
  ASSERT_TRUE(PollUntil(absl::Seconds(30), [&] { return counting.succeeded() == before_outage; }))
      << "the bus did not work before the outage";

  redis.Stop();
  write_for(absl::Seconds(30));
  const int64_t during_outage = n - before_outage;
  ASSERT_OK_AND_ASSIGN(OutboxStats waiting, relay.Stats());
  EXPECT_EQ(waiting.backlog, during_outage) << "events written while Redis was down";
  EXPECT_EQ(counting.succeeded(), before_outage);
  // A write never waits for Redis: the slowest one is a disk write, well below the
  // relay's 5 s Redis timeout.
  EXPECT_LT(slowest_write, absl::Seconds(2));
  RecordProperty("writes_during_outage", static_cast<int>(during_outage));

  redis.Start();
  const absl::Time back = absl::Now();
  const bool delivered = PollUntil(absl::Seconds(60), [&] { return counting.succeeded() >= n; });
  RecordProperty("drain_ms", static_cast<int>(absl::ToInt64Milliseconds(absl::Now() - back)));
  counting.consumer().Stop();
  relay.Stop();
  EXPECT_TRUE(delivered) << "delivered " << counting.succeeded() << " of " << n;

  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> applied, AppliedNumbers(counting.db()));
  EXPECT_EQ(DifferenceFromOneTo(applied, n), "");
  EXPECT_EQ(counting.failed(), 0);
  ASSERT_OK_AND_ASSIGN(OutboxStats drained, relay.Stats());
  EXPECT_EQ(drained.backlog, 0);
  EXPECT_EQ(drained.published, n);
}

// 5. Several threads write events about a few shared aggregates at once: on the
// stream and at the consumer, each aggregate's events come as 1, 2, 3, ... with no gap,
// no repeat and nothing out of order.
TEST(EventBus, KeepsEachAggregateInSequenceOrderUnderConcurrentProducers) {
  constexpr int kWriters = 4;
  constexpr int kEventsPerWriter = 250;
  constexpr int kAggregates = 3;
  TempDir dir;
  RedisServer redis;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> producer_db,
                       OpenProducerDb(dir.File("producer.db")));
  Outbox outbox(std::string(kProducer), Clock::Real());
  OutboxRelay relay(FastRelay(redis), *producer_db, Clock::Real());
  relay.Start();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDatabase> consumer_db,
                       OpenConsumerDb(dir.File("consumer.db")));
  EventConsumer consumer(CountingGroup(redis, "only"), *consumer_db, Clock::Real());
  absl::Mutex mu;
  std::map<std::string, std::vector<int64_t>> seen;  // aggregate → sequences, as applied
  int64_t seen_total = 0;
  consumer.Handle(std::string(kCountedType), [&](Transaction& tx, const EventEnvelope& e) {
    absl::Status s = ApplyCounted(tx, e);
    if (s.ok()) {
      absl::MutexLock lock(&mu);
      seen[e.aggregate_id()].push_back(e.sequence());
      ++seen_total;
    }
    return s;
  });
  consumer.Start();

  std::atomic<int64_t> next_n{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (int i = 0; i < kEventsPerWriter; ++i) {
        // Counted n picks the aggregate (KeyFor); random so that writers interleave.
        const int64_t n = ++next_n;
        const int64_t key = std::uniform_int_distribution<int>(0, kAggregates - 1)(rng);
        pcmd::testing::v1::Counted counted;
        counted.set_n(n);
        counted.set_key(absl::StrCat("a", key));
        const absl::Status s = producer_db->Write([&](Transaction& tx) -> absl::Status {
          absl::Status produced = tx.Execute("INSERT INTO produced(n) VALUES (?1)", {n});
          if (!produced.ok()) return produced;
          return outbox.Append(tx, kAggregateType, counted.key(), counted).status();
        });
        if (!s.ok()) ADD_FAILURE() << "writer " << w << ": " << s;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  constexpr int64_t kTotal = kWriters * kEventsPerWriter;
  const bool all_seen = PollUntil(absl::Seconds(60), [&] {
    absl::MutexLock lock(&mu);
    return seen_total >= kTotal;
  });
  consumer.Stop();
  relay.Stop();
  ASSERT_TRUE(all_seen) << "applied " << seen_total << " of " << kTotal;

  auto check_order = [&](const std::map<std::string, std::vector<int64_t>>& by_aggregate,
                         const std::string& where) {
    int64_t total = 0;
    for (const auto& [aggregate, sequences] : by_aggregate) {
      for (size_t i = 0; i < sequences.size(); ++i) {
        if (sequences[i] != static_cast<int64_t>(i) + 1) {
          ADD_FAILURE() << where << ": aggregate " << aggregate << " has sequence " << sequences[i]
                        << " at position " << i + 1;
          break;
        }
      }
      total += sequences.size();
    }
    EXPECT_EQ(total, kTotal) << where;
  };
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(seen.size(), static_cast<size_t>(kAggregates));
    check_order(seen, "consumer");
  }
  // The relay publishes in outbox order, so without faults the stream itself is in
  // order; the consumer's reordering would otherwise hide a relay that is not.
  RedisClient redis_client(redis.address());
  std::map<std::string, std::vector<int64_t>> on_stream;
  for (const StreamEntry& e : ReadStream(redis_client)) {
    on_stream[e.envelope.aggregate_id()].push_back(e.envelope.sequence());
  }
  check_order(on_stream, "stream");
}

}  // namespace
}  // namespace testing
}  // namespace pcmd::events
