// pcmd-system-bench: the whole suite on this machine, as deploy/run.sh runs it — Redis
// (AOF, appendfsync everysec), the four real service binaries with mutual TLS, the
// shipped directory seed, the seed plans imported and issued, the services' clocks on
// 2024-06-10 (inside the Hà Nội 2024 plan's year) — and a load generator in this process:
//
//   0. cold start: the four binaries launched at once, time until each reports SERVING
//      (gRPC health probes every 10 ms); again after the load, on the filled databases;
//   1. bare gRPC echo throughput (this program again, in a child process, hosting
//      pcmd.testing.v1.EchoService through the services' own StartServer with the same
//      mutual TLS) against durable SubmitTip throughput (as police-hanoi, end user and
//      purpose stated, a new request_id each), both closed-loop at 8, 32 and 128 calls in
//      flight, with the server's CPU time per call; then SubmitTip p50/p99 at 25/50/70/90 %
//      of its maximum, open-loop (a fixed schedule; latency from the scheduled start, so a
//      slow answer cannot hold back the next calls);
//   2. tip acknowledged → the Hà Nội 2024 plan's "tips received" figure counting it, at
//      500 tips/s (or 90 % of the SubmitTip maximum when that is lower) and at 25/50/70 %
//      of the maximum, timed by a poller calling GetPlanProgress every 2 ms (back to back
//      when a call takes longer);
//   3. GetPlanProgress latency of plans/hn-2024 with little recorded, then again after
//      --scale tips, --inspections inspections (scheduled and completed) and --referrals
//      clients walked through the referral loop (registered, contacted, consent, needs,
//      referred, accepted, served), all loaded through the real RPCs at once;
//   4. resident memory of each service (VmRSS, VmHWM) after the load.
//
// Everything runs in one temporary folder and on free loopback ports; results are
// printed as Markdown tables (and written to --out when given). The machine is shared:
// compare the ratios measured in one run. See BENCHMARKS.md.
//
//   build/release/bench/pcmd-system-bench --scale=50000 --duration=10s [--out=FILE]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/security/identity.h"
#include "common/server/server.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "google/protobuf/text_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/plans/v1/directory.grpc.pb.h"
#include "pcmd/plans/v1/plans.grpc.pb.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "pcmd/testing/v1/echo.grpc.pb.h"

namespace {

using pcmd::testing::ReadFile;
using pcmd::testing::Subprocess;
using pcmd::testing::TempDir;
namespace iv1 = pcmd::intake::v1;
namespace insv1 = pcmd::inspections::v1;
namespace pv1 = pcmd::plans::v1;
namespace rv1 = pcmd::referrals::v1;

// The services' day: inside the Hà Nội 2024 plan's period, as deploy/run.sh's default.
constexpr char kToday[] = "2024-06-10";
constexpr char kPlan[] = "plans/hn-2024";
// Team 178 of Thanh Trì and the district health centre (deploy/certs.sh) act there.
constexpr char kThanhTri[] = "268";
constexpr char kTipText[] =
    "Phản ánh có người đứng đường mời khách tại khu vực Ngọc Hồi, nhiều đêm liền.";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "system-bench: %s\n", what.c_str());
  std::exit(1);
}

void Note(const std::string& what) {
  std::fprintf(stderr, "system-bench: %s\n", what.c_str());
  std::fflush(stderr);
}

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

// ---------------------------------------------------------------------------------------
// Latency samples.

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
};

Percentiles Of(std::vector<double> ms) {
  if (ms.empty()) return {};
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back(),
          ms.size()};
}

// ---------------------------------------------------------------------------------------
// Credentials and channels: the development certificates of deploy/certs.sh.

class Certs {
 public:
  explicit Certs(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string File(const std::string& name) const { return dir_ + "/" + name; }

  // A mutual-TLS channel to `target` as the holder of <identity>.crt. Services'
  // certificates name "localhost"; we dial 127.0.0.1. Each channel gets its own TCP
  // connection (no subchannel sharing), as separate agency systems would.
  std::shared_ptr<grpc::Channel> Channel(const std::string& target,
                                         const std::string& identity) const {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(File("ca.crt"));
    ssl.pem_cert_chain = ReadFile(File(identity + ".crt"));
    ssl.pem_private_key = ReadFile(File(identity + ".key"));
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args);
  }

 private:
  std::string dir_;
};

// States the end user and purpose of use, as agency systems must with every call that
// touches personal data, and a deadline.
void StateUse(grpc::ClientContext& ctx, const std::string& purpose,
              const std::string& end_user = "officer-0001") {
  ctx.AddMetadata(std::string(pcmd::security::kEndUserHeader), end_user);
  ctx.AddMetadata(std::string(pcmd::security::kPurposeHeader), purpose);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
}

// ---------------------------------------------------------------------------------------
// The bare echo server: this program started again with --serve-echo, so that it runs
// in its own process like the services, through the services' StartServer.

class EchoServer final : public pcmd::testing::v1::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext*, const pcmd::testing::v1::EchoRequest* request,
                    pcmd::testing::v1::EchoResponse* response) override {
    response->set_text(request->text());
    return grpc::Status::OK;
  }
};

