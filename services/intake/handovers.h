// The intake domain logic for hand-overs (bàn giao): the police hand the people they
// found selling sex (e.g. in a raid) to the social-affairs authority of the unit for
// support. Validation, ids, creation time, pseudonyms, idempotent create, the link to a
// tip, and scope: the police create hand-overs within their own units; the police
// agency that made one and the agencies of its unit (social affairs among them) read
// it. Each person becomes outreach work through a SupportOutreachRequested event
// written with the hand-over (handover_store.h).
//
// It sees neither gRPC nor SQL: requests and hand-overs are protobuf messages, storage
// is a HandOverStore (and the TipStore, to check a linked tip exists), time is a Clock.
// Thread-safe when the stores are.
#ifndef PCMD_SERVICES_INTAKE_HANDOVERS_H_
#define PCMD_SERVICES_INTAKE_HANDOVERS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/keyring.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/intake/v1/intake.pb.h"
#include "services/intake/handover_store.h"
#include "services/intake/tip_store.h"

namespace pcmd::intake {

// Limits of a hand-over, in Unicode code points or items (intake.proto documents them).
inline constexpr size_t kMaxHandedOverPersons = 50;
inline constexpr size_t kMaxNeedsChars = 2000;

class HandOvers {
 public:
  // `store`, `tips`, `clock`, `units` and `keys` are not owned and must outlive this
  // object. `keys` gives the persons' pseudonyms (the same as tips give for the same
  // ID number) and keys the idempotency fingerprint of requests (which carry personal
  // data) with the index key.
  HandOvers(HandOverStore& store, TipStore& tips, const Clock& clock,
            const security::UnitTree& units, const crypto::Keyring& keys)
      : store_(store),
        tips_(tips),
        clock_(clock),
        units_(units),
        keys_(keys),
        index_(keys),
        ids_(clock) {}

  // Validates and records a hand-over from the caller's agency (from_agency), stamped
  // with the clock's time, each person given the pseudonym of their ID number (none
  // without one; whatever the caller sent is replaced), and one SupportOutreachRequested
  // per person in the same transaction. Returns the stored hand-over (the earlier one
  // for a repeated request_id). Errors: INVALID_ARGUMENT with a field violation per bad
  // field, named by its path in the request ("hand_over.persons[2].birth_date"), or
  // naming request_id when it was used for a different request; PERMISSION_DENIED when
  // hand_over.unit_code lies outside `access`'s scope (security::CheckScope); NOT_FOUND
  // with a violation on "hand_over.tip" when the linked tip does not exist; storage
  // errors. Nothing is written when it fails.
  absl::StatusOr<v1::HandOver> Create(const security::Access& access,
                                      const v1::CreateHandOverRequest& request);

  // Returns the hand-over with its persons opened when `access` reaches it: its unit is
  // within the caller's scope, or the caller is the police agency that made it.
  // Errors: INVALID_ARGUMENT for a malformed name; NOT_FOUND; PERMISSION_DENIED out of
  // scope (nothing is opened then); INTERNAL when a stored value cannot be opened;
  // storage errors.
  absl::StatusOr<v1::HandOver> Get(const security::Access& access, absl::string_view name);

 private:
  HandOverStore& store_;
  TipStore& tips_;
  const Clock& clock_;
  const security::UnitTree& units_;
  const crypto::Keyring& keys_;
  const crypto::BlindIndex index_;
  IdGenerator ids_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_HANDOVERS_H_
