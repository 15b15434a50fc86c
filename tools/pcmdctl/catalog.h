// The RPCs pcmdctl can call, read from the protos themselves (a descriptor set with
// comments, compiled into the binary), and requests built from command-line flags.
//
// Every method of every pcmd service gets a command "<group> <verb>": the verb is the
// method name's first word, the group the rest, pluralised ("SubmitTip" → "tips
// submit", "ListAgencies" → "agencies list"), with a few names chosen by hand where
// that reads badly ("GetPlanProgress" → "plans progress"). `call <Service>/<Method>`
// reaches any method by its full name.
//
// A Catalog is immutable after construction and thread-safe to read.
#ifndef PCMD_TOOLS_PCMDCTL_CATALOG_H_
#define PCMD_TOOLS_PCMDCTL_CATALOG_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"

namespace pcmd::ctl {

struct Command {
  std::string group;  // "tips"
  std::string verb;   // "submit"
  const google::protobuf::MethodDescriptor* method = nullptr;
  // The service that answers it: "plans", "intake", "inspections" or "referrals";
  // empty for methods every service answers (the event administration).
  std::string service;
};

class Catalog {
 public:
  // Reads the descriptor set compiled into pcmdctl.
  static absl::StatusOr<std::unique_ptr<Catalog>> Embedded();
  // Reads a serialized google.protobuf.FileDescriptorSet (for tests). Returns
  // INVALID_ARGUMENT when it does not parse or a file does not build.
  static absl::StatusOr<std::unique_ptr<Catalog>> FromDescriptorSet(absl::string_view bytes);

  const std::vector<Command>& commands() const { return commands_; }
  // The groups in alphabetical order.
  std::vector<std::string> Groups() const;
  // The commands of `group`, by verb; empty when there is no such group.
  std::vector<const Command*> InGroup(absl::string_view group) const;
  // nullptr when `group verb` names no command.
  const Command* Find(absl::string_view group, absl::string_view verb) const;
  // "pcmd.intake.v1.IntakeService/SubmitTip" or ".../SubmitTip" with a leading slash;
  // nullptr when unknown.
  const Command* FindByFullName(absl::string_view full_name) const;

  // A fresh, empty message of `type`, owned by the caller (the factory lives as long
  // as this Catalog, which must outlive the message).
  std::unique_ptr<google::protobuf::Message> NewMessage(
      const google::protobuf::Descriptor* type) const;

  const google::protobuf::DescriptorPool& pool() const { return pool_; }

 private:
  Catalog() = default;
  google::protobuf::DescriptorPool pool_;
  mutable google::protobuf::DynamicMessageFactory factory_{&pool_};
  std::vector<Command> commands_;
};

// "SubmitTip" → {"tips", "submit"} by the rule above (hand-chosen names included);
// `service` is the method's service's simple name ("IntakeService").
std::pair<std::string, std::string> CommandName(absl::string_view service,
                                                absl::string_view method);

// The leading comment of a descriptor (method, message, field, enum value), each line
// without the space after "//", trimmed; empty when the descriptor set has none.
template <typename D>
std::string CommentOf(const D* descriptor) {
  google::protobuf::SourceLocation location;
  if (descriptor == nullptr || !descriptor->GetSourceLocation(&location)) return "";
  std::string text;
  for (absl::string_view line : absl::StrSplit(location.leading_comments, '\n')) {
    absl::ConsumePrefix(&line, " ");
    absl::StrAppend(&text, text.empty() ? "" : "\n", line);
  }
  return std::string(absl::StripAsciiWhitespace(text));
}

// One `--name=value` (or `--name value`) a caller gave for a request field.
struct FieldFlag {
  std::string name;  // As typed, without dashes: "category", "tip.category", "page-size".
  std::string value;
  bool has_value = true;  // false for a bare `--flag` (a bool set to true).
};

// Sets the fields `flags` name on `request`, in order. A name is a field path with
// '.' between levels ("location.address"; '-' and '_' are the same); a name with no
// '.' may also name a field of a nested message when exactly one such field exists
// ("--category" for "tip.category"). Values: numbers, true/false, enum value names
// (with or without their prefix, any case: "prostitution" for CATEGORY_PROSTITUTION),
// JSON objects for message fields; a repeated field takes one value per flag.
// Returns INVALID_ARGUMENT naming the flag for an unknown or ambiguous name, or a value
// that does not fit the field; `request` may then be partly set (callers discard it).
absl::Status ApplyFlags(const std::vector<FieldFlag>& flags, google::protobuf::Message& request);

// Parses `json` (protobuf JSON, either field-name style) into `request`, replacing
// nothing it does not name. INVALID_ARGUMENT with the parser's message on error.
absl::Status MergeJson(absl::string_view json, google::protobuf::Message& request);

// The flag paths a request type accepts, for --help: each scalar, enum and repeated
// field, with nested messages expanded to `depth` levels ("location.address").
struct FlagHelp {
  std::string path;
  std::string type;  // "string", "int32", "enum TipCategory", "repeated string", "JSON Location"
  std::string comment;
  std::vector<std::string> enum_values;  // short names ("prostitution") for enums
};
std::vector<FlagHelp> FlagsOf(const google::protobuf::Descriptor* type, int depth = 2);

// "CATEGORY_PROSTITUTION" of enum TipCategory → "prostitution": the value name without
// the prefix the enum's values share, lower case. The full name when they share none.
std::string ShortEnumName(const google::protobuf::EnumValueDescriptor* value);

}  // namespace pcmd::ctl

#endif  // PCMD_TOOLS_PCMDCTL_CATALOG_H_
