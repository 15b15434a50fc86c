#include "common/server/service_main.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/events/admin_service.h"
#include "common/events/relay.h"
#include "common/ids/clock.h"
#include "common/log/log.h"
#include "common/units/units.h"

namespace pcmd {

int RunService(int argc, char** argv, const ServiceSpec& spec) {
  // Before any thread exists, so that every thread inherits the mask and only
  // WaitForTerminationSignal receives SIGTERM/SIGINT.
  BlockTerminationSignals();
  log::SetService(spec.name);

  Config config(absl::StrCat("pcmd-", spec.name));
  DefineServerOptions(config, spec.default_listen);
  config.DefineString("db", absl::StrCat(spec.name, ".db"),
                      "path of this service's SQLite database file (created if missing)");
  config.DefineString("redis", "127.0.0.1:6390", "host:port of the Redis event bus");
  config.DefineDuration("event-claim-idle", absl::Seconds(30),
                        "idle time after which a crashed consumer's events are taken over");
  config.DefineInt("event-max-attempts", 5, "deliveries before an event goes to dead letters");
  config.DefineString("keys", "keys",
                      "folder of the deployment's keys (field-N.key, index.key, audit.key; "
                      "make one with pcmd-keys generate)");
  config.DefineString("clock-date", "",
                      "demo and training only: run this service's clock on this day "
                      "(YYYY-MM-DD, Vietnam time; the time of day is kept), so that records "
                      "fall in the period of a past plan; empty: the system clock");
  if (spec.define_options) spec.define_options(config);
  if (absl::Status s = config.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "pcmd-%s: %s\n", spec.name.c_str(), std::string(s.message()).c_str());
    return 2;
  }
  if (config.help_requested()) {
    std::fputs(config.Usage().c_str(), stdout);
    return 0;
  }
  if (absl::Status s = log::SetLevel(config.GetString("log-level")); !s.ok()) {
    std::fprintf(stderr, "pcmd-%s: %s\n", spec.name.c_str(), std::string(s.message()).c_str());
    return 2;
  }
  for (absl::string_view line : absl::StrSplit(config.Describe(), '\n', absl::SkipEmpty())) {
    log::Info("config", {{"option", line}});
  }

  absl::Duration shift;
  if (const std::string day = config.GetString("clock-date"); !day.empty()) {
    absl::CivilDay parsed;
    if (!absl::ParseCivilTime(day, &parsed)) {
      std::fprintf(stderr, "pcmd-%s: --clock-date must be YYYY-MM-DD, not %s\n", spec.name.c_str(),
                   day.c_str());
      return 2;
    }
    shift = ShiftToDay(parsed);
    log::Warning("clock_shifted", {{"clock_date", day}, {"shift", absl::FormatDuration(shift)}});
  }
  // Records, deadlines and events follow the (possibly shifted) service clock; the
  // audit chain and the bus's own timing keep the system clock.
  const ShiftedClock clock(shift);

  absl::StatusOr<std::unique_ptr<crypto::Keyring>> keys =
      crypto::Keyring::Load(config.GetString("keys"));
  if (!keys.ok()) {
    log::Error("keys_unavailable",
               {{"folder", config.GetString("keys")}, {"error", keys.status()}});
    std::fprintf(stderr, "pcmd-%s: keys: %s\n", spec.name.c_str(),
                 std::string(keys.status().message()).c_str());
    return 1;
  }
  const ServerOptions server_options = ServerOptionsFrom(config);

  const std::string db_path = config.GetString("db");
  if (const auto parent = std::filesystem::path(db_path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
  auto database = storage::SqliteDatabase::Open({.path = db_path}, spec.migrations);
  if (!database.ok()) {
    log::Error("database_open_failed", {{"path", db_path}, {"error", database.status()}});
    return 1;
  }
  events::Outbox outbox(spec.name, clock);
  events::OutboxRelay relay({.producer = spec.name, .redis_address = config.GetString("redis")},
                            **database, Clock::Real());
  std::unique_ptr<events::EventConsumer> consumer;
  if (!spec.consumes_from.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    consumer = std::make_unique<events::EventConsumer>(
        events::ConsumerOptions{
            .group = spec.name,
            .consumer_name = absl::StrCat(spec.name, "-", host, "-", getpid()),
            .producers = spec.consumes_from,
            .redis_address = config.GetString("redis"),
            .claim_idle = config.GetDuration("event-claim-idle"),
            .max_attempts = static_cast<int>(config.GetInt("event-max-attempts"))},
        **database, Clock::Real());
    if (spec.register_handlers) spec.register_handlers(*consumer);
  }
  if (!spec.policy) {
    log::Error("no_access_rules", {{"why", "the service defines no access policy"}});
    return 1;
  }
  const security::AccessPolicy policy = spec.policy();
  Gatekeeper gatekeeper(
      policy, server_options.insecure ? IdentityMode::kInsecureHeader : IdentityMode::kCertificate,
      **database, (*keys)->audit_key(), Clock::Real());
  const units::SqliteUnitTree unit_tree(**database);
  const ServiceContext context{.config = &config,
                               .database = database->get(),
                               .clock = &clock,
                               .outbox = &outbox,
                               .gatekeeper = &gatekeeper,
                               .keys = keys->get(),
                               .units = &unit_tree,
                               .peer_tls = {.ca_file = server_options.tls_ca_file,
                                            .cert_file = server_options.tls_cert_file,
                                            .key_file = server_options.tls_key_file}};
  auto bundle = spec.build(context);
  if (!bundle.ok()) {
    log::Error("service_build_failed", {{"error", bundle.status()}});
    return 1;
  }
  if (consumer != nullptr) (*bundle)->RegisterHandlers(*consumer);
  events::EventAdminServiceImpl admin(
      Guard(gatekeeper, events::v1::EventAdminService::service_full_name()), relay, consumer.get());
  std::vector<HostedService> hosted = (*bundle)->services();
  hosted.push_back({&admin, events::v1::EventAdminService::service_full_name()});
  // Redis may be down now; the relay retries with backoff and writes go on.
  relay.Start();
  auto server = StartServer(server_options, hosted);
  if (!server.ok()) {
    log::Error("server_start_failed", {{"error", server.status()}});
    std::fprintf(stderr, "pcmd-%s: %s\n", spec.name.c_str(),
                 std::string(server.status().message()).c_str());
    return 1;
  }
  // Only an instance that serves joins its consumer group: one that failed to start
  // (a busy port) must not take events from the group and apply them to its own file.
  // Start is a no-op when an admin reset already started it.
  if (consumer != nullptr) consumer->Start();
  const int sig = WaitForTerminationSignal();
  log::Info("shutdown_started", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Shutdown();
  if (consumer != nullptr) consumer->Stop();
  // Unpublished events stay in the outbox and go out at the next start.
  relay.Stop();
  server->reset();
  bundle->reset();
  database->reset();
  log::Info("shutdown_complete");
  return 0;
}

}  // namespace pcmd
