// For tests that look at what a service logs.
#ifndef PCMD_COMMON_LOG_LOG_TESTING_H_
#define PCMD_COMMON_LOG_LOG_TESTING_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"

namespace pcmd::log {

// Captures every log line for the life of the object (one at a time per process).
// Thread-safe.
class LogCapture {
 public:
  LogCapture() {
    SetSinkForTesting([this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { SetSinkForTesting(nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::string> lines() const {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pcmd::log

#endif  // PCMD_COMMON_LOG_LOG_TESTING_H_
