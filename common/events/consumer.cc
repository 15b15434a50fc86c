#include "common/events/consumer.h"

#include <unistd.h>

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"

namespace pcmd::events {
namespace {

// One stream entry: its id and its field/value pairs.
struct Entry {
  std::string stream;
  std::string id;
  std::map<std::string, std::string> fields;
};

std::optional<Entry> ParseEntry(const std::string& stream, const RedisReply& r) {
  // [id, [field, value, ...]]; a deleted entry comes back with a nil body.
  if (r.type != RedisReply::Type::kArray || r.elements.size() != 2) return std::nullopt;
  Entry e{stream, r.elements[0].str, {}};
  const RedisReply& body = r.elements[1];
  for (size_t i = 0; i + 1 < body.elements.size(); i += 2) {
    e.fields[body.elements[i].str] = body.elements[i + 1].str;
  }
  return e;
}

bool IsBusyGroup(const RedisReply& r) {
  return r.type == RedisReply::Type::kError && r.str.rfind("BUSYGROUP", 0) == 0;
}

absl::Status ReplyError(const RedisReply& r, absl::string_view what) {
  if (r.type != RedisReply::Type::kError) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, ": ", r.str));
}

// kWaiting: the event came before its aggregate's predecessor. It is not poison and
// never goes to dead letters; it stays pending until the predecessor is applied (or
// brought back by a republish or a dead-letter replay).
enum class Outcome { kApplied, kSkipped, kWaiting, kFailed };

}  // namespace

std::string DeadLetterStreamFor(absl::string_view group) {
  return absl::StrCat("pcmd:dead:", group);
}
std::string RetryStreamFor(absl::string_view group) { return absl::StrCat("pcmd:retry:", group); }

EventConsumer::EventConsumer(ConsumerOptions options, storage::SqliteDatabase& db,
                             const Clock& clock)
    : options_(std::move(options)), db_(db), clock_(clock), redis_(options_.redis_address) {
  if (options_.consumer_name.empty()) {
    options_.consumer_name = absl::StrCat(options_.group, "-", getpid());
  }
}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Handle(std::string event_type, EventHandler handler) {
  handlers_[std::move(event_type)] = std::move(handler);
}

void EventConsumer::OnReset(std::function<absl::Status(storage::Transaction&)> clear) {
  on_reset_ = std::move(clear);
}

