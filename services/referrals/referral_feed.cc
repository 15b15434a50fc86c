#include "services/referrals/referral_feed.h"

#include <algorithm>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/ids/calendar.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

std::optional<int64_t> ParseCursor(absl::string_view cursor) {
  int64_t seq = 0;
  if (!absl::ConsumePrefix(&cursor, "c") || !absl::SimpleAtoi(cursor, &seq) || seq < 0) {
    return std::nullopt;
  }
  return seq;
}

}  // namespace

absl::Status ReferralFeed::Watch(const security::Access& access,
                                 const v1::WatchInboxRequest& request,
                                 absl::FunctionRef<bool(const v1::WatchInboxResponse&)> send,
                                 absl::FunctionRef<bool()> cancelled) {
  std::optional<int64_t> after;
  if (!request.cursor().empty()) {
    after = ParseCursor(request.cursor());
    Validator v;
    if (!after.has_value()) v.Add("cursor", "must be a cursor from a WatchInboxResponse");
    PCMD_RETURN_IF_ERROR(v.ToStatus("invalid WatchInboxRequest"));
  }
  const std::string agency = access.caller.agency.code;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<Row> bounds,
                          tx.QueryOne("SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) "
                                      "FROM referral_changes"));
    const int64_t oldest = bounds->Int(0);
    const int64_t newest = bounds->Int(1);
    if (!after.has_value()) {
      after = newest;
    } else if (*after > newest) {
      return StatusWithFields(absl::StatusCode::kInvalidArgument,
                              absl::StrCat("cursor c", *after, " is ahead of the change log"),
                              {{"cursor", "is not a cursor of this service"}});
    } else if (oldest > 0 && *after + 1 < oldest) {
      return absl::OutOfRangeError(
          absl::StrCat("cursor c", *after, " is older than the change log keeps (oldest c", oldest,
                       "); list the inbox again and watch from now"));
    }
    return absl::OkStatus();
  }));
  while (!cancelled()) {
    std::vector<v1::WatchInboxResponse> batch;
    PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
      PCMD_ASSIGN_OR_RETURN(
          std::vector<Row> rows,
          tx.Query("SELECT seq, referral_id, change, state, service_type, unix_ms "
                   "FROM referral_changes WHERE provider_agency = ?1 AND seq > ?2 "
                   "ORDER BY seq LIMIT ?3",
                   {agency, *after, int64_t{options_.batch}}));
      for (const Row& row : rows) {
        v1::WatchInboxResponse& change = batch.emplace_back();
        change.set_cursor(absl::StrCat("c", row.Int(0)));
        change.set_referral(absl::StrCat("referrals/", row.Text(1)));
        change.set_change(row.Text(2));
        change.set_state(static_cast<v1::ReferralState>(row.Int(3)));
        change.set_service_type(static_cast<v1::ServiceType>(row.Int(4)));
        *change.mutable_change_time() = TimeUtil::MillisecondsToTimestamp(row.Int(5));
        *after = row.Int(0);
      }
      return absl::OkStatus();
    }));
    for (const v1::WatchInboxResponse& change : batch) {
      if (!send(change)) return absl::OkStatus();
    }
    if (batch.empty()) absl::SleepFor(options_.poll_interval);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReferralFeed::Purge() {
  int64_t purged = 0;
  const int64_t cutoff = absl::ToUnixMillis(clock_.Now() - options_.retention);
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    // The newest record stays, so that "from now" keeps counting from where it was.
    // A prefix of the log, so that the oldest kept record tells a watcher exactly what
    // it can no longer catch up on, even if the clock stepped back meanwhile.
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "DELETE FROM referral_changes WHERE seq <= (SELECT MAX(seq) FROM referral_changes "
        "WHERE unix_ms < ?1) AND seq < (SELECT MAX(seq) FROM referral_changes)",
        {cutoff}));
    purged = tx.changes();
    return absl::OkStatus();
  }));
  return purged;
}

ReferralJobs::ReferralJobs(ReferralStore& store, ReferralFeed& feed, const Clock& clock,
                           absl::Duration every)
    // At least a second between rounds: a zero interval would spin.
    : thread_([this, &store, &feed, &clock, interval = std::max(every, absl::Seconds(1))] {
        while (!stop_.WaitForNotificationWithTimeout(interval)) {
          if (absl::StatusOr<int> raised = store.RaiseOverdue(VietnamDay(clock.Now()));
              !raised.ok()) {
            log::Error("referral_overdue_scan_failed", {{"error", raised.status()}});
          }
          if (absl::StatusOr<int64_t> purged = feed.Purge(); !purged.ok()) {
            log::Error("referral_change_log_purge_failed", {{"error", purged.status()}});
          }
        }
      }) {}

ReferralJobs::~ReferralJobs() {
  stop_.Notify();
  thread_.join();
}

}  // namespace pcmd::referrals
