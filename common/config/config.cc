#include "common/config/config.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace pcmd {
namespace {

bool ParseBool(absl::string_view v, bool* out) {
  if (v == "true" || v == "1" || v == "yes") {
    *out = true;
    return true;
  }
  if (v == "false" || v == "0" || v == "no") {
    *out = false;
    return true;
  }
  return false;
}

}  // namespace

std::string Config::EnvName(absl::string_view option) {
  return absl::StrCat("PCMD_", absl::AsciiStrToUpper(absl::StrReplaceAll(option, {{"-", "_"}})));
}

void Config::Define(absl::string_view name, Type type, std::string value, absl::string_view help,
                    bool secret) {
  for (const Option& o : options_) {
    if (o.name == name) std::abort();
  }
  options_.push_back({std::string(name), type, std::string(help), secret, std::move(value)});
}

void Config::DefineString(absl::string_view name, absl::string_view default_value,
                          absl::string_view help, bool secret) {
  Define(name, Type::kString, std::string(default_value), help, secret);
}
void Config::DefineInt(absl::string_view name, int64_t default_value, absl::string_view help) {
  Define(name, Type::kInt, absl::StrCat(default_value), help, false);
}
void Config::DefineBool(absl::string_view name, bool default_value, absl::string_view help) {
  Define(name, Type::kBool, default_value ? "true" : "false", help, false);
}
void Config::DefineDuration(absl::string_view name, absl::Duration default_value,
                            absl::string_view help) {
  Define(name, Type::kDuration, absl::FormatDuration(default_value), help, false);
}

absl::Status Config::CheckValue(const Option& option, absl::string_view value) {
  bool ok = true;
  switch (option.type) {
    case Type::kString:
      break;
    case Type::kInt: {
      int64_t i;
      ok = absl::SimpleAtoi(value, &i);
      break;
    }
    case Type::kBool: {
      bool b;
      ok = ParseBool(value, &b);
      break;
    }
    case Type::kDuration: {
      absl::Duration d;
      ok = absl::ParseDuration(value, &d) && d >= absl::ZeroDuration();
      break;
    }
  }
  if (ok) return absl::OkStatus();
  static constexpr const char* kExpect[] = {"text", "an integer", "true or false",
                                            "a duration such as 5s or 250ms"};
  return absl::InvalidArgumentError(absl::StrCat("option --", option.name, ": \"", value,
                                                 "\" is not ",
                                                 kExpect[static_cast<int>(option.type)]));
}

absl::Status Config::Parse(int argc, const char* const* argv) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view kv(*e);
    const size_t eq = kv.find('=');
    if (eq != absl::string_view::npos && kv.substr(0, 5) == "PCMD_") {
      env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  return Parse(argc, argv, env);
}

absl::Status Config::Parse(int argc, const char* const* argv,
                           const std::map<std::string, std::string>& env) {
  for (Option& o : options_) {
    auto it = env.find(EnvName(o.name));
    if (it == env.end()) continue;
    if (absl::Status s = CheckValue(o, it->second); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("environment ", it->first, ": ", s.message()));
    }
    o.value = it->second;
    o.source = "environment";
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg(argv[i]);
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", arg, "\""));
    }
    arg.remove_prefix(2);
    absl::string_view name = arg;
    absl::string_view value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    Option* option = nullptr;
    for (Option& o : options_) {
      if (o.name == name) option = &o;
    }
    if (option == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown option --", name, " (see --help)"));
    }
    if (!has_value) {
      if (option->type == Type::kBool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("option --", name, " needs a value"));
      }
    }
    if (absl::Status s = CheckValue(*option, value); !s.ok()) return s;
    option->value = std::string(value);
    option->source = "flag";
  }
  return absl::OkStatus();
}

const Config::Option& Config::Get(absl::string_view name, Type type) const {
  for (const Option& o : options_) {
    if (o.name == name && o.type == type) return o;
  }
  std::abort();
}

const std::string& Config::GetString(absl::string_view name) const {
  return Get(name, Type::kString).value;
}
int64_t Config::GetInt(absl::string_view name) const {
  int64_t v = 0;
  (void)absl::SimpleAtoi(Get(name, Type::kInt).value, &v);
  return v;
}
bool Config::GetBool(absl::string_view name) const {
  bool b = false;
  (void)ParseBool(Get(name, Type::kBool).value, &b);
  return b;
}
absl::Duration Config::GetDuration(absl::string_view name) const {
  absl::Duration d;
  (void)absl::ParseDuration(Get(name, Type::kDuration).value, &d);
  return d;
}

std::string Config::Describe() const {
  std::string out;
  for (const Option& o : options_) {
    absl::StrAppend(&out, o.name, "=", o.secret && !o.value.empty() ? "<redacted>" : o.value, " (",
                    o.source, ")\n");
  }
  return out;
}

std::string Config::Usage() const {
  std::string out = absl::StrCat("Usage: ", program_, " [--option=value ...]\n\nOptions:\n");
  for (const Option& o : options_) {
    absl::StrAppend(&out, "  --", o.name, " (env ", EnvName(o.name), ", default \"",
                    o.secret ? "" : o.value, "\")\n      ", o.help, "\n");
  }
  return out;
}

}  // namespace pcmd
