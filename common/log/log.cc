#include "common/log/log.h"

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace pcmd::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

absl::Mutex& SinkMutex() {
  static absl::Mutex* mu = new absl::Mutex();
  return *mu;
}
std::function<void(absl::string_view)>& Sink() {
  static auto* sink = new std::function<void(absl::string_view)>();
  return *sink;
}
std::string& Service() {
  static auto* service = new std::string();
  return *service;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

std::string JsonEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;  // UTF-8 passes through: Vietnamese text stays readable.
        }
    }
  }
  return out;
}

absl::Status SetLevel(absl::string_view level) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarning, Level::kError}) {
    if (level == LevelName(l)) {
      SetLevel(l);
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("log level \"", level, "\" is not one of debug, info, warning, error"));
}

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }

void SetService(absl::string_view service) {
  absl::MutexLock lock(&SinkMutex());
  Service() = std::string(service);
}

void SetSinkForTesting(std::function<void(absl::string_view)> sink) {
  absl::MutexLock lock(&SinkMutex());
  Sink() = std::move(sink);
}

void Write(Level level, absl::string_view event, std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_level.load()) return;
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      "\",\"level\":\"", LevelName(level), "\",\"event\":\"", JsonEscape(event), "\"");
  absl::MutexLock lock(&SinkMutex());
  if (!Service().empty()) absl::StrAppend(&line, ",\"service\":\"", JsonEscape(Service()), "\"");
  for (const Field& f : fields) {
    absl::StrAppend(&line, ",\"", JsonEscape(f.key), "\":");
    if (const auto* s = std::get_if<std::string>(&f.value)) {
      absl::StrAppend(&line, "\"", JsonEscape(*s), "\"");
    } else if (const auto* i = std::get_if<int64_t>(&f.value)) {
      absl::StrAppend(&line, *i);
    } else if (const auto* d = std::get_if<double>(&f.value)) {
      absl::StrAppend(&line, *d);
    } else {
      absl::StrAppend(&line, std::get<bool>(f.value) ? "true" : "false");
    }
  }
  line += "}";
  if (Sink()) {
    Sink()(line);
  } else {
    line += "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
}

}  // namespace pcmd::log
