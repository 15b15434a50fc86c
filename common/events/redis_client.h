// A small synchronous Redis client over hiredis, enough for Streams. Every command is
// a vector of binary-safe arguments; the reply is copied into a plain tree so that no
// hiredis memory escapes.
//
// A RedisClient is used by one thread at a time (not thread-safe). After an I/O error
// it reconnects on the next command, so a Redis restart costs one failed command.
#ifndef PCMD_COMMON_EVENTS_REDIS_CLIENT_H_
#define PCMD_COMMON_EVENTS_REDIS_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct redisContext;

namespace pcmd::events {

struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
};

class RedisClient {
 public:
  // "host:port". Nothing is connected until the first command.
  explicit RedisClient(std::string address, absl::Duration timeout = absl::Seconds(5));
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command. Errors: UNAVAILABLE when Redis cannot be reached or the
  // connection broke (retry later); INVALID_ARGUMENT for a bad address; a reply of
  // type error is returned as a reply, not a status (the caller decides).
  // `timeout` overrides the default for this command (e.g. XREADGROUP ... BLOCK).
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args);
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args, absl::Duration timeout);

  // Sends all commands before reading any reply (one round trip for the batch).
  // Returns one reply per command. Errors: as Command; on a broken connection some
  // commands may have run, so callers must tolerate repeating them.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  const std::string& address() const { return address_; }

 private:
  absl::Status EnsureConnected();

  std::string address_;
  absl::Duration timeout_;
  redisContext* context_ = nullptr;
};

}  // namespace pcmd::events

#endif  // PCMD_COMMON_EVENTS_REDIS_CLIENT_H_
