// The transactional outbox: a service writes its change and the events describing it
// in one SQLite transaction, so an event exists if and only if its change does. The
// relay (relay.h) later copies the events to Redis.
//
// Each service includes kOutboxMigrationSql in its migrations.
#ifndef PCMD_COMMON_EVENTS_OUTBOX_H_
#define PCMD_COMMON_EVENTS_OUTBOX_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/storage/sqlite_database.h"
#include "google/protobuf/message.h"
#include "pcmd/events/v1/envelope.pb.h"

namespace pcmd::events {

inline constexpr absl::string_view kOutboxMigrationSql =
    // seq orders publication: the relay publishes in seq order, which keeps the events
    // of one aggregate in their sequence order on the stream.
    "CREATE TABLE outbox ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " event_id TEXT NOT NULL UNIQUE,"
    " event_type TEXT NOT NULL,"
    " envelope BLOB NOT NULL,"
    " create_unix_ms INTEGER NOT NULL,"
    " publish_unix_ms INTEGER);"
    "CREATE INDEX outbox_unpublished ON outbox(seq) WHERE publish_unix_ms IS NULL;"
    "CREATE INDEX outbox_published ON outbox(publish_unix_ms) WHERE publish_unix_ms IS NOT NULL;"
    "CREATE TABLE outbox_aggregates ("
    " aggregate_type TEXT NOT NULL,"
    " aggregate_id TEXT NOT NULL,"
    " last_sequence INTEGER NOT NULL,"
    " PRIMARY KEY (aggregate_type, aggregate_id)) WITHOUT ROWID;";

// The stream a producer publishes to: "pcmd:events:<producer>".
std::string StreamFor(absl::string_view producer);

// Appends events inside the caller's write transactions. Thread-safe (the clock and
// id generator are; the transaction belongs to the calling thread).
class Outbox {
 public:
  // `producer` names the service ("intake"). `clock` must outlive the outbox.
  Outbox(std::string producer, const Clock& clock)
      : producer_(std::move(producer)), clock_(clock), ids_(clock) {}

  // Adds one event about (aggregate_type, aggregate_id) with the next sequence number
  // of that aggregate, inside `tx`: it commits or rolls back with the caller's change.
  // Returns the envelope as stored. Errors: storage errors.
  absl::StatusOr<v1::EventEnvelope> Append(storage::Transaction& tx,
                                           absl::string_view aggregate_type,
                                           absl::string_view aggregate_id,
                                           const google::protobuf::Message& payload,
                                           absl::string_view correlation_id = "");

  const std::string& producer() const { return producer_; }

 private:
  std::string producer_;
  const Clock& clock_;
  IdGenerator ids_;
};

}  // namespace pcmd::events

#endif  // PCMD_COMMON_EVENTS_OUTBOX_H_
