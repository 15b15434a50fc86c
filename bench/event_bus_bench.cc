// Measures the event bus on this machine, everything in one run so that the ratios
// are comparable on a shared, noisy machine:
//   1. raw pipelined XADD into a stream (the ceiling: Redis and the network stack),
//   2. the relay draining a filled outbox to Redis (SQLite read + XADD + mark),
//   3. appending events to the outbox, one durable transaction per event (what a
//      service pays per write), and 100 per transaction,
//   4. a consumer applying events exactly once (inbox + handler in one transaction).
//
//   bench/pcmd-event-bus-bench [--events=50000] [--dir=/tmp]
//
// Starts its own redis-server on a free port; writes nothing outside a temp folder.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/config/config.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/testing/redis_server.h"
#include "common/testing/temp_dir.h"
#include "pcmd/events/v1/intake_events.pb.h"

namespace {

using pcmd::Clock;
using pcmd::storage::Migration;
using pcmd::storage::SqliteDatabase;
using pcmd::storage::Transaction;

constexpr Migration kProducer[] = {{1, "outbox", pcmd::events::kOutboxMigrationSql}};
constexpr Migration kConsumer[] = {
    {1, "inbox", pcmd::events::kInboxMigrationSql},
    {2, "counts", "CREATE TABLE counts (unit TEXT PRIMARY KEY, n INTEGER NOT NULL);"}};

pcmd::events::v1::TipReceived Tip(int i) {
  pcmd::events::v1::TipReceived t;
  t.set_tip(absl::StrCat("tips/0192f0aa-0000-7000-8000-", 100000000000 + i));
  t.set_channel(1);
  t.set_legal_kind(1);
  t.set_category(1);
  t.set_unit_code(absl::StrCat(200 + i % 30));
  t.set_receive_date("2024-06-03");
  return t;
}

double Rate(int n, absl::Duration d) { return n / absl::ToDoubleSeconds(d); }

void Report(const char* what, int n, absl::Duration d, double baseline) {
  const double rate = Rate(n, d);
  std::printf("%-52s %9d events %8.2f s %10.0f events/s", what, n, absl::ToDoubleSeconds(d), rate);
  if (baseline > 0) std::printf("  (%.2f of raw XADD)", rate / baseline);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  pcmd::Config config("pcmd-event-bus-bench");
  config.DefineInt("events", 50000, "events per measurement");
  if (absl::Status s = config.Parse(argc, argv); !s.ok() || config.help_requested()) {
    std::fputs(config.Usage().c_str(), stdout);
    return s.ok() ? 0 : 2;
  }
  const int n = static_cast<int>(config.GetInt("events"));
  pcmd::testing::TempDir dir;
  pcmd::testing::RedisServer redis;
  std::printf("event bus benchmark: %d events per step, redis %s, folder %s\n", n,
              redis.address().c_str(), dir.path().c_str());

  // 1. Raw XADD, pipelined 256 at a time, payload of the same size as an envelope.
  std::string sample;
  {
    auto db = *SqliteDatabase::Open({.path = ":memory:"}, kProducer);
    pcmd::events::Outbox outbox("bench", Clock::Real());
    (void)db->Write([&](Transaction& tx) {
      sample = outbox.Append(tx, "tip", "tips/x", Tip(0))->SerializeAsString();
      return absl::OkStatus();
    });
  }
  pcmd::events::RedisClient raw(redis.address());
  absl::Time start = absl::Now();
  for (int i = 0; i < n; i += 256) {
    std::vector<std::vector<std::string>> batch;
    for (int j = i; j < std::min(n, i + 256); ++j) {
      batch.push_back(
          {"XADD", "bench:raw", "*", "id", absl::StrCat(j), "type", "t", "envelope", sample});
    }
    if (!raw.Pipeline(batch).ok()) return 1;
  }
  const absl::Duration raw_time = absl::Now() - start;
  const double raw_rate = Rate(n, raw_time);
  Report("1. raw XADD, pipelined by 256", n, raw_time, 0);

  // 3 (measured before 2, since 2 needs a filled outbox). One event per transaction.
  auto producer = *SqliteDatabase::Open({.path = dir.File("producer.db")}, kProducer);
  pcmd::events::Outbox outbox("bench", Clock::Real());
  const int single = std::min(n, 5000);
  start = absl::Now();
  for (int i = 0; i < single; ++i) {
    if (!producer
             ->Write([&](Transaction& tx) {
               return outbox.Append(tx, "tip", absl::StrCat("tips/", i % 1000), Tip(i)).status();
             })
             .ok()) {
      return 1;
    }
  }
  const absl::Duration single_time = absl::Now() - start;
  start = absl::Now();
  for (int i = single; i < n; i += 100) {
    if (!producer
             ->Write([&](Transaction& tx) -> absl::Status {
               for (int j = i; j < std::min(n, i + 100); ++j) {
                 auto env = outbox.Append(tx, "tip", absl::StrCat("tips/", j % 1000), Tip(j));
                 if (!env.ok()) return env.status();
               }
               return absl::OkStatus();
             })
             .ok()) {
      return 1;
    }
  }
  const absl::Duration batched_time = absl::Now() - start;

  // 2. The relay drains the outbox.
  pcmd::events::OutboxRelay relay({.producer = "bench", .redis_address = redis.address()},
                                  *producer, Clock::Real());
  start = absl::Now();
  int published = 0;
  while (published < n) {
    auto batch = relay.PublishBatch();
    if (!batch.ok() || *batch == 0) break;
    published += *batch;
  }
  const absl::Duration relay_time = absl::Now() - start;
  Report("2. relay: outbox -> stream (batches of 256)", published, relay_time, raw_rate);
  Report("3a. outbox append, 1 durable transaction each", single, single_time, raw_rate);
  Report("3b. outbox append, 100 per durable transaction", n - single, batched_time, raw_rate);

  // 4. A consumer applies every event exactly once.
  auto consumer_db = *SqliteDatabase::Open({.path = dir.File("consumer.db")}, kConsumer);
  pcmd::events::EventConsumer consumer({.group = "bench-consumer",
                                        .consumer_name = "c1",
                                        .producers = {"bench"},
                                        .redis_address = redis.address(),
                                        .batch_size = 256,
                                        .block = absl::Milliseconds(100)},
                                       *consumer_db, Clock::Real());
  consumer.Handle("pcmd.events.v1.TipReceived",
                  [](Transaction& tx, const pcmd::events::v1::EventEnvelope& env) {
                    pcmd::events::v1::TipReceived t;
                    env.payload().UnpackTo(&t);
                    return tx.Execute(
                        "INSERT INTO counts(unit, n) VALUES (?1, 1) "
                        "ON CONFLICT(unit) DO UPDATE SET n = n + 1",
                        {t.unit_code()});
                  });
  start = absl::Now();
  int applied = 0;
  while (applied < published) {
    auto got = consumer.PollOnce();
    if (!got.ok() || *got == 0) break;
    applied += *got;
  }
  Report("4. consumer: apply once (inbox + handler per event)", applied, absl::Now() - start,
         raw_rate);
  return applied == published && published == n ? 0 : 1;
}
