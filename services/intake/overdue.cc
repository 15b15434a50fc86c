#include "services/intake/overdue.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "pcmd/intake/v1/intake.pb.h"
#include "services/intake/clocks.h"
#include "services/intake/tip_store.h"

namespace pcmd::intake {
namespace {

using storage::Row;
using storage::Transaction;

// One passed deadline of one tip.
struct Passed {
  std::string tip_id;
  std::string unit_code;
  int state = 0;
  std::string responsible_agency;
  std::string responsible_unit;
  std::string transfer_to_agency;
  int legal_kind = 0;
  int category = 0;
  std::string clock;  // "legal" or "stage".
  std::string deadline;
};

}  // namespace

absl::StatusOr<int> OverdueScanner::Scan(int limit) {
  const absl::Time now = clock_.Now();
  const std::string today = IsoDate(VietnamDay(now));
  std::vector<Passed> passed;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query(
            absl::StrCat(
                "SELECT t.id, t.unit_code, t.state, t.responsible_agency, t.responsible_unit, "
                "t.transfer_to_agency, t.legal_kind, t.category, c.clock, c.deadline FROM tips t "
                "JOIN (SELECT id, 'legal' AS clock, legal_deadline AS deadline FROM tips "
                "      UNION ALL SELECT id, 'stage', stage_deadline FROM tips) c ON c.id = t.id "
                "WHERE t.state IN (",
                OpenStatesSql(),
                ") AND c.deadline != '' AND c.deadline < ?1 AND NOT EXISTS (SELECT 1 FROM "
                "tip_overdue o WHERE o.tip_id = t.id AND o.clock = c.clock AND o.deadline = "
                "c.deadline) ORDER BY c.deadline, t.id LIMIT ?2"),
            {today, int64_t{limit}}));
    for (const Row& r : rows) {
      passed.push_back({.tip_id = r.Text(0),
                        .unit_code = r.Text(1),
                        .state = static_cast<int>(r.Int(2)),
                        .responsible_agency = r.Text(3),
                        .responsible_unit = r.Text(4),
                        .transfer_to_agency = r.Text(5),
                        .legal_kind = static_cast<int>(r.Int(6)),
                        .category = static_cast<int>(r.Int(7)),
                        .clock = r.Text(8),
                        .deadline = r.Text(9)});
    }
    return absl::OkStatus();
  }));

  int raised = 0;
  for (const Passed& p : passed) {
    // Looked up outside the write transaction (the tree is read on its own).
    const std::string& responsible_unit =
        p.responsible_unit.empty() ? p.unit_code : p.responsible_unit;
    PCMD_ASSIGN_OR_RETURN(std::vector<std::string> ancestors, units_.AncestorsOf(responsible_unit));
    const std::string escalated = ancestors.empty() ? std::string() : ancestors.front();
    const std::string name = absl::StrCat("tips/", p.tip_id);
    bool inserted = false;
    PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
      // Once: a concurrent scan (another instance) may have raised it meanwhile.
      PCMD_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO tip_overdue(tip_id, clock, deadline, escalated_to_unit, raise_unix_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
          {p.tip_id, p.clock, p.deadline, escalated, absl::ToUnixMillis(now)}));
      if (tx.changes() == 0) return absl::OkStatus();
      events::v1::TipOverdue event;
      event.set_tip(name);
      event.set_unit_code(p.unit_code);
      event.set_responsible_agency(p.responsible_agency);
      event.set_responsible_unit(responsible_unit);
      event.set_state(p.state);
      event.set_clock(p.clock);
      event.set_deadline(p.deadline);
      event.set_escalated_to_unit(escalated);
      event.set_overdue_date(today);
      event.set_legal_kind(p.legal_kind);
      event.set_category(p.category);
      PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", name, event).status());
      PCMD_RETURN_IF_ERROR(
          RecordTipChange(tx, {.tip_id = p.tip_id,
                               .change = "TipOverdue",
                               .state = static_cast<v1::TipState>(p.state),
                               .unit_code = p.unit_code,
                               .responsible_agency = p.responsible_agency,
                               .responsible_unit = responsible_unit,
                               .transfer_to_agency = p.transfer_to_agency,
                               .escalated_to_unit = escalated,
                               .time = now,
                               .agencies = {p.responsible_agency, p.transfer_to_agency}}));
      inserted = true;
      return absl::OkStatus();
    }));
    if (!inserted) continue;
    ++raised;
    log::Warning("tip_overdue", {{"tip", name},
                                 {"clock", p.clock},
                                 {"deadline", p.deadline},
                                 {"responsible_agency", p.responsible_agency},
                                 {"escalated_to_unit", escalated}});
  }
  return raised;
}

OverdueScheduler::OverdueScheduler(OverdueScanner& scanner, TipFeed& feed, absl::Duration interval)
    : thread_([this, &scanner, &feed, interval] {
        while (!stop_.WaitForNotificationWithTimeout(interval)) {
          if (absl::StatusOr<int> raised = scanner.Scan(); !raised.ok()) {
            log::Error("overdue_scan_failed", {{"error", raised.status()}});
          }
          if (absl::StatusOr<int64_t> purged = feed.Purge(); !purged.ok()) {
            log::Error("change_log_purge_failed", {{"error", purged.status()}});
          }
        }
      }) {}

OverdueScheduler::~OverdueScheduler() {
  stop_.Notify();
  thread_.join();
}

}  // namespace pcmd::intake
