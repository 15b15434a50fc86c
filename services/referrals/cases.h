// Case management (CasesService): one open case per client, held by the agency that
// opened it, with a case worker, a sealed plan, sealed notes, reviews on dates and a
// closure with its reason. Validation, ids, "today" in Vietnam, unit scope and the
// rules between states live here; no gRPC, no SQL. Thread-safe when the store is.
//
// Every method returns INVALID_ARGUMENT with one google.rpc.BadRequest violation per
// bad field, named as the request spells it ("update_mask.paths[1]"), before reading
// or writing anything; PERMISSION_DENIED when the case (its client's unit) lies
// outside the caller's units; and the store's errors (ABORTED: retry, UNAVAILABLE,
// INTERNAL). Methods that change a case write nothing when they fail.
#ifndef PCMD_SERVICES_REFERRALS_CASES_H_
#define PCMD_SERVICES_REFERRALS_CASES_H_

#include "absl/status/statusor.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/referrals/case_store.h"

namespace pcmd::referrals {

class Cases {
 public:
  // `store`, `clock` and `units` are not owned and must outlive this object.
  Cases(CaseStore& store, const Clock& clock, const security::UnitTree& units)
      : store_(store), clock_(clock), units_(units), ids_(clock) {}

  // Opens a case for request.client in the client's unit, held by the caller's agency.
  // Rules: request_id; client "clients/{id}"; case_worker 1–200 characters; plan at
  // most 5000 (lines allowed); next_review_date "" or from today to a year ahead.
  // Errors: NOT_FOUND naming "client"; PERMISSION_DENIED outside the caller's units;
  // ALREADY_EXISTS naming the client's open case ("cases/…") in its message. A
  // repeated request_id answers the case opened first (even when a date rule would
  // now refuse it); reused for another request, INVALID_ARGUMENT naming request_id.
  absl::StatusOr<v1::Case> OpenCase(const security::Access& access,
                                    const v1::OpenCaseRequest& request);

  // The case with its plan opened. Errors: INVALID_ARGUMENT naming "name"; NOT_FOUND.
  absl::StatusOr<v1::Case> GetCase(const security::Access& access,
                                   const v1::GetCaseRequest& request);

  // Cases of the caller's units (under request.unit_code when given), newest first,
  // without plans, filtered by state, case worker (exact), client and review_due_by
  // (open cases with a next review date on or before it). page_size 0–200, 0 meaning
  // 50; the page token is bound to the filters. Errors: INVALID_ARGUMENT naming the
  // filter or page_token (an unknown unit_code included).
  absl::StatusOr<v1::ListCasesResponse> ListCases(const security::Access& access,
                                                  const v1::ListCasesRequest& request);

  // Changes the fields update_mask names: "plan" (≤ 5000), "case_worker" (1–200),
  // "next_review_date" ("" or today to a year ahead). Errors: INVALID_ARGUMENT naming
  // "case.name", "update_mask.paths" (empty), "update_mask.paths[i]" (another path)
  // or the bad value ("case.plan"); NOT_FOUND; FAILED_PRECONDITION naming the state
  // when the case is CASE_STATE_CLOSED; ABORTED when etag is given and stale.
  absl::StatusOr<v1::Case> UpdateCase(const security::Access& access,
                                      const v1::UpdateCaseRequest& request);

  // Adds a note: text 1–5000 (lines allowed, sealed), note_date not in the future,
  // author 1–200. Errors as UpdateCase (FAILED_PRECONDITION when the case is closed).
  // A repeated request_id answers the note added first.
  absl::StatusOr<v1::CaseNote> AddCaseNote(const security::Access& access,
                                           const v1::AddCaseNoteRequest& request);

  // The case's notes, oldest first, texts opened; paged as ListCases. Errors:
  // INVALID_ARGUMENT naming "case", page_size or page_token; NOT_FOUND.
  absl::StatusOr<v1::ListCaseNotesResponse> ListCaseNotes(const security::Access& access,
                                                          const v1::ListCaseNotesRequest& request);

  // Records a review: review_date not in the future nor before the case's last review;
  // summary at most 5000, kept as a sealed note dated review_date whose author is the
  // caller's end user (its agency code when none is stated); next_review_date "" or
  // after review_date and at most a year ahead. Counts one more review. Errors as
  // UpdateCase.
  absl::StatusOr<v1::Case> ReviewCase(const security::Access& access,
                                      const v1::ReviewCaseRequest& request);

  // Closes the case with a reason (not CLOSE_REASON_UNSPECIFIED); no review stays due.
  // Errors as UpdateCase; closing a closed case is FAILED_PRECONDITION naming its state.
  absl::StatusOr<v1::Case> CloseCase(const security::Access& access,
                                     const v1::CloseCaseRequest& request);

 private:
  // The stored case `id` (plan not opened) once the caller's scope reaches it.
  absl::StatusOr<v1::Case> CaseInScope(const security::Access& access, absl::string_view id);

  CaseStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_CASES_H_
