// Starts a program for a test and stops it: the service binaries, redis-server. The
// child gets its own process group so that a test can kill everything it started.
// Not thread-safe; owned by one test.
#ifndef PCMD_COMMON_TESTING_SUBPROCESS_H_
#define PCMD_COMMON_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace pcmd::testing {

class Subprocess {
 public:
  // Starts `argv[0]` (a path) with `argv`, stdout and stderr appended to `log_path`.
  // Aborts the test binary when fork fails (a broken machine, not a test outcome).
  Subprocess(const std::vector<std::string>& argv, const std::string& log_path);
  // Kills the process group with SIGKILL if it is still running.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);

  // Waits up to `timeout` for the process to end. Returns its exit code (or 128+signal
  // when a signal ended it), or nullopt when it is still running.
  std::optional<int> Wait(absl::Duration timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Waits until `path` holds a port number written by a server (--port-file) and
// returns it; nullopt after `timeout`, or as soon as `process` (when given) has ended.
std::optional<int> WaitForPortFile(const std::string& path, absl::Duration timeout,
                                   Subprocess* process = nullptr);

// Reads a whole file; empty when it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace pcmd::testing

#endif  // PCMD_COMMON_TESTING_SUBPROCESS_H_
