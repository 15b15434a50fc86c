// Time as a dependency, so that tests can set it: deadlines, overdue detection and id
// generation all read the clock they were given, never the system clock directly.
#ifndef PCMD_COMMON_IDS_CLOCK_H_
#define PCMD_COMMON_IDS_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace pcmd {

// Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The process-wide system clock; never destroyed.
  static Clock& Real();
};

// A clock that moves only when told. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// The system clock moved by a fixed shift: for demo and training deployments that must
// live on the days a plan covers (deploy/run.sh --demo-date). Thread-safe.
class ShiftedClock : public Clock {
 public:
  explicit ShiftedClock(absl::Duration shift) : shift_(shift) {}
  absl::Time Now() const override { return absl::Now() + shift_; }
  absl::Duration shift() const { return shift_; }

 private:
  const absl::Duration shift_;
};

// The whole number of days that moves today, in Vietnam (UTC+7), to `day`; the time
// of day is kept. Processes started on the same day get the same shift.
absl::Duration ShiftToDay(absl::CivilDay day);

}  // namespace pcmd

#endif  // PCMD_COMMON_IDS_CLOCK_H_
