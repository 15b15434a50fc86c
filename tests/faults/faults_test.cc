// The whole system under faults: the four real binaries (mutual TLS, their own SQLite
// files) over a real redis-server (AOF on), and a load of tips from agency clients
// that retry a failed call with the same request_id.
//
// 1. Each service is SIGKILLed in turn during a load of 2,000 tips and restarted on
//    the same port with the same files: every acknowledged tip is kept, and plans
//    counts each exactly once.
// 2. Redis is stopped for 30 s during the load: every write still succeeds (it goes to
//    SQLite and the outbox), and once Redis is back plans counts every tip once.
// 3. Plans is SIGKILLed while it consumes a burst of events, more than once: after the
//    restart it has counted each exactly once.
// 4. Everything restarts while Redis is down: the services serve and accept writes
//    with no bus from their first moment, and deliver them once Redis is up.
//
// The figure checked is plans' own: its "counters" table (tips.received for Thanh Trì,
// the unit every tip names) and the fact behind each count (fact_records, one row per
// tip counted, naming the tip), read from its SQLite file as event_flow_test does. The
// services recover with their production code paths; the only setting changed is
// --event-claim-idle (1 s instead of 30 s), so that a restarted consumer takes over
// what its killed predecessor left pending within the test's time.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/admin.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "tests/integration/service_process.h"

namespace pcmd::faults {
namespace {

using integration::Binary;
using integration::kServices;
using integration::RunningBinary;
using testing::RedisServer;
using testing::TempDir;

constexpr char kUnit[] = "268";  // Thanh Trì, in the Hà Nội police's province.

const Binary& Plans() { return kServices[0]; }
const Binary& Intake() { return kServices[1]; }
const Binary& Inspections() { return kServices[2]; }
const Binary& Referrals() { return kServices[3]; }

// Polls `done` every `every` until it holds or `timeout` passes; returns whether it
// held.
template <typename Fn>
bool PollUntil(absl::Duration timeout, Fn done, absl::Duration every = absl::Milliseconds(50)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (done()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(every);
  }
}

// A mutual-TLS channel as integration::ChannelAs, that reconnects within half a second
// of a restarted server listening again (gRPC's default backoff grows to minutes).
std::shared_ptr<grpc::Channel> ReconnectingChannel(const std::string& target,
                                                   const std::string& identity) {
  const std::string& certs = integration::TestCerts();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = testing::ReadFile(certs + "/ca.crt");
  ssl.pem_cert_chain = testing::ReadFile(certs + "/" + identity + ".crt");
  ssl.pem_private_key = testing::ReadFile(certs + "/" + identity + ".key");
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  // Its own connection, not one shared with the other load threads' channels.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args);
}

// One service binary that the test kills and starts again: the first start picks a
// free port, every later one listens on that same port with the same --db, keys,
// certificates and flags, as an orchestrator restarts a crashed container.
class Service {
 public:
  Service(const Binary& binary, const TempDir& dir, std::vector<std::string> flags)
      : binary_(binary), dir_(dir), flags_(std::move(flags)) {}

  ::testing::AssertionResult Start() {
    const std::string listen = port_ == 0 ? "127.0.0.1:0" : absl::StrCat("127.0.0.1:", port_);
    process_ = std::make_unique<RunningBinary>(binary_, dir_, listen, flags_);
    if (process_->port() == 0) {
      return ::testing::AssertionFailure()
             << binary_.name << " did not start on " << listen << ":\n"
             << process_->log();
    }
    if (port_ != 0 && process_->port() != port_) {
      return ::testing::AssertionFailure()
             << binary_.name << " came back on port " << process_->port() << ", not " << port_;
    }
    port_ = process_->port();
    const bool serving = PollUntil(absl::Seconds(20), [&] {
      return integration::Health(target(), binary_.health_name) ==
             grpc::health::v1::HealthCheckResponse::SERVING;
    });
    if (!serving) {
      return ::testing::AssertionFailure() << binary_.name << " is not SERVING:\n"
                                           << process_->log();
    }
    return ::testing::AssertionSuccess();
  }

