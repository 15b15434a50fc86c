#include "common/events/redis_client.h"

#include <hiredis/hiredis.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace pcmd::events {
namespace {

RedisReply Copy(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Copy(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

}  // namespace

RedisClient::RedisClient(std::string address, absl::Duration timeout)
    : address_(std::move(address)), timeout_(timeout) {}

RedisClient::~RedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

absl::Status RedisClient::EnsureConnected() {
  if (context_ != nullptr && context_->err == 0) return absl::OkStatus();
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  const size_t colon = address_.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address_.substr(colon + 1), &port) ||
      port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address \"", address_, "\" is not host:port"));
  }
  const std::string host = address_.substr(0, colon);
  redisContext* c = redisConnectWithTimeout(host.c_str(), port, absl::ToTimeval(timeout_));
  if (c == nullptr || c->err != 0) {
    std::string why = c ? c->errstr : "out of memory";
    if (c != nullptr) redisFree(c);
    return absl::UnavailableError(absl::StrCat("redis at ", address_, " unreachable: ", why));
  }
  redisSetTimeout(c, absl::ToTimeval(timeout_));
  context_ = c;
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  return Command(args, timeout_);
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args,
                                                absl::Duration timeout) {
  PCMD_RETURN_IF_ERROR(EnsureConnected());
  redisSetTimeout(context_, absl::ToTimeval(timeout));
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (timeout != timeout_) redisSetTimeout(context_, absl::ToTimeval(timeout_));
  if (reply == nullptr) {
    std::string why = context_->errstr;
    // The connection is unusable after an error; the next command reconnects.
    redisFree(context_);
    context_ = nullptr;
    return absl::UnavailableError(absl::StrCat("redis at ", address_, ": ", why));
  }
  RedisReply out = Copy(reply);
  freeReplyObject(reply);
  return out;
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  PCMD_RETURN_IF_ERROR(EnsureConnected());
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data());
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      std::string why = context_->errstr;
      redisFree(context_);
      context_ = nullptr;
      return absl::UnavailableError(absl::StrCat("redis at ", address_, ": ", why));
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(Copy(reply));
    freeReplyObject(reply);
  }
  return replies;
}

}  // namespace pcmd::events
