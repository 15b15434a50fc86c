// A producer or consumer of the counting workload (counted_events.h) in a process of
// its own, so that the fault tests can kill it with SIGKILL at any point.
//
//   event_testbed produce --db=F --redis=H:P --total=N [--keys=K] [--max_rate=R]
//       Runs an OutboxRelay thread and writes events MAX(produced)+1 .. N, one
//       transaction each, at most R a second; then keeps relaying until killed. Restarting it
//       after a kill continues where the last committed write stopped.
//   event_testbed consume --db=F --redis=H:P --group=G --name=C
//                         [--batch=B] [--apply_delay_ms=D] [--claim_idle_ms=I]
//                         [--progress=FILE]
//       Applies events with ApplyCounted, sleeping D ms inside each application (so a
//       kill lands mid-batch), until killed. Each handler call first appends its n to
//       FILE, outside the transaction, so that the test sees work that is not committed
//       yet.
//
// Exits 2 on bad arguments, 3 when a write or poll fails with anything but
// UNAVAILABLE; otherwise runs until killed, until the test process that started it
// ends, or for at most --max_seconds (default 300), so that it never outlives a test.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/ids/clock.h"
#include "tests/events/counted_events.h"

namespace pcmd::events::testing {
namespace {

using Flags = std::map<std::string, std::string>;

[[noreturn]] void Fail(int code, const std::string& message) {
  std::fprintf(stderr, "event_testbed: %s\n", message.c_str());
  std::fflush(stderr);
  std::_Exit(code);
}

std::string Flag(const Flags& flags, const std::string& name) {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty()) Fail(2, absl::StrCat("--", name, " is required"));
  return it->second;
}

int64_t IntFlag(const Flags& flags, const std::string& name, int64_t fallback) {
  auto it = flags.find(name);
  if (it == flags.end()) return fallback;
  int64_t value = 0;
  if (!absl::SimpleAtoi(it->second, &value)) Fail(2, absl::StrCat("--", name, " is not a number"));
  return value;
}

[[noreturn]] void Produce(const Flags& flags, absl::Time deadline) {
  auto db = OpenProducerDb(Flag(flags, "db"));
  if (!db.ok()) Fail(3, db.status().ToString());
  const int64_t total = IntFlag(flags, "total", 0);
  const int keys = static_cast<int>(IntFlag(flags, "keys", 50));
  const int64_t max_rate = IntFlag(flags, "max_rate", 0);
  const absl::Duration interval = max_rate > 0 ? absl::Seconds(1) / max_rate : absl::ZeroDuration();
  Outbox outbox(std::string(kProducer), Clock::Real());
  OutboxRelay relay({.producer = std::string(kProducer),
                     .redis_address = Flag(flags, "redis"),
                     .idle_poll = absl::Milliseconds(5),
                     .min_backoff = absl::Milliseconds(20),
                     .max_backoff = absl::Milliseconds(200)},
                    **db, Clock::Real());
  relay.Start();
  auto max = MaxProduced(**db);
  if (!max.ok()) Fail(3, max.status().ToString());
  absl::Time next_write = absl::Now();
  for (int64_t n = *max + 1; n <= total && absl::Now() < deadline; ++n) {
    // A slow machine writes as fast as it can; a fast one no faster than max_rate.
    absl::SleepFor(next_write - absl::Now());
    next_write = std::max(next_write + interval, absl::Now());
    if (absl::Status s = ProduceCounted(**db, outbox, n, keys); !s.ok()) {
      Fail(3, absl::StrCat("writing event ", n, ": ", s.ToString()));
    }
  }
  std::fprintf(stderr, "event_testbed: produced up to %lld, relaying\n",
               static_cast<long long>(total));
  std::fflush(stderr);
  while (absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(100));
  Fail(4, "ran past --max_seconds");
}

[[noreturn]] void Consume(const Flags& flags, absl::Time deadline) {
  auto db = OpenConsumerDb(Flag(flags, "db"));
  if (!db.ok()) Fail(3, db.status().ToString());
  const absl::Duration apply_delay = absl::Milliseconds(IntFlag(flags, "apply_delay_ms", 0));
  int progress = -1;
  if (auto it = flags.find("progress"); it != flags.end()) {
    progress = open(it->second.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (progress < 0) Fail(3, "cannot open " + it->second);
  }
  EventConsumer consumer({.group = Flag(flags, "group"),
                          .consumer_name = Flag(flags, "name"),
                          .producers = {std::string(kProducer)},
                          .redis_address = Flag(flags, "redis"),
                          .batch_size = static_cast<int>(IntFlag(flags, "batch", 100)),
                          .block = absl::Milliseconds(100),
                          .claim_idle = absl::Milliseconds(IntFlag(flags, "claim_idle_ms", 30000))},
                         **db, Clock::Real());
  consumer.Handle(
      std::string(kCountedType),
      [apply_delay, progress](storage::Transaction& tx, const v1::EventEnvelope& event) {
        if (progress >= 0) {
          const std::string line = absl::StrCat(CountedN(event), "\n");
          if (write(progress, line.data(), line.size()) < 0) Fail(3, "progress write");
        }
        absl::SleepFor(apply_delay);
        return ApplyCounted(tx, event);
      });
  while (absl::Now() < deadline) {
    absl::StatusOr<int> applied = consumer.PollOnce();
    if (!applied.ok()) {
      if (!absl::IsUnavailable(applied.status())) Fail(3, applied.status().ToString());
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  Fail(4, "ran past --max_seconds");
}

int Main(int argc, char** argv) {
  if (argc < 2) Fail(2, "usage: event_testbed produce|consume --flag=value ...");
  // Dies with the test that started it, even when that one crashed.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) Fail(4, "the test process is gone");
  Flags flags;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) Fail(2, "bad argument " + arg);
    flags[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(IntFlag(flags, "max_seconds", 300));
  const std::string mode = argv[1];
  if (mode == "produce") Produce(flags, deadline);
  if (mode == "consume") Consume(flags, deadline);
  Fail(2, "unknown mode " + mode);
}

}  // namespace
}  // namespace pcmd::events::testing

int main(int argc, char** argv) { return pcmd::events::testing::Main(argc, argv); }
