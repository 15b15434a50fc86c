// The tip change log and the watch over it (IntakeService/WatchTips).
//
// Every change to a tip (receipt, stage change, overdue escalation) is recorded with
// RecordTipChange in the same transaction as the change and its event, so a watcher
// sees a change if and only if it happened. A record holds codes and states only (no
// personal data) and names the parties it concerns: the agencies that received, held,
// take or are offered the tip, and for an escalation the unit it is escalated to.
//
// A watch reads the log after a cursor (the record's sequence number, "c<seq>") and
// polls for more; a client that reconnects with the last cursor it received misses
// nothing and gets nothing twice. Records older than the retention are purged; a
// cursor older than what is kept answers OUT_OF_RANGE.
#ifndef PCMD_SERVICES_INTAKE_TIP_FEED_H_
#define PCMD_SERVICES_INTAKE_TIP_FEED_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/ids/clock.h"
#include "common/security/scope.h"
#include "common/storage/sqlite_database.h"
#include "pcmd/intake/v1/intake.pb.h"

namespace pcmd::intake {

// One change, as recorded. Codes only.
struct TipChangeRecord {
  std::string tip_id;                              // Without "tips/".
  std::string change;                              // The event name: "TipAssigned", "TipOverdue".
  v1::TipState state = v1::TIP_STATE_UNSPECIFIED;  // After the change.
  std::string unit_code;
  std::string responsible_agency;
  std::string responsible_unit;
  std::string transfer_to_agency;  // While TRANSFER_PENDING.
  std::string escalated_to_unit;   // For TipOverdue.
  absl::Time time;
  // Agency codes the change concerns (duplicates and empty codes are ignored).
  std::vector<std::string> agencies;
};

// Appends `record` to the change log inside `tx` (it commits or rolls back with the
// caller's change), concerning its agencies and, when set, its escalation unit.
// Errors: storage errors.
absl::Status RecordTipChange(storage::Transaction& tx, const TipChangeRecord& record);

// The change record of a tip as it now is, concerning its receiving, responsible and
// offered agencies plus `also` (e.g. the agency responsible before the change).
TipChangeRecord ChangeOf(const v1::Tip& tip, absl::string_view change, absl::Time time,
                         std::vector<std::string> also = {});

// Reads the log for watchers. Thread-safe; `db`, `units` and `clock` must outlive it.
class TipFeed {
 public:
  struct Options {
    absl::Duration poll_interval = absl::Milliseconds(200);
    // How long records are kept (Purge).
    absl::Duration retention = absl::Hours(24 * 30);
    // Records read per query.
    int batch = 200;
  };

  TipFeed(storage::SqliteDatabase& db, const security::UnitTree& units, const Clock& clock,
          Options options)
      : db_(db), units_(units), clock_(clock), options_(options) {}

  // Streams to `send` every change after `request.cursor` (from now when empty) that
  // reaches `access` with `request.reach`, in log order, until `send` returns false or
  // `cancelled` returns true (checked at least every poll interval); then returns OK.
  // Errors: INVALID_ARGUMENT naming "cursor" or "reach"; OUT_OF_RANGE when the cursor
  // is older than what is kept; storage errors. UNAVAILABLE-class storage errors end
  // the stream so that the client resumes from its last cursor.
  absl::Status Watch(const security::Access& access, const v1::WatchTipsRequest& request,
                     absl::FunctionRef<bool(const v1::WatchTipsResponse&)> send,
                     absl::FunctionRef<bool()> cancelled);

  // Deletes records older than the retention, keeping the newest; returns how many.
  // Errors: storage errors.
  absl::StatusOr<int64_t> Purge();

 private:
  storage::SqliteDatabase& db_;
  const security::UnitTree& units_;
  const Clock& clock_;
  const Options options_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_TIP_FEED_H_
