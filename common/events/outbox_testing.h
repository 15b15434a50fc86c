// For tests of producing services: what a service's outbox holds.
#ifndef PCMD_COMMON_EVENTS_OUTBOX_TESTING_H_
#define PCMD_COMMON_EVENTS_OUTBOX_TESTING_H_

#include <string>
#include <vector>

#include "common/storage/sqlite_database.h"
#include "pcmd/events/v1/envelope.pb.h"

namespace pcmd::events {

// The event types in `db`'s outbox, in publication order; empty when it cannot be read
// (which the calling test's expectations then catch).
inline std::vector<std::string> OutboxEventTypes(storage::SqliteDatabase& db) {
  std::vector<std::string> types;
  (void)db.Read([&](storage::Transaction& tx) -> absl::Status {
    auto rows = tx.Query("SELECT event_type FROM outbox ORDER BY seq");
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) types.push_back(r.Text(0));
    return absl::OkStatus();
  });
  return types;
}

// Every envelope in `db`'s outbox, in publication order; empty when the outbox cannot
// be read, and without the envelopes that do not parse (either of which the calling
// test's expectations then catch).
inline std::vector<v1::EventEnvelope> OutboxEnvelopes(storage::SqliteDatabase& db) {
  std::vector<v1::EventEnvelope> out;
  (void)db.Read([&](storage::Transaction& tx) -> absl::Status {
    auto rows = tx.Query("SELECT envelope FROM outbox ORDER BY seq");
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      if (v1::EventEnvelope env; env.ParseFromString(r.Text(0))) out.push_back(std::move(env));
    }
    return absl::OkStatus();
  });
  return out;
}

}  // namespace pcmd::events

#endif  // PCMD_COMMON_EVENTS_OUTBOX_TESTING_H_