  // SIGKILL: no shutdown, no flush, as a crash or the OOM killer.
  ::testing::AssertionResult Kill() {
    process_->process().Signal(SIGKILL);
    const std::optional<int> code = process_->process().Wait(absl::Seconds(10));
    if (code != std::optional<int>(128 + SIGKILL)) {
      return ::testing::AssertionFailure()
             << binary_.name << " did not end by SIGKILL (exit " << code.value_or(-1) << ")";
    }
    ++kills_;
    return ::testing::AssertionSuccess();
  }

  std::string target() const { return absl::StrCat("127.0.0.1:", port_); }
  std::string log() const { return process_ ? process_->log() : ""; }
  const char* name() const { return binary_.name; }
  int kills() const { return kills_; }

 private:
  const Binary& binary_;
  const TempDir& dir_;
  const std::vector<std::string> flags_;
  std::unique_ptr<RunningBinary> process_;
  int port_ = 0;
  int kills_ = 0;
};

// The four services on one Redis, in one folder. Intake asks inspections about
// establishments (the tips here name none, but intake is wired as deployed).
class System {
 public:
  explicit System(const RedisServer& redis)
      : bus_({"--redis=" + redis.address(), "--event-claim-idle=1s"}) {}

  // Starts plans, inspections, intake and referrals, and has plans create the test
  // units, which the other three learn from the bus.
  ::testing::AssertionResult Start() {
    plans_ = std::make_unique<Service>(Plans(), dir_, bus_);
    if (auto started = plans_->Start(); !started) return started;
    inspections_ = std::make_unique<Service>(Inspections(), dir_, bus_);
    if (auto started = inspections_->Start(); !started) return started;
    std::vector<std::string> intake_flags = bus_;
    intake_flags.push_back("--inspections=" + inspections_->target());
    intake_ = std::make_unique<Service>(Intake(), dir_, intake_flags);
    if (auto started = intake_->Start(); !started) return started;
    referrals_ = std::make_unique<Service>(Referrals(), dir_, bus_);
    if (auto started = referrals_->Start(); !started) return started;
    return integration::RegisterTestUnits(plans_->target(), intake_->target(),
                                          inspections_->target(), referrals_->target());
  }

  Service& plans() { return *plans_; }
  Service& intake() { return *intake_; }
  Service& inspections() { return *inspections_; }
  Service& referrals() { return *referrals_; }
  // Those started so far.
  std::vector<Service*> all() {
    std::vector<Service*> out;
    for (Service* s : {plans_.get(), intake_.get(), inspections_.get(), referrals_.get()}) {
      if (s != nullptr) out.push_back(s);
    }
    return out;
  }
  const TempDir& dir() const { return dir_; }

  std::string logs() {
    std::string out;
    for (Service* s : all()) absl::StrAppend(&out, "---- ", s->name(), " ----\n", s->log());
    return out;
  }

