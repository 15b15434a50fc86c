#include "tests/events/counted_events.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "pcmd/testing/v1/test_events.pb.h"

namespace pcmd::events::testing {

absl::StatusOr<std::unique_ptr<storage::SqliteDatabase>> OpenProducerDb(const std::string& path) {
  return storage::SqliteDatabase::Open({.path = path}, kProducerMigrations);
}

absl::StatusOr<std::unique_ptr<storage::SqliteDatabase>> OpenConsumerDb(const std::string& path) {
  return storage::SqliteDatabase::Open({.path = path}, kConsumerMigrations);
}

std::string KeyFor(int64_t n, int keys) { return absl::StrCat("c", n % keys); }

absl::Status ProduceCounted(storage::SqliteDatabase& db, Outbox& outbox, int64_t n, int keys) {
  pcmd::testing::v1::Counted counted;
  counted.set_n(n);
  counted.set_key(KeyFor(n, keys));
  return db.Write([&](storage::Transaction& tx) -> absl::Status {
    PCMD_RETURN_IF_ERROR(tx.Execute("INSERT INTO produced(n) VALUES (?1)", {n}));
    return outbox.Append(tx, kAggregateType, counted.key(), counted).status();
  });
}

absl::StatusOr<int64_t> MaxProduced(storage::SqliteDatabase& db) {
  int64_t max = 0;
  PCMD_RETURN_IF_ERROR(db.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<storage::Row> row,
                          tx.QueryOne("SELECT COALESCE(MAX(n), 0) FROM produced"));
    if (row.has_value()) max = row->Int(0);
    return absl::OkStatus();
  }));
  return max;
}

int64_t CountedN(const v1::EventEnvelope& event) {
  pcmd::testing::v1::Counted counted;
  if (!event.payload().UnpackTo(&counted)) return -1;
  return counted.n();
}

absl::Status ApplyCounted(storage::Transaction& tx, const v1::EventEnvelope& event) {
  const int64_t n = CountedN(event);
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.event_id(), " does not carry a Counted payload"));
  }
  return tx.Execute("INSERT INTO applied(n, event_id) VALUES (?1, ?2)", {n, event.event_id()});
}

absl::StatusOr<std::vector<int64_t>> AppliedNumbers(storage::SqliteDatabase& db) {
  std::vector<int64_t> out;
  PCMD_RETURN_IF_ERROR(db.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<storage::Row> rows,
                          tx.Query("SELECT n FROM applied ORDER BY n"));
    out.reserve(rows.size());
    for (const storage::Row& row : rows) out.push_back(row.Int(0));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<int64_t> CountRows(storage::SqliteDatabase& db, absl::string_view table) {
  int64_t count = 0;
  PCMD_RETURN_IF_ERROR(db.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<storage::Row> row,
                          tx.QueryOne(absl::StrCat("SELECT COUNT(*) FROM ", table)));
    if (row.has_value()) count = row->Int(0);
    return absl::OkStatus();
  }));
  return count;
}

}  // namespace pcmd::events::testing
