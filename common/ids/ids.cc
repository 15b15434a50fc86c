#include "common/ids/ids.h"

#include <sodium.h>

#include <cstdio>

#include "absl/strings/numbers.h"

namespace pcmd {

Clock& Clock::Real() {
  class RealClock : public Clock {
   public:
    absl::Time Now() const override { return absl::Now(); }
  };
  static RealClock* clock = new RealClock();
  return *clock;
}

absl::Duration ShiftToDay(absl::CivilDay day) {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600));
  return absl::Hours(24) * static_cast<int64_t>(day - today);
}

IdGenerator::IdGenerator(const Clock& clock, std::function<uint64_t()> random64)
    : clock_(clock), random64_(std::move(random64)) {
  if (!random64_) {
    // sodium_init is idempotent and thread-safe; failure means no entropy source,
    // which is a broken machine, not bad input.
    if (sodium_init() < 0) std::abort();
    random64_ = [] {
      uint64_t v;
      randombytes_buf(&v, sizeof v);
      return v;
    };
  }
}

std::string IdGenerator::Next() {
  int64_t ms;
  uint32_t counter;
  {
    absl::MutexLock lock(&mu_);
    ms = absl::ToUnixMillis(clock_.Now());
    if (ms > last_ms_) {
      last_ms_ = ms;
      // Start the counter in the lower half so a burst has room before it overflows.
      counter_ = static_cast<uint32_t>(random64_() & 0x7FF);
    } else {
      ms = last_ms_;
      if (++counter_ > 0xFFF) {
        // Counter exhausted within one millisecond: borrow the next millisecond.
        ++last_ms_;
        ms = last_ms_;
        counter_ = 0;
      }
    }
    counter = counter_;
  }
  const uint64_t rand_b = random64_() & 0x3FFFFFFFFFFFFFFFull;
  const uint64_t hi = (static_cast<uint64_t>(ms) << 16) | (0x7ull << 12) | counter;
  const uint64_t lo = (0x2ull << 62) | rand_b;
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return std::string(buf, 36);
}

int64_t UuidV7Millis(const std::string& id) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[14] != '7') return -1;
  uint64_t ms = 0;
  if (!absl::SimpleHexAtoi(id.substr(0, 8) + id.substr(9, 4), &ms)) return -1;
  return static_cast<int64_t>(ms);
}

}  // namespace pcmd