int ServeEcho(const std::string& port_file, const std::string& certs) {
  pcmd::BlockTerminationSignals();
  EchoServer echo;
  auto server = pcmd::StartServer({.listen = "127.0.0.1:0",
                                   .port_file = port_file,
                                   .tls_cert_file = certs + "/plans.crt",
                                   .tls_key_file = certs + "/plans.key",
                                   .tls_ca_file = certs + "/ca.crt"},
                                  {{&echo, pcmd::testing::v1::EchoService::service_full_name()}});
  if (!server.ok()) {
    std::fprintf(stderr, "echo: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  pcmd::WaitForTerminationSignal();
  (*server)->Shutdown();
  return 0;
}

// ---------------------------------------------------------------------------------------
// The suite: the four binaries on ports chosen up front (intake must know inspections'
// address when it starts), one SQLite file each, as deploy/run.sh starts them.

struct ServiceBinary {
  const char* name;
  const char* path;
  const char* health_name;
};

constexpr ServiceBinary kServices[] = {
    {"plans", PCMD_PLANS_BIN, "pcmd.plans.v1.DirectoryService"},
    {"intake", PCMD_INTAKE_BIN, "pcmd.intake.v1.IntakeService"},
    {"inspections", PCMD_INSPECTIONS_BIN, "pcmd.inspections.v1.InspectionsService"},
    {"referrals", PCMD_REFERRALS_BIN, "pcmd.referrals.v1.ReferralsService"},
};

bool Serving(const Certs& certs, const std::string& target, const std::string& service) {
  // A fresh channel per probe: a reused one would wait out gRPC's reconnect backoff.
  auto stub = grpc::health::v1::Health::NewStub(certs.Channel(target, "operator"));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  return stub->Check(&ctx, request, &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

class Suite {
 public:
  Suite(const TempDir& dir, const Certs& certs, const std::string& keys, const std::string& redis)
      : dir_(dir), certs_(certs), keys_(keys), redis_(redis) {
    for (const ServiceBinary& s : kServices) ports_[s.name] = pcmd::testing::PickFreePort();
  }

  std::string target(const std::string& name) const {
    return absl::StrCat("127.0.0.1:", ports_.at(name));
  }
  pid_t pid(const std::string& name) const { return processes_.at(name)->pid(); }

  // Launches the four binaries at once and waits until each is SERVING. Returns the
  // time from the first launch until each one served.
  std::map<std::string, absl::Duration> Start() {
    const absl::Time start = absl::Now();
    for (const ServiceBinary& s : kServices) {
      const std::string name = s.name;
      std::vector<std::string> argv = {s.path,
                                       "--listen=" + target(name),
                                       absl::StrCat("--db=", dir_.File(name + "/" + name + ".db")),
                                       "--redis=" + redis_,
                                       "--keys=" + keys_,
                                       "--log-level=info",
                                       absl::StrCat("--clock-date=", kToday),
                                       "--tls-cert=" + certs_.File(name + ".crt"),
                                       "--tls-key=" + certs_.File(name + ".key"),
                                       "--tls-ca=" + certs_.File("ca.crt")};
      if (name == "intake") argv.push_back("--inspections=" + target("inspections"));
      if (name == "plans") {
        argv.push_back(absl::StrCat("--directory-seed=", PCMD_SOURCE_DIR,
                                    "/services/plans/data/directory.textproto"));
      }
      processes_[name] = std::make_unique<Subprocess>(argv, dir_.File(name + ".log"));
    }
    std::map<std::string, absl::Duration> ready;
    const absl::Time deadline = start + absl::Seconds(120);
    while (ready.size() < std::size(kServices)) {
      for (const ServiceBinary& s : kServices) {
        if (ready.contains(s.name)) continue;
        if (processes_[s.name]->Wait(absl::ZeroDuration()).has_value()) {
          Die(absl::StrCat(s.name, " exited during start:\n",
                           ReadFile(dir_.File(std::string(s.name) + ".log"))));
        }
        if (Serving(certs_, target(s.name), s.health_name)) ready[s.name] = absl::Now() - start;
      }
      if (absl::Now() > deadline) Die("the services did not all report SERVING within 120 s");
      absl::SleepFor(absl::Milliseconds(10));
    }
    return ready;
  }

  // SIGTERM to every service, then waits for them to end (SIGKILL after 30 s).
  void Stop() {
    for (auto& [name, process] : processes_) process->Signal(SIGTERM);
    for (auto& [name, process] : processes_) {
      if (!process->Wait(absl::Seconds(30)).has_value()) Note(name + " did not stop in 30 s");
    }
    processes_.clear();
  }

 private:
  const TempDir& dir_;
  const Certs& certs_;
  std::string keys_;
  std::string redis_;
  std::map<std::string, int> ports_;
  std::map<std::string, std::unique_ptr<Subprocess>> processes_;
};

// CPU time (user + system, all threads) and writes of a process so far, from
// /proc/PID/stat and /proc/PID/io.
struct ProcStats {
  double cpu_seconds = 0;
  double system_seconds = 0;  // Of which in the kernel.
  double written_kib = 0;     // wchar: bytes passed to write(2) and pwrite(2).
  double write_calls = 0;     // syscw.

  ProcStats operator-(const ProcStats& o) const {
    return {cpu_seconds - o.cpu_seconds, system_seconds - o.system_seconds,
            written_kib - o.written_kib, write_calls - o.write_calls};
  }
};

ProcStats Sample(pid_t pid) {
  ProcStats out;
  // utime and stime are fields 14 and 15; the name (field 2) may hold spaces.
  const std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  const double tick = 1.0 / sysconf(_SC_CLK_TCK);
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) out.cpu_seconds += std::stod(field) * tick;
    if (i == 15) out.system_seconds = std::stod(field) * tick;
  }
  std::istringstream io(ReadFile(absl::StrCat("/proc/", pid, "/io")));
  for (std::string key; io >> key >> field;) {
    if (key == "wchar:") out.written_kib = std::stod(field) / 1024;
    if (key == "syscw:") out.write_calls = std::stod(field);
  }
  return out;
}

// VmRSS and VmHWM (peak) of a process, in MiB.
std::pair<double, double> Memory(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  double rss = 0, hwm = 0;
  while (std::getline(in, line)) {
    long kb = 0;
    if (std::sscanf(line.c_str(), "VmRSS: %ld kB", &kb) == 1) rss = kb / 1024.0;
    if (std::sscanf(line.c_str(), "VmHWM: %ld kB", &kb) == 1) hwm = kb / 1024.0;
  }
  return {rss, hwm};
}

// ---------------------------------------------------------------------------------------
// Load generation with gRPC's callback API. An AsyncCall starts one call and reports its
// status to `done` (on a gRPC thread) when it ends.

using AsyncCall = std::function<void(std::function<void(const grpc::Status&)> done)>;

struct Run {
  int64_t ok = 0, failed = 0;
  double per_second = 0;  // Successful calls per second in the measured window.
  Percentiles latency;    // Milliseconds.
  std::string first_error;
  std::vector<absl::Time> acks;  // Open loop only: when each success was answered.
};

// What the calls of one run share: counts, latencies, how many are still outstanding.
struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  int64_t outstanding = 0;
  int64_t ok = 0, failed = 0, measured = 0;
  bool keep_acks = false;
  std::vector<double> latencies;
  std::vector<absl::Time> acks;
  std::string first_error;

  void Record(const grpc::Status& status, absl::Time start, absl::Time end, bool measure) {
    std::lock_guard lock(mu);
    if (status.ok()) {
      ++ok;
      if (keep_acks) acks.push_back(end);
      if (measure) {
        ++measured;
        latencies.push_back(Ms(end - start));
      }
    } else {
      ++failed;
      if (first_error.empty()) {
        first_error = absl::StrCat(status.error_code(), ": ", status.error_message());
      }
    }
  }
  void Finished() {
    std::lock_guard lock(mu);
    if (--outstanding == 0) cv.notify_all();
  }
  void WaitIdle() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
  }
};

// Closed loop: `in_flight` workers, each starting its next call when the last one is
// answered, for `duration` or until `max_calls` calls were started. Calls started in the
// first `warmup` or answered after `duration` are not measured.
class ClosedLoop : public std::enable_shared_from_this<ClosedLoop> {
 public:
  static Run Measure(AsyncCall call, int in_flight, absl::Duration warmup, absl::Duration duration,
                     int64_t max_calls = INT64_MAX) {
    auto loop = std::make_shared<ClosedLoop>(std::move(call), warmup, duration, max_calls);
    loop->shared_.outstanding = in_flight;
    for (int i = 0; i < in_flight; ++i) loop->Issue();
    loop->shared_.WaitIdle();
    std::lock_guard lock(loop->shared_.mu);
    const absl::Time end = std::min(absl::Now(), loop->stop_at_);
    const absl::Duration window = end - std::min(end, loop->measure_from_);
    Run run{.ok = loop->shared_.ok,
            .failed = loop->shared_.failed,
            .per_second = loop->shared_.measured / std::max(1e-9, absl::ToDoubleSeconds(window)),
            .latency = Of(loop->shared_.latencies),
            .first_error = loop->shared_.first_error};
    return run;
  }

  ClosedLoop(AsyncCall call, absl::Duration warmup, absl::Duration duration, int64_t max_calls)
      : call_(std::move(call)),
        measure_from_(absl::Now() + warmup),
        stop_at_(absl::Now() + duration),
        max_calls_(max_calls) {}

 private:
  void Issue() {
    const absl::Time start = absl::Now();
    if (start >= stop_at_ || started_.fetch_add(1) >= max_calls_) {
      shared_.Finished();
      return;
    }
    // The callback holds the loop: it may run after Measure has returned.
    call_([self = shared_from_this(), start](const grpc::Status& status) {
      const absl::Time end = absl::Now();
      self->shared_.Record(status, start, end,
                           start >= self->measure_from_ && end <= self->stop_at_);
      self->Issue();
    });
  }

  const AsyncCall call_;
  const absl::Time measure_from_, stop_at_;
  const int64_t max_calls_;
  std::atomic<int64_t> started_{0};
  Shared shared_;
};

