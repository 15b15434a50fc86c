// Configuration from command-line flags and environment variables, in one place.
//
// A service defines its options once; each option `listen-address` can be set by the
// flag `--listen-address=VALUE` (or `--listen-address VALUE`) or by the environment
// variable `PCMD_LISTEN_ADDRESS`. A flag beats the environment, which beats the default.
// Describe() prints the effective values with their source; secret options print as
// "<redacted>".
//
// Define all options, then Parse once, then read; reading is thread-safe after Parse.
#ifndef PCMD_COMMON_CONFIG_CONFIG_H_
#define PCMD_COMMON_CONFIG_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace pcmd {

class Config {
 public:
  enum class Type { kString, kInt, kBool, kDuration };

  explicit Config(std::string program) : program_(std::move(program)) {}

  // Each Define aborts on a duplicate name: that is a programming error, not input.
  void DefineString(absl::string_view name, absl::string_view default_value, absl::string_view help,
                    bool secret = false);
  void DefineInt(absl::string_view name, int64_t default_value, absl::string_view help);
  void DefineBool(absl::string_view name, bool default_value, absl::string_view help);
  // Durations are written like "5s", "250ms", "2m".
  void DefineDuration(absl::string_view name, absl::Duration default_value, absl::string_view help);

  // Reads argv (argv[0] is skipped) and `env` (name → value). Returns INVALID_ARGUMENT
  // naming the option for an unknown flag, a missing value or a value of the wrong
  // type. `--help` sets help_requested() and returns OK.
  absl::Status Parse(int argc, const char* const* argv,
                     const std::map<std::string, std::string>& env);
  // Same, reading the process environment.
  absl::Status Parse(int argc, const char* const* argv);

  bool help_requested() const { return help_requested_; }

  // Getters abort when the option was not defined with that type (a programming error).
  const std::string& GetString(absl::string_view name) const;
  int64_t GetInt(absl::string_view name) const;
  bool GetBool(absl::string_view name) const;
  absl::Duration GetDuration(absl::string_view name) const;

  // "name=value (source)" lines, secrets redacted, in definition order.
  std::string Describe() const;
  // Usage text for --help.
  std::string Usage() const;

  // "listen-address" → "PCMD_LISTEN_ADDRESS".
  static std::string EnvName(absl::string_view option);

 private:
  struct Option {
    std::string name;
    Type type;
    std::string help;
    bool secret = false;
    std::string value;  // Text form, validated for its type.
    std::string source = "default";
  };
  void Define(absl::string_view name, Type type, std::string value, absl::string_view help,
              bool secret);
  const Option& Get(absl::string_view name, Type type) const;
  static absl::Status CheckValue(const Option& option, absl::string_view value);

  std::string program_;
  std::vector<Option> options_;
  bool help_requested_ = false;
};

}  // namespace pcmd

#endif  // PCMD_COMMON_CONFIG_CONFIG_H_
