// pcmdctl: the operator's command line for every RPC of the four pcmd services.
//
//   pcmdctl tips submit --as=police-hanoi --channel=hotline --category=establishment ...
//   pcmdctl plans progress --as=social-affairs-hanoi --plan=plans/hn-2024
//   pcmdctl referrals list --as=social-affairs-hanoi --provider=providers/...
//   pcmdctl tips watch --as=police-hanoi              (streams until Ctrl-C or --limit)
//   pcmdctl plans progress --plan=plans/hn-2024 --watch  (asks again every --interval)
//   pcmdctl call pcmd.intake.v1.IntakeService/GetTip --name=tips/...
//   pcmdctl --help | pcmdctl tips --help | pcmdctl tips submit --help
//
// Request fields come from flags (--field=value, nested as --place.address=...) and/or
// a protobuf-JSON file (--file=req.json, '-' for stdin); flags win. Answers print as
// tables, or as protobuf JSON with --json. Exit codes: 0 done; 1 the service answered
// with an error (printed with its field details); 2 bad usage; 3 the service could not
// be reached or did not answer in time.
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/security/client_channel.h"
#include "common/status/status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "tools/pcmdctl/catalog.h"
#include "tools/pcmdctl/render.h"

namespace {

using pcmd::ctl::Catalog;
using pcmd::ctl::Command;

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

struct Options {
  std::map<std::string, std::string> address = {{"plans", "127.0.0.1:50051"},
                                                {"intake", "127.0.0.1:50052"},
                                                {"inspections", "127.0.0.1:50053"},
                                                {"referrals", "127.0.0.1:50054"}};
  std::string on;  // For events: which service to ask.
  std::string certs;
  std::string as = "operator";
  pcmd::security::ClientTls tls;
  bool plaintext = false;
  std::string end_user;
  std::string purpose;
  std::vector<std::pair<std::string, std::string>> headers;
  bool json = false;
  bool wide = false;
  bool watch = false;
  bool help = false;
  std::string file;
  int64_t limit = 0;
  absl::Duration timeout = absl::Seconds(15);
  absl::Duration interval = absl::Seconds(2);
};

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

// The options pcmdctl itself takes (everything else is a request field).
const std::set<std::string>& OwnOptions() {
  static const auto* const names = new std::set<std::string>{
      "plans",   "intake",   "inspections", "referrals",       "on",        "certs",    "as",
      "tls-ca",  "tls-cert", "tls-key",     "tls-server-name", "plaintext", "end-user", "purpose",
      "header",  "json",     "wide",        "watch",           "help",      "file",     "limit",
      "timeout", "interval"};
  return *names;
}

bool IsBoolOption(const std::string& name) {
  return name == "plaintext" || name == "json" || name == "wide" || name == "watch" ||
         name == "help";
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "pcmdctl: %s\n(pcmdctl --help lists the commands)\n", message.c_str());
  return kExitUsage;
}

