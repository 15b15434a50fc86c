// The overdue scan: raises TipOverdue once for each deadline of an open tip that has
// passed (the legal time limit and the internal limit of the current stage, see
// clocks.h), and escalates the tip to the parent unit of the unit responsible for it:
// the event names that unit, and the change log (tip_feed.h) delivers it to the
// agencies of that unit watching. A deadline moved by an extension is a new deadline
// and is raised again if it passes too.
#ifndef PCMD_SERVICES_INTAKE_OVERDUE_H_
#define PCMD_SERVICES_INTAKE_OVERDUE_H_

#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/security/scope.h"
#include "common/storage/sqlite_database.h"
#include "services/intake/tip_feed.h"

namespace pcmd::intake {

// Thread-safe; everything given must outlive it.
class OverdueScanner {
 public:
  OverdueScanner(storage::SqliteDatabase& db, events::Outbox& outbox,
                 const security::UnitTree& units, const Clock& clock)
      : db_(db), outbox_(outbox), units_(units), clock_(clock) {}

  // Raises every deadline passed before today (Vietnam date of the clock) that was not
  // raised before, each in its own transaction with its event and change record;
  // at most `limit` per call. Returns how many it raised. Errors: storage errors
  // (what was raised before the error stays raised).
  absl::StatusOr<int> Scan(int limit = 1000);

 private:
  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const security::UnitTree& units_;
  const Clock& clock_;
};

// Runs `scanner.Scan` and `feed.Purge` every `interval` on a background thread until
// destroyed. Errors are logged and retried at the next round.
class OverdueScheduler {
 public:
  OverdueScheduler(OverdueScanner& scanner, TipFeed& feed, absl::Duration interval);
  ~OverdueScheduler();

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_OVERDUE_H_
