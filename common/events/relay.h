// The outbox relay: copies unpublished outbox events, in order, to the producer's
// Redis stream and marks them published. Delivery is at least once: a crash between
// XADD and the mark publishes the event again, and consumers drop the duplicate by
// event id. While Redis is down the relay backs off (doubling up to max_backoff) and
// writes keep succeeding into the outbox; it drains when Redis returns.
//
// Published events stay in the outbox for `retention` so that a lost stream can be
// rebuilt (RepublishSince), then are deleted.
#ifndef PCMD_COMMON_EVENTS_RELAY_H_
#define PCMD_COMMON_EVENTS_RELAY_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/events/redis_client.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"

namespace pcmd::events {

struct RelayOptions {
  std::string producer;       // "intake": publishes to StreamFor(producer).
  std::string redis_address;  // "127.0.0.1:6390"
  int batch_size = 256;
  absl::Duration idle_poll = absl::Milliseconds(20);
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration retention = absl::Hours(24 * 7);
};

struct OutboxStats {
  int64_t backlog = 0;    // Not yet published.
  int64_t published = 0;  // Published and still retained.
};

// Thread-safety: Stats, PurgeExpired and RepublishSince may be called from any thread
// at any time (they only use the database). Start and Stop belong to the owner's
// thread; PublishBatch must not run while the background thread does.
class OutboxRelay {
 public:
  // `db` (with kOutboxMigrationSql applied) and `clock` must outlive the relay.
  OutboxRelay(RelayOptions options, storage::SqliteDatabase& db, const Clock& clock);
  // Stops the thread if running.
  ~OutboxRelay();

  // Starts the background thread. Call at most once.
  void Start();
  // Stops it after the current batch. Idempotent.
  void Stop();

  // Publishes one batch now, on the calling thread (tests, tools). Returns how many
  // events were published. Errors: UNAVAILABLE when Redis is unreachable (nothing
  // marked); storage errors. Must not run concurrently with the thread.
  absl::StatusOr<int> PublishBatch();

  // Deletes published events older than the retention. Returns how many.
  absl::StatusOr<int64_t> PurgeExpired();

  // Marks every retained event published at or after `since` unpublished again, so the
  // relay publishes it once more (rebuilding a stream lost with Redis's data).
  absl::StatusOr<int64_t> RepublishSince(absl::Time since);

  absl::StatusOr<OutboxStats> Stats();

 private:
  void Run();

  const RelayOptions options_;
  storage::SqliteDatabase& db_;
  const Clock& clock_;
  RedisClient redis_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace pcmd::events

#endif  // PCMD_COMMON_EVENTS_RELAY_H_