const char* CodeName(grpc::StatusCode code) {
  static const char* const names[] = {"OK",
                                      "CANCELLED",
                                      "UNKNOWN",
                                      "INVALID_ARGUMENT",
                                      "DEADLINE_EXCEEDED",
                                      "NOT_FOUND",
                                      "ALREADY_EXISTS",
                                      "PERMISSION_DENIED",
                                      "RESOURCE_EXHAUSTED",
                                      "FAILED_PRECONDITION",
                                      "ABORTED",
                                      "OUT_OF_RANGE",
                                      "UNIMPLEMENTED",
                                      "INTERNAL",
                                      "UNAVAILABLE",
                                      "DATA_LOSS",
                                      "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? names[i] : "UNKNOWN";
}

// Prints the error with the fields it names; returns the exit code.
int ReportError(const grpc::Status& status, const std::string& request_id) {
  std::fprintf(stderr, "pcmdctl: %s: %s\n", CodeName(status.error_code()),
               status.error_message().c_str());
  for (const pcmd::FieldViolation& v : pcmd::FieldViolationsOf(pcmd::FromGrpcStatus(status))) {
    std::fprintf(stderr, "  %s: %s\n", v.field.c_str(), v.description.c_str());
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
      absl::StrContains(status.error_message(), "x-pcmd-")) {
    std::fprintf(stderr,
                 "  (pass --end-user=ACCOUNT and --purpose=PURPOSE, or set PCMD_END_USER and "
                 "PCMD_PURPOSE)\n");
  }
  const bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  if (unreachable && !request_id.empty()) {
    std::fprintf(stderr,
                 "  the call may or may not have been done; repeat it with --request-id=%s and "
                 "it is done once\n",
                 request_id.c_str());
  }
  return unreachable ? kExitUnreachable : kExitError;
}

std::string FullMethod(const Command& c) {
  return absl::StrCat("/", c.method->service()->full_name(), "/", c.method->name());
}

std::string FirstSentence(const std::string& comment) {
  std::string line = comment.substr(0, comment.find("\n\n"));
  absl::StrReplaceAll({{"\n", " "}}, &line);
  const size_t stop = line.find(". ");
  return stop == std::string::npos ? line : line.substr(0, stop + 1);
}

void PrintTopHelp(const Catalog& catalog) {
  std::printf(
      "pcmdctl — call any pcmd service from the command line.\n\n"
      "Usage: pcmdctl [options] GROUP VERB [--field=value ...]\n"
      "       pcmdctl [options] call SERVICE/METHOD [--field=value ...]\n"
      "       pcmdctl GROUP --help        the verbs of a group\n"
      "       pcmdctl GROUP VERB --help   the fields a request takes\n\n"
      "Groups and verbs:\n");
  for (const std::string& group : catalog.Groups()) {
    std::vector<std::string> verbs;
    for (const Command* c : catalog.InGroup(group)) verbs.push_back(c->verb);
    std::printf("  %-18s %s\n", group.c_str(), absl::StrJoin(verbs, " ").c_str());
  }
  std::printf(
      "\nOptions (also from the environment variable shown):\n"
      "  --as=NAME           the agency certificate to call with: CERTS/NAME.crt and .key\n"
      "                      (PCMD_AS; default operator)\n"
      "  --certs=DIR         certificates folder with ca.crt (PCMD_CERTS; default\n"
      "                      $PCMD_STATE_DIR/certs, else ./.state/certs as deploy/run.sh makes)\n"
      "  --tls-ca/--tls-cert/--tls-key=FILE  explicit files instead of --certs/--as\n"
      "  --plaintext         no TLS (only for services started with --insecure)\n"
      "  --plans/--intake/--inspections/--referrals=HOST:PORT  where the services listen\n"
      "                      (PCMD_PLANS_ADDR...; default 127.0.0.1:50051..50054)\n"
      "  --on=SERVICE        for 'events': which service to ask (plans, intake, ...)\n"
      "  --end-user=ACCOUNT  x-pcmd-end-user: the officer on whose behalf (PCMD_END_USER)\n"
      "  --purpose=PURPOSE   x-pcmd-purpose, e.g. tip-handling (PCMD_PURPOSE)\n"
      "  --header=NAME=VALUE more request metadata (repeatable)\n"
      "  --file=FILE         the request as protobuf JSON ('-': stdin); flags win over it\n"
      "  --json              print the answer as protobuf JSON (one line per streamed one)\n"
      "  --wide              do not shorten long table cells\n"
      "  --watch             streaming calls stream anyway; other calls are asked again\n"
      "                      every --interval (default 2s) and printed when the answer changes\n"
      "  --limit=N           stop a stream after N answers\n"
      "  --timeout=DURATION  per call (default 15s; streams run until Ctrl-C)\n\n"
      "Exit codes: 0 done, 1 the service refused or failed, 2 bad usage, 3 not reached.\n");
}

void PrintGroupHelp(const Catalog& catalog, const std::string& group) {
  std::printf("pcmdctl %s VERB [--field=value ...]\n\n", group.c_str());
  for (const Command* c : catalog.InGroup(group)) {
    std::printf("  %-20s %s\n", c->verb.c_str(),
                FirstSentence(pcmd::ctl::CommentOf(c->method)).c_str());
  }
  std::printf("\npcmdctl %s VERB --help shows a verb's fields.\n", group.c_str());
}

void PrintCommandHelp(const Command& c) {
  std::printf("pcmdctl %s %s — %s.%s%s%s\n", c.group.c_str(), c.verb.c_str(),
              c.method->service()->name().c_str(), c.method->name().c_str(),
              c.method->server_streaming() ? " (streams answers)" : "",
              c.service.empty()
                  ? " (any service: --on=SERVICE)"
                  : absl::StrCat(" (", c.service, " service, --", c.service, "=ADDR)").c_str());
  const std::string comment = pcmd::ctl::CommentOf(c.method);
  if (!comment.empty()) std::printf("\n%s\n", comment.c_str());
  std::printf("\nFields of %s (as --name=value):\n", c.method->input_type()->name().c_str());
  for (const auto& f : pcmd::ctl::FlagsOf(c.method->input_type())) {
    std::printf("  --%-30s %s\n", f.path.c_str(), f.type.c_str());
    if (!f.enum_values.empty()) {
      std::printf("  %-32s one of: %s\n", "", absl::StrJoin(f.enum_values, ", ").c_str());
    }
    if (!f.comment.empty()) {
      for (absl::string_view line : absl::StrSplit(f.comment, '\n')) {
        std::printf("  %-32s %s\n", "", std::string(absl::StripAsciiWhitespace(line)).c_str());
      }
    }
    if (f.path == "request-id") {
      std::printf("  %-32s (pcmdctl makes one when not given)\n", "");
    }
  }
  std::printf("\nAnswer: %s (a table; --json for JSON)\n", c.method->output_type()->name().c_str());
}

std::string RandomRequestId() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device() ^
                      static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
  static const char kHex[] = "0123456789abcdef";
  std::string id = "ctl-";
  for (int i = 0; i < 24; ++i) id += kHex[rng() % 16];
  return id;
}

