// Server bootstrap shared by the four services: health checking with a status per
// service, reflection, message-size limits, keepalive, and graceful shutdown on
// SIGTERM/SIGINT.
//
// Input limits every call gets before any service code runs:
//   - a request larger than ServerOptions::max_message_bytes is refused by gRPC with
//     RESOURCE_EXHAUSTED; the connection and the server keep serving;
//   - a request that does not parse as the method's message (a proto3 string that is
//     not valid UTF-8, malformed wire data, no message at all) answers
//     INVALID_ARGUMENT "the request is not a valid <type> message (strings must be
//     valid UTF-8)" (or "the call carried no readable request message"), never the
//     INTERNAL gRPC C++ would answer on its own. A service's own INTERNAL is left as is.
// String lengths, repeated-field counts and the other field rules are each service's
// validation (common/validation).
//
// A service's main() does, in this order:
//   BlockTerminationSignals();            // before any thread exists
//   ... read config, open the database, build the service objects ...
//   auto server = StartServer(options, {{&service, IntakeService::service_full_name()}});
//   WaitForTerminationSignal();
//   (*server)->Shutdown();
#ifndef PCMD_COMMON_SERVER_SERVER_H_
#define PCMD_COMMON_SERVER_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "grpcpp/server.h"

namespace pcmd {

struct ServerOptions {
  // "host:port"; port 0 picks a free port (see RunningServer::port()).
  std::string listen = "127.0.0.1:0";
  // When set, the bound port is written there (atomically) once the server serves, so
  // scripts and tests can start a service on port 0 and learn where it listens.
  std::string port_file;
  // Largest request or response, in bytes. A larger request answers RESOURCE_EXHAUSTED.
  int max_message_bytes = 4 * 1024 * 1024;
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // How long in-flight calls may take to finish after a shutdown begins; calls still
  // running after it are cancelled.
  absl::Duration grace_period = absl::Seconds(10);
  // Mutual TLS: PEM files of this server's certificate and key, and of the CA that
  // client certificates must chain to. All three set: every client must present a
  // certificate signed by that CA. None set: refused unless `insecure`.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_ca_file;
  // Plaintext without caller certificates, for local debugging only. Must be asked for
  // explicitly (--insecure): without TLS files and without it, StartServer refuses.
  bool insecure = false;
};

// Defines the options every service shares (listen, port-file, max-message-bytes,
// grace-period, log-level) on `config`, and reads them back after Parse.
void DefineServerOptions(Config& config, absl::string_view default_listen);
ServerOptions ServerOptionsFrom(const Config& config);

// A service implementation (not owned; it must outlive the server) and the full name
// it is reported under by the health service ("pcmd.intake.v1.IntakeService").
struct HostedService {
  grpc::Service* service;
  std::string name;
};

class RunningServer {
 public:
  ~RunningServer();
  int port() const { return port_; }
  grpc::Server* server() { return server_.get(); }

  // Marks every service NOT_SERVING (so load balancers stop sending), stops accepting
  // calls, waits up to the grace period for in-flight calls, then cancels the rest.
  // Idempotent. Thread-safe.
  void Shutdown();

 private:
  friend absl::StatusOr<std::unique_ptr<RunningServer>> StartServer(
      const ServerOptions&, const std::vector<HostedService>&);
  RunningServer(std::unique_ptr<grpc::Server> server, int port, std::vector<std::string> names,
                absl::Duration grace)
      : server_(std::move(server)), port_(port), names_(std::move(names)), grace_(grace) {}

  std::unique_ptr<grpc::Server> server_;
  int port_;
  std::vector<std::string> names_;
  absl::Duration grace_;
  std::atomic<bool> shut_down_{false};
};

// Builds and starts a server for `services`, each reported SERVING under its name and
// the whole server under "", with the input limits above. Errors: UNAVAILABLE naming
// the address when it cannot listen (port in use, no permission); INVALID_ARGUMENT
// when only some TLS files are given, when none is given without `insecure`, or when
// both are; NOT_FOUND naming a TLS file that cannot be read; INTERNAL when the port
// file cannot be written.
absl::StatusOr<std::unique_ptr<RunningServer>> StartServer(
    const ServerOptions& options, const std::vector<HostedService>& services);

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread created
// after it, so that WaitForTerminationSignal can receive SIGTERM and SIGINT
// synchronously. SIGHUP stays blocked and is thus ignored: a closed terminal does not
// stop a service.
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT and returns its number.
int WaitForTerminationSignal();

}  // namespace pcmd

#endif  // PCMD_COMMON_SERVER_SERVER_H_
