#include "tools/pcmdctl/catalog.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/util/json_util.h"

// Generated at build time from the protos (tools/pcmdctl/embed_descriptors.cmake).
extern const unsigned char kPcmdctlDescriptorSet[];
extern const unsigned long kPcmdctlDescriptorSetSize;

namespace pcmd::ctl {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Which service answers a proto service, by its full name.
std::string ServiceOf(const google::protobuf::ServiceDescriptor& service) {
  const std::string& package = service.file()->package();
  if (package == "pcmd.intake.v1") return "intake";
  if (package == "pcmd.inspections.v1") return "inspections";
  if (package == "pcmd.referrals.v1") return "referrals";
  if (package == "pcmd.plans.v1") return "plans";
  return "";
}

// "SubmitTip" → {"Submit", "Tip"}.
std::vector<std::string> CamelWords(absl::string_view name) {
  std::vector<std::string> words;
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c)) || words.empty()) words.emplace_back();
    words.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return words;
}

std::string Plural(std::string noun) {
  if (noun.empty() || noun.back() == 's') return noun;
  if (noun.back() == 'y') {
    noun.back() = 'i';
    return noun + "es";
  }
  return noun + "s";
}

// Names that the rule makes read badly, chosen by hand ("Service.Method" → command).
const std::map<std::string, std::pair<std::string, std::string>>& HandChosen() {
  static const auto* const names = new std::map<std::string, std::pair<std::string, std::string>>{
      {"IntakeService.RevealReporter", {"tips", "reveal-reporter"}},
      {"IntakeService.AcceptTransfer", {"tips", "accept-transfer"}},
      {"IntakeService.RejectTransfer", {"tips", "reject-transfer"}},
      {"IntakeService.ExtendTipDeadline", {"tips", "extend-deadline"}},
      {"IntakeService.MarkTipDuplicate", {"tips", "mark-duplicate"}},
      {"IntakeService.ListLikelyDuplicates", {"tips", "likely-duplicates"}},
      {"InspectionsService.RecordInspectionResult", {"inspections", "record-result"}},
      {"InspectionsService.ProposeSchedule", {"inspections", "propose-schedule"}},
      {"InspectionsService.GetCoverage", {"inspections", "coverage"}},
      {"PlansService.GetPlanProgress", {"plans", "progress"}},
      {"PlansService.ListTargetRecords", {"plans", "records"}},
      {"PlansService.UpdateTaskStatus", {"tasks", "update-status"}},
      {"PlansService.UpdateHotspotState", {"hotspots", "update-state"}},
      {"PlansService.ListReportObligations", {"reports", "obligations"}},
      {"PlansService.GetReportingRates", {"reports", "rates"}},
      {"ReferralsService.AssessNeeds", {"clients", "assess-needs"}},
      {"ReferralsService.ScheduleReferralFollowUp", {"referrals", "schedule-follow-up"}},
      {"ProviderInboxService.RecordServiceDelivery", {"inbox", "record-delivery"}},
      {"EventAdminService.GetEventStats", {"events", "stats"}},
      {"EventAdminService.ResetConsumer", {"events", "reset-consumer"}},
      {"EventAdminService.RepublishEvents", {"events", "republish"}},
  };
  return *names;
}

std::string Normalise(absl::string_view name) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"-", "_"}});
}

absl::Status FlagError(const FieldFlag& flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag.name, ": ", what));
}

// The common "CATEGORY_" of an enum's value names, up to and including an underscore.
std::string EnumPrefix(const EnumDescriptor& type) {
  if (type.value_count() < 2) return "";
  std::string prefix = type.value(0)->name();
  for (int i = 1; i < type.value_count(); ++i) {
    const std::string& name = type.value(i)->name();
    size_t n = 0;
    while (n < prefix.size() && n < name.size() && prefix[n] == name[n]) ++n;
    prefix.resize(n);
  }
  const size_t underscore = prefix.rfind('_');
  return underscore == std::string::npos ? "" : prefix.substr(0, underscore + 1);
}