void EventConsumer::Start() {
  absl::MutexLock lock(&lifecycle_mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void EventConsumer::Stop() {
  absl::MutexLock lock(&lifecycle_mu_);
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

namespace {

std::vector<std::string> Streams(const ConsumerOptions& o) {
  std::vector<std::string> streams;
  for (const std::string& p : o.producers) streams.push_back(StreamFor(p));
  streams.push_back(RetryStreamFor(o.group));
  return streams;
}

}  // namespace

// The work of one poll, kept out of the header.
class EventConsumer::Impl {
 public:
  explicit Impl(EventConsumer& c) : c_(c) {}

  absl::Status EnsureGroups() {
    if (c_.groups_ready_) return absl::OkStatus();
    for (const std::string& stream : Streams(c_.options_)) {
      PCMD_ASSIGN_OR_RETURN(RedisReply r, c_.redis_.Command({"XGROUP", "CREATE", stream,
                                                             c_.options_.group, "0", "MKSTREAM"}));
      if (!IsBusyGroup(r)) PCMD_RETURN_IF_ERROR(ReplyError(r, "XGROUP CREATE"));
    }
    c_.groups_ready_ = true;
    return absl::OkStatus();
  }

  // How often the entry was delivered to the group (this delivery included).
  absl::StatusOr<int64_t> Deliveries(const Entry& e) {
    PCMD_ASSIGN_OR_RETURN(RedisReply r, c_.redis_.Command({"XPENDING", e.stream, c_.options_.group,
                                                           e.id, e.id, "1"}));
    if (r.type == RedisReply::Type::kArray && !r.elements.empty() &&
        r.elements[0].elements.size() >= 4) {
      return r.elements[0].elements[3].integer;
    }
    return 1;
  }

  // Applies one event inside `tx` with its inbox record. On failure the caller rolls
  // back to the savepoint taken before the call.
  Outcome ApplyIn(storage::Transaction& tx, const Entry& e, std::string* error) {
    v1::EventEnvelope env;
    auto it = e.fields.find("envelope");
    if (it == e.fields.end() || !env.ParseFromString(it->second)) {
      *error = "entry has no parseable envelope";
      return Outcome::kFailed;
    }
    bool duplicate = false;
    bool waiting = false;
    const auto handler = c_.handlers_.find(env.event_type());
    const absl::Status s = [&]() -> absl::Status {
      PCMD_ASSIGN_OR_RETURN(
          auto seen, tx.QueryOne("SELECT 1 FROM inbox WHERE event_id = ?1", {env.event_id()}));
      PCMD_ASSIGN_OR_RETURN(
          auto last, tx.QueryOne("SELECT last_sequence FROM inbox_aggregates WHERE producer = ?1 "
                                 "AND aggregate_type = ?2 AND aggregate_id = ?3",
                                 {env.producer(), env.aggregate_type(), env.aggregate_id()}));
      const int64_t last_sequence = last.has_value() ? last->Int(0) : 0;
      if (seen.has_value() || env.sequence() <= last_sequence) {
        duplicate = true;
        return absl::OkStatus();
      }
      if (env.sequence() != last_sequence + 1) {
        waiting = true;
        return absl::FailedPreconditionError(
            absl::StrCat("out of order: ", env.aggregate_type(), " ", env.aggregate_id(),
                         " is at sequence ", last_sequence, ", this event is ", env.sequence()));
      }
      if (handler != c_.handlers_.end()) PCMD_RETURN_IF_ERROR(handler->second(tx, env));
      PCMD_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO inbox(event_id, event_type, apply_unix_ms) VALUES (?1, ?2, ?3)",
                     {env.event_id(), env.event_type(), absl::ToUnixMillis(c_.clock_.Now())}));
      return tx.Execute(
          "INSERT INTO inbox_aggregates(producer, aggregate_type, aggregate_id, last_sequence) "
          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(producer, aggregate_type, aggregate_id) "
          "DO UPDATE SET last_sequence = excluded.last_sequence",
          {env.producer(), env.aggregate_type(), env.aggregate_id(), env.sequence()});
    }();
    if (!s.ok()) {
      *error = s.ToString();
      return waiting ? Outcome::kWaiting : Outcome::kFailed;
    }
    if (duplicate || handler == c_.handlers_.end()) return Outcome::kSkipped;
    return Outcome::kApplied;
  }

  // Applies a batch in one durable transaction (one fsync for the batch, not one per
  // event), each event under its own savepoint so that a failing event is rolled back
  // alone. Outcomes count only once the transaction has committed.
  std::vector<Outcome> ApplyBatch(const std::vector<Entry>& entries,
                                  std::vector<std::string>* errors) {
    std::vector<Outcome> outcomes(entries.size(), Outcome::kFailed);
    errors->assign(entries.size(), "");
    const absl::Status committed = c_.db_.Write([&](storage::Transaction& tx) -> absl::Status {
      for (size_t i = 0; i < entries.size(); ++i) {
        PCMD_RETURN_IF_ERROR(tx.Execute("SAVEPOINT pcmd_event"));
        outcomes[i] = ApplyIn(tx, entries[i], &(*errors)[i]);
        if (outcomes[i] == Outcome::kFailed || outcomes[i] == Outcome::kWaiting) {
          PCMD_RETURN_IF_ERROR(tx.Execute("ROLLBACK TO pcmd_event"));
        }
        PCMD_RETURN_IF_ERROR(tx.Execute("RELEASE pcmd_event"));
      }
      return absl::OkStatus();
    });
    if (!committed.ok()) {
      outcomes.assign(entries.size(), Outcome::kFailed);
      errors->assign(entries.size(), committed.ToString());
    }
    return outcomes;
  }

  absl::Status DeadLetter(const Entry& e, const std::string& error, int64_t attempts) {
    std::vector<std::string> args = {"XADD",
                                     DeadLetterStreamFor(c_.options_.group),
                                     "*",
                                     "stream",
                                     e.stream,
                                     "entry",
                                     e.id,
                                     "error",
                                     error,
                                     "attempts",
                                     absl::StrCat(attempts)};
    for (const auto& [k, v] : e.fields) {
      args.push_back(k);
      args.push_back(v);
    }
    PCMD_ASSIGN_OR_RETURN(RedisReply r, c_.redis_.Command(args));
    PCMD_RETURN_IF_ERROR(ReplyError(r, "XADD dead letter"));
    log::Warning("event_dead_lettered", {{"group", c_.options_.group},
                                         {"stream", e.stream},
                                         {"entry", e.id},
                                         {"attempts", attempts}});
    return absl::OkStatus();
  }

  // Applies, then acknowledges or (after too many attempts) dead-letters.
  absl::StatusOr<int> Process(const std::vector<Entry>& entries, bool reclaimed) {
    int applied = 0;
    std::map<std::string, std::vector<std::string>> acks;
    std::vector<std::string> errors;
    const std::vector<Outcome> outcomes = ApplyBatch(entries, &errors);
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      const std::string& error = errors[i];
      const Outcome outcome = outcomes[i];
      if (outcome == Outcome::kApplied) ++applied;
      if (outcome == Outcome::kApplied || outcome == Outcome::kSkipped) {
        acks[e.stream].push_back(e.id);
        continue;
      }
      if (outcome == Outcome::kWaiting) {
        log::Debug("event_waits_for_predecessor",
                   {{"group", c_.options_.group}, {"entry", e.id}, {"why", error}});
        continue;  // Left pending; reclaimed and tried again after claim_idle.
      }
      int64_t attempts = 1;
      if (reclaimed) {
        PCMD_ASSIGN_OR_RETURN(attempts, Deliveries(e));
      }
      if (attempts >= c_.options_.max_attempts) {
        PCMD_RETURN_IF_ERROR(DeadLetter(e, error, attempts));
        acks[e.stream].push_back(e.id);
      } else {
        log::Warning("event_apply_failed", {{"group", c_.options_.group},
                                            {"entry", e.id},
                                            {"attempt", attempts},
                                            {"error", error}});
      }
    }
    for (const auto& [stream, ids] : acks) {
      std::vector<std::string> args = {"XACK", stream, c_.options_.group};
      args.insert(args.end(), ids.begin(), ids.end());
      PCMD_ASSIGN_OR_RETURN(RedisReply r, c_.redis_.Command(args));
      PCMD_RETURN_IF_ERROR(ReplyError(r, "XACK"));
    }
    return applied;
  }

  // Takes over entries idle longer than claim_idle (from crashed consumers, and this
  // consumer's own failures), oldest first.
  absl::StatusOr<int> Reclaim() {
    int applied = 0;
    const std::string idle = absl::StrCat(absl::ToInt64Milliseconds(c_.options_.claim_idle));
    for (const std::string& stream : Streams(c_.options_)) {
      std::string cursor = "0-0";
      for (int round = 0; round < 10; ++round) {
        PCMD_ASSIGN_OR_RETURN(
            RedisReply r,
            c_.redis_.Command({"XAUTOCLAIM", stream, c_.options_.group, c_.options_.consumer_name,
                               idle, cursor, "COUNT", absl::StrCat(c_.options_.batch_size)}));
        PCMD_RETURN_IF_ERROR(ReplyError(r, "XAUTOCLAIM"));
        if (r.type != RedisReply::Type::kArray || r.elements.size() < 2) break;
        std::vector<Entry> entries;
        for (const RedisReply& item : r.elements[1].elements) {
          if (auto e = ParseEntry(stream, item)) entries.push_back(*std::move(e));
        }
        PCMD_ASSIGN_OR_RETURN(int n, Process(entries, /*reclaimed=*/true));
        applied += n;
        cursor = r.elements[0].str;
        if (cursor == "0-0") break;
      }
    }
    return applied;
  }

  absl::StatusOr<int> ReadNew() {
    std::vector<std::string> streams = Streams(c_.options_);
    std::vector<std::string> args = {
        "XREADGROUP",      "GROUP",
        c_.options_.group, c_.options_.consumer_name,
        "COUNT",           absl::StrCat(c_.options_.batch_size),
        "BLOCK",           absl::StrCat(absl::ToInt64Milliseconds(c_.options_.block)),
        "STREAMS"};
    args.insert(args.end(), streams.begin(), streams.end());
    for (size_t i = 0; i < streams.size(); ++i) args.push_back(">");
    PCMD_ASSIGN_OR_RETURN(RedisReply r,
                          c_.redis_.Command(args, c_.options_.block + absl::Seconds(5)));
    PCMD_RETURN_IF_ERROR(ReplyError(r, "XREADGROUP"));
    if (r.is_nil()) return 0;
    int applied = 0;
    for (const RedisReply& per_stream : r.elements) {
      if (per_stream.elements.size() != 2) continue;
      const std::string& stream = per_stream.elements[0].str;
      std::vector<Entry> entries;
      for (const RedisReply& item : per_stream.elements[1].elements) {
        if (auto e = ParseEntry(stream, item)) entries.push_back(*std::move(e));
      }
      PCMD_ASSIGN_OR_RETURN(int n, Process(entries, /*reclaimed=*/false));
      applied += n;
    }
    return applied;
  }

 private:
  EventConsumer& c_;
};

