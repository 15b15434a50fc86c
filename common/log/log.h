// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-24T03:48:01.123Z","level":"info","event":"server_started",
//    "service":"intake","listen":"127.0.0.1:50052"}
//
// Personal data never goes into a log. The API makes that a deliberate act: a line is
// an event name plus typed fields, and callers pass ids, codes, counts and states —
// never a name, phone, ID number, address or free text about a person. (The leak test
// of the security core greps every log line for known personal values.)
//
// Thread-safe: lines from concurrent threads never interleave.
#ifndef PCMD_COMMON_LOG_LOG_H_
#define PCMD_COMMON_LOG_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pcmd::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

struct Field {
  Field(absl::string_view k, absl::string_view v) : key(k), value(std::string(v)) {}
  Field(absl::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(absl::string_view k, const std::string& v) : key(k), value(v) {}
  Field(absl::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, int64_t v) : key(k), value(v) {}
  Field(absl::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, double v) : key(k), value(v) {}
  Field(absl::string_view k, bool v) : key(k), value(v) {}
  Field(absl::string_view k, const absl::Status& s) : key(k), value(s.ToString()) {}

  absl::string_view key;
  std::variant<std::string, int64_t, double, bool> value;
};

// Parses "debug", "info", "warning" or "error". Returns INVALID_ARGUMENT otherwise.
absl::Status SetLevel(absl::string_view level);
void SetLevel(Level level);

// Every line carries "service":<name> once this is set (at start-up, before threads).
void SetService(absl::string_view service);

// Replaces stderr as the destination (tests capture lines this way); nullptr restores
// stderr. The sink is called under the logger's lock.
void SetSinkForTesting(std::function<void(absl::string_view line)> sink);

void Write(Level level, absl::string_view event, std::initializer_list<Field> fields = {});

inline void Debug(absl::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, e, f);
}
inline void Info(absl::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, e, f);
}
inline void Warning(absl::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kWarning, e, f);
}
inline void Error(absl::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kError, e, f);
}

// JSON string escaping (exposed for tests and for other JSON writers).
std::string JsonEscape(absl::string_view s);

}  // namespace pcmd::log

#endif  // PCMD_COMMON_LOG_LOG_H_
