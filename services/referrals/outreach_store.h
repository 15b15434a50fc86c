// Where outreach tasks and outreach contacts are kept. The logic (outreach.h) depends
// only on this interface; sqlite_outreach_store.h implements it on SQLite. Tasks are
// created by the event handlers there, never through this interface.
#ifndef PCMD_SERVICES_REFERRALS_OUTREACH_STORE_H_
#define PCMD_SERVICES_REFERRALS_OUTREACH_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/referrals/v1/referrals.pb.h"

namespace pcmd::referrals {

// A page of tasks in one state, earliest due first, then by id.
struct TaskQuery {
  // nullopt: every unit.
  std::optional<std::vector<std::string>> units;
  v1::OutreachTaskState state = v1::OUTREACH_TASK_STATE_OPEN;
  // Where the page starts (TaskPage.next of the previous page; "" for the first).
  std::string after;
  int limit = 50;
};

struct TaskPage {
  std::vector<v1::OutreachTask> tasks;
  std::string next;  // Position after the last task; "" at the end.
};

// What outreach needs of a client: that it exists, and where it is followed.
struct ClientFacts {
  std::string name;  // "clients/{id}".
  std::string unit_code;
  std::string pseudonym;  // "" when none is known.
};

// How a task is closed.
struct TaskClosure {
  // CONTACTED, NOT_REACHED or DECLINED.
  v1::OutreachTaskState outcome = v1::OUTREACH_TASK_STATE_UNSPECIFIED;
  // "clients/{id}" the person became, for CONTACTED; "" keeps the task's client.
  std::string client;
  std::string contact_date;
  // The contact recorded with a CONTACTED closure (its name, client, channel, agency,
  // unit and task filled); nullopt for the other outcomes.
  std::optional<v1::OutreachContact> contact;
};

// Implementations are thread-safe.
class OutreachStore {
 public:
  virtual ~OutreachStore() = default;

  // Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::OutreachTask> GetTask(absl::string_view id) = 0;

  // Errors: storage errors.
  virtual absl::StatusOr<TaskPage> ListTasks(const TaskQuery& query) = 0;

  // The client `id`. Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<ClientFacts> GetClient(absl::string_view id) = 0;

  // In one transaction: reads task `id`, lets `check` refuse it (its error is returned
  // as is and nothing is written), sets the task's state to closure.outcome, its client
  // (when closure.client is set) and its close time, appends OutreachTaskClosed, and
  // stores closure.contact with OutreachContactRecorded when given. Returns the closed
  // task. Errors: NOT_FOUND; those of `check`; storage errors.
  virtual absl::StatusOr<v1::OutreachTask> CloseTask(
      absl::string_view id, const TaskClosure& closure,
      const std::function<absl::Status(const v1::OutreachTask&)>& check) = 0;

  // Stores `contact` with OutreachContactRecorded unless `request_id` was seen: then
  // returns the contact recorded first. Errors: INVALID_ARGUMENT naming request_id when
  // it was used for a different request; storage errors.
  virtual absl::StatusOr<v1::OutreachContact> RecordContact(absl::string_view request_id,
                                                            absl::string_view fingerprint,
                                                            const v1::OutreachContact& contact) = 0;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_OUTREACH_STORE_H_
