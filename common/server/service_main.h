// The main() of every pcmd service: read config, open the service's own SQLite file
// with its migrations, build its gRPC services, serve with health and reflection,
// and shut down cleanly on SIGTERM/SIGINT.
//
//   int main(int argc, char** argv) {
//     return pcmd::RunService(argc, argv, {.name = "intake", ...});
//   }
//
// Every service also hosts pcmd.events.v1.EventAdminService (outbox backlog, consumer
// lag, dead letters, consumer reset).
//
// Every call goes through the Gatekeeper: the caller's certificate, the service's
// access rules, and an audit record for personal data (common/server/guard.h). Keys
// come from the --keys folder (common/crypto/keyring.h).
//
// Exit codes: 0 after a clean shutdown or --help, 2 for bad configuration, 1 when the
// service cannot start (database, keys, port, TLS files).
#ifndef PCMD_COMMON_SERVER_SERVICE_MAIN_H_
#define PCMD_COMMON_SERVER_SERVICE_MAIN_H_

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/crypto/keyring.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/security/access_policy.h"
#include "common/security/client_channel.h"
#include "common/security/scope.h"
#include "common/server/guard.h"
#include "common/server/server.h"
#include "common/storage/sqlite_database.h"

namespace pcmd {

// What a service builds at start-up: it owns its logic and gRPC adapters for as long
// as the server runs.
class ServiceBundle {
 public:
  virtual ~ServiceBundle() = default;
  // The services to host; pointers stay owned by the bundle.
  virtual std::vector<HostedService> services() = 0;
  // Registers handlers that need the bundle's parts (its stores), after
  // ServiceSpec::register_handlers and before the consumer starts. Called only when
  // the service consumes events.
  virtual void RegisterHandlers(events::EventConsumer& consumer) {}
};

// Everything a service's factory may use. All pointers outlive the bundle.
struct ServiceContext {
  const Config* config;
  storage::SqliteDatabase* database;
  const Clock* clock;
  // Appends this service's events inside its write transactions; the relay started by
  // RunService publishes them to "pcmd:events:<name>".
  events::Outbox* outbox;
  // Admits each call and audits personal data: build one Guard per hosted service.
  Gatekeeper* gatekeeper;
  // The deployment's keys: field encryption, blind indexes, pseudonyms.
  const crypto::Keyring* keys;
  // The administrative units this service knows (common/units), for unit scope.
  const security::UnitTree* units;
  // This service's own certificate, for calling other pcmd services (mutual TLS);
  // all empty in --insecure mode.
  security::ClientTls peer_tls;
};

struct ServiceSpec {
  // Short name: "intake". Used for the log "service" field and the default db file.
  std::string name;
  std::string default_listen;
  // Must include events::kOutboxMigrationSql, audit::kAuditMigrationSql,
  // units::kUnitsMigrationSql, and events::kInboxMigrationSql when the service
  // consumes events.
  std::span<const storage::Migration> migrations;
  // Producers whose streams this service consumes ("intake"), and the handlers,
  // registered on the consumer before it starts. Empty: the service consumes nothing.
  std::vector<std::string> consumes_from;
  std::function<void(events::EventConsumer&)> register_handlers;
  // Optional: defines the service's own options before parsing.
  std::function<void(Config&)> define_options;
  // The service's access rules (services/<name>/access_rules.h); EventAdminService's
  // rules must be among them.
  std::function<security::AccessPolicy()> policy;
  std::function<absl::StatusOr<std::unique_ptr<ServiceBundle>>(const ServiceContext&)> build;
};

int RunService(int argc, char** argv, const ServiceSpec& spec);

}  // namespace pcmd

#endif  // PCMD_COMMON_SERVER_SERVICE_MAIN_H_