std::string Serialized(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices)
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

void PrepareContext(grpc::ClientContext& ctx, const Options& options, bool deadline) {
  if (deadline) ctx.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  if (!options.end_user.empty()) ctx.AddMetadata("x-pcmd-end-user", options.end_user);
  if (!options.purpose.empty()) ctx.AddMetadata("x-pcmd-purpose", options.purpose);
  for (const auto& [name, value] : options.headers) ctx.AddMetadata(name, value);
}

grpc::Status Unary(const std::shared_ptr<grpc::Channel>& channel, const Options& options,
                   const std::string& method, const std::string& request, std::string& response) {
  grpc::ClientContext ctx;
  PrepareContext(ctx, options, true);
  grpc::GenericStub stub(channel);
  grpc::Slice slice(request);
  const grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request_buffer, &response_buffer,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  grpc::Status status = done.get_future().get();
  if (status.ok()) response = Serialized(response_buffer);
  return status;
}

grpc::ClientContext* volatile g_stream_context = nullptr;

void CancelStream(int) {
  if (g_stream_context != nullptr) g_stream_context->TryCancel();
}

// Sends one request to a server-streaming method and calls `on_answer` for each answer
// as it arrives, until the server ends the stream, `limit` answers came, or Ctrl-C.
grpc::Status Stream(const std::shared_ptr<grpc::Channel>& channel, const Options& options,
                    const std::string& method, const std::string& request,
                    const std::function<void(const std::string&)>& on_answer) {
  grpc::ClientContext ctx;
  PrepareContext(ctx, options, false);
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  auto call = stub.PrepareCall(&ctx, method, &queue);
  auto await = [&queue](void* expected) {
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok)) {
      if (tag == expected) return ok;
    }
    return false;
  };
  intptr_t next = 0;
  auto tag = [&next] { return reinterpret_cast<void*>(++next); };
  g_stream_context = &ctx;
  std::signal(SIGINT, CancelStream);
  void* t = tag();
  call->StartCall(t);
  bool open = await(t);
  if (open) {
    grpc::Slice slice(request);
    const grpc::ByteBuffer buffer(&slice, 1);
    t = tag();
    call->Write(buffer, t);
    open = await(t);
  }
  if (open) {
    t = tag();
    call->WritesDone(t);
    open = await(t);
  }
  int64_t received = 0;
  bool stopped_by_us = false;
  while (open) {
    grpc::ByteBuffer answer;
    t = tag();
    call->Read(&answer, t);
    if (!await(t)) break;
    on_answer(Serialized(answer));
    if (options.limit > 0 && ++received >= options.limit) {
      stopped_by_us = true;
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status status;
  t = tag();
  call->Finish(&status, t);
  await(t);
  g_stream_context = nullptr;
  std::signal(SIGINT, SIG_DFL);
  queue.Shutdown();
  void* ignored = nullptr;
  bool ignored_ok = false;
  while (queue.Next(&ignored, &ignored_ok)) {
  }
  // Ctrl-C or --limit ending the stream is how a watch is meant to end.
  if (status.error_code() == grpc::StatusCode::CANCELLED) return grpc::Status::OK;
  (void)stopped_by_us;
  return status;
}

std::string ReadFile(const std::string& path, bool& ok) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    ok = true;
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  text << in.rdbuf();
  return text.str();
}

bool Exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

}  // namespace