 private:
  const std::vector<std::string> bus_;
  TempDir dir_;
  std::unique_ptr<Service> plans_, intake_, inspections_, referrals_;
};

// Makes a System on `redis` and starts it.
std::unique_ptr<System> StartSystem(const RedisServer& redis, ::testing::AssertionResult* ok) {
  auto system = std::make_unique<System>(redis);
  *ok = system->Start();
  return system;
}

// Runs `fn` on a SQLite file of a running (or killed) service, read-only in effect.
template <typename Fn>
bool ReadDb(const std::string& path, Fn fn) {
  auto db = storage::SqliteDatabase::Open({.path = path, .migrate = false}, {});
  if (!db.ok()) return false;
  return (*db)->Read([&](storage::Transaction& tx) -> absl::Status { return fn(tx); }).ok();
}

// What plans counted of tips.received for kUnit: the figure a plan shows, and the
// tips behind it (one fact per tip counted, repeated if a tip was counted twice).
struct PlansFigure {
  int64_t counted = -1;
  std::vector<std::string> tips;
};

PlansFigure TipsCountedByPlans(const TempDir& dir) {
  PlansFigure figure;
  const bool read =
      ReadDb(dir.File("plans/plans.db"), [&](storage::Transaction& tx) -> absl::Status {
        auto row = tx.QueryOne(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS INTEGER) FROM counters"
            " WHERE metric = 'tips.received' AND dim = '' AND unit_code = ?1",
            {std::string(kUnit)});
        if (!row.ok()) return row.status();
        figure.counted = (*row)->Int(0);
        auto rows = tx.Query(
            "SELECT record FROM fact_records WHERE metric = 'tips.received' AND unit_code = ?1",
            {std::string(kUnit)});
        if (!rows.ok()) return rows.status();
        for (const storage::Row& r : *rows) figure.tips.push_back(r.Text(0));
        return absl::OkStatus();
      });
  if (!read) figure.counted = -1;
  return figure;
}

// Only the count, cheaply (for tight polls).
int64_t CountedByPlans(const TempDir& dir) {
  int64_t n = -1;
  ReadDb(dir.File("plans/plans.db"), [&](storage::Transaction& tx) -> absl::Status {
    auto row = tx.QueryOne(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS INTEGER) FROM counters"
        " WHERE metric = 'tips.received' AND dim = '' AND unit_code = ?1",
        {std::string(kUnit)});
    if (row.ok()) n = (*row)->Int(0);
    return row.status();
  });
  return n;
}

// How many tips intake holds, from its own file.
int64_t TipsStoredByIntake(const TempDir& dir) {
  int64_t n = -1;
  ReadDb(dir.File("intake/intake.db"), [&](storage::Transaction& tx) -> absl::Status {
    auto row = tx.QueryOne("SELECT COUNT(*) FROM tips");
    if (row.ok()) n = (*row)->Int(0);
    return row.status();
  });
  return n;
}

// The service's event stats; nullopt when the call fails.
std::optional<events::v1::GetEventStatsResponse> Stats(const Service& service) {
  auto stub =
      events::v1::EventAdminService::NewStub(integration::ChannelAs(service.target(), "operator"));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  events::v1::GetEventStatsResponse response;
  if (!stub->GetEventStats(&ctx, {}, &response).ok()) return std::nullopt;
  return response;
}

// True when the service has published all it wrote and (for a consumer) has applied
// and acknowledged every entry of every stream it reads.
bool Drained(const Service& service) {
  const auto stats = Stats(service);
  if (!stats.has_value() || stats->outbox_backlog() != 0 || !stats->bus_error().empty()) {
    return false;
  }
  for (const auto& lag : stats->consumer_lag()) {
    if (lag.lag() != 0) return false;
  }
  return true;
}

std::string Describe(const std::optional<events::v1::GetEventStatsResponse>& stats) {
  return stats.has_value() ? stats->ShortDebugString() : "(no stats)";
}

// A load of tips from agency systems: `threads` clients, each with its own connection
// to intake, submitting SubmitTip as the Hà Nội police for kUnit, each tip under its own
// request_id. With `retry`, a failed call is sent again with the same request_id (and
// the same request) until it succeeds or the deadline passes, as the API asks of
// clients; without, every call must succeed the first time.
class TipLoad {
 public:
  struct Options {
    std::string target;
    std::string prefix;  // request ids are "<prefix>-<n>".
    int64_t total = -1;  // -1: until Stop().
    int threads = 4;
    bool retry = true;
    absl::Duration pause;  // After each acknowledged tip, per thread.
    absl::Time deadline;   // No call is sent after it.
  };

  explicit TipLoad(Options options) : options_(std::move(options)) {}
  ~TipLoad() {
    Stop();
    Join();
  }

