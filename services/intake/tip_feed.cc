#include "services/intake/tip_feed.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/status/status_macros.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::intake {
namespace {

using storage::Row;
using storage::Transaction;

constexpr absl::string_view kColumns =
    "seq, tip_id, change, state, unit_code, responsible_agency, responsible_unit, "
    "transfer_to_agency, escalated_to_unit, change_unix_ms";

v1::WatchTipsResponse ResponseOf(const Row& r) {
  v1::WatchTipsResponse out;
  out.set_cursor(absl::StrCat("c", r.Int(0)));
  out.set_tip(absl::StrCat("tips/", r.Text(1)));
  out.set_change(r.Text(2));
  out.set_state(static_cast<v1::TipState>(r.Int(3)));
  out.set_unit_code(r.Text(4));
  out.set_responsible_agency(r.Text(5));
  out.set_responsible_unit(r.Text(6));
  out.set_transfer_to_agency(r.Text(7));
  out.set_escalated_to_unit(r.Text(8));
  *out.mutable_change_time() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(r.Int(9));
  return out;
}

// "c<seq>" → seq; nullopt when malformed.
std::optional<int64_t> ParseCursor(absl::string_view cursor) {
  int64_t seq = 0;
  if (!absl::ConsumePrefix(&cursor, "c") || cursor.empty() || cursor.size() > 18 ||
      !std::all_of(cursor.begin(), cursor.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(cursor, &seq)) {
    return std::nullopt;
  }
  return seq;
}

}  // namespace

absl::Status RecordTipChange(Transaction& tx, const TipChangeRecord& record) {
  PCMD_RETURN_IF_ERROR(
      tx.Execute(absl::StrCat("INSERT INTO tip_changes(", kColumns.substr(5),
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                 {record.tip_id, record.change, int64_t{record.state}, record.unit_code,
                  record.responsible_agency, record.responsible_unit, record.transfer_to_agency,
                  record.escalated_to_unit, absl::ToUnixMillis(record.time)}));
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> last, tx.QueryOne("SELECT last_insert_rowid()"));
  const int64_t seq = last.has_value() ? last->Int(0) : 0;
  std::set<std::string> parties;
  for (const std::string& agency : record.agencies) {
    if (!agency.empty()) parties.insert(absl::StrCat("agency:", agency));
  }
  if (!record.escalated_to_unit.empty()) {
    parties.insert(absl::StrCat("unit:", record.escalated_to_unit));
  }
  for (const std::string& party : parties) {
    PCMD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO tip_change_parties(party, seq) VALUES (?1, ?2)", {party, seq}));
  }
  return absl::OkStatus();
}

TipChangeRecord ChangeOf(const v1::Tip& tip, absl::string_view change, absl::Time time,
                         std::vector<std::string> also) {
  TipChangeRecord record{.tip_id = std::string(absl::StripPrefix(tip.name(), "tips/")),
                         .change = std::string(change),
                         .state = tip.state(),
                         .unit_code = tip.unit_code(),
                         .responsible_agency = tip.responsible_agency(),
                         .responsible_unit = tip.responsible_unit(),
                         .transfer_to_agency = tip.pending_transfer().to_agency(),
                         .time = time,
                         .agencies = std::move(also)};
  record.agencies.push_back(tip.receiving_agency());
  record.agencies.push_back(tip.responsible_agency());
  record.agencies.push_back(tip.pending_transfer().to_agency());
  return record;
}

absl::Status TipFeed::Watch(const security::Access& access, const v1::WatchTipsRequest& request,
                            absl::FunctionRef<bool(const v1::WatchTipsResponse&)> send,
                            absl::FunctionRef<bool()> cancelled) {
  Validator v;
  std::optional<int64_t> after;
  if (!request.cursor().empty()) {
    after = ParseCursor(request.cursor());
    if (!after.has_value()) v.Add("cursor", "must be a cursor from a WatchTipsResponse");
  }
  // Unspecified means WATCH_REACH_CONCERNING_AGENCY.
  if (request.reach() != v1::WATCH_REACH_UNSPECIFIED) {
    v.Enum("reach", request.reach(), v1::WatchReach_IsValid);
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid WatchTipsRequest"));
  const bool subtree = request.reach() == v1::WATCH_REACH_UNIT_SUBTREE;
  const security::Caller& caller = access.caller;

  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<Row> bounds,
                          tx.QueryOne("SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) "
                                      "FROM tip_changes"));
    const int64_t oldest = bounds->Int(0);
    const int64_t newest = bounds->Int(1);
    if (!after.has_value()) {
      after = newest;
    } else if (*after > newest) {
      return absl::InvalidArgumentError(
          absl::StrCat("cursor c", *after, " is ahead of the change log; it is not ours"));
    } else if (oldest > 0 && *after + 1 < oldest) {
      // Records after the cursor were purged: the client cannot catch up from it.
      return absl::OutOfRangeError(
          absl::StrCat("cursor c", *after, " is older than the change log keeps (oldest c", oldest,
                       "); list the tips again and watch from now"));
    }
    return absl::OkStatus();
  }));

  const std::string agency_party = absl::StrCat("agency:", caller.agency.code);
  const std::string unit_party = absl::StrCat("unit:", caller.agency.unit_code);
  const bool national = caller.agency.unit_code == security::kNationalUnit;
  while (!cancelled()) {
    // Read apart from the log (the tree has its own reads), each round, so that units
    // learnt meanwhile count.
    std::set<std::string> units;
    if (subtree && !national) {
      PCMD_ASSIGN_OR_RETURN(std::vector<std::string> codes,
                            units_.SubtreeOf(caller.agency.unit_code));
      units.insert(codes.begin(), codes.end());
    }
    std::vector<v1::WatchTipsResponse> batch;
    int64_t last_read = *after;
    PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
      std::vector<Row> rows;
      if (subtree) {
        PCMD_ASSIGN_OR_RETURN(
            rows, tx.Query(absl::StrCat("SELECT ", kColumns,
                                        " FROM tip_changes WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
                           {*after, int64_t{options_.batch}}));
      } else {
        PCMD_ASSIGN_OR_RETURN(
            rows, tx.Query(absl::StrCat("SELECT ", kColumns,
                                        " FROM tip_changes WHERE seq IN ("
                                        "SELECT seq FROM tip_change_parties WHERE party IN "
                                        "(?1, ?2) AND seq > ?3) ORDER BY seq LIMIT ?4"),
                           {agency_party, unit_party, *after, int64_t{options_.batch}}));
      }
      for (const Row& row : rows) {
        last_read = row.Int(0);
        if (subtree && !national && !units.contains(row.Text(4))) continue;
        batch.push_back(ResponseOf(row));
      }
      return absl::OkStatus();
    }));
    for (const v1::WatchTipsResponse& change : batch) {
      if (!send(change)) return absl::OkStatus();
    }
    // A unit-subtree watch may skip a whole batch of other units' changes.
    const bool more = last_read != *after;
    *after = last_read;
    if (!more) absl::SleepFor(options_.poll_interval);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> TipFeed::Purge() {
  int64_t removed = 0;
  const int64_t cutoff = absl::ToUnixMillis(clock_.Now() - options_.retention);
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    // The newest record stays, so that the log's position survives a quiet month.
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> bound,
        tx.QueryOne("SELECT COALESCE(MAX(seq), 0) FROM tip_changes WHERE change_unix_ms < ?1 "
                    "AND seq < (SELECT MAX(seq) FROM tip_changes)",
                    {cutoff}));
    const int64_t upto = bound->Int(0);
    if (upto == 0) return absl::OkStatus();
    PCMD_RETURN_IF_ERROR(tx.Execute("DELETE FROM tip_change_parties WHERE seq <= ?1", {upto}));
    PCMD_RETURN_IF_ERROR(tx.Execute("DELETE FROM tip_changes WHERE seq <= ?1", {upto}));
    removed = tx.changes();
    return absl::OkStatus();
  }));
  return removed;
}

}  // namespace pcmd::intake
