// The consuming side of the bus: one consumer group per consuming service, reading the
// streams of the producers it listens to. Each event is applied and its id recorded
// in the same local SQLite transaction (the inbox), then acknowledged with XACK, so a
// redelivered event is recognised and skipped: every event takes effect exactly once.
//
// - Order: the events of one aggregate are applied in sequence order. An event that
//   arrives before its predecessor is left unacknowledged and retried later; waiting
//   is not a failure, so it never sends the event to dead letters.
// - Crashes: entries delivered to a consumer that died stay pending; after
//   `claim_idle` any consumer of the group takes them over (XAUTOCLAIM).
// - Poison: an entry delivered `max_attempts` times without success goes to the dead-
//   letter stream "pcmd:dead:<group>" with its error, and is acknowledged. Operators
//   list and replay dead letters (ListDeadLetters, ReplayDeadLetters, and the
//   pcmd-events tool); a replayed letter is read from "pcmd:retry:<group>".
// - Rebuild: Reset() forgets the inbox, lets the service clear its derived data, and
//   rewinds the group to the beginning of every stream.
//
// Each consuming service includes kInboxMigrationSql in its migrations.
#ifndef PCMD_COMMON_EVENTS_CONSUMER_H_
#define PCMD_COMMON_EVENTS_CONSUMER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/events/redis_client.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "pcmd/events/v1/envelope.pb.h"

namespace pcmd::events {

inline constexpr absl::string_view kInboxMigrationSql =
    "CREATE TABLE inbox ("
    " event_id TEXT PRIMARY KEY,"
    " event_type TEXT NOT NULL,"
    " apply_unix_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE inbox_aggregates ("
    " producer TEXT NOT NULL,"
    " aggregate_type TEXT NOT NULL,"
    " aggregate_id TEXT NOT NULL,"
    " last_sequence INTEGER NOT NULL,"
    " PRIMARY KEY (producer, aggregate_type, aggregate_id)) WITHOUT ROWID;";

// Applies one event inside the inbox transaction. Return OK to commit; any error rolls
// back the transaction (nothing of the event is applied) and counts as a failed
// attempt.
using EventHandler = std::function<absl::Status(storage::Transaction&, const v1::EventEnvelope&)>;

struct ConsumerOptions {
  std::string group;                   // The consuming service: "plans".
  std::string consumer_name;           // Unique per process: "plans-<pid>".
  std::vector<std::string> producers;  // Streams read: StreamFor(producer) for each.
  std::string redis_address;
  int batch_size = 100;
  absl::Duration block = absl::Milliseconds(500);
  absl::Duration claim_idle = absl::Seconds(30);
  int max_attempts = 5;
};

struct ConsumerStats {
  std::map<std::string, int64_t> lag;      // Stream → entries not yet acknowledged.
  std::map<std::string, int64_t> pending;  // Stream → delivered, not acknowledged.
  int64_t dead_letters = 0;
  int64_t applied = 0;
};

struct DeadLetter {
  std::string id;      // Entry id in the dead-letter stream.
  std::string stream;  // Where the event came from.
  std::string event_id;
  std::string event_type;
  std::string error;
  int64_t attempts = 0;
};

// Thread-safety: Start and Stop are safe from any thread. Everything else uses the
// consumer's one Redis connection and must not run while the background thread does;
// to read stats from another thread, make a second EventConsumer with the same
// options (as EventAdminService does).
class EventConsumer {
 public:
  // `db` (with kInboxMigrationSql applied) and `clock` must outlive the consumer.
  EventConsumer(ConsumerOptions options, storage::SqliteDatabase& db, const Clock& clock);
  ~EventConsumer();

  // Registers the handler for one event type ("pcmd.events.v1.TipReceived"); events
  // of other types are acknowledged without effect. Call before Start.
  void Handle(std::string event_type, EventHandler handler);
  // Called inside the reset transaction to clear the service's derived data.
  void OnReset(std::function<absl::Status(storage::Transaction&)> clear);

  // Starts the background thread (creating the groups if needed); does nothing when it
  // runs already; after Stop it may be started again. Start and Stop are thread-safe
  // with each other.
  void Start();
  // Stops it after the current batch. Idempotent.
  void Stop();

  // One round on the calling thread: reclaims idle entries, reads new ones, applies,
  // acknowledges, dead-letters. Returns the number of events applied (duplicates
  // and unhandled types not counted). Errors: UNAVAILABLE when Redis is unreachable.
  // Must not run concurrently with the thread.
  absl::StatusOr<int> PollOnce();

  absl::StatusOr<ConsumerStats> Stats();
  absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(int limit = 100);
  // Replays one dead letter (by its id) or, with an empty id, all of them. Returns how
  // many were replayed. Errors: NOT_FOUND for an unknown id.
  absl::StatusOr<int64_t> ReplayDeadLetters(absl::string_view id = "");
  // Forgets the inbox and derived data and rewinds the group. Returns how many inbox
  // entries were forgotten. Must not run concurrently with the thread (Stop first, or
  // call through the service, which does).
  absl::StatusOr<int64_t> Reset();

  const ConsumerOptions& options() const { return options_; }
  storage::SqliteDatabase& database() { return db_; }

 private:
  class Impl;
  void Run();

  ConsumerOptions options_;
  storage::SqliteDatabase& db_;
  const Clock& clock_;
  RedisClient redis_;
  std::map<std::string, EventHandler> handlers_;
  std::function<absl::Status(storage::Transaction&)> on_reset_;
  bool groups_ready_ = false;
  std::atomic<bool> stop_{false};
  absl::Mutex lifecycle_mu_;  // Serialises Start and Stop.
  std::thread thread_ ABSL_GUARDED_BY(lifecycle_mu_);
};

// Stream names.
std::string DeadLetterStreamFor(absl::string_view group);
std::string RetryStreamFor(absl::string_view group);

}  // namespace pcmd::events

#endif  // PCMD_COMMON_EVENTS_CONSUMER_H_