  void Start() {
    for (int t = 0; t < options_.threads; ++t) threads_.emplace_back([this] { Run(); });
  }
  // No new tip is started; the calls in flight finish.
  void Stop() { stop_ = true; }
  void Join() {
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  int64_t acknowledged() const { return acknowledged_.load(); }

  struct Result {
    std::map<std::string, std::string> tips;  // request_id → tip name, acknowledged.
    std::map<std::string, int> attempts;      // request_id → calls, when more than one.
    std::set<std::string> unfinished;         // Never acknowledged by the deadline.
    std::map<std::string, int64_t> failures;  // Status code name → failed calls.
    std::vector<std::string> unexpected;      // Failures other than UNAVAILABLE/DEADLINE.
    absl::Duration slowest;                   // The slowest call that succeeded.
  };
  // Call after Join().
  Result result() {
    absl::MutexLock lock(&mu_);
    return result_;
  }
  std::set<std::string> acknowledged_names() {
    absl::MutexLock lock(&mu_);
    std::set<std::string> names;
    for (const auto& [id, name] : result_.tips) names.insert(name);
    return names;
  }

 private:
  void Run() {
    auto stub =
        intake::v1::IntakeService::NewStub(ReconnectingChannel(options_.target, "police-hanoi"));
    while (!stop_) {
      const int64_t n = next_.fetch_add(1);
      if (options_.total >= 0 && n >= options_.total) return;
      const std::string request_id = absl::StrCat(options_.prefix, "-", n);
      intake::v1::SubmitTipRequest request;
      request.set_request_id(request_id);
      request.set_channel(intake::v1::CHANNEL_HOTLINE);
      request.set_legal_kind(intake::v1::LEGAL_KIND_DENUNCIATION);
      request.set_category(intake::v1::CATEGORY_PUBLIC_PLACE);
      request.set_unit_code(kUnit);
      int attempts = 0;
      bool done = false;
      while (!done && absl::Now() < options_.deadline) {
        ++attempts;
        intake::v1::SubmitTipResponse response;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        // Waits for the connection (a restarting intake) instead of failing at once.
        ctx.set_wait_for_ready(options_.retry);
        integration::StateUse(ctx);
        const absl::Time start = absl::Now();
        const grpc::Status status = stub->SubmitTip(&ctx, request, &response);
        const absl::Duration took = absl::Now() - start;
        done = status.ok();
        {
          absl::MutexLock lock(&mu_);
          if (done) {
            result_.tips[request_id] = response.tip().name();
            if (attempts > 1) result_.attempts[request_id] = attempts;
            result_.slowest = std::max(result_.slowest, took);
            ++acknowledged_;
          } else {
            ++result_.failures[CodeName(status.error_code())];
            if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
                status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
                result_.unexpected.size() < 20) {
              result_.unexpected.push_back(absl::StrCat(
                  request_id, ": ", CodeName(status.error_code()), " ", status.error_message()));
            }
          }
        }
        if (done || !options_.retry) break;
        absl::SleepFor(absl::Milliseconds(20));  // Not an assertion: a client's retry pause.
      }
      if (!done) {
        absl::MutexLock lock(&mu_);
        result_.unfinished.insert(request_id);
      } else if (options_.pause > absl::ZeroDuration()) {
        absl::SleepFor(options_.pause);  // Not an assertion: the load's pace.
      }
    }
  }

  static std::string CodeName(grpc::StatusCode code) {
    switch (code) {
      case grpc::StatusCode::OK:
        return "OK";
      case grpc::StatusCode::CANCELLED:
        return "CANCELLED";
      case grpc::StatusCode::UNKNOWN:
        return "UNKNOWN";
      case grpc::StatusCode::INVALID_ARGUMENT:
        return "INVALID_ARGUMENT";
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return "DEADLINE_EXCEEDED";
      case grpc::StatusCode::NOT_FOUND:
        return "NOT_FOUND";
      case grpc::StatusCode::ALREADY_EXISTS:
        return "ALREADY_EXISTS";
      case grpc::StatusCode::PERMISSION_DENIED:
        return "PERMISSION_DENIED";
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
        return "RESOURCE_EXHAUSTED";
      case grpc::StatusCode::FAILED_PRECONDITION:
        return "FAILED_PRECONDITION";
      case grpc::StatusCode::ABORTED:
        return "ABORTED";
      case grpc::StatusCode::OUT_OF_RANGE:
        return "OUT_OF_RANGE";
      case grpc::StatusCode::UNIMPLEMENTED:
        return "UNIMPLEMENTED";
      case grpc::StatusCode::INTERNAL:
        return "INTERNAL";
      case grpc::StatusCode::UNAVAILABLE:
        return "UNAVAILABLE";
      case grpc::StatusCode::DATA_LOSS:
        return "DATA_LOSS";
      case grpc::StatusCode::UNAUTHENTICATED:
        return "UNAUTHENTICATED";
      default:
        return absl::StrCat("code ", static_cast<int>(code));
    }
  }

