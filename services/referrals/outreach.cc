#include "services/referrals/outreach.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/ids/calendar.h"
#include "common/paging/paging.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "common/validation/validation.h"

namespace pcmd::referrals {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;
// Days to reach a person after they were found.
constexpr int kUrgentDays = 3;
constexpr int kUsualDays = 7;

// The fields both events share, checked and copied into `task`, with its due date.
absl::StatusOr<v1::OutreachTask> Complete(Validator& v, v1::OutreachTask task,
                                          absl::string_view found_date, absl::string_view what) {
  v.Code("pseudonym", task.pseudonym(), /*required=*/false, 64);
  v.Code("unit_code", task.unit_code());
  v.Date("found_date", found_date, /*required=*/true);
  PCMD_RETURN_IF_ERROR(v.ToStatus(absl::StrCat("invalid ", what)));
  const absl::CivilDay found = *ParseIsoDate(found_date);
  task.set_found_date(IsoDate(found));
  task.set_due_date(IsoDate(OutreachDueDate(found, task.minor(), task.trafficking_victim())));
  task.set_state(v1::OUTREACH_TASK_STATE_OPEN);
  return task;
}

// The channel of the contact a task closed as CONTACTED records: where the person was
// met.
v1::ContactChannel ChannelOf(v1::OutreachSource source) {
  return source == v1::OUTREACH_SOURCE_INSPECTION ? v1::CONTACT_CHANNEL_ESTABLISHMENT
                                                  : v1::CONTACT_CHANNEL_HAND_OVER;
}

bool IsOutcome(v1::OutreachTaskState state) {
  return state == v1::OUTREACH_TASK_STATE_CONTACTED ||
         state == v1::OUTREACH_TASK_STATE_NOT_REACHED || state == v1::OUTREACH_TASK_STATE_DECLINED;
}

absl::Status MustBeOpen(const v1::OutreachTask& task) {
  if (task.state() == v1::OUTREACH_TASK_STATE_OPEN) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("outreach task ", task.name(), " is ",
                                                    v1::OutreachTaskState_Name(task.state()),
                                                    "; only an OPEN task can be closed"));
}

}  // namespace

absl::CivilDay OutreachDueDate(absl::CivilDay found, bool minor, bool trafficking_victim) {
  return found + (minor || trafficking_victim ? kUrgentDays : kUsualDays);
}

absl::StatusOr<v1::OutreachTask> TaskForHandOver(
    const events::v1::SupportOutreachRequested& event) {
  Validator v;
  v.AddFrom(ParseResourceName("hand_over", event.hand_over(), "handovers").status());
  if (event.person_index() < 0) v.Add("person_index", "must not be negative");
  v1::OutreachTask task;
  task.set_source(v1::OUTREACH_SOURCE_POLICE_HAND_OVER);
  task.set_source_ref(absl::StrCat(event.hand_over(), "#", event.person_index()));
  task.set_pseudonym(event.pseudonym());
  task.set_unit_code(event.unit_code());
  task.set_minor(event.minor());
  task.set_trafficking_victim(event.trafficking_victim());
  return Complete(v, std::move(task), event.found_date(), "SupportOutreachRequested");
}

absl::StatusOr<v1::OutreachTask> TaskForInspection(const events::v1::PersonMayNeedSupport& event) {
  Validator v;
  v.Text("person_key", event.person_key(), {.required = true, .max_chars = 200});
  v1::OutreachTask task;
  task.set_source(v1::OUTREACH_SOURCE_INSPECTION);
  task.set_source_ref(event.person_key());
  task.set_pseudonym(event.pseudonym());
  task.set_unit_code(event.unit_code());
  task.set_minor(event.minor());
  task.set_trafficking_victim(event.trafficking_victim());
  return Complete(v, std::move(task), event.inspection_date(), "PersonMayNeedSupport");
}

absl::StatusOr<ClientFacts> Outreach::FindClient(absl::string_view field, absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName(field, name, "clients"));
  absl::StatusOr<ClientFacts> client = store_.GetClient(id);
  if (absl::IsNotFound(client.status())) {
    return StatusWithFields(absl::StatusCode::kNotFound,
                            absl::StrCat(field, ": client ", name, " not found"),
                            {{std::string(field), "names no client"}});
  }
  return client;
}

