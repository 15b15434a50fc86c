// OutreachStore on SQLite (common/storage), over the outreach_tasks and
// outreach_contacts tables of schema.h (and reading clients), and the event handlers
// that open outreach tasks. Thread-safe.
#ifndef PCMD_SERVICES_REFERRALS_SQLITE_OUTREACH_STORE_H_
#define PCMD_SERVICES_REFERRALS_SQLITE_OUTREACH_STORE_H_

#include <functional>

#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/referrals/outreach_store.h"
#include "services/referrals/schema.h"

namespace pcmd::referrals {

class SqliteOutreachStore : public OutreachStore {
 public:
  // `db`, `outbox` and `clock` are not owned and must outlive the store. Every stored
  // change appends its events to `outbox` in the same transaction.
  SqliteOutreachStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  absl::StatusOr<v1::OutreachTask> GetTask(absl::string_view id) override;
  absl::StatusOr<TaskPage> ListTasks(const TaskQuery& query) override;
  absl::StatusOr<ClientFacts> GetClient(absl::string_view id) override;
  absl::StatusOr<v1::OutreachTask> CloseTask(
      absl::string_view id, const TaskClosure& closure,
      const std::function<absl::Status(const v1::OutreachTask&)>& check) override;
  absl::StatusOr<v1::OutreachContact> RecordContact(absl::string_view request_id,
                                                    absl::string_view fingerprint,
                                                    const v1::OutreachContact& contact) override;

 private:
  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
};

// Registers the referrals consumer's outreach handlers, which open one task per person
// found, inside the consumer's transaction, with OutreachTaskOpened appended to
// `outbox` in it:
//   pcmd.events.v1.SupportOutreachRequested (intake)   → source POLICE_HAND_OVER,
//   pcmd.events.v1.PersonMayNeedSupport (inspections)  → source INSPECTION
// (see TaskForHandOver and TaskForInspection in outreach.h). A task is linked to the
// client already holding its pseudonym. An event whose person already has a task (a
// redelivery, or a replay after the consumer's Reset) changes nothing: tasks are case
// work, not derived data, so a reset keeps them. A malformed payload answers
// INVALID_ARGUMENT, which sends the event to dead letters. `outbox` and `clock` (for
// task ids and create times) must outlive `consumer`.
void RegisterOutreachHandlers(events::EventConsumer& consumer, events::Outbox& outbox,
                              const Clock& clock = Clock::Real());

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_SQLITE_OUTREACH_STORE_H_