  const Options options_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> next_{0};
  std::atomic<int64_t> acknowledged_{0};
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  Result result_ ABSL_GUARDED_BY(mu_);
};

std::string Summary(const TipLoad::Result& r) {
  std::vector<std::string> failures;
  for (const auto& [code, n] : r.failures) failures.push_back(absl::StrCat(code, " ", n));
  return absl::StrCat(r.tips.size(), " tips acknowledged, ", r.attempts.size(),
                      " after more than one call, ", r.unfinished.size(),
                      " unfinished; failed calls: {", absl::StrJoin(failures, ", "),
                      "}; unexpected: [", absl::StrJoin(r.unexpected, "; "), "]");
}

// GetTip for every name, as the Hà Nội police; returns those not answered OK with the
// same tip.
std::vector<std::string> MissingTips(const Service& intake, const std::set<std::string>& names) {
  const std::vector<std::string> all(names.begin(), names.end());
  constexpr int kReaders = 4;
  absl::Mutex mu;
  std::vector<std::string> missing;
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      auto stub = intake::v1::IntakeService::NewStub(
          integration::ChannelAs(intake.target(), "police-hanoi"));
      for (size_t i = t; i < all.size(); i += kReaders) {
        intake::v1::GetTipRequest request;
        request.set_name(all[i]);
        intake::v1::GetTipResponse response;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        integration::StateUse(ctx);
        const grpc::Status status = stub->GetTip(&ctx, request, &response);
        if (!status.ok() || response.tip().name() != all[i] ||
            response.tip().unit_code() != kUnit) {
          absl::MutexLock lock(&mu);
          missing.push_back(absl::StrCat(all[i], " (", status.error_message(), ")"));
        }
      }
    });
  }
  for (std::thread& t : readers) t.join();
  return missing;
}

// SubmitTip again with each of `request_ids` (the same request as the first time):
// returns those not answered with the tip of `tips`.
std::vector<std::string> AnsweredDifferently(const Service& intake,
                                             const std::map<std::string, std::string>& tips,
                                             const std::vector<std::string>& request_ids) {
  auto stub =
      intake::v1::IntakeService::NewStub(integration::ChannelAs(intake.target(), "police-hanoi"));
  std::vector<std::string> different;
  for (const std::string& request_id : request_ids) {
    intake::v1::SubmitTipRequest request;
    request.set_request_id(request_id);
    request.set_channel(intake::v1::CHANNEL_HOTLINE);
    request.set_legal_kind(intake::v1::LEGAL_KIND_DENUNCIATION);
    request.set_category(intake::v1::CATEGORY_PUBLIC_PLACE);
    request.set_unit_code(kUnit);
    intake::v1::SubmitTipResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    integration::StateUse(ctx);
    const grpc::Status status = stub->SubmitTip(&ctx, request, &response);
    if (!status.ok() || response.tip().name() != tips.at(request_id)) {
      different.push_back(absl::StrCat(request_id, ": ", tips.at(request_id), " then ",
                                       response.tip().name(), " ", status.error_message()));
    }
  }
  return different;
}

