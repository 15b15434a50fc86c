#include "common/events/admin_service.h"

#include "common/status/status.h"
#include "common/status/status_macros.h"

namespace pcmd::events {

grpc::Status EventAdminServiceImpl::GetEventStats(grpc::ServerContext* context,
                                                  const v1::GetEventStatsRequest*,
                                                  v1::GetEventStatsResponse* response) {
  return guard_.Run(context, "GetEventStats", [&](Call&) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(OutboxStats outbox, relay_.Stats());
    response->set_outbox_backlog(outbox.backlog);
    response->set_outbox_published(outbox.published);
    if (consumer_ != nullptr) {
      // The consumer's Redis connection belongs to its thread; stats use their own.
      EventConsumer probe(consumer_->options(), consumer_->database(), Clock::Real());
      absl::StatusOr<ConsumerStats> read = probe.Stats();
      if (!read.ok()) {
        // The outbox backlog matters most exactly when the bus is down.
        response->set_bus_error(std::string(read.status().message()));
        return absl::OkStatus();
      }
      ConsumerStats& stats = *read;
      for (const auto& [stream, lag] : stats.lag) {
        auto* l = response->add_consumer_lag();
        l->set_stream(stream);
        l->set_lag(lag);
        l->set_pending(stats.pending[stream]);
      }
      response->set_dead_letters(stats.dead_letters);
      response->set_applied(stats.applied);
    }
    return absl::OkStatus();
  });
}

grpc::Status EventAdminServiceImpl::ResetConsumer(grpc::ServerContext* context,
                                                  const v1::ResetConsumerRequest* request,
                                                  v1::ResetConsumerResponse* response) {
  return guard_.Run(context, "ResetConsumer", [&](Call&) -> absl::Status {
    if (request->confirm() != "RESET") {
      return InvalidArgumentWithFields("reset not confirmed",
                                       {{"confirm", "must be \"RESET\" to wipe derived data"}});
    }
    if (consumer_ == nullptr) {
      return absl::FailedPreconditionError("this service consumes no events");
    }
    absl::MutexLock lock(&reset_mu_);
    consumer_->Stop();
    absl::StatusOr<int64_t> forgotten = consumer_->Reset();
    consumer_->Start();
    PCMD_RETURN_IF_ERROR(forgotten.status());
    response->set_forgotten_events(*forgotten);
    return absl::OkStatus();
  });
}

grpc::Status EventAdminServiceImpl::RepublishEvents(grpc::ServerContext* context,
                                                    const v1::RepublishEventsRequest* request,
                                                    v1::RepublishEventsResponse* response) {
  return guard_.Run(context, "RepublishEvents", [&](Call&) -> absl::Status {
    if (!request->has_since_time() || request->since_time().nanos() < 0 ||
        request->since_time().nanos() > 999999999 || request->since_time().seconds() < 0) {
      return InvalidArgumentWithFields("since_time is missing or not a valid instant",
                                       {{"since_time", "is required and must be a valid instant"}});
    }
    PCMD_ASSIGN_OR_RETURN(
        int64_t n, relay_.RepublishSince(absl::FromUnixSeconds(request->since_time().seconds()) +
                                         absl::Nanoseconds(request->since_time().nanos())));
    response->set_republished_events(n);
    return absl::OkStatus();
  });
}

}  // namespace pcmd::events
