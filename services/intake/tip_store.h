// Where tips are kept. The logic (tips.h) depends only on this interface; the SQLite
// implementation is sqlite_tip_store.h, and a PostgreSQL one would sit beside it.
//
// Personal data at rest: implementations store every personal field of a tip
// (description, place, the persons' names, dates, ID numbers, phones and descriptions)
// only sealed (crypto::FieldCipher), keep the reporter apart in a sealed vault, and
// return plaintext only to the logic. Tips pass through the interface in plaintext.
#ifndef PCMD_SERVICES_INTAKE_TIP_STORE_H_
#define PCMD_SERVICES_INTAKE_TIP_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pcmd/intake/v1/intake.pb.h"

namespace pcmd::intake {

// One break-glass opening of a reporter's identity, as recorded with it.
struct RevealRecord {
  std::string reveal_id;    // UUIDv7 chosen by the logic.
  std::string agency_code;  // The calling agency.
  std::string agency_kind;  // "police", "procuracy".
  std::string end_user;     // Account id stated by the agency.
  std::string purpose;      // Stated purpose of use.
  std::string reason;       // Free text; may hold personal data: stored sealed only.
};

// What scope and responsibility checks need of a tip, read without opening anything.
struct TipStage {
  std::string unit_code;  // Where the facts happened.
  v1::TipState state = v1::TIP_STATE_UNSPECIFIED;
  std::string responsible_agency;  // "" for tips recorded before stages existed.
  std::string transfer_to_agency;  // The receiver while TRANSFER_PENDING, else "".
};

// A stage change decided by the logic, for ChangeStage to write.
struct StageUpdate {
  // The tip as it is to be: ChangeStage writes its state and stage fields
  // (receiving/responsible agency and unit, classification, deadlines, extensions,
  // pending transfer, resolution, duplicate_of). Its other fields and its history
  // are ignored.
  v1::Tip tip;
  // Appended to the history when its from_state differs from its to_state; its note
  // is stored sealed.
  v1::StageChange change;
  // Appended to the outbox in order; about the tip; no personal data.
  std::vector<std::unique_ptr<google::protobuf::Message>> events;
};

// A stage request's idempotency key; an empty request_id means none.
struct StageRequestKey {
  std::string rpc;  // "VerifyTip".
  std::string request_id;
  std::string fingerprint;  // storage::RequestFingerprint of the request.
};

// The states of a tip still being handled: every state but RESOLVED and DUPLICATE.
inline constexpr v1::TipState kOpenStates[] = {v1::TIP_STATE_RECEIVED, v1::TIP_STATE_VERIFIED,
                                               v1::TIP_STATE_CLASSIFIED, v1::TIP_STATE_ASSIGNED,
                                               v1::TIP_STATE_TRANSFER_PENDING};

// kOpenStates as an SQL list of numbers, "1,2,3,4,5", for "state IN (…)".
inline std::string OpenStatesSql() {
  std::string out;
  for (v1::TipState state : kOpenStates) {
    if (!out.empty()) out.push_back(',');
    out += std::to_string(static_cast<int>(state));
  }
  return out;
}

// A tip received within kDuplicateWindow of another that shares its establishment,
// hotspot, a named person's pseudonym or its address; with what scope checks need.
struct DuplicateCandidate {
  std::string tip_id;
  std::string unit_code;
  std::string responsible_agency;
  std::vector<std::string> reasons;  // "establishment", "hotspot", "person", "address".
};

// How far apart two tips may be received and still be suggested as duplicates.
inline constexpr absl::Duration kDuplicateWindow = absl::Hours(24 * 90);

// A page of tips as ListTips asks for it, validated and scoped by the logic. Every
// condition given must hold.
struct TipQuery {
  // Scope: the tip's unit is one of `scope_units` or it is held by `scope_agency`.
  // No scope condition when scope_units is nullopt.
  std::optional<std::vector<std::string>> scope_units;
  std::string scope_agency;
  // The tip's unit is one of these (a subtree), when set.
  std::optional<std::vector<std::string>> units;
  std::vector<v1::TipState> states;        // Any of; all when empty.
  std::vector<v1::LegalKind> legal_kinds;  // Any of; all when empty.
  std::vector<v1::Category> categories;    // Any of; all when empty.
  std::string responsible_agency;          // When not empty.
  // Open and past its legal or stage deadline on this ISO date, when not empty.
  std::string overdue_on;
  std::optional<absl::Time> received_from;    // Inclusive.
  std::optional<absl::Time> received_before;  // Exclusive.
  // Folded words (common/text) that must all occur in the description or address.
  std::vector<std::string> words;
  // Open the personal fields (description, place, persons, attachments, history).
  bool full = false;
  // Newest receipt first; strictly after this (receive time, id) position when set.
  std::optional<std::pair<int64_t, std::string>> after;  // (unix ms, id).
  int limit = 50;
};

// Implementations are thread-safe.
class TipStore {
 public:
  virtual ~TipStore() = default;