// Waits until plans' figure for kUnit equals `expected` with every service drained
// (nothing left in an outbox or unacknowledged on a stream, so nothing more can come),
// then checks it once more: the same figure, over exactly the tips `expected_tips`.
void ExpectPlansConvergesTo(System& system, const std::set<std::string>& expected_tips,
                            absl::Duration timeout) {
  const int64_t expected = static_cast<int64_t>(expected_tips.size());
  const absl::Time start = absl::Now();
  int64_t last = -1;
  const bool converged = PollUntil(timeout, [&] {
    last = CountedByPlans(system.dir());
    if (last != expected) return false;
    for (Service* s : system.all()) {
      if (!Drained(*s)) return false;
    }
    return true;
  });
  ::testing::Test::RecordProperty("converge_ms",
                                  static_cast<int>(absl::ToInt64Milliseconds(absl::Now() - start)));
  std::string stats;
  for (Service* s : system.all()) {
    absl::StrAppend(&stats, s->name(), ": ", Describe(Stats(*s)), "\n");
  }
  ASSERT_TRUE(converged) << "plans counted " << last << " tips, expected " << expected
                         << " (intake holds " << TipsStoredByIntake(system.dir()) << ")\n"
                         << stats;
  // Nothing is in flight any more; the figure stays where it is.
  absl::SleepFor(absl::Seconds(1));  // Not an assertion: time for a stray late delivery.
  const PlansFigure figure = TipsCountedByPlans(system.dir());
  EXPECT_EQ(figure.counted, expected);
  EXPECT_EQ(figure.tips.size(), expected_tips.size()) << "a tip counted twice";
  const std::set<std::string> counted(figure.tips.begin(), figure.tips.end());
  std::vector<std::string> not_counted, unknown;
  std::set_difference(expected_tips.begin(), expected_tips.end(), counted.begin(), counted.end(),
                      std::back_inserter(not_counted));
  std::set_difference(counted.begin(), counted.end(), expected_tips.begin(), expected_tips.end(),
                      std::back_inserter(unknown));
  EXPECT_THAT(not_counted, ::testing::IsEmpty()) << "acknowledged tips plans never counted";
  EXPECT_THAT(unknown, ::testing::IsEmpty()) << "tips plans counted that nobody acknowledged";
  for (Service* s : system.all()) {
    const auto stats = Stats(*s);
    ASSERT_TRUE(stats.has_value()) << s->name();
    EXPECT_EQ(stats->dead_letters(), 0) << s->name() << ": " << Describe(stats);
    EXPECT_EQ(stats->outbox_backlog(), 0) << s->name();
  }
}

TEST(Faults, EveryAcknowledgedTipIsKeptAndCountedOnceWhenEachServiceIsKilledInTurnUnderLoad) {
  constexpr int64_t kTips = 2000;
  RedisServer redis;
  ::testing::AssertionResult started = ::testing::AssertionSuccess();
  auto system = StartSystem(redis, &started);
  ASSERT_TRUE(started) << system->logs();

  TipLoad load({.target = system->intake().target(),
                .prefix = "kill",
                .total = kTips,
                .threads = 4,
                .retry = true,
                .deadline = absl::Now() + absl::Seconds(60)});
  load.Start();
  // One kill per fifth of the load, in this order; each service is back on its port
  // with its files before the load reaches the next.
  Service* const victims[] = {&system->intake(), &system->plans(), &system->inspections(),
                              &system->referrals()};
  for (int i = 0; i < 4; ++i) {
    Service& victim = *victims[i];
    const int64_t at = kTips * (i + 1) / 5;
    ASSERT_TRUE(PollUntil(
        absl::Seconds(60), [&] { return load.acknowledged() >= at; }, absl::Milliseconds(5)))
        << "the load stalled at " << load.acknowledged() << " before killing " << victim.name()
        << "\n"
        << system->logs();
    ASSERT_TRUE(victim.Kill());
    RecordProperty(absl::StrCat(victim.name(), "_killed_at"),
                   static_cast<int>(load.acknowledged()));
    ASSERT_TRUE(victim.Start()) << "after SIGKILL";
  }
  load.Join();
  const TipLoad::Result result = load.result();
  RecordProperty("load", Summary(result));
  ASSERT_EQ(result.tips.size(), kTips) << Summary(result) << "\n" << system->intake().log();
  EXPECT_THAT(result.unexpected, ::testing::IsEmpty()) << Summary(result);
  // The intake kill failed calls in flight, which were sent again.
  EXPECT_GT(result.failures.size(), 0u) << "no call failed: the intake kill tested nothing";

  // Every acknowledged tip is there, and intake holds no other (a retried call that
  // had in fact succeeded did not make a second tip).
  const std::set<std::string> names = load.acknowledged_names();
  EXPECT_EQ(names.size(), result.tips.size()) << "two request ids answered with one tip";
  EXPECT_THAT(MissingTips(system->intake(), names), ::testing::IsEmpty());
  EXPECT_EQ(TipsStoredByIntake(system->dir()), static_cast<int64_t>(names.size()));
  // A tip whose first call failed is the one a retry of it answers with.
  std::vector<std::string> retried;
  for (const auto& [request_id, attempts] : result.attempts) retried.push_back(request_id);
  EXPECT_THAT(AnsweredDifferently(system->intake(), result.tips, retried), ::testing::IsEmpty());

  ExpectPlansConvergesTo(*system, names, absl::Seconds(60));
  for (Service* s : system->all()) EXPECT_EQ(s->kills(), 1) << s->name();
}

