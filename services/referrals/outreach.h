// Outreach: reaching people who may need support, and counting the contacts made.
//
// A task opens for each person the police hand over (intake's SupportOutreachRequested)
// and each person met during an inspection who may need support (inspections'
// PersonMayNeedSupport); sqlite_outreach_store.h applies those events. The social-
// affairs authority of the unit lists its open tasks, earliest due first, and closes
// each with what happened: CONTACTED (the person became, or already was, a client —
// an outreach contact is recorded), NOT_REACHED or DECLINED. Nothing is imposed: a
// person may decline. Case workers also record outreach contacts with clients directly.
//
// No gRPC, no SQL. Thread-safe when the store is.
#ifndef PCMD_SERVICES_REFERRALS_OUTREACH_H_
#define PCMD_SERVICES_REFERRALS_OUTREACH_H_

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/referrals/outreach_store.h"

namespace pcmd::referrals {

// The day by which a person found on `found` should be reached: 3 days later for a
// minor or a trafficking victim, 7 days later for anyone else.
absl::CivilDay OutreachDueDate(absl::CivilDay found, bool minor, bool trafficking_victim);

// The task a police hand-over asks for: source POLICE_HAND_OVER, source_ref
// "<hand_over>#<person_index>", found_date and due_date, OPEN; name, client and
// create_time are left to the store. Errors: INVALID_ARGUMENT naming the first
// malformed field of the event (a bad hand_over name, a negative person_index, a bad
// unit code or found_date).
absl::StatusOr<v1::OutreachTask> TaskForHandOver(const events::v1::SupportOutreachRequested& event);

// The task an inspection asks for: source INSPECTION, source_ref = person_key,
// found_date = inspection_date; otherwise as TaskForHandOver.
absl::StatusOr<v1::OutreachTask> TaskForInspection(const events::v1::PersonMayNeedSupport& event);

class Outreach {
 public:
  // `store`, `clock` and `units` are not owned and must outlive this object.
  Outreach(OutreachStore& store, const Clock& clock, const security::UnitTree& units)
      : store_(store), clock_(clock), units_(units), ids_(clock) {}

  // Tasks of unit_code's subtree within the caller's units (empty: all the caller's
  // units) in one state (UNSPECIFIED: OPEN), earliest due first, then by name.
  // Errors: INVALID_ARGUMENT naming unit_code (malformed or unknown), state, page_size
  // or page_token; PERMISSION_DENIED when unit_code lies outside the caller's units;
  // storage errors.
  absl::StatusOr<v1::ListOutreachTasksResponse> ListTasks(
      const security::Access& access, const v1::ListOutreachTasksRequest& request);

  // Closes an OPEN task with its outcome; for CONTACTED links the task to the client
  // and records an outreach contact (channel HAND_OVER or ESTABLISHMENT after the
  // task's source, by the caller's agency, in the task's unit). Task, events and
  // contact are written in one transaction. Errors: INVALID_ARGUMENT naming name,
  // outcome, client (required for CONTACTED only; or another client than the one the
  // task's pseudonym belongs to) or contact_date (required, not in the future, not
  // before the task's found_date); NOT_FOUND naming name or client;
  // PERMISSION_DENIED when the task's or the client's unit lies outside the caller's units;
  // FAILED_PRECONDITION naming the task's state when it is not OPEN; storage errors.
  absl::StatusOr<v1::OutreachTask> CloseTask(const security::Access& access,
                                             const v1::CloseOutreachTaskRequest& request);

  // Records one outreach contact with a client, in the client's unit, by the caller's
  // agency; a repeated request_id answers the contact recorded first. Errors:
  // INVALID_ARGUMENT naming request_id, client, contact_date (required, not in the
  // future) or channel; NOT_FOUND naming client; PERMISSION_DENIED when the client's
  // unit lies outside the caller's units; storage errors.
  absl::StatusOr<v1::OutreachContact> RecordContact(
      const security::Access& access, const v1::RecordOutreachContactRequest& request);

 private:
  // The client `name` names, validated as `field`. Errors: INVALID_ARGUMENT or
  // NOT_FOUND naming `field`; storage errors.
  absl::StatusOr<ClientFacts> FindClient(absl::string_view field, absl::string_view name);

  OutreachStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_OUTREACH_H_