absl::StatusOr<const EnumValueDescriptor*> EnumValue(const FieldFlag& flag,
                                                     const EnumDescriptor& type) {
  const std::string upper =
      absl::StrReplaceAll(absl::AsciiStrToUpper(flag.value), {{"-", "_"}, {" ", "_"}});
  if (const EnumValueDescriptor* v = type.FindValueByName(upper)) return v;
  if (const EnumValueDescriptor* v = type.FindValueByName(EnumPrefix(type) + upper)) return v;
  int number = 0;
  if (absl::SimpleAtoi(flag.value, &number)) {
    if (const EnumValueDescriptor* v = type.FindValueByNumber(number)) return v;
  }
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() != 0) names.push_back(ShortEnumName(type.value(i)));
  }
  return FlagError(flag, absl::StrCat("'", flag.value, "' is not a ", type.name(),
                                      "; one of: ", absl::StrJoin(names, ", ")));
}

absl::Status SetValue(const FieldFlag& flag, const FieldDescriptor& field, Message& message) {
  const Reflection& r = *message.GetReflection();
  const bool repeated = field.is_repeated();
  const std::string& v = flag.value;
  auto bad = [&](absl::string_view kind) {
    return FlagError(flag, absl::StrCat("'", v, "' is not ", kind));
  };
  if (!flag.has_value && field.cpp_type() != FieldDescriptor::CPPTYPE_BOOL) {
    return FlagError(flag, "needs a value (--name=value)");
  }
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      repeated ? r.AddString(&message, &field, v) : r.SetString(&message, &field, v);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool b = true;
      if (flag.has_value && !absl::SimpleAtob(v, &b)) return bad("true or false");
      repeated ? r.AddBool(&message, &field, b) : r.SetBool(&message, &field, b);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t n = 0;
      if (!absl::SimpleAtoi(v, &n)) return bad("a whole number");
      repeated ? r.AddInt32(&message, &field, n) : r.SetInt32(&message, &field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t n = 0;
      if (!absl::SimpleAtoi(v, &n)) return bad("a whole number");
      repeated ? r.AddInt64(&message, &field, n) : r.SetInt64(&message, &field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t n = 0;
      if (!absl::SimpleAtoi(v, &n)) return bad("a non-negative whole number");
      repeated ? r.AddUInt32(&message, &field, n) : r.SetUInt32(&message, &field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t n = 0;
      if (!absl::SimpleAtoi(v, &n)) return bad("a non-negative whole number");
      repeated ? r.AddUInt64(&message, &field, n) : r.SetUInt64(&message, &field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double d = 0;
      if (!absl::SimpleAtod(v, &d)) return bad("a number");
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        repeated ? r.AddFloat(&message, &field, static_cast<float>(d))
                 : r.SetFloat(&message, &field, static_cast<float>(d));
      } else {
        repeated ? r.AddDouble(&message, &field, d) : r.SetDouble(&message, &field, d);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      auto value = EnumValue(flag, *field.enum_type());
      if (!value.ok()) return value.status();
      repeated ? r.AddEnum(&message, &field, *value) : r.SetEnum(&message, &field, *value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* target =
          repeated ? r.AddMessage(&message, &field) : r.MutableMessage(&message, &field);
      // A well-known type takes its JSON form bare: --since=2026-01-01T00:00:00Z.
      std::string json = v;
      if (absl::StartsWith(field.message_type()->full_name(), "google.protobuf.") &&
          !absl::StartsWith(v, "{") && !absl::StartsWith(v, "\"")) {
        json = absl::StrCat("\"", v, "\"");
      }
      if (absl::Status s = MergeJson(json, *target); !s.ok()) {
        return FlagError(
            flag, absl::StrCat("not a JSON ", field.message_type()->name(), ": ", s.message()));
      }
      return absl::OkStatus();
    }
  }
  return FlagError(flag, "has a type pcmdctl cannot set");
}

const FieldDescriptor* FieldNamed(const Descriptor& type, absl::string_view name) {
  const std::string normal = Normalise(name);
  if (const FieldDescriptor* f = type.FindFieldByName(normal)) return f;
  for (int i = 0; i < type.field_count(); ++i) {
    if (Normalise(type.field(i)->json_name()) == normal) return type.field(i);
  }
  return nullptr;
}

// Every path "a.b.c" under `type` whose last field is `name`, through singular message
// fields only, up to `depth` levels.
void FindNested(const Descriptor& type, absl::string_view name, const std::string& prefix,
                int depth, std::vector<std::string>& found) {
  if (depth == 0) return;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* f = type.field(i);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) continue;
    if (absl::StartsWith(f->message_type()->full_name(), "google.protobuf.")) continue;
    const std::string path = prefix + f->name();
    if (FieldNamed(*f->message_type(), name) != nullptr)
      found.push_back(path + "." + std::string(name));
    FindNested(*f->message_type(), name, path + ".", depth - 1, found);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::Embedded() {
  return FromDescriptorSet(absl::string_view(reinterpret_cast<const char*>(kPcmdctlDescriptorSet),
                                             kPcmdctlDescriptorSetSize));
}

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::FromDescriptorSet(absl::string_view bytes) {
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("the descriptor set does not parse");
  }
  std::unique_ptr<Catalog> catalog(new Catalog());
  std::vector<const google::protobuf::FileDescriptor*> files;
  for (const auto& file : set.file()) {
    const google::protobuf::FileDescriptor* built = catalog->pool_.BuildFile(file);
    if (built == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("descriptor of ", file.name(), " does not build"));
    }
    files.push_back(built);
  }
  for (const auto* file : files) {
    // Test-only services are not the operator's business.
    if (absl::StartsWith(file->package(), "pcmd.testing.")) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      if (service->full_name() == "grpc.health.v1.Health") continue;
      for (int m = 0; m < service->method_count(); ++m) {
        const auto* method = service->method(m);
        auto [group, verb] = CommandName(service->name(), method->name());
        catalog->commands_.push_back(
            {.group = group, .verb = verb, .method = method, .service = ServiceOf(*service)});
      }
    }
  }
  std::sort(catalog->commands_.begin(), catalog->commands_.end(),
            [](const Command& a, const Command& b) {
              return std::tie(a.group, a.verb) < std::tie(b.group, b.verb);
            });
  return catalog;
}