absl::StatusOr<int> EventConsumer::PollOnce() {
  Impl impl(*this);
  PCMD_RETURN_IF_ERROR(impl.EnsureGroups());
  absl::StatusOr<int> reclaimed = impl.Reclaim();
  absl::StatusOr<int> fresh = reclaimed.ok() ? impl.ReadNew() : reclaimed;
  if (!fresh.ok()) {
    // Redis lost its data (restart without AOF, a new volume): the streams and groups
    // are gone. Create them again on the next poll; republishing refills the streams.
    if (absl::StrContains(fresh.status().message(), "NOGROUP")) groups_ready_ = false;
    return fresh.status();
  }
  return *reclaimed + *fresh;
}

absl::StatusOr<ConsumerStats> EventConsumer::Stats() {
  ConsumerStats stats;
  for (const std::string& stream : Streams(options_)) {
    PCMD_ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"XINFO", "GROUPS", stream}));
    if (r.type != RedisReply::Type::kArray) continue;  // No stream yet.
    for (const RedisReply& group : r.elements) {
      std::map<std::string, const RedisReply*> f;
      for (size_t i = 0; i + 1 < group.elements.size(); i += 2) {
        f[group.elements[i].str] = &group.elements[i + 1];
      }
      if (f.count("name") == 0 || f["name"]->str != options_.group) continue;
      const int64_t pending = f.count("pending") ? f["pending"]->integer : 0;
      const int64_t undelivered = f.count("lag") ? f["lag"]->integer : 0;
      stats.pending[stream] = pending;
      stats.lag[stream] = undelivered + pending;
    }
  }
  PCMD_ASSIGN_OR_RETURN(RedisReply dead,
                        redis_.Command({"XLEN", DeadLetterStreamFor(options_.group)}));
  stats.dead_letters = dead.integer;
  PCMD_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COUNT(*) FROM inbox"));
    stats.applied = row->Int(0);
    return absl::OkStatus();
  }));
  return stats;
}

