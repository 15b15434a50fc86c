#include "common/server/server.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"

namespace pcmd {
namespace {

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write port file ", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot write port file ", path, ": ", ec.message()));
  return absl::OkStatus();
}

// gRPC C++ 1.51 answers a request it cannot parse with INTERNAL before the handler runs
// (grpcpp/impl/codegen/proto_utils.h, GenericDeserialize, and
// grpcpp/support/proto_buffer_reader.h): the message is the parser's
// InitializationErrorString(), empty for proto3, or "Couldn't initialize byte buffer
// reader" when the call carried no message (or one that does not decompress), or "No
// payload". Protobuf refuses a proto3 string field that is not valid UTF-8, so a
// caller's mistake would read as a server fault. The interceptor knows parsing failed
// because the request the handler would get is null at POST_RECV_MESSAGE (only for
// methods whose one request is read before the handler: unary and server-streaming);
// it then rewrites that call's INTERNAL status, and nothing else, to INVALID_ARGUMENT.
class UnparsableRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit UnparsableRequestInterceptor(const grpc::experimental::ServerRpcInfo& info)
      : method_(info.method() == nullptr ? "" : info.method()),
        single_request_(info.type() == grpc::experimental::ServerRpcInfo::Type::UNARY ||
                        info.type() == grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (single_request_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsed_ = true;
    }
    if (unparsed_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status sent = methods->GetSendStatus();
      if (sent.error_code() == grpc::StatusCode::INTERNAL) {
        methods->ModifySendStatus(
            grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, Explain(sent.error_message())));
      }
    }
    methods->Proceed();
  }

 private:
  std::string Explain(const std::string& parser_message) const {
    if (parser_message == "Couldn't initialize byte buffer reader" ||
        parser_message == "No payload") {
      return "the call carried no readable request message";
    }
    // "/pcmd.intake.v1.IntakeService/SubmitTip" → "pcmd.intake.v1.IntakeService.SubmitTip".
    const std::string dotted =
        absl::StrReplaceAll(method_.empty() ? method_ : method_.substr(1), {{"/", "."}});
    const auto* method =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted);
    const std::string type = method == nullptr ? "request" : method->input_type()->full_name();
    return absl::StrCat("the request is not a valid ", type,
                        " message (strings must be valid UTF-8)");
  }

  const std::string method_;
  const bool single_request_;
  bool unparsed_ = false;
};

class UnparsableRequestInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new UnparsableRequestInterceptor(*info);
  }
};

}  // namespace

void DefineServerOptions(Config& config, absl::string_view default_listen) {
  config.DefineString("listen", default_listen, "host:port to serve gRPC on; port 0 picks one");
  config.DefineString("port-file", "", "write the bound port to this file once serving");
  config.DefineInt("max-message-bytes", 4 * 1024 * 1024, "largest request or response");
  config.DefineDuration("grace-period", absl::Seconds(10),
                        "time in-flight calls get to finish on SIGTERM");
  config.DefineString("log-level", "info", "debug, info, warning or error");
  config.DefineString("tls-cert", "", "PEM certificate of this service (mutual TLS)");
  config.DefineString("tls-key", "", "PEM private key of this service");
  config.DefineString("tls-ca", "", "PEM CA that client certificates must chain to");
  config.DefineBool("insecure", false,
                    "plaintext, callers name themselves in a header: local debugging only");
}

ServerOptions ServerOptionsFrom(const Config& config) {
  ServerOptions o;
  o.listen = config.GetString("listen");
  o.port_file = config.GetString("port-file");
  o.max_message_bytes = static_cast<int>(config.GetInt("max-message-bytes"));
  o.grace_period = config.GetDuration("grace-period");
  o.tls_cert_file = config.GetString("tls-cert");
  o.tls_key_file = config.GetString("tls-key");
  o.tls_ca_file = config.GetString("tls-ca");
  o.insecure = config.GetBool("insecure");
  return o;
}

absl::StatusOr<std::unique_ptr<RunningServer>> StartServer(
    const ServerOptions& options, const std::vector<HostedService>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  const int tls_files =
      !options.tls_cert_file.empty() + !options.tls_key_file.empty() + !options.tls_ca_file.empty();
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (options.insecure && tls_files != 0) {
    return absl::InvalidArgumentError(
        "--insecure and TLS files exclude each other: give one or the other");
  }
  if (tls_files == 3) {
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    std::string cert, key, ca;
    for (const auto& [path, out] :
         {std::pair{&options.tls_cert_file, &cert}, std::pair{&options.tls_key_file, &key},
          std::pair{&options.tls_ca_file, &ca}}) {
      std::ifstream in(*path);
      std::stringstream text;
      text << in.rdbuf();
      if (!in || text.str().empty()) {
        return absl::NotFoundError(absl::StrCat("cannot read TLS file ", *path));
      }
      *out = text.str();
    }
    ssl.pem_root_certs = ca;
    ssl.pem_key_cert_pairs.push_back({key, cert});
    credentials = grpc::SslServerCredentials(ssl);
  } else if (tls_files == 0 && options.insecure) {
    log::Warning("INSECURE_MODE",
                 {{"listen", options.listen},
                  {"why",
                   "--insecure: plaintext, and callers name their own agency in a header. "
                   "Anyone who can reach this port can read and change everything. "
                   "Local debugging only; never in production"}});
    credentials = grpc::InsecureServerCredentials();
  } else if (tls_files == 0) {
    return absl::InvalidArgumentError(
        "no TLS: give --tls-cert, --tls-key and --tls-ca for mutual TLS (or --insecure, for "
        "local debugging only)");
  } else {
    return absl::InvalidArgumentError(
        "give all of --tls-cert, --tls-key and --tls-ca for mutual TLS, or none of them");
  }
  builder.AddListeningPort(options.listen, credentials, &port);
  // gRPC sets SO_REUSEPORT by default, which would let a second instance share the
  // port silently and split the traffic; a busy port must be an error instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  // Clients may ping every 10 s without being cut off as abusive.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<UnparsableRequestInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::vector<std::string> names;
  for (const HostedService& hosted : services) {
    builder.RegisterService(hosted.service);
    names.push_back(hosted.name);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options.listen,
        ": the port is in use (is another instance running?) or the address is not valid"));
  }
  auto* health = server->GetHealthCheckService();
  for (const std::string& name : names) health->SetServingStatus(name, true);
  health->SetServingStatus("", true);
  auto running = std::unique_ptr<RunningServer>(
      new RunningServer(std::move(server), port, names, options.grace_period));
  if (!options.port_file.empty()) {
    if (absl::Status s = WritePortFile(options.port_file, port); !s.ok()) {
      running->Shutdown();
      return s;
    }
  }
  log::Info("server_serving", {{"listen", options.listen}, {"port", port}});
  return running;
}

RunningServer::~RunningServer() { Shutdown(); }

void RunningServer::Shutdown() {
  if (shut_down_.exchange(true)) return;
  if (auto* health = server_->GetHealthCheckService()) health->SetServingStatus(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace_));
  server_->Wait();
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT)) {
  }
  return sig;
}

}  // namespace pcmd
