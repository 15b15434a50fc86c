#include "common/testing/redis_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/time/clock.h"

namespace pcmd::testing {
namespace {

bool Answers(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char ping[] = "PING\r\n";
    char buf[16] = {};
    if (write(fd, ping, sizeof ping - 1) == sizeof ping - 1) {
      timeval tv{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ok = read(fd, buf, sizeof buf - 1) > 0 && std::string(buf).rfind("+PONG", 0) == 0;
    }
  }
  close(fd);
  return ok;
}

std::string RedisBinary() {
  for (const char* candidate : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  std::abort();
}

}  // namespace

int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::abort();
  }
  close(fd);
  return ntohs(addr.sin_port);
}

RedisServer::RedisServer() {
  port_ = PickFreePort();
  Start();
}

RedisServer::~RedisServer() { Kill(); }

void RedisServer::Start() {
  if (process_ != nullptr) return;
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{RedisBinary(), "--port", std::to_string(port_), "--bind",
                               "127.0.0.1", "--dir", dir_.path(), "--appendonly", "yes",
                               "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
                               "--protected-mode", "yes"},
      dir_.File("redis.log"));
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!Answers(port_)) {
    if (absl::Now() > deadline || process_->Wait(absl::ZeroDuration()).has_value()) std::abort();
    absl::SleepFor(absl::Milliseconds(20));
  }
}

void RedisServer::Kill() {
  if (process_ == nullptr) return;
  process_->Signal(SIGKILL);
  process_->Wait(absl::Seconds(10));
  process_.reset();
}

void RedisServer::Stop() {
  if (process_ == nullptr) return;
  process_->Signal(SIGTERM);
  if (!process_->Wait(absl::Seconds(10)).has_value()) process_->Signal(SIGKILL);
  process_->Wait(absl::Seconds(10));
  process_.reset();
}

}  // namespace pcmd::testing