absl::StatusOr<std::vector<DeadLetter>> EventConsumer::ListDeadLetters(int limit) {
  PCMD_ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"XRANGE", DeadLetterStreamFor(options_.group),
                                                      "-", "+", "COUNT", absl::StrCat(limit)}));
  PCMD_RETURN_IF_ERROR(ReplyError(r, "XRANGE"));
  std::vector<DeadLetter> out;
  for (const RedisReply& item : r.elements) {
    auto e = ParseEntry("", item);
    if (!e.has_value()) continue;
    DeadLetter d;
    d.id = e->id;
    d.stream = e->fields["stream"];
    d.event_id = e->fields["id"];
    d.event_type = e->fields["type"];
    d.error = e->fields["error"];
    (void)absl::SimpleAtoi(e->fields["attempts"], &d.attempts);
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<int64_t> EventConsumer::ReplayDeadLetters(absl::string_view id) {
  const std::string dead = DeadLetterStreamFor(options_.group);
  const std::string from = id.empty() ? "-" : std::string(id);
  const std::string to = id.empty() ? "+" : std::string(id);
  PCMD_ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"XRANGE", dead, from, to}));
  PCMD_RETURN_IF_ERROR(ReplyError(r, "XRANGE"));
  if (!id.empty() && r.elements.empty()) {
    return absl::NotFoundError(absl::StrCat("no dead letter ", id, " in ", dead));
  }
  int64_t replayed = 0;
  for (const RedisReply& item : r.elements) {
    auto e = ParseEntry(dead, item);
    if (!e.has_value()) continue;
    // Only the event travels again; the failure bookkeeping stays behind.
    PCMD_ASSIGN_OR_RETURN(
        RedisReply added,
        redis_.Command({"XADD", RetryStreamFor(options_.group), "*", "id", e->fields["id"], "type",
                        e->fields["type"], "envelope", e->fields["envelope"]}));
    PCMD_RETURN_IF_ERROR(ReplyError(added, "XADD retry"));
    PCMD_ASSIGN_OR_RETURN(RedisReply deleted, redis_.Command({"XDEL", dead, e->id}));
    PCMD_RETURN_IF_ERROR(ReplyError(deleted, "XDEL"));
    ++replayed;
  }
  return replayed;
}

