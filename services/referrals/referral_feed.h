// The provider's watch over referrals addressed to it (ProviderInboxService/WatchInbox)
// and the background work that keeps referrals moving (expiry, follow-ups).
//
// A watch reads the change log (referral_changes, written with every change by the
// store) after a cursor ("c<seq>") for the caller's agency and polls for more: a
// system that reconnects with the last cursor it received misses nothing and gets
// nothing twice. Records older than the retention are purged; a cursor older than
// what is kept answers OUT_OF_RANGE.
#ifndef PCMD_SERVICES_REFERRALS_REFERRAL_FEED_H_
#define PCMD_SERVICES_REFERRALS_REFERRAL_FEED_H_

#include <thread>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/ids/clock.h"
#include "common/security/scope.h"
#include "common/storage/sqlite_database.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/referrals/referral_store.h"

namespace pcmd::referrals {

// Thread-safe; `db` and `clock` must outlive it.
class ReferralFeed {
 public:
  struct Options {
    absl::Duration poll_interval = absl::Milliseconds(200);
    absl::Duration retention = absl::Hours(24 * 30);
    int batch = 200;
  };

  ReferralFeed(storage::SqliteDatabase& db, const Clock& clock, Options options)
      : db_(db), clock_(clock), options_(options) {}

  // Streams to `send` every change after `request.cursor` (from now when empty) of a
  // referral addressed to the caller's agency, in log order, until `send` returns false
  // or `cancelled` returns true (checked at least every poll interval); then returns OK.
  // Errors: INVALID_ARGUMENT naming "cursor"; OUT_OF_RANGE when the cursor is older
  // than what is kept; storage errors.
  absl::Status Watch(const security::Access& access, const v1::WatchInboxRequest& request,
                     absl::FunctionRef<bool(const v1::WatchInboxResponse&)> send,
                     absl::FunctionRef<bool()> cancelled);

  // Deletes records older than the retention, keeping the newest; returns how many.
  // Errors: storage errors.
  absl::StatusOr<int64_t> Purge();

 private:
  storage::SqliteDatabase& db_;
  const Clock& clock_;
  const Options options_;
};

// Raises overdue referrals (ReferralStore::RaiseOverdue for today in Vietnam) and purges
// the feed every `interval` (at least a second) on a background thread until destroyed.
// Errors are logged and retried at the next round. `store`, `feed` and `clock` are not
// owned and must outlive it.
class ReferralJobs {
 public:
  ReferralJobs(ReferralStore& store, ReferralFeed& feed, const Clock& clock,
               absl::Duration interval);
  ~ReferralJobs();

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_REFERRAL_FEED_H_