  // Stores `tip` durably with its stage fields (as ChangeStage writes them), `received`
  // as its first history entry, and `reporter` in the vault when it is not null (not
  // retained), its search words, its likely duplicates among the tips received within
  // kDuplicateWindow, and its receipt in the change log (tip_feed.h), unless `request_id` was seen
  // before, in which case the tip created then is returned and nothing is written. The tip's
  // persons carry their pseudonyms already. Returns the stored tip, with has_reporter set and never
  // the reporter. Errors: INVALID_ARGUMENT naming request_id when it was used for a different
  // request
  // (`fingerprint` differs); INTERNAL when a stored value cannot be opened; storage
  // errors (ABORTED: retry, UNAVAILABLE, INTERNAL).
  virtual absl::StatusOr<v1::Tip> CreateTip(absl::string_view request_id,
                                            absl::string_view fingerprint, const v1::Tip& tip,
                                            const v1::Reporter* reporter,
                                            const v1::StageChange& received) = 0;

  // Returns the tip with its personal fields opened, never the reporter. Errors:
  // NOT_FOUND when no tip has this id; INTERNAL when a stored value cannot be opened
  // (altered, moved from another row, or sealed under a key the keyring lacks); storage
  // errors.
  virtual absl::StatusOr<v1::Tip> GetTip(absl::string_view tip_id) = 0;

  // The unit code of the tip, for scope checks, without opening anything. Errors:
  // NOT_FOUND when no tip has this id; storage errors.
  virtual absl::StatusOr<std::string> GetTipUnit(absl::string_view tip_id) = 0;

  // Scope and responsibility facts of the tip. Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<TipStage> GetTipStage(absl::string_view tip_id) = 0;

  // In one write transaction: when `key` names a request seen before, returns the tip
  // as it is and changes nothing; otherwise reads the tip (opened), calls `decide`
  // with it and writes what it returns — the stage fields, a history entry, the
  // events and for each a record in the change log (concerning the agencies of the
  // tip before and after) — with the key, and returns the tip as stored. `decide` must not touch
  // the store. Errors: NOT_FOUND when no tip has this id; INVALID_ARGUMENT naming request_id when
  // the key was used for a different request; `decide`'s error (nothing is written then); INTERNAL
  // when a stored value cannot be opened; storage errors.
  virtual absl::StatusOr<v1::Tip> ChangeStage(
      absl::string_view tip_id, const StageRequestKey& key,
      absl::FunctionRef<absl::StatusOr<StageUpdate>(const v1::Tip& current)> decide) = 0;

  // Opens the tip's reporter and, in the same transaction, records `record` (its
  // reason sealed) and emits ReporterRevealed; nothing is recorded when it fails.
  // Returns the reporter. Errors: NOT_FOUND when no tip has this id or it has no
  // reporter; INTERNAL when the vault entry cannot be opened; storage errors.
  virtual absl::StatusOr<v1::Reporter> RevealReporter(absl::string_view tip_id,
                                                      const RevealRecord& record) = 0;

  // The tips matching `query`, newest receipt first, at most query.limit. Tips in
  // basic form (query.full false) carry no personal field. Errors: INTERNAL when a
  // stored value cannot be opened; storage errors.
  virtual absl::StatusOr<std::vector<v1::Tip>> ListTips(const TipQuery& query) = 0;

  // The likely duplicates of the tip, suggested when it or they were received. Errors:
  // NOT_FOUND when no tip has this id; storage errors.
  virtual absl::StatusOr<std::vector<DuplicateCandidate>> ListLikelyDuplicates(
      absl::string_view tip_id) = 0;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_TIP_STORE_H_
