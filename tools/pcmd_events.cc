// pcmd-events: the operator's command for the event bus.
//
//   pcmd-events stats       --target=127.0.0.1:50051
//   pcmd-events reset       --target=127.0.0.1:50051 --confirm=RESET
//   pcmd-events republish   --target=127.0.0.1:50052 --since=2026-11-24T03:00:00Z
//   pcmd-events dead-letters --redis=127.0.0.1:6390 --group=plans
//   pcmd-events replay      --redis=127.0.0.1:6390 --group=plans (--id=ENTRY | --all)
//
// stats, reset and republish ask a service (its EventAdminService); dead-letters and
// replay work on Redis directly, so they help even while the consuming service is down.
// Exit codes: 0 done, 1 the operation failed, 2 bad arguments.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/events/consumer.h"
#include "common/security/client_channel.h"
#include "common/storage/sqlite_database.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "pcmd/events/v1/admin.grpc.pb.h"

namespace {

using pcmd::events::v1::EventAdminService;

int Fail(const std::string& message) {
  std::fprintf(stderr, "pcmd-events: %s\n", message.c_str());
  return 1;
}

// A stub over a channel that may fail to build (bad TLS options); the failure comes
// back as the call's status.
std::unique_ptr<EventAdminService::Stub> Admin(const pcmd::Config& config) {
  auto channel = pcmd::security::ClientChannel(config.GetString("target"),
                                               pcmd::security::ClientTlsFrom(config));
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-events: %s\n", std::string(channel.status().message()).c_str());
    std::exit(2);
  }
  return EventAdminService::NewStub(*channel);
}

void SetDeadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

int Stats(const pcmd::Config& config) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  pcmd::events::v1::GetEventStatsResponse r;
  const grpc::Status s = Admin(config)->GetEventStats(&ctx, {}, &r);
  if (!s.ok()) return Fail(s.error_message());
  std::printf(
      "outbox backlog      %lld\noutbox retained     %lld\napplied events      %lld\n"
      "dead letters        %lld\n",
      static_cast<long long>(r.outbox_backlog()), static_cast<long long>(r.outbox_published()),
      static_cast<long long>(r.applied()), static_cast<long long>(r.dead_letters()));
  for (const auto& lag : r.consumer_lag()) {
    std::printf("lag %-28s %lld (pending %lld)\n", lag.stream().c_str(),
                static_cast<long long>(lag.lag()), static_cast<long long>(lag.pending()));
  }
  if (!r.bus_error().empty()) {
    std::printf("consumer figures unavailable: %s\n", r.bus_error().c_str());
  }
  return 0;
}

int Reset(const pcmd::Config& config) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  pcmd::events::v1::ResetConsumerRequest request;
  request.set_confirm(config.GetString("confirm"));
  pcmd::events::v1::ResetConsumerResponse r;
  const grpc::Status s = Admin(config)->ResetConsumer(&ctx, request, &r);
  if (!s.ok()) return Fail(s.error_message());
  std::printf("forgot %lld applied events; the consumer now reads every stream again\n",
              static_cast<long long>(r.forgotten_events()));
  return 0;
}

int Republish(const pcmd::Config& config) {
  absl::Time since;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, config.GetString("since"), &since, &error)) {
    std::fprintf(stderr, "pcmd-events: --since: %s (use RFC 3339, e.g. 2026-11-24T03:00:00Z)\n",
                 error.c_str());
    return 2;
  }
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  pcmd::events::v1::RepublishEventsRequest request;
  request.mutable_since_time()->set_seconds(absl::ToUnixSeconds(since));
  pcmd::events::v1::RepublishEventsResponse r;
  const grpc::Status s = Admin(config)->RepublishEvents(&ctx, request, &r);
  if (!s.ok()) return Fail(s.error_message());
  std::printf("%lld events will be published again\n",
              static_cast<long long>(r.republished_events()));
  return 0;
}

// Dead letters live in Redis; a consumer object without a database reaches them.
int DeadLetters(const pcmd::Config& config, bool replay) {
  if (config.GetString("group").empty()) {
    std::fprintf(stderr, "pcmd-events: --group is required\n");
    return 2;
  }
  auto db = pcmd::storage::SqliteDatabase::Open({.path = ":memory:"}, {});
  if (!db.ok()) return Fail(std::string(db.status().message()));
  pcmd::events::EventConsumer consumer(
      {.group = config.GetString("group"), .redis_address = config.GetString("redis")}, **db,
      pcmd::Clock::Real());
  if (!replay) {
    auto letters = consumer.ListDeadLetters(static_cast<int>(config.GetInt("limit")));
    if (!letters.ok()) return Fail(std::string(letters.status().message()));
    std::printf("%-20s %-24s %-38s %-8s %s\n", "ENTRY", "FROM", "EVENT", "ATTEMPTS", "ERROR");
    for (const auto& d : *letters) {
      std::printf("%-20s %-24s %-38s %-8lld %s (%s)\n", d.id.c_str(), d.stream.c_str(),
                  d.event_id.c_str(), static_cast<long long>(d.attempts), d.error.c_str(),
                  d.event_type.c_str());
    }
    std::printf("%zu dead letter(s)\n", letters->size());
    return 0;
  }
  if (config.GetString("id").empty() == !config.GetBool("all")) {
    std::fprintf(stderr, "pcmd-events: replay needs exactly one of --id=ENTRY or --all\n");
    return 2;
  }
  auto replayed = consumer.ReplayDeadLetters(config.GetString("id"));
  if (!replayed.ok()) return Fail(std::string(replayed.status().message()));
  std::printf("replayed %lld dead letter(s) to %s\n", static_cast<long long>(*replayed),
              pcmd::events::RetryStreamFor(config.GetString("group")).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage =
      "usage: pcmd-events (stats|reset|republish|dead-letters|replay) [options]\n";
  if (argc < 2) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  const std::string command = argv[1];
  pcmd::Config config("pcmd-events " + command);
  config.DefineString("target", "127.0.0.1:50051",
                      "a service's host:port (stats, reset, republish)");
  config.DefineString("redis", "127.0.0.1:6390", "Redis host:port (dead-letters, replay)");
  config.DefineString("group", "", "consuming service whose dead letters to use: plans, ...");
  config.DefineString("id", "", "replay only this dead-letter entry");
  config.DefineBool("all", false, "replay every dead letter");
  config.DefineInt("limit", 100, "how many dead letters to list");
  config.DefineString("confirm", "", "must be RESET for reset");
  config.DefineString("since", "", "RFC 3339 instant for republish");
  pcmd::security::DefineClientTlsOptions(config);
  if (absl::Status s = config.Parse(argc - 1, argv + 1); !s.ok()) {
    std::fprintf(stderr, "pcmd-events: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (config.help_requested() || command == "--help" || command == "help") {
    std::fputs((usage + "\n" + config.Usage()).c_str(), stdout);
    return 0;
  }
  if (command == "stats") return Stats(config);
  if (command == "reset") return Reset(config);
  if (command == "republish") return Republish(config);
  if (command == "dead-letters") return DeadLetters(config, /*replay=*/false);
  if (command == "replay") return DeadLetters(config, /*replay=*/true);
  std::fprintf(stderr, "pcmd-events: unknown command \"%s\"\n%s", command.c_str(), usage.c_str());
  return 2;
}