TEST(Faults, EveryWriteSucceedsWhileRedisIsStoppedFor30SecondsAndPlansCountsEachTipOnceAfter) {
  RedisServer redis;
  ::testing::AssertionResult started = ::testing::AssertionSuccess();
  auto system = StartSystem(redis, &started);
  ASSERT_TRUE(started) << system->logs();

  // About 100 tips a second from two clients, every call answered OK the first time.
  TipLoad load({.target = system->intake().target(),
                .prefix = "outage",
                .threads = 2,
                .retry = false,
                .pause = absl::Milliseconds(20),
                .deadline = absl::Now() + absl::Seconds(60)});
  load.Start();
  // The bus works before the outage.
  ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] {
    return load.acknowledged() >= 100 && CountedByPlans(system->dir()) >= 100;
  })) << system->logs();

  redis.Stop();
  const int64_t at_stop = load.acknowledged();
  absl::SleepFor(absl::Seconds(1));  // Not an assertion: let a batch read before the stop land.
  const int64_t counted_early_in_outage = CountedByPlans(system->dir());
  // Redis stays down for 30 s while the load goes on.
  absl::SleepFor(absl::Seconds(29));  // Not an assertion: the outage the issue names.
  const int64_t at_restart = load.acknowledged();
  const auto intake_during = Stats(system->intake());
  const int64_t counted_late_in_outage = CountedByPlans(system->dir());
  redis.Start();
  // A little more load with Redis back, then the end of it.
  absl::SleepFor(absl::Seconds(1));  // Not an assertion: the load's length.
  load.Stop();
  load.Join();

  const TipLoad::Result result = load.result();
  RecordProperty("load", Summary(result));
  RecordProperty("tips_during_outage", static_cast<int>(at_restart - at_stop));
  RecordProperty("slowest_write_ms", static_cast<int>(absl::ToInt64Milliseconds(result.slowest)));
  EXPECT_TRUE(result.failures.empty()) << Summary(result) << "\n" << system->intake().log();
  EXPECT_TRUE(result.unfinished.empty()) << Summary(result);
  // The load went on during the outage, and a write never waited for Redis.
  EXPECT_GT(at_restart - at_stop, 1000) << Summary(result);
  EXPECT_LT(result.slowest, absl::Seconds(3));
  // Nothing reached plans during the outage; what was written waited in the outbox.
  // Of the tips acknowledged during it, only the one call each of the two clients had
  // in flight at the stop may have been committed (and published) before it.
  EXPECT_EQ(counted_late_in_outage, counted_early_in_outage);
  ASSERT_TRUE(intake_during.has_value());
  EXPECT_GE(intake_during->outbox_backlog() + 2, at_restart - at_stop) << Describe(intake_during);

  const std::set<std::string> names = load.acknowledged_names();
  EXPECT_EQ(TipsStoredByIntake(system->dir()), static_cast<int64_t>(names.size()));
  ExpectPlansConvergesTo(*system, names, absl::Seconds(60));
}