// Open loop: call i starts at begin + i / rate whatever the answers (up to 2,000
// outstanding), for `duration`; latency counts from the scheduled start, so time spent
// queued behind slow answers is included. Calls due in the first `warmup` are not
// measured.
Run OpenLoop(const AsyncCall& call, double rate, absl::Duration warmup, absl::Duration duration) {
  auto shared = std::make_shared<Shared>();
  shared->keep_acks = true;
  const absl::Time begin = absl::Now() + absl::Milliseconds(5);
  const int64_t calls = static_cast<int64_t>(rate * absl::ToDoubleSeconds(duration));
  int64_t skipped = 0;
  for (int64_t i = 0; i < calls; ++i) {
    const absl::Time due = begin + absl::Seconds(i / rate);
    if (const absl::Duration wait = due - absl::Now(); wait > absl::ZeroDuration()) {
      absl::SleepFor(wait);
    }
    {
      std::lock_guard lock(shared->mu);
      if (shared->outstanding >= 2000) {
        ++skipped;
        continue;
      }
      ++shared->outstanding;
    }
    const bool measure = due >= begin + warmup;
    call([shared, due, measure](const grpc::Status& status) {
      shared->Record(status, due, absl::Now(), measure);
      shared->Finished();
    });
  }
  shared->WaitIdle();
  std::lock_guard lock(shared->mu);
  Run run{.ok = shared->ok,
          .failed = shared->failed + skipped,
          .per_second = shared->ok / absl::ToDoubleSeconds(duration),
          .latency = Of(shared->latencies),
          .first_error = shared->first_error,
          .acks = shared->acks};
  if (skipped > 0) run.first_error += absl::StrCat(" (", skipped, " calls not sent: overloaded)");
  return run;
}

// Several channels to one service, calls spread over them round robin.
template <typename Service>
class Stubs {
 public:
  Stubs(const Certs& certs, const std::string& target, const std::string& identity, int n) {
    for (int i = 0; i < n; ++i) {
      stubs_.push_back(Service::NewStub(certs.Channel(target, identity)));
    }
  }
  typename Service::Stub* Next() { return stubs_[next_++ % stubs_.size()].get(); }

 private:
  std::vector<std::unique_ptr<typename Service::Stub>> stubs_;
  std::atomic<uint64_t> next_{0};
};

template <typename Request, typename Response>
struct Pending {
  grpc::ClientContext ctx;
  Request request;
  Response response;
};

// The Hà Nội districts of the directory seed in force on kToday: tips are spread over them.
std::vector<std::string> HanoiDistricts() {
  pv1::DirectorySeed seed;
  if (!google::protobuf::TextFormat::ParseFromString(
          ReadFile(absl::StrCat(PCMD_SOURCE_DIR, "/services/plans/data/directory.textproto")),
          &seed)) {
    Die("cannot read services/plans/data/directory.textproto");
  }
  std::vector<std::string> out;
  for (const pv1::CreateUnitRequest& u : seed.units()) {
    if (u.parent_code() == "01" && u.level() == pv1::UNIT_LEVEL_DISTRICT &&
        u.valid_from() <= kToday && (u.valid_to().empty() || u.valid_to() >= kToday)) {
      out.push_back(u.code());
    }
  }
  if (out.empty()) Die("the directory seed has no Hà Nội district");
  return out;
}

// SubmitTip as police-hanoi: a hotline-style tip with a short description, no persons,
// no establishment (so no duplicate search by person, place or business), in one of the
// Hà Nội districts, a new request_id each.
class TipSubmitter {
 public:
  TipSubmitter(const Certs& certs, const std::string& intake, int channels)
      : stubs_(certs, intake, "police-hanoi", channels), districts_(HanoiDistricts()) {}

  iv1::SubmitTipRequest Request(int64_t i) const {
    iv1::SubmitTipRequest r;
    r.set_request_id(absl::StrCat("bench-tip-", i));
    r.set_channel(static_cast<iv1::Channel>(1 + i % 4));
    r.set_legal_kind(static_cast<iv1::LegalKind>(1 + i % 2));
    r.set_category(static_cast<iv1::Category>(1 + i % 3));
    r.set_unit_code(districts_[i % districts_.size()]);
    r.set_description(kTipText);
    return r;
  }

  AsyncCall Call() {
    return [this](std::function<void(const grpc::Status&)> done) {
      auto* p = new Pending<iv1::SubmitTipRequest, iv1::SubmitTipResponse>;
      StateUse(p->ctx, "tip-handling");
      p->request = Request(next_++);
      stubs_.Next()->async()->SubmitTip(&p->ctx, &p->request, &p->response,
                                        [p, done](grpc::Status s) {
                                          done(s);
                                          delete p;
                                        });
    };
  }

 private:
  Stubs<iv1::IntakeService> stubs_;
  std::vector<std::string> districts_;
  std::atomic<int64_t> next_{0};
};

AsyncCall EchoCall(Stubs<pcmd::testing::v1::EchoService>& stubs, const std::string& text) {
  return [&stubs, text](std::function<void(const grpc::Status&)> done) {
    auto* p = new Pending<pcmd::testing::v1::EchoRequest, pcmd::testing::v1::EchoResponse>;
    StateUse(p->ctx, "tip-handling");
    p->request.set_text(text);
    stubs.Next()->async()->Echo(&p->ctx, &p->request, &p->response, [p, done](grpc::Status s) {
      done(s);
      delete p;
    });
  };
}

// ---------------------------------------------------------------------------------------
// The plan's figures.

class PlanReader {
 public:
  PlanReader(const Certs& certs, const std::string& plans)
      : stub_(pv1::PlansService::NewStub(certs.Channel(plans, "social-affairs-hanoi"))) {}

  std::optional<pv1::PlanProgress> Progress(bool breakdown = false) {
    grpc::ClientContext ctx;
    StateUse(ctx, "plan-reporting");
    pv1::GetPlanProgressRequest request;
    request.set_plan(kPlan);
    request.set_as_of_date(kToday);
    request.set_include_breakdown(breakdown);
    pv1::GetPlanProgressResponse response;
    if (const grpc::Status s = stub_->GetPlanProgress(&ctx, request, &response); !s.ok()) {
      Note(absl::StrCat("GetPlanProgress: ", s.error_message()));
      return std::nullopt;
    }
    return response.progress();
  }

 private:
  std::unique_ptr<pv1::PlansService::Stub> stub_;
};

// Where a plan shows the plain count of a metric: the value of a COUNT target, or the
// numerator or denominator of a PERCENT target, measuring it without filters.
struct FigureRef {
  std::string metric;
  std::string target_id;
  enum Side { kValue, kNumerator, kDenominator } side = kValue;
};

std::optional<FigureRef> FindFigure(const google::protobuf::RepeatedPtrField<pv1::Target>& targets,
                                    const std::string& metric) {
  auto plain = [&](const pv1::Measure& m) {
    return m.metric() == metric && m.filters().empty() && !m.cumulative() &&
           m.aggregate() <= pv1::AGGREGATE_SUM;
  };
  for (const pv1::Target& t : targets) {
    if (t.source() == pv1::TARGET_SOURCE_COMPUTED) {
      if (t.kind() == pv1::TARGET_KIND_COUNT && plain(t.numerator())) {
        return FigureRef{metric, t.id(), FigureRef::kValue};
      }
      if (t.kind() == pv1::TARGET_KIND_PERCENT && plain(t.numerator())) {
        return FigureRef{metric, t.id(), FigureRef::kNumerator};
      }
      if (t.kind() == pv1::TARGET_KIND_PERCENT && plain(t.denominator())) {
        return FigureRef{metric, t.id(), FigureRef::kDenominator};
      }
    }
    if (auto sub = FindFigure(t.sub_targets(), metric)) return sub;
  }
  return std::nullopt;
}

std::optional<double> Read(const google::protobuf::RepeatedPtrField<pv1::TargetProgress>& targets,
                           const FigureRef& ref) {
  for (const pv1::TargetProgress& t : targets) {
    if (t.target_id() == ref.target_id) {
      return ref.side == FigureRef::kValue       ? t.value()
             : ref.side == FigureRef::kNumerator ? t.numerator()
                                                 : t.denominator();
    }
    if (auto sub = Read(t.sub_targets(), ref)) return sub;
  }
  return std::nullopt;
}

