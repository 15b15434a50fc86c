#include "services/referrals/sqlite_outreach_store.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/ids/ids.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "services/referrals/outreach.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kTasks = "outreachTasks/";
constexpr absl::string_view kClients = "clients/";
constexpr absl::string_view kTaskColumns =
    "id, source, source_ref, pseudonym, unit_code, minor, trafficking_victim, found_date, "
    "due_date, state, client_id, create_unix_ms, close_unix_ms";
constexpr absl::string_view kContactColumns =
    "id, client_id, contact_date, channel, agency_code, unit_code, task_id";

v1::OutreachTask TaskOf(const Row& row) {
  v1::OutreachTask t;
  t.set_name(absl::StrCat(kTasks, row.Text(0)));
  t.set_source(static_cast<v1::OutreachSource>(row.Int(1)));
  t.set_source_ref(row.Text(2));
  t.set_pseudonym(row.Text(3));
  t.set_unit_code(row.Text(4));
  t.set_minor(row.Int(5) != 0);
  t.set_trafficking_victim(row.Int(6) != 0);
  t.set_found_date(row.Text(7));
  t.set_due_date(row.Text(8));
  t.set_state(static_cast<v1::OutreachTaskState>(row.Int(9)));
  if (!row.Text(10).empty()) t.set_client(absl::StrCat(kClients, row.Text(10)));
  *t.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(row.Int(11));
  if (row.Int(12) > 0) *t.mutable_close_time() = TimeUtil::MillisecondsToTimestamp(row.Int(12));
  return t;
}

v1::OutreachContact ContactOf(const Row& row) {
  v1::OutreachContact c;
  c.set_client(absl::StrCat(kClients, row.Text(1)));
  c.set_name(absl::StrCat(c.client(), "/contacts/", row.Text(0)));
  c.set_contact_date(row.Text(2));
  c.set_channel(static_cast<v1::ContactChannel>(row.Int(3)));
  c.set_agency_code(row.Text(4));
  c.set_unit_code(row.Text(5));
  if (!row.Text(6).empty()) c.set_outreach_task(absl::StrCat(kTasks, row.Text(6)));
  return c;
}

// The id a resource name ends with ("clients/c1/contacts/x1" → "x1").
std::string LastId(absl::string_view name) { return std::string(name.substr(name.rfind('/') + 1)); }

absl::StatusOr<std::optional<v1::OutreachTask>> FindTask(Transaction& tx, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kTaskColumns, " FROM outreach_tasks WHERE id = ?1"),
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::OutreachTask>();
  return std::optional<v1::OutreachTask>(TaskOf(*row));
}

absl::StatusOr<std::optional<v1::OutreachContact>> FindContact(Transaction& tx,
                                                               absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kContactColumns, " FROM outreach_contacts WHERE id = ?1"),
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::OutreachContact>();
  return std::optional<v1::OutreachContact>(ContactOf(*row));
}

// Stores `contact` and appends OutreachContactRecorded, about its client.
absl::Status InsertContact(Transaction& tx, events::Outbox& outbox,
                           const v1::OutreachContact& contact, int64_t now_ms) {
  PCMD_RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO outreach_contacts(id, client_id, contact_date, channel, agency_code, "
      "unit_code, task_id, create_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      {LastId(contact.name()), std::string(absl::StripPrefix(contact.client(), kClients)),
       contact.contact_date(), int64_t{contact.channel()}, contact.agency_code(),
       contact.unit_code(), std::string(absl::StripPrefix(contact.outreach_task(), kTasks)),
       now_ms}));
  events::v1::OutreachContactRecorded recorded;
  recorded.set_contact(contact.name());
  recorded.set_client(contact.client());
  recorded.set_unit_code(contact.unit_code());
  recorded.set_agency_code(contact.agency_code());
  recorded.set_contact_date(contact.contact_date());
  recorded.set_channel(contact.channel());
  recorded.set_outreach_task(contact.outreach_task());
  return outbox.Append(tx, "client", contact.client(), recorded).status();
}

