// pcmd.events.v1.EventAdminService for one service: outbox backlog, consumer lag and
// dead letters, and rebuilding derived data. Thread-safe.
#ifndef PCMD_COMMON_EVENTS_ADMIN_SERVICE_H_
#define PCMD_COMMON_EVENTS_ADMIN_SERVICE_H_

#include "absl/synchronization/mutex.h"
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/server/guard.h"
#include "pcmd/events/v1/admin.grpc.pb.h"

namespace pcmd::events {

class EventAdminServiceImpl final : public v1::EventAdminService::Service {
 public:
  // Every call goes through `guard` (the rules of admin_rules.h). `relay` must outlive
  // the service; `consumer` may be null (a service that consumes nothing) and must
  // otherwise outlive it.
  EventAdminServiceImpl(Guard guard, OutboxRelay& relay, EventConsumer* consumer)
      : guard_(std::move(guard)), relay_(relay), consumer_(consumer) {}

  grpc::Status GetEventStats(grpc::ServerContext* context, const v1::GetEventStatsRequest* request,
                             v1::GetEventStatsResponse* response) override;
  grpc::Status ResetConsumer(grpc::ServerContext* context, const v1::ResetConsumerRequest* request,
                             v1::ResetConsumerResponse* response) override;
  grpc::Status RepublishEvents(grpc::ServerContext* context,
                               const v1::RepublishEventsRequest* request,
                               v1::RepublishEventsResponse* response) override;

 private:
  const Guard guard_;
  OutboxRelay& relay_;
  EventConsumer* consumer_;
  absl::Mutex reset_mu_;  // One reset at a time.
};

}  // namespace pcmd::events

#endif  // PCMD_COMMON_EVENTS_ADMIN_SERVICE_H_
