// The intake domain logic for tips: validation, ids, receipt time, pseudonyms,
// idempotent submit, scope, the break-glass opening of a reporter's identity, and the
// stages a tip moves through, each handled by the one agency responsible for it, with
// its legal and internal deadlines (clocks.h).
//
// The stage machine (each arrow one method below):
//   RECEIVED --Verify--> VERIFIED --Classify--> CLASSIFIED --Assign--> ASSIGNED
//   ASSIGNED --Resolve--> RESOLVED
//   RECEIVED|VERIFIED|CLASSIFIED|ASSIGNED --Transfer--> TRANSFER_PENDING
//   TRANSFER_PENDING --AcceptTransfer--> ASSIGNED (to the receiver)
//   TRANSFER_PENDING --RejectTransfer--> the state it was transferred from
//   any but RESOLVED, DUPLICATE --MarkDuplicate--> DUPLICATE
//   any but RESOLVED, DUPLICATE --ExtendDeadline--> the same state
// Errors common to the stage methods: INVALID_ARGUMENT with a field violation per bad
// field ("name" first); NOT_FOUND; PERMISSION_DENIED out of scope, or naming the
// agency that may act when the caller is not it; FAILED_PRECONDITION naming the
// current state and the state the method needs ("tip tips/… is RESOLVED; ResolveTip
// needs ASSIGNED"); ABORTED when `etag` is given and stale; storage errors. Nothing is
// written when a method fails. A repeated request_id answers the tip as it is now.
// It sees neither gRPC nor SQL: requests and tips are protobuf messages, storage is a
// TipStore, time is a Clock. Thread-safe when the store is.
#ifndef PCMD_SERVICES_INTAKE_TIPS_H_
#define PCMD_SERVICES_INTAKE_TIPS_H_

#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/crypto/keyring.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "common/validation/validation.h"
#include "pcmd/intake/v1/intake.pb.h"
#include "services/intake/routing.h"
#include "services/intake/tip_store.h"

namespace pcmd::intake {

// Whether an open tip (not RESOLVED or DUPLICATE) has a legal or stage deadline
// before `today`.
bool IsOverdue(const v1::Tip& tip, absl::CivilDay today);

// Limits of a tip, in Unicode code points or items (intake.proto documents them).
inline constexpr size_t kMaxPersons = 50;
inline constexpr size_t kMaxAttachments = 20;
inline constexpr size_t kMinRevealReasonChars = 20;
inline constexpr size_t kMaxRevealReasonChars = 1000;

// A validated tip, ready to store (Tips::Prepare).
struct PreparedTip {
  v1::Tip tip;               // Without reporter; persons with pseudonyms; route proposed.
  v1::StageChange received;  // Its first history entry.
  std::string fingerprint;   // Of the request, keyed (it holds personal data).
};

class Tips {
 public:
  // `store`, `clock`, `units` and `keys` are not owned and must outlive this object.
  // `keys` gives the persons' pseudonyms and keys the idempotency fingerprint of
  // requests (which carry personal data) with the index key.
  // `router` proposes who should handle each new tip (routing.h); the shipped rules
  // by default.
  Tips(TipStore& store, const Clock& clock, const security::UnitTree& units,
       const crypto::Keyring& keys, const Router& router = DefaultRouter())
      : store_(store),
        clock_(clock),
        units_(units),
        keys_(keys),
        router_(router),
        index_(keys),
        ids_(clock) {}

  // Validates and records a tip in state RECEIVED, stamped with the receipt time, its
  // reporter (when given) in the vault, `receiver`'s agency responsible for it and
  // recorded as receiving agency, its legal and stage deadlines set, the routing
  // rules' proposal in proposed_route, and its likely duplicates recorded (see
  // LikelyDuplicates). Returns the stored tip (the
  // earlier one for a repeated request_id), with pseudonyms and has_reporter and without the
  // reporter. Errors: INVALID_ARGUMENT with a field violation per bad field, named by its path
  // ("persons[3].full_name", "reporter.email"); storage errors.
  absl::StatusOr<v1::Tip> Submit(const security::Caller& receiver,
                                 const v1::SubmitTipRequest& request);

  // Submit's first half, for callers that store the tip in their own transaction (an
  // event handler): validates and builds the tip without storing it. Reads the unit
  // tree for the routing proposal. With `check_unit` false, a unit the directory does
  // not (yet) hold is accepted: for reports another service already checked, which must
  // never wait on this copy of the directory. Errors: INVALID_ARGUMENT as Submit;
  // storage errors of the unit tree.
  absl::StatusOr<PreparedTip> Prepare(const security::Caller& receiver,
                                      const v1::SubmitTipRequest& request, bool check_unit = true);

  // Returns the tip when `access` reaches it (security::CheckScope), its personal
  // fields opened, never its reporter. Errors: INVALID_ARGUMENT for a malformed name;
  // NOT_FOUND; PERMISSION_DENIED out of scope (nothing is opened then); INTERNAL when a
  // stored value cannot be opened; storage errors.
  absl::StatusOr<v1::Tip> Get(const security::Access& access, absl::string_view name);