// Opens `task` as `id` unless its source_ref has a task already (then does nothing),
// linked to the client holding its pseudonym, with OutreachTaskOpened.
absl::Status OpenTask(Transaction& tx, events::Outbox& outbox, const v1::OutreachTask& task,
                      const std::string& id, int64_t now_ms, absl::string_view correlation_id) {
  std::string client_id;
  if (!task.pseudonym().empty()) {
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> client,
        tx.QueryOne("SELECT id FROM clients WHERE pseudonym = ?1", {task.pseudonym()}));
    if (client.has_value()) client_id = client->Text(0);
  }
  PCMD_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO outreach_tasks(id, source, source_ref, pseudonym, unit_code, minor, "
                 "trafficking_victim, found_date, due_date, state, client_id, create_unix_ms) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                 "ON CONFLICT(source_ref) DO NOTHING",
                 {id, int64_t{task.source()}, task.source_ref(), task.pseudonym(), task.unit_code(),
                  int64_t{task.minor() ? 1 : 0}, int64_t{task.trafficking_victim() ? 1 : 0},
                  task.found_date(), task.due_date(), int64_t{task.state()}, client_id, now_ms}));
  if (tx.changes() == 0) return absl::OkStatus();
  events::v1::OutreachTaskOpened opened;
  opened.set_task(absl::StrCat(kTasks, id));
  opened.set_source(task.source());
  opened.set_unit_code(task.unit_code());
  opened.set_pseudonym(task.pseudonym());
  opened.set_minor(task.minor());
  opened.set_trafficking_victim(task.trafficking_victim());
  opened.set_due_date(task.due_date());
  return outbox.Append(tx, "outreach_task", opened.task(), opened, correlation_id).status();
}

// A handler that opens the task `to_task` makes of an `Event`.
template <typename Event>
events::EventHandler OpensTaskFrom(absl::StatusOr<v1::OutreachTask> (*to_task)(const Event&),
                                   events::Outbox& outbox, const Clock& clock,
                                   std::shared_ptr<IdGenerator> ids) {
  return [to_task, &outbox, &clock, ids = std::move(ids)](
             Transaction& tx, const events::v1::EventEnvelope& env) -> absl::Status {
    Event event;
    if (!env.payload().UnpackTo(&event)) {
      return absl::InvalidArgumentError(
          absl::StrCat("payload is not ", Event::descriptor()->full_name()));
    }
    PCMD_ASSIGN_OR_RETURN(v1::OutreachTask task, to_task(event));
    return OpenTask(tx, outbox, task, ids->Next(), absl::ToUnixMillis(clock.Now()),
                    env.correlation_id());
  };
}

}  // namespace

absl::StatusOr<v1::OutreachTask> SqliteOutreachStore::GetTask(absl::string_view id) {
  return storage::ReadOne<v1::OutreachTask>(
      db_, [&](Transaction& tx) { return FindTask(tx, id); },
      absl::StrCat("outreach task ", kTasks, id, " not found"));
}