TEST(Faults, PlansKilledWhileConsumingABurstOfEventsCountsEachExactlyOnceAfterItsRestart) {
  constexpr int64_t kBurst = 1500;
  RedisServer redis;
  ::testing::AssertionResult started = ::testing::AssertionSuccess();
  auto system = StartSystem(redis, &started);
  ASSERT_TRUE(started) << system->logs();
  Service& plans = system->plans();

  // Plans is down while the burst is written: it all waits on intake's stream.
  ASSERT_TRUE(plans.Kill());
  {
    TipLoad burst({.target = system->intake().target(),
                   .prefix = "burst",
                   .total = kBurst,
                   .threads = 4,
                   .retry = true,
                   .deadline = absl::Now() + absl::Seconds(60)});
    burst.Start();
    burst.Join();
    ASSERT_EQ(burst.result().tips.size(), kBurst) << Summary(burst.result());
    ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] { return Drained(system->intake()); }));

    // Each start, plans reads the backlog; it is killed as soon as a batch of it has
    // been applied, in the middle of the next ones.
    std::vector<int64_t> killed_at;
    for (int round = 0; round < 3; ++round) {
      const int64_t before = CountedByPlans(system->dir());
      if (before >= kBurst) break;
      ASSERT_TRUE(plans.Start());
      ASSERT_TRUE(PollUntil(
          absl::Seconds(30), [&] { return CountedByPlans(system->dir()) > before; },
          absl::Milliseconds(1)))
          << plans.log();
      ASSERT_TRUE(plans.Kill());
      killed_at.push_back(CountedByPlans(system->dir()));
    }
    RecordProperty("killed_at", absl::StrJoin(killed_at, ","));
    ASSERT_FALSE(killed_at.empty());
    // At least the first kill came in the middle of the burst.
    EXPECT_LT(killed_at.front(), kBurst) << absl::StrJoin(killed_at, ",");
    ASSERT_TRUE(plans.Start());
    ExpectPlansConvergesTo(*system, burst.acknowledged_names(), absl::Seconds(60));
  }
}

TEST(Faults, ServicesRestartedWhileRedisIsDownServeAndDeliverWhatTheyWroteOnceItIsUp) {
  constexpr int64_t kTips = 200;
  RedisServer redis;
  ::testing::AssertionResult started = ::testing::AssertionSuccess();
  auto system = StartSystem(redis, &started);
  ASSERT_TRUE(started) << system->logs();

  // Everything goes down; the services come back first, on their files, to no bus:
  // their relays and consumers start by failing.
  for (Service* s : system->all()) ASSERT_TRUE(s->Kill());
  redis.Stop();
  for (Service* s : system->all()) ASSERT_TRUE(s->Start()) << "with Redis down";

  TipLoad load({.target = system->intake().target(),
                .prefix = "cold",
                .total = kTips,
                .threads = 2,
                .retry = false,
                .deadline = absl::Now() + absl::Seconds(30)});
  load.Start();
  load.Join();
  const TipLoad::Result result = load.result();
  EXPECT_TRUE(result.failures.empty()) << Summary(result) << "\n" << system->intake().log();
  ASSERT_EQ(result.tips.size(), kTips) << Summary(result);
  const auto waiting = Stats(system->intake());
  ASSERT_TRUE(waiting.has_value());
  EXPECT_EQ(waiting->outbox_backlog(), kTips) << Describe(waiting);
  EXPECT_FALSE(waiting->bus_error().empty()) << "Redis is down: " << Describe(waiting);
  EXPECT_EQ(CountedByPlans(system->dir()), 0);

  redis.Start();
  ExpectPlansConvergesTo(*system, load.acknowledged_names(), absl::Seconds(30));
}

}  // namespace
}  // namespace pcmd::faults