double Read(const pv1::PlanProgress& p, const FigureRef& ref) {
  return Read(p.targets(), ref).value_or(-1);
}

// Waits until every figure of `refs` reaches `expected` (polling every 100 ms, up to
// `timeout`); returns how long that took, nullopt on timeout.
std::optional<absl::Duration> WaitForFigures(PlanReader& reader, const std::vector<FigureRef>& refs,
                                             const std::vector<double>& expected,
                                             absl::Duration timeout) {
  const absl::Time start = absl::Now();
  std::string last;
  while (absl::Now() - start < timeout) {
    if (std::optional<pv1::PlanProgress> p = reader.Progress()) {
      bool all = true;
      last.clear();
      for (size_t i = 0; i < refs.size(); ++i) {
        const double v = Read(*p, refs[i]);
        all &= v >= expected[i];
        absl::StrAppend(&last, " ", refs[i].metric, "=", v, "/", expected[i]);
      }
      if (all) return absl::Now() - start;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  Note("the plan's figures did not catch up:" + last);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Loading inspections and referrals: chains of blocking calls on several threads.

struct Load {
  int64_t done = 0, failed = 0;
  absl::Duration time;
  std::string first_error;
};

// Runs one(i) for i in [0, n) on `threads` threads.
Load OnThreads(int threads, int64_t n, const std::function<grpc::Status(int64_t)>& one) {
  std::atomic<int64_t> next{0}, done{0}, failed{0};
  std::mutex mu;
  std::string first_error;
  const absl::Time start = absl::Now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int64_t i; (i = next.fetch_add(1)) < n;) {
        const grpc::Status s = one(i);
        if (s.ok()) {
          ++done;
        } else {
          ++failed;
          std::lock_guard lock(mu);
          if (first_error.empty())
            first_error = absl::StrCat(s.error_code(), ": ", s.error_message());
        }
      }
    });
  }
  for (std::thread& t : pool) t.join();
  return {done.load(), failed.load(), absl::Now() - start, first_error};
}

// One blocking call of `method` on `stub`, end user and purpose stated.
template <typename Stub, typename Request, typename Response>
grpc::Status Unary(Stub& stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                   const std::type_identity_t<Request>& request, Response* response,
                   const std::string& purpose, const std::string& end_user = "officer-0001") {
  grpc::ClientContext ctx;
  StateUse(ctx, purpose, end_user);
  return (stub.*method)(&ctx, request, response);
}

// Inspections by Team 178 of Thanh Trì: one team, establishments in Thanh Trì, then each
// inspection scheduled for today and its result recorded (1 owner and 2 workers informed).
class InspectionLoader {
 public:
  static constexpr int kInformed = 3;

  InspectionLoader(const Certs& certs, const std::string& target, int64_t inspections)
      : social_(insv1::InspectionsService::NewStub(certs.Channel(target, "social-affairs-hanoi"))),
        team178_(insv1::InspectionsService::NewStub(certs.Channel(target, "team178-thanhtri"))) {
    insv1::CreateTeamRequest team;
    team.set_request_id("bench-team");
    insv1::Team& t = *team.mutable_team();
    t.set_display_name("Đội kiểm tra liên ngành 178 huyện Thanh Trì");
    t.set_level(insv1::TEAM_LEVEL_DISTRICT);
    t.set_unit_code(kThanhTri);
    t.set_agency_code("DKT178-TT");
    t.set_decision("Quyết định số 1520/QĐ-UBND ngày 12/3/2024 của UBND huyện Thanh Trì");
    insv1::TeamMember& leader = *t.add_members();
    leader.set_display_name("Bà Nguyễn Thị Lan, Phó trưởng phòng LĐ-TB&XH");
    leader.set_agency(insv1::MEMBER_AGENCY_SOCIAL_AFFAIRS);
    leader.set_role(insv1::MEMBER_ROLE_LEADER);
    t.set_active_from("2024-01-01");
    t.set_monthly_capacity(500);
    insv1::CreateTeamResponse created;
    if (grpc::Status s = Unary(*social_, &insv1::InspectionsService::Stub::CreateTeam, team,
                               &created, "team-registry");
        !s.ok()) {
      Die("CreateTeam: " + s.error_message());
    }
    team_ = created.team().name();
    // About 20 inspections per establishment.
    const int64_t n = std::clamp<int64_t>(inspections / 20, 1, 5000);
    for (int64_t i = 0; i < n; ++i) {
      insv1::CreateEstablishmentRequest e;
      e.set_request_id(absl::StrCat("bench-est-", i));
      e.set_display_name(absl::StrCat("Karaoke Hoàng Gia ", i + 1));
      e.set_business_type(static_cast<insv1::BusinessType>(1 + i % 3));
      e.set_address(absl::StrCat("Số ", i + 1, " đường Ngọc Hồi, huyện Thanh Trì"));
      e.set_unit_code(kThanhTri);
      insv1::CreateEstablishmentResponse out;
      if (grpc::Status s = Unary(*team178_, &insv1::InspectionsService::Stub::CreateEstablishment,
                                 e, &out, "establishment-registry");
          !s.ok()) {
        Die("CreateEstablishment: " + s.error_message());
      }
      establishments_.push_back(out.establishment().name());
    }
  }

  size_t establishments() const { return establishments_.size(); }

  grpc::Status One(int64_t i) {
    insv1::ScheduleInspectionRequest schedule;
    schedule.set_request_id(absl::StrCat("bench-insp-", i));
    schedule.set_establishment(establishments_[i % establishments_.size()]);
    schedule.set_team(team_);
    schedule.set_kind(insv1::INSPECTION_KIND_PERIODIC);
    schedule.set_planned_date(kToday);
    insv1::ScheduleInspectionResponse scheduled;
    grpc::Status s = Unary(*team178_, &insv1::InspectionsService::Stub::ScheduleInspection,
                           schedule, &scheduled, "inspection-planning");
    if (!s.ok()) return s;
    insv1::RecordInspectionResultRequest record;
    record.set_name(scheduled.inspection().name());
    record.set_request_id(absl::StrCat("bench-result-", i));
    record.set_inspection_date(kToday);
    record.mutable_result()->set_findings("Cơ sở chấp hành quy định; đã tuyên truyền pháp luật.");
    record.mutable_result()->set_owners_informed(1);
    record.mutable_result()->set_workers_informed(kInformed - 1);
    insv1::RecordInspectionResultResponse recorded;
    return Unary(*team178_, &insv1::InspectionsService::Stub::RecordInspectionResult, record,
                 &recorded, "inspection");
  }

 private:
  std::unique_ptr<insv1::InspectionsService::Stub> social_, team178_;
  std::string team_;
  std::vector<std::string> establishments_;
};

// The referral loop in Thanh Trì: the social-affairs authority registers a client,
// records an outreach contact, the consent and the needs, and refers the client to the
// district health centre, which accepts and records the service delivered.
class ReferralLoader {
 public:
  static constexpr int kCallsPerClient = 7;

