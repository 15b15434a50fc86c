// A real redis-server for one test: its own temporary folder, a free loopback port,
// AOF on. Stop/Start keep the data folder, so a test can restart Redis.
#ifndef PCMD_COMMON_TESTING_REDIS_SERVER_H_
#define PCMD_COMMON_TESTING_REDIS_SERVER_H_

#include <memory>
#include <string>

#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"

namespace pcmd::testing {

class RedisServer {
 public:
  // Starts redis-server (/usr/bin/redis-server or /usr/local/bin/redis-server, where Debian and a
  // local build put it) and waits until it answers PING; aborts the test binary when it cannot
  // start within 20 s.
  RedisServer();
  ~RedisServer();

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // SIGKILL: an abrupt end, as in a crash.
  void Kill();
  // SHUTDOWN-like clean stop (SIGTERM).
  void Stop();
  // Starts again on the same port with the same data folder.
  void Start();
  bool running() const { return process_ != nullptr; }

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

// A free TCP port on 127.0.0.1 at the time of the call.
int PickFreePort();

}  // namespace pcmd::testing

#endif  // PCMD_COMMON_TESTING_REDIS_SERVER_H_