absl::StatusOr<int64_t> EventConsumer::Reset() {
  Impl impl(*this);
  PCMD_RETURN_IF_ERROR(impl.EnsureGroups());
  // Rewind first: if the local reset then failed, re-reading only meets duplicates.
  for (const std::string& stream : Streams(options_)) {
    PCMD_ASSIGN_OR_RETURN(RedisReply r,
                          redis_.Command({"XGROUP", "SETID", stream, options_.group, "0"}));
    PCMD_RETURN_IF_ERROR(ReplyError(r, "XGROUP SETID"));
  }
  int64_t forgotten = 0;
  PCMD_RETURN_IF_ERROR(db_.Write([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COUNT(*) FROM inbox"));
    forgotten = row->Int(0);
    PCMD_RETURN_IF_ERROR(tx.Execute("DELETE FROM inbox"));
    PCMD_RETURN_IF_ERROR(tx.Execute("DELETE FROM inbox_aggregates"));
    if (on_reset_) PCMD_RETURN_IF_ERROR(on_reset_(tx));
    return absl::OkStatus();
  }));
  log::Info("consumer_reset", {{"group", options_.group}, {"forgotten", forgotten}});
  return forgotten;
}

void EventConsumer::Run() {
  absl::Duration backoff = absl::Milliseconds(50);
  absl::Time next_stats = absl::Now();
  bool failing = false;
  while (!stop_) {
    const absl::StatusOr<int> n = PollOnce();
    if (!n.ok()) {
      if (!failing) {
        log::Warning("consumer_poll_failed", {{"group", options_.group}, {"error", n.status()}});
      }
      failing = true;
      const absl::Time until = absl::Now() + backoff;
      while (!stop_ && absl::Now() < until) absl::SleepFor(absl::Milliseconds(10));
      backoff = std::min(backoff * 2, absl::Seconds(5));
      continue;
    }
    if (failing) log::Info("consumer_recovered", {{"group", options_.group}});
    failing = false;
    backoff = absl::Milliseconds(50);
    if (absl::Now() >= next_stats) {
      if (auto stats = Stats(); stats.ok()) {
        int64_t lag = 0;
        for (const auto& [s, l] : stats->lag) lag += l;
        log::Info("consumer_stats", {{"group", options_.group},
                                     {"lag", lag},
                                     {"dead_letters", stats->dead_letters},
                                     {"applied", stats->applied}});
      }
      next_stats = absl::Now() + absl::Minutes(1);
    }
  }
}

}  // namespace pcmd::events