  ReferralLoader(const Certs& certs, const std::string& target)
      : social_(rv1::ReferralsService::NewStub(certs.Channel(target, "social-affairs-hanoi"))),
        inbox_(rv1::ProviderInboxService::NewStub(certs.Channel(target, "provider-yte-thanhtri"))) {
    auto health = rv1::ReferralsService::NewStub(certs.Channel(target, "health-hanoi"));
    rv1::CreateProviderRequest p;
    p.set_request_id("bench-provider");
    p.set_display_name("Trung tâm Y tế huyện Thanh Trì");
    p.set_kind(rv1::PROVIDER_KIND_HEALTH_FACILITY);
    p.add_services(rv1::SERVICE_TYPE_HIV_STI_TESTING);
    p.set_unit_code(kThanhTri);
    p.set_capacity(1000);
    p.set_agency_code("YTE-TT");
    p.set_contact("Phòng khám ngoại trú, thị trấn Văn Điển; điện thoại 024 0000 0268");
    rv1::CreateProviderResponse out;
    if (grpc::Status s = Unary(*health, &rv1::ReferralsService::Stub::CreateProvider, p, &out,
                               "provider-directory");
        !s.ok()) {
      Die("CreateProvider: " + s.error_message());
    }
    provider_ = out.provider().name();
  }

  std::atomic<int64_t> contacts{0};

  grpc::Status One(int64_t i) {
    rv1::RegisterClientRequest reg;
    reg.set_request_id(absl::StrCat("bench-client-", i));
    reg.set_unit_code(kThanhTri);
    reg.set_source(rv1::CLIENT_SOURCE_OUTREACH);
    reg.mutable_identity()->set_full_name(kNames[i % std::size(kNames)]);
    reg.mutable_identity()->set_id_number(absl::StrFormat("0012%08d", i));
    rv1::RegisterClientResponse registered;
    grpc::Status s = Unary(*social_, &rv1::ReferralsService::Stub::RegisterClient, reg, &registered,
                           "case-work");
    if (!s.ok()) return s;
    const std::string client = registered.client().name();

    rv1::RecordOutreachContactRequest contact;
    contact.set_request_id(absl::StrCat("bench-contact-", i));
    contact.set_client(client);
    contact.set_contact_date(kToday);
    contact.set_channel(rv1::CONTACT_CHANNEL_STREET);
    rv1::RecordOutreachContactResponse contacted;
    if (s = Unary(*social_, &rv1::ReferralsService::Stub::RecordOutreachContact, contact,
                  &contacted, "case-work");
        !s.ok()) {
      return s;
    }
    ++contacts;

    rv1::GiveConsentRequest consent;
    consent.set_request_id(absl::StrCat("bench-consent-", i));
    consent.set_client(client);
    consent.set_basis(rv1::CONSENT_BASIS_CLIENT_CONSENT);
    consent.add_provider_kinds(rv1::PROVIDER_KIND_HEALTH_FACILITY);
    consent.add_service_types(rv1::SERVICE_TYPE_HIV_STI_TESTING);
    consent.add_shared_fields(rv1::SHARED_FIELD_FULL_NAME);
    consent.set_given_date(kToday);
    consent.set_expire_date("2025-06-09");
    rv1::GiveConsentResponse given;
    if (s = Unary(*social_, &rv1::ReferralsService::Stub::GiveConsent, consent, &given,
                  "case-work");
        !s.ok())
      return s;

    rv1::AssessNeedsRequest needs;
    needs.set_client(client);
    rv1::Need& need = *needs.add_needs();
    need.set_service_type(rv1::SERVICE_TYPE_HIV_STI_TESTING);
    need.set_priority(rv1::NEED_PRIORITY_HIGH);
    need.set_eligible(true);
    needs.set_assessed_date(kToday);
    rv1::AssessNeedsResponse assessed;
    if (s = Unary(*social_, &rv1::ReferralsService::Stub::AssessNeeds, needs, &assessed,
                  "case-work");
        !s.ok())
      return s;

    rv1::CreateReferralRequest refer;
    refer.set_request_id(absl::StrCat("bench-referral-", i));
    refer.set_client(client);
    refer.set_provider(provider_);
    refer.set_service_type(rv1::SERVICE_TYPE_HIV_STI_TESTING);
    rv1::CreateReferralResponse referred;
    if (s = Unary(*social_, &rv1::ReferralsService::Stub::CreateReferral, refer, &referred,
                  "case-work");
        !s.ok())
      return s;

    rv1::AcceptReferralRequest accept;
    accept.set_name(referred.referral().name());
    rv1::AcceptReferralResponse accepted;
    if (s = Unary(*inbox_, &rv1::ProviderInboxService::Stub::AcceptReferral, accept, &accepted,
                  "referrals", "intake-desk-1");
        !s.ok()) {
      return s;
    }
    rv1::RecordServiceDeliveryRequest deliver;
    deliver.set_name(referred.referral().name());
    deliver.set_delivery_date(kToday);
    rv1::RecordServiceDeliveryResponse delivered;
    return Unary(*inbox_, &rv1::ProviderInboxService::Stub::RecordServiceDelivery, deliver,
                 &delivered, "referrals", "intake-desk-1");
  }

 private:
  static constexpr const char* kNames[] = {"Nguyễn Thị Hoa", "Trần Thị Mai", "Lê Thị Lan",
                                           "Phạm Thị Thu", "Hoàng Thị Ngọc"};
  std::unique_ptr<rv1::ReferralsService::Stub> social_;
  std::unique_ptr<rv1::ProviderInboxService::Stub> inbox_;
  std::string provider_;
};

// ---------------------------------------------------------------------------------------
// Set-up through the RPCs, as pcmd-demo does: the seed plans, and waiting until the
// services have learnt the seed's units from plans' events.

void ImportPlans(const Certs& certs, const std::string& plans) {
  auto stub = pv1::PlansService::NewStub(certs.Channel(plans, "operator"));
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(PCMD_SOURCE_DIR) + "/deploy/plans")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& file : files) {
    pv1::ImportPlanRequest request;
    request.set_request_id("bench-import-" + file.stem().string());
    request.set_document(ReadFile(file.string()));
    request.set_issue(true);
    pv1::ImportPlanResponse imported;
    if (grpc::Status s =
            Unary(*stub, &pv1::PlansService::Stub::ImportPlan, request, &imported, "plan-upkeep");
        !s.ok()) {
      Die(absl::StrCat("ImportPlan ", file.string(), ": ", s.error_message()));
    }
  }
}

template <typename Fn>
void Eventually(const std::string& what, Fn done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!done()) {
    if (absl::Now() > deadline) Die(what + " did not happen within 60 s");
    absl::SleepFor(absl::Milliseconds(50));
  }
}

void WaitForUnits(const Certs& certs, const Suite& suite) {
  auto intake = iv1::IntakeService::NewStub(certs.Channel(suite.target("intake"), "police-hanoi"));
  for (const std::string& unit : HanoiDistricts()) {
    Eventually("intake learning unit " + unit, [&] {
      iv1::ListTipsRequest r;
      r.set_unit_code(unit);
      r.set_page_size(1);
      iv1::ListTipsResponse out;
      return Unary(*intake, &iv1::IntakeService::Stub::ListTips, r, &out, "tip-handling").ok();
    });
  }
  auto inspections = insv1::InspectionsService::NewStub(
      certs.Channel(suite.target("inspections"), "team178-thanhtri"));
  Eventually("inspections learning unit 268", [&] {
    insv1::ListEstablishmentsRequest r;
    r.set_unit_code(kThanhTri);
    r.set_page_size(1);
    insv1::ListEstablishmentsResponse out;
    return Unary(*inspections, &insv1::InspectionsService::Stub::ListEstablishments, r, &out,
                 "inspection")
        .ok();
  });
  auto referrals = rv1::ReferralsService::NewStub(
      certs.Channel(suite.target("referrals"), "social-affairs-hanoi"));
  Eventually("referrals learning unit 268", [&] {
    rv1::ListClientsRequest r;
    r.set_unit_code(kThanhTri);
    r.set_page_size(1);
    rv1::ListClientsResponse out;
    return Unary(*referrals, &rv1::ReferralsService::Stub::ListClients, r, &out, "case-work").ok();
  });
}

// ---------------------------------------------------------------------------------------
// Step 2: acknowledged tip → plan figure.

