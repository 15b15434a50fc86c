// The counting workload shared by the event-bus fault tests and their testbed process:
// a producer that writes event n (pcmd.testing.v1.Counted) together with a row in
// `produced`, and a consumer that applies event n as a row in `applied`. Both tables
// have n as primary key, so a second production or application of the same n fails
// instead of passing unnoticed.
#ifndef PCMD_TESTS_EVENTS_COUNTED_EVENTS_H_
#define PCMD_TESTS_EVENTS_COUNTED_EVENTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/storage/sqlite_database.h"
#include "pcmd/events/v1/envelope.pb.h"

namespace pcmd::events::testing {

// The producer every test uses: it publishes to StreamFor(kProducer).
inline constexpr absl::string_view kProducer = "counter";
inline constexpr absl::string_view kAggregateType = "counter";
inline constexpr absl::string_view kCountedType = "pcmd.testing.v1.Counted";

// The producing service's file: its outbox and what it produced.
inline constexpr storage::Migration kProducerMigrations[] = {
    {1, "outbox", kOutboxMigrationSql},
    {2, "produced", "CREATE TABLE produced (n INTEGER PRIMARY KEY)"},
};

// The consuming service's file: its inbox and the effect of each applied event.
inline constexpr storage::Migration kConsumerMigrations[] = {
    {1, "inbox", kInboxMigrationSql},
    {2, "applied", "CREATE TABLE applied (n INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE)"},
};

absl::StatusOr<std::unique_ptr<storage::SqliteDatabase>> OpenProducerDb(const std::string& path);
absl::StatusOr<std::unique_ptr<storage::SqliteDatabase>> OpenConsumerDb(const std::string& path);

// The aggregate of event n when events are spread over `keys` aggregates: "c<n % keys>".
std::string KeyFor(int64_t n, int keys);

// Writes event n about KeyFor(n, keys) and its `produced` row in one transaction.
// Errors: ALREADY_EXISTS when n was produced before; storage errors.
absl::Status ProduceCounted(storage::SqliteDatabase& db, Outbox& outbox, int64_t n, int keys);

// The largest n in `produced`, 0 when there is none.
absl::StatusOr<int64_t> MaxProduced(storage::SqliteDatabase& db);

// Applies a Counted event inside the consumer's transaction: inserts (n, event_id)
// into `applied`. Errors: ALREADY_EXISTS when n was applied before (a duplicate that
// got past the inbox); INVALID_ARGUMENT when the payload is not a Counted.
absl::Status ApplyCounted(storage::Transaction& tx, const v1::EventEnvelope& event);

// The payload's n; -1 when the payload is not a Counted.
int64_t CountedN(const v1::EventEnvelope& event);

// Every n in `applied`, ascending.
absl::StatusOr<std::vector<int64_t>> AppliedNumbers(storage::SqliteDatabase& db);
// SELECT COUNT(*) FROM `table`.
absl::StatusOr<int64_t> CountRows(storage::SqliteDatabase& db, absl::string_view table);

}  // namespace pcmd::events::testing

#endif  // PCMD_TESTS_EVENTS_COUNTED_EVENTS_H_