std::pair<std::string, std::string> CommandName(absl::string_view service,
                                                absl::string_view method) {
  const auto& chosen = HandChosen();
  if (auto it = chosen.find(absl::StrCat(service, ".", method)); it != chosen.end()) {
    return it->second;
  }
  std::vector<std::string> words = CamelWords(method);
  const std::string verb = words.front();
  if (service == "ProviderInboxService") return {"inbox", verb};
  if (words.size() == 1) return {Plural(Normalise(service)), verb};
  words.erase(words.begin());
  return {Plural(absl::StrJoin(words, "-")), verb};
}

std::vector<std::string> Catalog::Groups() const {
  std::vector<std::string> groups;
  for (const Command& c : commands_) {
    if (groups.empty() || groups.back() != c.group) groups.push_back(c.group);
  }
  return groups;
}

std::vector<const Command*> Catalog::InGroup(absl::string_view group) const {
  std::vector<const Command*> found;
  for (const Command& c : commands_) {
    if (c.group == group) found.push_back(&c);
  }
  return found;
}

const Command* Catalog::Find(absl::string_view group, absl::string_view verb) const {
  for (const Command& c : commands_) {
    if (c.group == group && c.verb == verb) return &c;
  }
  return nullptr;
}

const Command* Catalog::FindByFullName(absl::string_view full_name) const {
  absl::ConsumePrefix(&full_name, "/");
  for (const Command& c : commands_) {
    if (absl::StrCat(c.method->service()->full_name(), "/", c.method->name()) == full_name) {
      return &c;
    }
  }
  return nullptr;
}