absl::StatusOr<v1::ListOutreachTasksResponse> Outreach::ListTasks(
    const security::Access& access, const v1::ListOutreachTasksRequest& request) {
  Validator v;
  v.Code("unit_code", request.unit_code(), /*required=*/false);
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  v.Enum("state", request.state(), v1::OutreachTaskState_IsValid, /*required=*/false);
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  const std::string fingerprint = QueryFingerprint(request);
  std::optional<std::string> after;
  if (!request.page_token().empty()) {
    after = ReadPageToken(request.page_token(), fingerprint);
    if (!after.has_value()) {
      v.Add("page_token", "is not a page token of this query (the filters must stay the same)");
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListOutreachTasksRequest"));
  PCMD_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> units,
                        units::UnitsInReach(access, request.unit_code(), units_));
  PCMD_ASSIGN_OR_RETURN(
      TaskPage page,
      store_.ListTasks(
          {.units = std::move(units),
           .state = request.state() == v1::OUTREACH_TASK_STATE_UNSPECIFIED
                        ? v1::OUTREACH_TASK_STATE_OPEN
                        : request.state(),
           .after = after.value_or(""),
           .limit = request.page_size() == 0 ? kDefaultPageSize : request.page_size()}));
  v1::ListOutreachTasksResponse response;
  for (v1::OutreachTask& t : page.tasks) *response.add_tasks() = std::move(t);
  if (!page.next.empty()) response.set_next_page_token(MakePageToken(page.next, fingerprint));
  return response;
}

absl::StatusOr<v1::OutreachTask> Outreach::CloseTask(const security::Access& access,
                                                     const v1::CloseOutreachTaskRequest& request) {
  const bool contacted = request.outcome() == v1::OUTREACH_TASK_STATE_CONTACTED;
  Validator v;
  absl::StatusOr<std::string> id = ParseResourceName("name", request.name(), "outreachTasks");
  v.AddFrom(id.status());
  if (!IsOutcome(request.outcome())) {
    v.Add("outcome",
          "must be OUTREACH_TASK_STATE_CONTACTED, OUTREACH_TASK_STATE_NOT_REACHED or "
          "OUTREACH_TASK_STATE_DECLINED");
  }
  if (contacted) {
    if (request.client().empty()) {
      v.Add("client", "is required when the person was contacted: register them as a client first");
    } else {
      v.AddFrom(ParseResourceName("client", request.client(), "clients").status());
    }
  } else if (!request.client().empty()) {
    v.Add("client", "is only for OUTREACH_TASK_STATE_CONTACTED");
  }
  v.DateNotAfter("contact_date", request.contact_date(), VietnamDay(clock_.Now()),
                 /*required=*/true);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CloseOutreachTaskRequest"));

  absl::StatusOr<v1::OutreachTask> task = store_.GetTask(*id);
  if (absl::IsNotFound(task.status())) {
    return StatusWithFields(absl::StatusCode::kNotFound,
                            absl::StrCat("name: outreach task ", request.name(), " not found"),
                            {{"name", "names no outreach task"}});
  }
  if (!task.ok()) return task.status();
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access, {.name = task->name(), .unit_code = task->unit_code()}, units_));
  PCMD_RETURN_IF_ERROR(MustBeOpen(*task));
  if (ParseIsoDate(request.contact_date()) < ParseIsoDate(task->found_date())) {
    return InvalidArgumentWithFields(
        "invalid CloseOutreachTaskRequest",
        {{"contact_date",
          absl::StrCat("is before the person was found (", task->found_date(), ")")}});
  }

  TaskClosure closure{.outcome = request.outcome(), .contact_date = request.contact_date()};
  if (contacted) {
    PCMD_ASSIGN_OR_RETURN(ClientFacts client, FindClient("client", request.client()));
    // Before anything about the client is compared: a caller learns nothing of a
    // client outside its units.
    PCMD_RETURN_IF_ERROR(
        security::CheckScope(access, {.name = client.name, .unit_code = client.unit_code}, units_));
    // One person is one client: a task whose person is known as another client (by
    // its pseudonym) cannot be closed with this one.
    if ((!task->client().empty() && task->client() != client.name) ||
        (!task->pseudonym().empty() && !client.pseudonym.empty() &&
         task->pseudonym() != client.pseudonym)) {
      return InvalidArgumentWithFields(
          "invalid CloseOutreachTaskRequest",
          {{"client",
            absl::StrCat("client ", client.name,
                         " is not the person of this task (another pseudonym or client)")}});
    }
    closure.client = client.name;
    v1::OutreachContact contact;
    contact.set_name(absl::StrCat(client.name, "/contacts/", ids_.Next()));
    contact.set_client(client.name);
    contact.set_contact_date(request.contact_date());
    contact.set_channel(ChannelOf(task->source()));
    contact.set_agency_code(access.caller.agency.code);
    contact.set_unit_code(task->unit_code());
    contact.set_outreach_task(task->name());
    closure.contact = std::move(contact);
  }
  // Checked again in the write: another caller may have closed it since it was read.
  return store_.CloseTask(*id, closure, MustBeOpen);
}

absl::StatusOr<v1::OutreachContact> Outreach::RecordContact(
    const security::Access& access, const v1::RecordOutreachContactRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.AddFrom(ParseResourceName("client", request.client(), "clients").status());
  v.DateNotAfter("contact_date", request.contact_date(), VietnamDay(clock_.Now()),
                 /*required=*/true);
  v.Enum("channel", request.channel(), v1::ContactChannel_IsValid);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid RecordOutreachContactRequest"));
  PCMD_ASSIGN_OR_RETURN(ClientFacts client, FindClient("client", request.client()));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access, {.name = client.name, .unit_code = client.unit_code}, units_));

  v1::OutreachContact contact;
  contact.set_name(absl::StrCat(client.name, "/contacts/", ids_.Next()));
  contact.set_client(client.name);
  contact.set_contact_date(request.contact_date());
  contact.set_channel(request.channel());
  contact.set_agency_code(access.caller.agency.code);
  contact.set_unit_code(client.unit_code);
  return store_.RecordContact(request.request_id(), storage::RequestFingerprint(request), contact);
}

}  // namespace pcmd::referrals
