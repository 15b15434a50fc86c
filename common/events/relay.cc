#include "common/events/relay.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"

namespace pcmd::events {
namespace {

struct Pending {
  int64_t seq;
  std::string event_id;
  std::string event_type;
  std::string envelope;
};

}  // namespace

OutboxRelay::OutboxRelay(RelayOptions options, storage::SqliteDatabase& db, const Clock& clock)
    : options_(std::move(options)), db_(db), clock_(clock), redis_(options_.redis_address) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int> OutboxRelay::PublishBatch() {
  std::vector<Pending> batch;
  PCMD_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(auto rows,
                          tx.Query("SELECT seq, event_id, event_type, envelope FROM outbox "
                                   "WHERE publish_unix_ms IS NULL ORDER BY seq LIMIT ?1",
                                   {int64_t{options_.batch_size}}));
    for (const auto& r : rows) batch.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3)});
    return absl::OkStatus();
  }));
  if (batch.empty()) return 0;

  const std::string stream = StreamFor(options_.producer);
  std::vector<std::vector<std::string>> commands;
  commands.reserve(batch.size());
  // Entries older than the retention are trimmed (approximately, which is cheap);
  // the outbox keeps them as long, so a stream can always be rebuilt from there.
  const std::string min_id =
      absl::StrCat(absl::ToUnixMillis(clock_.Now() - options_.retention), "-0");
  for (const Pending& p : batch) {
    commands.push_back({"XADD", stream, "MINID", "~", min_id, "*", "id", p.event_id, "type",
                        p.event_type, "envelope", p.envelope});
  }
  PCMD_ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis_.Pipeline(commands));
  // Only the leading run of accepted XADDs is marked published. When Redis refuses one
  // (out of memory, say), the pipelined ones after it may still have landed; they are
  // published again with it later, and consumers skip the copies and wait for the
  // missing predecessor, so the effect stays in order.
  size_t ok = 0;
  while (ok < replies.size() && replies[ok].type == RedisReply::Type::kString) ++ok;
  if (ok > 0) {
    const int64_t now = absl::ToUnixMillis(clock_.Now());
    PCMD_RETURN_IF_ERROR(db_.Write([&](storage::Transaction& tx) -> absl::Status {
      // Exactly the events sent, not a range: RepublishSince may have unmarked others.
      for (size_t i = 0; i < ok; ++i) {
        PCMD_RETURN_IF_ERROR(tx.Execute("UPDATE outbox SET publish_unix_ms = ?1 WHERE seq = ?2",
                                        {now, batch[i].seq}));
      }
      return absl::OkStatus();
    }));
  }
  if (ok < replies.size()) {
    return absl::UnavailableError(
        absl::StrCat("redis refused XADD to ", stream, ": ", replies[ok].str));
  }
  return static_cast<int>(ok);
}

absl::StatusOr<int64_t> OutboxRelay::PurgeExpired() {
  const int64_t cutoff = absl::ToUnixMillis(clock_.Now() - options_.retention);
  int64_t deleted = 0;
  PCMD_RETURN_IF_ERROR(db_.Write([&](storage::Transaction& tx) -> absl::Status {
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "DELETE FROM outbox WHERE publish_unix_ms IS NOT NULL AND publish_unix_ms < ?1", {cutoff}));
    deleted = tx.changes();
    return absl::OkStatus();
  }));
  return deleted;
}

absl::StatusOr<int64_t> OutboxRelay::RepublishSince(absl::Time since) {
  int64_t marked = 0;
  PCMD_RETURN_IF_ERROR(db_.Write([&](storage::Transaction& tx) -> absl::Status {
    PCMD_RETURN_IF_ERROR(
        tx.Execute("UPDATE outbox SET publish_unix_ms = NULL WHERE publish_unix_ms >= ?1",
                   {absl::ToUnixMillis(since)}));
    marked = tx.changes();
    return absl::OkStatus();
  }));
  return marked;
}

absl::StatusOr<OutboxStats> OutboxRelay::Stats() {
  OutboxStats stats;
  PCMD_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        auto row, tx.QueryOne("SELECT COUNT(*) FILTER (WHERE publish_unix_ms IS NULL), "
                              "COUNT(*) FILTER (WHERE publish_unix_ms IS NOT NULL) FROM outbox"));
    stats.backlog = row->Int(0);
    stats.published = row->Int(1);
    return absl::OkStatus();
  }));
  return stats;
}

void OutboxRelay::Run() {
  absl::Duration backoff = options_.min_backoff;
  absl::Time next_stats = absl::Now();
  absl::Time next_purge = absl::Now() + absl::Minutes(1);
  bool failing = false;
  auto nap = [this](absl::Duration d) {
    // Short slices so Stop() is prompt.
    const absl::Time until = absl::Now() + d;
    while (!stop_ && absl::Now() < until) absl::SleepFor(absl::Milliseconds(10));
  };
  while (!stop_) {
    const absl::StatusOr<int> published = PublishBatch();
    if (!published.ok()) {
      if (!failing) {
        log::Warning("relay_publish_failed",
                     {{"stream", StreamFor(options_.producer)}, {"error", published.status()}});
      }
      failing = true;
      nap(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    if (failing) log::Info("relay_recovered", {{"stream", StreamFor(options_.producer)}});
    failing = false;
    backoff = options_.min_backoff;
    if (absl::Now() >= next_stats) {
      if (auto stats = Stats(); stats.ok()) {
        log::Info("outbox_stats", {{"stream", StreamFor(options_.producer)},
                                   {"backlog", stats->backlog},
                                   {"retained", stats->published}});
      }
      next_stats = absl::Now() + absl::Minutes(1);
    }
    if (absl::Now() >= next_purge) {
      (void)PurgeExpired();
      next_purge = absl::Now() + absl::Minutes(10);
    }
    if (*published == 0) nap(options_.idle_poll);
  }
}

}  // namespace pcmd::events
