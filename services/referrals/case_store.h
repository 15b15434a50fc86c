// Where cases and their notes are kept. The logic (cases.h) depends only on this
// interface; sqlite_case_store.h implements it on SQLite.
//
// A store seals what is personal (the plan, the notes) and opens it again; it also
// keys the idempotency fingerprints of the requests that carry such text, so both
// take the request itself rather than a fingerprint computed by the caller.
#ifndef PCMD_SERVICES_REFERRALS_CASE_STORE_H_
#define PCMD_SERVICES_REFERRALS_CASE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/referrals/v1/referrals.pb.h"

namespace pcmd::referrals {

// A record's place in a listing: its time (open time of a case, creation time of a
// note, Unix milliseconds) then its id (without the collection prefix).
struct ListPosition {
  int64_t unix_ms = 0;
  std::string id;

  friend bool operator==(const ListPosition&, const ListPosition&) = default;
};

// What ListCases selects. The logic has validated and resolved every field.
struct CaseQuery {
  // The case's unit is one of these (units::UnitsInReach); every unit when nullopt.
  std::optional<std::vector<std::string>> units;
  // Only this state; every state when CASE_STATE_UNSPECIFIED.
  v1::CaseState state = v1::CASE_STATE_UNSPECIFIED;
  // Only this case worker (exact); any when empty.
  std::string case_worker;
  // An ISO date: only OPEN cases with a next_review_date on or before it. No condition
  // when empty.
  std::string review_due_by;
  // Only this client's cases (id without "clients/"); any when empty.
  std::string client_id;
  // Newest first (open time, then id, both descending); only cases strictly after
  // this position when set.
  std::optional<ListPosition> after;
  int limit = 50;
};

// What ListCaseNotes selects: one case's notes, oldest first (creation time, then
// id), strictly after `after` when set, at most `limit`.
struct NoteQuery {
  std::string case_id;  // Without "cases/".
  std::optional<ListPosition> after;
  int limit = 50;
};

// A review to record on a case.
struct CaseReview {
  std::string review_date;
  // "" clears the next review date.
  std::string next_review_date;
  // The review's summary, kept as a note (name, text, note_date, author and
  // create_time set); no note when nullopt.
  std::optional<v1::CaseNote> summary;
};

// Checks a case read inside a write transaction before it changes; an error aborts
// the change and is returned as it is.
using CaseCheck = std::function<absl::Status(const v1::Case&)>;

// Implementations are thread-safe. Every case a method returns has its etag set from
// its version; a case's plan is opened only where the method says so.
class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // The unit of client `client_id` (without "clients/"). Errors: NOT_FOUND naming the
  // field "client"; storage errors.
  virtual absl::StatusOr<std::string> ClientUnit(absl::string_view client_id) = 0;

  // The case an earlier OpenCase with this request (request_id and fingerprint) opened,
  // plan opened; nullopt when the request_id is new. Errors: INVALID_ARGUMENT naming
  // request_id when it was used for a different request; storage errors.
  virtual absl::StatusOr<std::optional<v1::Case>> FindOpenedCase(
      const v1::OpenCaseRequest& request) = 0;

  // Stores `new_case` (OPEN, plan sealed) with its CaseOpened event unless the request_id
  // of `request` was seen before, in which case the case opened then is returned and
  // nothing is written. Returns the stored case, plan opened. Errors: ALREADY_EXISTS
  // naming the client's open case ("cases/…") in its message; INVALID_ARGUMENT naming
  // request_id when it was used for a different request; storage errors.
  virtual absl::StatusOr<v1::Case> OpenCase(const v1::OpenCaseRequest& request,
                                            const v1::Case& new_case) = 0;

  // Case `id` (without "cases/"), its plan opened when `with_plan`. Errors: NOT_FOUND;
  // INTERNAL when the sealed plan does not open (logged); storage errors.
  virtual absl::StatusOr<v1::Case> GetCase(absl::string_view id, bool with_plan) = 0;

  // The cases `query` selects, in its order, without plans. Errors: storage errors.
  virtual absl::StatusOr<std::vector<v1::Case>> ListCases(const CaseQuery& query) = 0;

  // In one transaction: reads case `id` (plan opened), lets `change` check it and set
  // its plan, case_worker and next_review_date, and stores those (the plan sealed
  // anew) with a new version. Other fields `change` touches are ignored. Returns the
  // case as stored, plan opened. Errors: those of `change`; NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Case> UpdateCase(
      absl::string_view id, const std::function<absl::Status(v1::Case&)>& change) = 0;

  // Stores `note` (name "cases/{case_id}/notes/{note_id}", text sealed) on its case
  // unless the request_id of `request` was seen before, in which case the note added
  // then is returned and nothing is checked or written. Otherwise `check` sees the
  // case first. Returns the note, text opened. Errors: those of `check`; NOT_FOUND for
  // the case; INVALID_ARGUMENT naming request_id when it was used for a different
  // request; storage errors.
  virtual absl::StatusOr<v1::CaseNote> AddCaseNote(const v1::AddCaseNoteRequest& request,
                                                   const v1::CaseNote& note,
                                                   const CaseCheck& check) = 0;

  // The notes `query` selects, texts opened. Errors: INTERNAL when a sealed text does
  // not open (logged); storage errors.
  virtual absl::StatusOr<std::vector<v1::CaseNote>> ListCaseNotes(const NoteQuery& query) = 0;

  // In one transaction: reads case `id`; when it was reviewed on review.review_date
  // already, returns it unchanged (a retry: one review a day); otherwise lets `check`
  // see it, then counts one more review, sets last_review_date and next_review_date, adds the
  // summary note and appends CaseReviewed. Returns the case as stored, plan opened. Errors: those
  // of `check`; NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Case> ReviewCase(absl::string_view id, const CaseReview& review,
                                              const CaseCheck& check) = 0;

  // In one transaction: reads case `id`, lets `check` see it, then stores it CLOSED
  // with `reason`, the close time and no next review date, and appends CaseClosed.
  // Returns the case as stored, plan opened. Errors: those of `check`; NOT_FOUND;
  // storage errors.
  virtual absl::StatusOr<v1::Case> CloseCase(absl::string_view id, v1::CloseReason reason,
                                             const CaseCheck& check) = 0;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_CASE_STORE_H_