struct Poll {
  absl::Time sent, answered;
  double count;
};

struct Propagation {
  Percentiles latency;  // Milliseconds, ack → the first poll answer counting the tip.
  Percentiles poll;     // Round trip of one GetPlanProgress poll.
  int64_t tips = 0, unseen = 0;
  double per_second = 0;
};

// The k-th acknowledged tip (in the order the acknowledgements arrived) is taken as seen
// when a poll first answers a count of at least base + k + 1: the plan counts tips in
// the order intake committed them, which is the order it acknowledged them but for
// calls answered within the same instant.
Propagation MeasurePropagation(TipSubmitter& tips, PlanReader& reader, const FigureRef& ref,
                               double base, double rate, absl::Duration duration) {
  std::vector<Poll> polls;
  std::atomic<bool> stop{false};
  std::thread poller([&] {
    while (!stop.load()) {
      const absl::Time sent = absl::Now();
      std::optional<pv1::PlanProgress> p = reader.Progress();
      const absl::Time answered = absl::Now();
      if (p.has_value()) polls.push_back({sent, answered, Read(*p, ref)});
      // About one poll every 2 ms, back to back when a poll takes longer.
      if (const absl::Duration left = absl::Milliseconds(2) - (answered - sent);
          left > absl::ZeroDuration()) {
        absl::SleepFor(left);
      }
    }
  });
  Run run = OpenLoop(tips.Call(), rate, absl::ZeroDuration(), duration);
  // The poller goes on until the plan counts every acknowledged tip (or 60 s pass).
  const double want = base + run.ok;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
    if (std::optional<pv1::PlanProgress> p = reader.Progress(); p && Read(*p, ref) >= want) break;
  }
  absl::SleepFor(absl::Milliseconds(50));  // The poller's next answer counts them too.
  stop = true;
  poller.join();

  std::sort(run.acks.begin(), run.acks.end());
  std::vector<double> latencies, round_trips;
  for (const Poll& p : polls) round_trips.push_back(Ms(p.answered - p.sent));
  size_t at = 0;
  Propagation out{.tips = static_cast<int64_t>(run.acks.size()), .per_second = run.per_second};
  for (size_t k = 0; k < run.acks.size(); ++k) {
    while (at < polls.size() && polls[at].count < base + k + 1) ++at;
    if (at == polls.size()) {
      out.unseen = static_cast<int64_t>(run.acks.size() - k);
      break;
    }
    latencies.push_back(Ms(polls[at].answered - run.acks[k]));
  }
  out.latency = Of(std::move(latencies));
  out.poll = Of(std::move(round_trips));
  return out;
}

Percentiles TimeProgress(PlanReader& reader, int reads, bool breakdown = false) {
  std::vector<double> ms;
  for (int i = 0; i < reads; ++i) {
    const absl::Time start = absl::Now();
    if (!reader.Progress(breakdown).has_value()) Die("GetPlanProgress failed");
    ms.push_back(Ms(absl::Now() - start));
  }
  return Of(std::move(ms));
}

std::string LoadAverage() {
  std::string s = ReadFile("/proc/loadavg");
  return s.substr(0, s.find(' ', s.find(' ', s.find(' ') + 1) + 1));
}

std::string Yes(bool met) { return met ? "**yes**" : "**no**"; }