std::unique_ptr<Message> Catalog::NewMessage(const Descriptor* type) const {
  return std::unique_ptr<Message>(factory_.GetPrototype(type)->New());
}

absl::Status ApplyFlags(const std::vector<FieldFlag>& flags, Message& request) {
  for (const FieldFlag& flag : flags) {
    std::string path = flag.name;
    if (!absl::StrContains(path, '.') && FieldNamed(*request.GetDescriptor(), path) == nullptr) {
      std::vector<std::string> found;
      FindNested(*request.GetDescriptor(), path, "", 3, found);
      if (found.empty()) {
        return FlagError(flag, absl::StrCat("no such field in ", request.GetDescriptor()->name(),
                                            " (see --help)"));
      }
      if (found.size() > 1) {
        return FlagError(flag,
                         absl::StrCat("ambiguous; say which: --", absl::StrJoin(found, ", --")));
      }
      path = found.front();
    }
    Message* message = &request;
    const std::vector<std::string> parts = absl::StrSplit(path, '.');
    for (size_t i = 0; i < parts.size(); ++i) {
      const FieldDescriptor* field = FieldNamed(*message->GetDescriptor(), parts[i]);
      if (field == nullptr) {
        return FlagError(
            flag, absl::StrCat("no field '", parts[i], "' in ", message->GetDescriptor()->name()));
      }
      if (i + 1 == parts.size()) {
        if (absl::Status s = SetValue(flag, *field, *message); !s.ok()) return s;
        break;
      }
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
        return FlagError(flag,
                         absl::StrCat("'", parts[i], "' is not a single message; give it as JSON"));
      }
      message = message->GetReflection()->MutableMessage(message, field);
    }
  }
  return absl::OkStatus();
}

absl::Status MergeJson(absl::string_view json, Message& request) {
  std::unique_ptr<Message> parsed(request.New());
  google::protobuf::util::JsonParseOptions options;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), parsed.get(), options);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  request.MergeFrom(*parsed);
  return absl::OkStatus();
}

std::string ShortEnumName(const EnumValueDescriptor* value) {
  const std::string prefix = EnumPrefix(*value->type());
  std::string name = value->name();
  if (!prefix.empty() && absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

std::vector<FlagHelp> FlagsOf(const Descriptor* type, int depth) {
  std::vector<FlagHelp> flags;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    FlagHelp help{.path = absl::StrReplaceAll(f->name(), {{"_", "-"}}), .comment = CommentOf(f)};
    const std::string repeated = f->is_repeated() ? "repeated " : "";
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      help.type = absl::StrCat(repeated, "enum ", f->enum_type()->name());
      for (int v = 0; v < f->enum_type()->value_count(); ++v) {
        if (f->enum_type()->value(v)->number() != 0) {
          help.enum_values.push_back(ShortEnumName(f->enum_type()->value(v)));
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const Descriptor* nested = f->message_type();
      if (f->is_map()) {
        help.type = "JSON object (map)";
      } else if (absl::StartsWith(nested->full_name(), "google.protobuf.")) {
        help.type = absl::StrCat(repeated, nested->name(),
                                 nested->name() == "Timestamp" ? " (2026-01-31T08:00:00Z)" : "");
      } else if (f->is_repeated() || depth <= 1) {
        help.type = absl::StrCat(repeated, "JSON ", nested->name());
      } else {
        for (FlagHelp inner : FlagsOf(nested, depth - 1)) {
          inner.path = absl::StrCat(help.path, ".", inner.path);
          flags.push_back(std::move(inner));
        }
        continue;
      }
    } else {
      help.type = absl::StrCat(repeated, f->type_name());
    }
    flags.push_back(std::move(help));
  }
  return flags;
}

}  // namespace pcmd::ctl