absl::StatusOr<TaskPage> SqliteOutreachStore::ListTasks(const TaskQuery& query) {
  // Position "<due_date>:<id>".
  std::string after_date;
  std::string after_id;
  if (!query.after.empty()) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(query.after, absl::MaxSplits(':', 1));
    after_date = parts.first;
    after_id = parts.second;
  }
  TaskPage page;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query(absl::StrCat("SELECT ", kTaskColumns,
                              " FROM outreach_tasks WHERE (?1 = 0 OR unit_code IN "
                              "(SELECT value FROM json_each(?2))) AND state = ?3 "
                              "AND (?4 = '' OR due_date > ?4 OR (due_date = ?4 AND id > ?5)) "
                              "ORDER BY due_date, id LIMIT ?6"),
                 {int64_t{query.units.has_value()},
                  storage::JsonArray(query.units.value_or(std::vector<std::string>{})),
                  int64_t{query.state}, after_date, after_id, int64_t{query.limit} + 1}));
    for (const Row& row : rows) {
      if (static_cast<int>(page.tasks.size()) == query.limit) {
        const v1::OutreachTask& last = page.tasks.back();
        page.next = absl::StrCat(last.due_date(), ":", LastId(last.name()));
        break;
      }
      page.tasks.push_back(TaskOf(row));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<ClientFacts> SqliteOutreachStore::GetClient(absl::string_view id) {
  return storage::ReadOne<ClientFacts>(
      db_,
      [&](Transaction& tx) -> absl::StatusOr<std::optional<ClientFacts>> {
        PCMD_ASSIGN_OR_RETURN(
            std::optional<Row> row,
            tx.QueryOne("SELECT id, unit_code, pseudonym FROM clients WHERE id = ?1",
                        {std::string(id)}));
        if (!row.has_value()) return std::optional<ClientFacts>();
        return std::optional<ClientFacts>(ClientFacts{.name = absl::StrCat(kClients, row->Text(0)),
                                                      .unit_code = row->Text(1),
                                                      .pseudonym = row->Text(2)});
      },
      absl::StrCat("client ", kClients, id, " not found"));
}

absl::StatusOr<v1::OutreachTask> SqliteOutreachStore::CloseTask(
    absl::string_view id, const TaskClosure& closure,
    const std::function<absl::Status(const v1::OutreachTask&)>& check) {
  std::optional<v1::OutreachTask> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::OutreachTask> current, FindTask(tx, id));
    if (!current.has_value()) {
      return absl::NotFoundError(absl::StrCat("outreach task ", kTasks, id, " not found"));
    }
    PCMD_RETURN_IF_ERROR(check(*current));
    const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
    const std::string client = closure.client.empty() ? current->client() : closure.client;
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE outreach_tasks SET state = ?2, client_id = ?3, close_unix_ms = ?4 WHERE id = ?1",
        {std::string(id), int64_t{closure.outcome},
         std::string(absl::StripPrefix(client, kClients)), now_ms}));
    events::v1::OutreachTaskClosed closed;
    closed.set_task(current->name());
    closed.set_outcome(closure.outcome);
    closed.set_unit_code(current->unit_code());
    closed.set_client(client);
    closed.set_contact_date(closure.contact_date);
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "outreach_task", current->name(), closed).status());
    if (closure.contact.has_value()) {
      PCMD_RETURN_IF_ERROR(InsertContact(tx, outbox_, *closure.contact, now_ms));
    }
    PCMD_ASSIGN_OR_RETURN(result, FindTask(tx, id));
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::OutreachContact> SqliteOutreachStore::RecordContact(
    absl::string_view request_id, absl::string_view fingerprint,
    const v1::OutreachContact& contact) {
  std::optional<v1::OutreachContact> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
    PCMD_ASSIGN_OR_RETURN(
        std::string name,
        storage::CreateOnce(tx, "RecordOutreachContact", request_id, fingerprint, contact.name(),
                            now_ms, [&] { return InsertContact(tx, outbox_, contact, now_ms); }));
    PCMD_ASSIGN_OR_RETURN(result, FindContact(tx, LastId(name)));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("recorded contact cannot be read back");
  return *std::move(result);
}

void RegisterOutreachHandlers(events::EventConsumer& consumer, events::Outbox& outbox,
                              const Clock& clock) {
  auto ids = std::make_shared<IdGenerator>(clock);
  consumer.Handle("pcmd.events.v1.SupportOutreachRequested",
                  OpensTaskFrom(&TaskForHandOver, outbox, clock, ids));
  consumer.Handle("pcmd.events.v1.PersonMayNeedSupport",
                  OpensTaskFrom(&TaskForInspection, outbox, clock, ids));
}

}  // namespace pcmd::referrals