std::string Count(double v) {
  std::string digits = absl::StrFormat("%.0f", v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  pcmd::Config config("pcmd-system-bench");
  config.DefineInt("scale", 50000, "tips recorded in all before the large-volume measurement");
  config.DefineInt("inspections", -1, "inspections loaded (scheduled and completed); -1: scale/10");
  config.DefineInt("referrals", -1, "clients walked through the referral loop; -1: scale/10");
  config.DefineDuration("duration", absl::Seconds(10), "length of each rate step");
  config.DefineInt("concurrency", 32, "calls in flight when loading tips");
  config.DefineInt("reads", 200, "GetPlanProgress calls timed at each volume");
  config.DefineString("out", "", "also write the results (Markdown) to this file");
  config.DefineString("serve-echo", "", "internal: serve the echo baseline, port file here");
  config.DefineString("certs", "", "internal: the certificates of the echo server");
  if (absl::Status s = config.Parse(argc, argv); !s.ok() || config.help_requested()) {
    if (!s.ok()) std::fprintf(stderr, "system-bench: %s\n", std::string(s.message()).c_str());
    std::fputs(config.Usage().c_str(), stdout);
    return s.ok() ? 0 : 2;
  }
  if (!config.GetString("serve-echo").empty()) {
    return ServeEcho(config.GetString("serve-echo"), config.GetString("certs"));
  }
  const int64_t scale = config.GetInt("scale");
  const int64_t inspections =
      config.GetInt("inspections") >= 0 ? config.GetInt("inspections") : scale / 10;
  const int64_t referrals =
      config.GetInt("referrals") >= 0 ? config.GetInt("referrals") : scale / 10;
  const absl::Duration duration = config.GetDuration("duration");
  const absl::Duration warmup = std::min(absl::Seconds(1), duration / 5);
  const int concurrency = static_cast<int>(config.GetInt("concurrency"));
  const int reads = static_cast<int>(config.GetInt("reads"));
  const std::string load_at_start = LoadAverage();
  const absl::Time bench_start = absl::Now();

  // Certificates (deploy/certs.sh), keys (pcmd-keys), Redis: as deploy/run.sh makes them.
  TempDir dir;
  const Certs certs(dir.File("certs"));
  {
    Subprocess issue({"/bin/bash", absl::StrCat(PCMD_SOURCE_DIR, "/deploy/certs.sh"), certs.dir()},
                     dir.File("certs.log"));
    if (issue.Wait(absl::Seconds(120)) != std::optional<int>(0)) Die("deploy/certs.sh failed");
    Subprocess keys({PCMD_KEYS_BIN, "generate", dir.File("keys")}, dir.File("keys.log"));
    if (keys.Wait(absl::Seconds(60)) != std::optional<int>(0)) Die("pcmd-keys generate failed");
  }
  pcmd::testing::RedisServer redis;
  Note(absl::StrCat("folder ", dir.path(), ", redis ", redis.address()));

  // 0. Cold start on empty databases.
  Suite suite(dir, certs, dir.File("keys"), redis.address());
  const std::map<std::string, absl::Duration> cold = suite.Start();
  ImportPlans(certs, suite.target("plans"));
  WaitForUnits(certs, suite);
  PlanReader reader(certs, suite.target("plans"));
  pv1::Plan plan;
  {
    auto stub = pv1::PlansService::NewStub(certs.Channel(suite.target("plans"), "operator"));
    pv1::GetPlanRequest request;
    request.set_name(kPlan);
    pv1::GetPlanResponse response;
    if (grpc::Status s =
            Unary(*stub, &pv1::PlansService::Stub::GetPlan, request, &response, "plan-reporting");
        !s.ok()) {
      Die("GetPlan: " + s.error_message());
    }
    plan = response.plan();
  }
  std::vector<FigureRef> refs;
  for (const char* metric :
       {"tips.received", "inspections.people_informed", "referrals.outreach_contacts"}) {
    std::optional<FigureRef> ref = FindFigure(plan.targets(), metric);
    if (!ref.has_value()) Die(absl::StrCat(kPlan, " shows no plain count of ", metric));
    refs.push_back(*ref);
  }
  const FigureRef& tips_ref = refs[0];
  Note(absl::StrCat("suite up; ", kPlan, " counts tips received in target ", tips_ref.target_id));

  // 1. Echo baseline against SubmitTip, closed loop.
  Subprocess echo_server({std::filesystem::read_symlink("/proc/self/exe").string(),
                          "--serve-echo=" + dir.File("echo.port"), "--certs=" + certs.dir()},
                         dir.File("echo.log"));
  const std::optional<int> echo_port =
      pcmd::testing::WaitForPortFile(dir.File("echo.port"), absl::Seconds(20), &echo_server);
  if (!echo_port.has_value()) Die("the echo server did not start");
  TipSubmitter tips(certs, suite.target("intake"), 4);
  Stubs<pcmd::testing::v1::EchoService> echo_stubs(certs, absl::StrCat("127.0.0.1:", *echo_port),
                                                   "police-hanoi", 4);
  const std::string echo_text(tips.Request(0).ByteSizeLong(), 'x');
  int64_t acked = 0;
  // Per call: CPU of the server process (the echo server; intake) and intake's writes.
  struct Closed {
    int in_flight;
    Run echo, submit;
    ProcStats echo_server, intake;
  };
  std::vector<Closed> closed;
  double echo_max = 0, submit_max = 0;
  for (int in_flight : {8, 32, 128}) {
    Note(absl::StrCat("echo and SubmitTip, ", in_flight, " in flight"));
    Closed c{.in_flight = in_flight};
    ProcStats before = Sample(echo_server.pid());
    c.echo = ClosedLoop::Measure(EchoCall(echo_stubs, echo_text), in_flight, warmup, duration);
    c.echo_server = Sample(echo_server.pid()) - before;
    before = Sample(suite.pid("intake"));
    c.submit = ClosedLoop::Measure(tips.Call(), in_flight, warmup, duration);
    c.intake = Sample(suite.pid("intake")) - before;
    acked += c.submit.ok;
    echo_max = std::max(echo_max, c.echo.per_second);
    submit_max = std::max(submit_max, c.submit.per_second);
    closed.push_back(std::move(c));
  }
  echo_server.Signal(SIGTERM);
  echo_server.Wait(absl::Seconds(10));

  // 1b. SubmitTip open loop at shares of its maximum.
  struct Step {
    double share, rate;
    Run run;
  };
  std::vector<Step> steps;
  for (double share : {0.25, 0.50, 0.70, 0.90}) {
    const double rate = share * submit_max;
    Note(absl::StrFormat("SubmitTip open loop at %.0f/s", rate));
    Step step{share, rate, OpenLoop(tips.Call(), rate, warmup, duration)};
    acked += step.run.ok;
    steps.push_back(std::move(step));
  }

  // 2. Ack → plan figure, once the plan counts every tip so far.
  if (!WaitForFigures(reader, {tips_ref}, {static_cast<double>(acked)}, absl::Minutes(10))) {
    Die("the plan never counted the tips of step 1");
  }
  // At the asked rate (500/s, or 90 % of the SubmitTip maximum when that is lower), and
  // at 25, 50 and 70 % of the maximum for contrast; CPU shares of intake and plans meanwhile.
  struct Propagated {
    double rate;
    Propagation p;
    double intake_cpu, plans_cpu;  // Cores busy on average.
  };
  std::vector<Propagated> propagated;
  for (double rate :
       {0.25 * submit_max, 0.5 * submit_max, 0.7 * submit_max, std::min(500.0, 0.9 * submit_max)}) {
    if (!WaitForFigures(reader, {tips_ref}, {static_cast<double>(acked)}, absl::Minutes(10))) {
      Die("the plan never counted the tips sent so far");
    }
    Note(absl::StrFormat("ack → plan figure at %.0f tips/s", rate));
    const ProcStats intake_before = Sample(suite.pid("intake"));
    const ProcStats plans_before = Sample(suite.pid("plans"));
    const absl::Time start = absl::Now();
    Propagated step{rate, MeasurePropagation(tips, reader, tips_ref, acked, rate, duration)};
    const double wall = absl::ToDoubleSeconds(absl::Now() - start);
    step.intake_cpu = (Sample(suite.pid("intake")) - intake_before).cpu_seconds / wall;
    step.plans_cpu = (Sample(suite.pid("plans")) - plans_before).cpu_seconds / wall;
    acked += step.p.tips;
    propagated.push_back(step);
  }
  const Propagation& propagation = propagated.back().p;
  const double propagation_rate = propagated.back().rate;

  // 3. GetPlanProgress with little recorded, the load, and again.
  if (!WaitForFigures(reader, {tips_ref}, {static_cast<double>(acked)}, absl::Minutes(10))) {
    Die("the plan never counted the tips of step 2");
  }
  const int64_t small_tips = acked;
  const Percentiles small_progress = TimeProgress(reader, reads);
  const Percentiles small_breakdown = TimeProgress(reader, std::max(10, reads / 10), true);

  Note(absl::StrCat("loading ", Count(std::max<int64_t>(0, scale - acked)), " tips, ",
                    Count(inspections), " inspections, ", Count(referrals), " referral loops"));
  InspectionLoader inspection_loader(certs, suite.target("inspections"), inspections);
  ReferralLoader referral_loader(certs, suite.target("referrals"));
  Load inspections_load, referrals_load;
  std::thread inspections_thread([&] {
    inspections_load =
        OnThreads(8, inspections, [&](int64_t i) { return inspection_loader.One(i); });
  });
  std::thread referrals_thread([&] {
    referrals_load = OnThreads(8, referrals, [&](int64_t i) { return referral_loader.One(i); });
  });
  const absl::Time load_start = absl::Now();
  const Run tips_load = ClosedLoop::Measure(tips.Call(), concurrency, absl::ZeroDuration(),
                                            absl::Hours(24), std::max<int64_t>(0, scale - acked));
  const absl::Duration tips_time = absl::Now() - load_start;
  acked += tips_load.ok;
  inspections_thread.join();
  referrals_thread.join();
  const absl::Duration load_time = absl::Now() - load_start;
  Note(absl::StrFormat("loaded in %.0f s; waiting for plans to count everything",
                       absl::ToDoubleSeconds(load_time)));
  const std::optional<absl::Duration> catch_up =
      WaitForFigures(reader, refs,
                     {static_cast<double>(acked),
                      static_cast<double>(InspectionLoader::kInformed * inspections_load.done),
                      static_cast<double>(referral_loader.contacts.load())},
                     absl::Hours(2));
  const Percentiles large_progress = TimeProgress(reader, reads);
  const Percentiles large_breakdown = TimeProgress(reader, std::max(10, reads / 10), true);

  // 4. Memory after the load, then a restart on the filled databases.
  std::map<std::string, std::pair<double, double>> memory;
  for (const ServiceBinary& s : kServices) memory[s.name] = Memory(suite.pid(s.name));
  std::map<std::string, uint64_t> db_bytes;
  for (const ServiceBinary& s : kServices) {
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(dir.File(s.name), ec)) {
      db_bytes[s.name] += f.is_regular_file() ? f.file_size() : 0;
    }
  }
  suite.Stop();
  const std::map<std::string, absl::Duration> warm = suite.Start();
  const absl::Time first_start = absl::Now();
  const bool first_ok = reader.Progress().has_value();
  const absl::Duration first_progress = absl::Now() - first_start;
  suite.Stop();
  const std::string load_at_end = LoadAverage();

  // ------------------------------------------------------------------------------------
  // Results.
  auto slowest = [](const std::map<std::string, absl::Duration>& m) {
    absl::Duration d;
    for (const auto& [name, t] : m) d = std::max(d, t);
    return d;
  };
  const Step& at70 = steps[2];
  double max_rss = 0;
  for (const auto& [name, m] : memory) max_rss = std::max(max_rss, m.first);
  std::string md;
  absl::StrAppendFormat(
      &md,
      "pcmd-system-bench: --scale=%d --inspections=%d --referrals=%d --duration=%s; %d cores, "
      "load average %s at start, %s at end; %.0f s in all\n\n",
      scale, inspections, referrals, absl::FormatDuration(duration),
      std::thread::hardware_concurrency(), load_at_start, load_at_end,
      absl::ToDoubleSeconds(absl::Now() - bench_start));

  absl::StrAppend(&md, "| figure | measured | goal | met |\n|---|---:|---:|:---:|\n");
  absl::StrAppendFormat(
      &md, "| SubmitTip max ÷ bare echo max | %.2f (%s/s ÷ %s/s) | ≥ 0.5 | %s |\n",
      submit_max / echo_max, Count(submit_max), Count(echo_max), Yes(submit_max / echo_max >= 0.5));
  absl::StrAppendFormat(
      &md, "| SubmitTip p99 at 70%% of max (%s/s offered) | %.1f ms | ≤ 20 ms | %s |\n",
      Count(at70.rate), at70.run.latency.p99, Yes(at70.run.latency.p99 <= 20));
  absl::StrAppendFormat(
      &md, "| tip acknowledged → plan figure p99, at %s tips/s | %.1f ms | ≤ 50 ms | %s |\n",
      Count(propagation_rate), propagation.latency.p99, Yes(propagation.latency.p99 <= 50));
  absl::StrAppendFormat(
      &md,
      "| GetPlanProgress p99, %s tips + %s inspections + %s referral loops | %.1f ms | — | — |\n",
      Count(acked), Count(inspections_load.done), Count(referrals_load.done), large_progress.p99);
  absl::StrAppendFormat(
      &md, "| largest VmRSS of a service after the load | %.0f MiB | ≤ 100 MB each | %s |\n",
      max_rss, Yes(max_rss * 1.048576 <= 100));
  absl::StrAppendFormat(&md,
                        "| cold start, launch → all four SERVING (empty / loaded databases) | %.2f "
                        "s / %.2f s | — | — |\n\n",
                        absl::ToDoubleSeconds(slowest(cold)), absl::ToDoubleSeconds(slowest(warm)));

  absl::StrAppend(
      &md,
      "| 1. closed loop, calls in flight | echo calls/s | p50 | p99 | echo server CPU "
      "per call | SubmitTip calls/s | p50 | p99 | intake CPU per tip (kernel) | intake writes "
      "per tip | ratio |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Closed& c : closed) {
    const double echoes = std::max<int64_t>(1, c.echo.ok),
                 submitted = std::max<int64_t>(1, c.submit.ok);
    absl::StrAppendFormat(
        &md,
        "| %d | %s | %.2f ms | %.2f ms | %.3f ms | %s | %.1f ms | %.1f ms | %.2f ms (%.2f) | %.0f "
        "calls, "
        "%.0f KiB | %.3f |\n",
        c.in_flight, Count(c.echo.per_second), c.echo.latency.p50, c.echo.latency.p99,
        1000 * c.echo_server.cpu_seconds / echoes, Count(c.submit.per_second), c.submit.latency.p50,
        c.submit.latency.p99, 1000 * c.intake.cpu_seconds / submitted,
        1000 * c.intake.system_seconds / submitted, c.intake.write_calls / submitted,
        c.intake.written_kib / submitted, c.submit.per_second / c.echo.per_second);
  }
  absl::StrAppend(&md,
                  "\n| 1b. SubmitTip open loop, offered | of max | answered/s | p50 | p99 | max | "
                  "failed |\n|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Step& s : steps) {
    absl::StrAppendFormat(&md, "| %s/s | %.0f%% | %s | %.1f ms | %.1f ms | %.1f ms | %d |\n",
                          Count(s.rate), 100 * s.share, Count(s.run.per_second), s.run.latency.p50,
                          s.run.latency.p99, s.run.latency.max, s.run.failed);
  }
  absl::StrAppend(&md,
                  "\n| 2. ack → plan figure, offered | answered/s | tips | p50 | p99 | max | never "
                  "seen | poll round trip p50 / p99 | polls | intake CPU | plans CPU |\n"
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Propagated& s : propagated) {
    absl::StrAppendFormat(
        &md,
        "| %s/s | %s | %s | %.1f ms | %.1f ms | %.1f ms | %d | %.1f / %.1f ms | %d | %.0f%% | "
        "%.0f%% |\n",
        Count(s.rate), Count(s.p.per_second), Count(s.p.tips), s.p.latency.p50, s.p.latency.p99,
        s.p.latency.max, s.p.unseen, s.p.poll.p50, s.p.poll.p99, s.p.poll.n, 100 * s.intake_cpu,
        100 * s.plans_cpu);
  }
  absl::StrAppendFormat(
      &md,
      "\n3. Loaded through the RPCs in %.0f s: %s tips in %.0f s (%s/s, %d in flight, %d "
      "failed%s); %s inspections in %.0f s (%s establishments, 2 calls each, %d failed%s); %s "
      "referral loops in %.0f s (%d calls each, %d failed%s). The plan counted everything "
      "%s after the load ended.\n\n",
      absl::ToDoubleSeconds(load_time), Count(tips_load.ok), absl::ToDoubleSeconds(tips_time),
      Count(tips_load.ok / std::max(1e-9, absl::ToDoubleSeconds(tips_time))), concurrency,
      tips_load.failed, tips_load.first_error.empty() ? "" : ": " + tips_load.first_error,
      Count(inspections_load.done), absl::ToDoubleSeconds(inspections_load.time),
      Count(inspection_loader.establishments()), inspections_load.failed,
      inspections_load.first_error.empty() ? "" : ": " + inspections_load.first_error,
      Count(referrals_load.done), absl::ToDoubleSeconds(referrals_load.time),
      ReferralLoader::kCallsPerClient, referrals_load.failed,
      referrals_load.first_error.empty() ? "" : ": " + referrals_load.first_error,
      catch_up.has_value() ? absl::StrFormat("%.1f s", absl::ToDoubleSeconds(*catch_up))
                           : std::string("NOT (timed out)"));
  absl::StrAppend(&md,
                  "| 3. GetPlanProgress of plans/hn-2024 | tips recorded | p50 | p99 | max | "
                  "with breakdown p50 |\n|---|---:|---:|---:|---:|---:|\n");
  absl::StrAppendFormat(&md, "| before the load | %s | %.2f ms | %.2f ms | %.2f ms | %.1f ms |\n",
                        Count(small_tips), small_progress.p50, small_progress.p99,
                        small_progress.max, small_breakdown.p50);
  absl::StrAppendFormat(&md, "| after the load | %s | %.2f ms | %.2f ms | %.2f ms | %.1f ms |\n",
                        Count(acked), large_progress.p50, large_progress.p99, large_progress.max,
                        large_breakdown.p50);
  absl::StrAppendFormat(
      &md, "| ratio | %.0f | %.2f | %.2f | | %.2f |\n\n", static_cast<double>(acked) / small_tips,
      large_progress.p50 / small_progress.p50, large_progress.p99 / small_progress.p99,
      large_breakdown.p50 / small_breakdown.p50);

  absl::StrAppend(&md,
                  "| 4. service | VmRSS after the load | VmHWM (peak) | database files | "
                  "SERVING after launch, empty | loaded |\n|---|---:|---:|---:|---:|---:|\n");
  for (const ServiceBinary& s : kServices) {
    absl::StrAppendFormat(&md, "| %s | %.0f MiB | %.0f MiB | %.0f MiB | %.2f s | %.2f s |\n",
                          s.name, memory[s.name].first, memory[s.name].second,
                          db_bytes[s.name] / 1048576.0, absl::ToDoubleSeconds(cold.at(s.name)),
                          absl::ToDoubleSeconds(warm.at(s.name)));
  }
  absl::StrAppendFormat(&md, "\nFirst GetPlanProgress after the restart: %.1f ms%s.\n",
                        Ms(first_progress), first_ok ? "" : " (FAILED)");

  std::fputs(md.c_str(), stdout);
  if (const std::string out = config.GetString("out"); !out.empty()) {
    std::ofstream(out) << md;
  }
  return 0;
}