  // Break-glass: returns the tip's reporter to a caller within scope that states a
  // reason, records the reveal with its reason sealed, emits ReporterRevealed in the
  // same transaction and logs the warning reporter_revealed (tip and agency only).
  // Errors: INVALID_ARGUMENT naming "name" or "reason" (required, 20–1000
  // characters); NOT_FOUND when the tip does not exist or has no reporter;
  // PERMISSION_DENIED out of scope; INTERNAL when the vault cannot be opened; storage
  // errors. Nothing is recorded when it fails (the guard still audits the call).
  absl::StatusOr<v1::Reporter> RevealReporter(const security::Access& access,
                                              const v1::RevealReporterRequest& request);

  // The stage methods (see the overview above). Each returns the tip as it now is.
  absl::StatusOr<v1::Tip> Verify(const security::Access& access,
                                 const v1::VerifyTipRequest& request);
  absl::StatusOr<v1::Tip> Classify(const security::Access& access,
                                   const v1::ClassifyTipRequest& request);
  // The named agency becomes responsible.
  absl::StatusOr<v1::Tip> Assign(const security::Access& access,
                                 const v1::AssignTipRequest& request);
  // INVALID_ARGUMENT naming to_agency when it is the caller.
  absl::StatusOr<v1::Tip> Transfer(const security::Access& access,
                                   const v1::TransferTipRequest& request);
  // Only the agency the tip is being transferred to.
  absl::StatusOr<v1::Tip> AcceptTransfer(const security::Access& access,
                                         const v1::AcceptTransferRequest& request);
  absl::StatusOr<v1::Tip> RejectTransfer(const security::Access& access,
                                         const v1::RejectTransferRequest& request);
  // The responsible agency for EXTENSION_BASIS_COMPLEX_CASE and _REMOTE_AREA; a
  // procuracy (any, within scope) for _PROCURACY_EXTENSION. FAILED_PRECONDITION saying
  // why when the clock rules do not allow the basis (clocks.h CheckExtension).
  absl::StatusOr<v1::Tip> ExtendDeadline(const security::Access& access,
                                         const v1::ExtendTipDeadlineRequest& request);
  // Sets resolution.on_time from the Vietnam date of the clock against legal_deadline.
  absl::StatusOr<v1::Tip> Resolve(const security::Access& access,
                                  const v1::ResolveTipRequest& request);
  // INVALID_ARGUMENT naming duplicate_of when it is this tip; NOT_FOUND naming it when
  // no such tip exists.
  absl::StatusOr<v1::Tip> MarkDuplicate(const security::Access& access,
                                        const v1::MarkTipDuplicateRequest& request);

  // The tips `access` reaches (its units' tips and those it is responsible for; all
  // for a national caller or Scope::kAll) that match the request's filters, newest
  // receipt first, a page at a time. Errors: INVALID_ARGUMENT naming each bad field
  // (page_size outside 0–500, an unknown enum in states[i]/legal_kinds[i]/
  // categories[i] or view, a malformed code or date, receive_date_to before
  // receive_date_from, text over 200 characters, a page_token not from this same
  // query); PERMISSION_DENIED when unit_code lies outside the caller's units; INTERNAL
  // when a stored value cannot be opened (TIP_VIEW_FULL); storage errors.
  absl::StatusOr<v1::ListTipsResponse> List(const security::Access& access,
                                            const v1::ListTipsRequest& request);

  // The likely duplicates of the tip that `access` also reaches, newest first.
  // Errors as Get.
  absl::StatusOr<std::vector<v1::LikelyDuplicate>> LikelyDuplicates(const security::Access& access,
                                                                    absl::string_view name);

 private:
  // Who may make a stage change.
  enum class Actor { kResponsible, kTransferReceiver, kProcuracy };
  struct StageRule {
    absl::string_view rpc;           // "VerifyTip".
    std::vector<v1::TipState> from;  // States the change starts from.
    Actor actor = Actor::kResponsible;
    bool request_id_required = false;
  };
  // Sets the new state and stage fields of `update.tip` (a copy of the current tip)
  // and its events; may refuse with an error.
  using Apply = absl::FunctionRef<absl::Status(const v1::Tip& current, StageUpdate& update)>;

  // The frame of every stage method: validates the common fields with `v` (which
  // holds the method's own violations), checks scope, then in the store's
  // transaction the etag, the state, the actor, and applies.
  absl::StatusOr<v1::Tip> ChangeStage(const security::Access& access, const StageRule& rule,
                                      Validator& v, const google::protobuf::Message& request,
                                      absl::string_view name, absl::string_view etag,
                                      absl::string_view request_id, Apply apply);

  // `tip` with its overdue flag set for today.
  v1::Tip Annotated(v1::Tip tip) const;

  TipStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  const crypto::Keyring& keys_;
  const Router& router_;
  const crypto::BlindIndex index_;
  IdGenerator ids_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_TIPS_H_
