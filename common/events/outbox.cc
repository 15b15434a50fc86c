#include "common/events/outbox.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::events {

std::string StreamFor(absl::string_view producer) { return absl::StrCat("pcmd:events:", producer); }

absl::StatusOr<v1::EventEnvelope> Outbox::Append(storage::Transaction& tx,
                                                 absl::string_view aggregate_type,
                                                 absl::string_view aggregate_id,
                                                 const google::protobuf::Message& payload,
                                                 absl::string_view correlation_id) {
  PCMD_ASSIGN_OR_RETURN(std::optional<storage::Row> last,
                        tx.QueryOne("SELECT last_sequence FROM outbox_aggregates "
                                    "WHERE aggregate_type = ?1 AND aggregate_id = ?2",
                                    {std::string(aggregate_type), std::string(aggregate_id)}));
  const int64_t sequence = (last.has_value() ? last->Int(0) : 0) + 1;
  PCMD_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO outbox_aggregates(aggregate_type, aggregate_id, last_sequence) "
                 "VALUES (?1, ?2, ?3) ON CONFLICT(aggregate_type, aggregate_id) "
                 "DO UPDATE SET last_sequence = excluded.last_sequence",
                 {std::string(aggregate_type), std::string(aggregate_id), sequence}));

  const absl::Time now = clock_.Now();
  v1::EventEnvelope envelope;
  envelope.set_event_id(ids_.Next());
  envelope.set_event_type(payload.GetDescriptor()->full_name());
  envelope.set_producer(producer_);
  envelope.set_aggregate_type(std::string(aggregate_type));
  envelope.set_aggregate_id(std::string(aggregate_id));
  envelope.set_sequence(sequence);
  *envelope.mutable_occur_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(now));
  envelope.set_schema_version(1);
  envelope.set_correlation_id(std::string(correlation_id));
  envelope.mutable_payload()->PackFrom(payload);
  PCMD_RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO outbox(event_id, event_type, envelope, create_unix_ms) VALUES (?1, ?2, ?3, ?4)",
      {envelope.event_id(), envelope.event_type(), storage::Blob{envelope.SerializeAsString()},
       absl::ToUnixMillis(now)}));
  return envelope;
}

}  // namespace pcmd::events