int main(int argc, char** argv) {
  auto loaded = Catalog::Embedded();
  if (!loaded.ok()) {
    std::fprintf(stderr, "pcmdctl: %s\n", std::string(loaded.status().message()).c_str());
    return kExitError;
  }
  const Catalog& catalog = **loaded;

  Options options;
  for (const char* service : {"plans", "intake", "inspections", "referrals"}) {
    const std::string env = "PCMD_" + absl::AsciiStrToUpper(service) + "_ADDR";
    if (const char* v = Env(env.c_str())) options.address[service] = v;
  }
  if (const char* v = Env("PCMD_AS")) options.as = v;
  if (const char* v = Env("PCMD_CERTS")) {
    options.certs = v;
  } else if (const char* state = Env("PCMD_STATE_DIR")) {
    options.certs = absl::StrCat(state, "/certs");
  } else {
    options.certs = ".state/certs";
  }
  if (const char* v = Env("PCMD_END_USER")) {
    options.end_user = v;
  } else if (const passwd* account = getpwuid(getuid()); account != nullptr) {
    options.end_user = account->pw_name;  // The operator's own login.
  }
  if (const char* v = Env("PCMD_PURPOSE")) options.purpose = v;

  // Positional words, pcmdctl's own options and request fields, in any order.
  std::vector<std::string> words;
  std::vector<pcmd::ctl::FieldFlag> fields;
  bool tls_files_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h") arg = "--help";
    if (arg == "-f" && i + 1 < argc) arg = absl::StrCat("--file=", argv[++i]);
    if (!absl::StartsWith(arg, "--")) {
      words.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const bool own = OwnOptions().count(name) > 0;
    if (!has_value && !(own && IsBoolOption(name)) && i + 1 < argc &&
        !absl::StartsWith(argv[i + 1], "--")) {
      value = argv[++i];
      has_value = true;
    }
    if (!own) {
      fields.push_back({.name = name, .value = value, .has_value = has_value});
      continue;
    }
    if (!has_value && !IsBoolOption(name)) return Usage(absl::StrCat("--", name, " needs a value"));
    bool flag = true;
    if (IsBoolOption(name) && has_value && !absl::SimpleAtob(value, &flag)) {
      return Usage(absl::StrCat("--", name, " takes true or false"));
    }
    if (options.address.count(name)) {
      options.address[name] = value;
    } else if (name == "on") {
      options.on = value;
    } else if (name == "certs") {
      options.certs = value;
    } else if (name == "as") {
      options.as = value;
    } else if (name == "tls-ca") {
      options.tls.ca_file = value, tls_files_given = true;
    } else if (name == "tls-cert") {
      options.tls.cert_file = value, tls_files_given = true;
    } else if (name == "tls-key") {
      options.tls.key_file = value, tls_files_given = true;
    } else if (name == "tls-server-name") {
      options.tls.server_name = value;
    } else if (name == "plaintext") {
      options.plaintext = flag;
    } else if (name == "end-user") {
      options.end_user = value;
    } else if (name == "purpose") {
      options.purpose = value;
    } else if (name == "header") {
      const size_t eq = value.find('=');
      if (eq == std::string::npos) return Usage("--header takes NAME=VALUE");
      options.headers.emplace_back(absl::AsciiStrToLower(value.substr(0, eq)),
                                   value.substr(eq + 1));
    } else if (name == "json") {
      options.json = flag;
    } else if (name == "wide") {
      options.wide = flag;
    } else if (name == "watch") {
      options.watch = flag;
    } else if (name == "help") {
      options.help = flag;
    } else if (name == "file") {
      options.file = value;
    } else if (name == "limit") {
      if (!absl::SimpleAtoi(value, &options.limit) || options.limit < 0) {
        return Usage("--limit takes a whole number");
      }
    } else if (name == "timeout" || name == "interval") {
      absl::Duration d;
      if (!absl::ParseDuration(value, &d) || d <= absl::ZeroDuration()) {
        return Usage(absl::StrCat("--", name, " takes a duration like 15s or 500ms"));
      }
      (name == "timeout" ? options.timeout : options.interval) = d;
    }
  }

  if (words.empty()) {
    PrintTopHelp(catalog);
    return options.help ? 0 : kExitUsage;
  }
  const Command* command = nullptr;
  if (words[0] == "call") {
    if (words.size() != 2)
      return Usage("call takes one SERVICE/METHOD, e.g. pcmd.intake.v1.IntakeService/GetTip");
    command = catalog.FindByFullName(words[1]);
    if (command == nullptr) return Usage(absl::StrCat("no method ", words[1]));
  } else {
    if (catalog.InGroup(words[0]).empty()) return Usage(absl::StrCat("no group '", words[0], "'"));
    if (words.size() == 1) {
      PrintGroupHelp(catalog, words[0]);
      return options.help ? 0 : kExitUsage;
    }
    if (words.size() > 2)
      return Usage(absl::StrCat("unexpected '", words[2], "' (fields are --name=value)"));
    command = catalog.Find(words[0], words[1]);
    if (command == nullptr) {
      std::vector<std::string> verbs;
      for (const Command* c : catalog.InGroup(words[0])) verbs.push_back(c->verb);
      return Usage(absl::StrCat("no verb '", words[1], "' in ", words[0],
                                "; one of: ", absl::StrJoin(verbs, ", ")));
    }
  }
  if (options.help) {
    PrintCommandHelp(*command);
    return 0;
  }

  // The request: the file first, then the flags over it.
  std::unique_ptr<google::protobuf::Message> request =
      catalog.NewMessage(command->method->input_type());
  if (!options.file.empty()) {
    bool ok = false;
    const std::string json = ReadFile(options.file, ok);
    if (!ok) return Usage(absl::StrCat("cannot read --file=", options.file));
    if (absl::Status s = pcmd::ctl::MergeJson(json, *request); !s.ok()) {
      return Usage(absl::StrCat("--file=", options.file, ": ", s.message()));
    }
  }
  if (absl::Status s = pcmd::ctl::ApplyFlags(fields, *request); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  std::string request_id;
  if (const auto* f = request->GetDescriptor()->FindFieldByName("request_id");
      f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
      !f->is_repeated()) {
    request_id = request->GetReflection()->GetString(*request, f);
    if (request_id.empty()) {
      request_id = RandomRequestId();
      request->GetReflection()->SetString(request.get(), f, request_id);
    }
  }

  // Where and as whom.
  std::string service = command->service;
  if (service.empty()) {
    if (options.on.empty())
      return Usage(absl::StrCat(
          command->group, " ", command->verb,
          " is answered by every service: say which with --on=plans|intake|inspections|referrals"));
    if (!options.address.count(options.on))
      return Usage(absl::StrCat("--on: no service '", options.on, "'"));
    service = options.on;
  }
  pcmd::security::ClientTls tls = options.tls;
  if (!options.plaintext && !tls_files_given) {
    tls.ca_file = absl::StrCat(options.certs, "/ca.crt");
    tls.cert_file = absl::StrCat(options.certs, "/", options.as, ".crt");
    tls.key_file = absl::StrCat(options.certs, "/", options.as, ".key");
    if (!Exists(tls.cert_file) || !Exists(tls.ca_file)) {
      return Usage(absl::StrCat("no certificate ", tls.cert_file, " (or ", tls.ca_file,
                                "); say where with --certs=DIR and --as=NAME"));
    }
  }
  if (options.plaintext) tls = {};
  auto channel = pcmd::security::ClientChannel(options.address[service], tls);
  if (!channel.ok()) return Usage(std::string(channel.status().message()));

  std::string bytes;
  if (!request->SerializeToString(&bytes)) return Usage("the request cannot be serialized");
  const std::string method = FullMethod(*command);
  const pcmd::ctl::RenderOptions render{.max_cell = options.wide ? 0 : 48};
  auto print = [&](const std::string& answer_bytes, bool streamed) {
    std::unique_ptr<google::protobuf::Message> answer =
        catalog.NewMessage(command->method->output_type());
    if (!answer->ParseFromString(answer_bytes)) {
      std::fprintf(stderr, "pcmdctl: an answer did not parse as %s\n",
                   command->method->output_type()->name().c_str());
      return std::string();
    }
    return options.json ? pcmd::ctl::RenderJson(*answer, !streamed)
                        : pcmd::ctl::RenderText(*answer, render) + (streamed ? "\n" : "");
  };

  if (command->method->server_streaming()) {
    const grpc::Status status = Stream(*channel, options, method, bytes, [&](const std::string& a) {
      std::fputs(print(a, true).c_str(), stdout);
      std::fflush(stdout);
    });
    return status.ok() ? 0 : ReportError(status, request_id);
  }
  std::string last;
  while (true) {
    std::string answer;
    const grpc::Status status = Unary(*channel, options, method, bytes, answer);
    if (!status.ok()) return ReportError(status, request_id);
    const std::string text = print(answer, false);
    if (!options.watch) {
      std::fputs(text.c_str(), stdout);
      return 0;
    }
    if (text != last) {
      std::printf("--- %s ---\n%s",
                  absl::FormatTime("%H:%M:%S", absl::Now(), absl::LocalTimeZone()).c_str(),
                  text.c_str());
      std::fflush(stdout);
      last = text;
    }
    if (options.limit > 0 && --options.limit == 0) return 0;
    absl::SleepFor(options.interval);
  }
}
