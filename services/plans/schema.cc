#include "services/plans/schema.h"

#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"

namespace pcmd::plans {
namespace {

constexpr storage::Migration kMigrations[] = {
    {1, "administrative units",
     "CREATE TABLE units ("
     " code TEXT PRIMARY KEY,"
     " display_name TEXT NOT NULL,"
     " level INTEGER NOT NULL,"
     " parent_code TEXT REFERENCES units(code),"
     " valid_from TEXT NOT NULL DEFAULT '',"
     " valid_to TEXT NOT NULL DEFAULT ''"
     ") WITHOUT ROWID;"
     "CREATE INDEX units_by_parent ON units(parent_code);"},
    {2, "event outbox", events::kOutboxMigrationSql},
    {3, "event inbox", events::kInboxMigrationSql},
    {4, "tip counters",
     "CREATE TABLE tip_counts ("
     " unit_code TEXT NOT NULL,"
     " receive_date TEXT NOT NULL,"
     " tips INTEGER NOT NULL,"
     " PRIMARY KEY (unit_code, receive_date)) WITHOUT ROWID;"},
    {5, "audit log", audit::kAuditMigrationSql},
    {6, "known units", units::kUnitsMigrationSql},
    {7, "unit successors", "ALTER TABLE units ADD COLUMN successors TEXT NOT NULL DEFAULT '[]';"},
    {8, "agencies",
     "CREATE TABLE agencies ("
     " code TEXT PRIMARY KEY,"
     " display_name TEXT NOT NULL,"
     " kind INTEGER NOT NULL,"
     " unit_code TEXT NOT NULL REFERENCES units(code),"
     " parent_code TEXT REFERENCES agencies(code),"
     " valid_from TEXT NOT NULL DEFAULT '',"
     " valid_to TEXT NOT NULL DEFAULT '',"
     " successors TEXT NOT NULL DEFAULT '[]'"
     ") WITHOUT ROWID;"
     "CREATE INDEX agencies_by_unit ON agencies(unit_code);"},
    {9, "plans",
     "CREATE TABLE plans ("
     " code TEXT PRIMARY KEY,"
     " state INTEGER NOT NULL,"
     " level INTEGER NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " period_start TEXT NOT NULL,"
     " period_end TEXT NOT NULL,"
     " document BLOB NOT NULL,"  // pcmd.plans.v1.Plan, serialised.
     " etag TEXT NOT NULL,"
     " update_unix_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"},
    {10, "idempotency keys", storage::kIdempotencyMigrationSql},
    {11, "hotspots",
     "CREATE TABLE hotspots ("
     " code TEXT PRIMARY KEY,"
     " unit_code TEXT NOT NULL,"
     " state INTEGER NOT NULL,"
     " record BLOB NOT NULL"  // pcmd.plans.v1.Hotspot, serialised.
     ") WITHOUT ROWID;"
     "CREATE INDEX hotspots_by_unit ON hotspots(unit_code);"},
    {12, "activities",
     "CREATE TABLE activities ("
     " id TEXT PRIMARY KEY,"
     " unit_code TEXT NOT NULL,"
     " kind INTEGER NOT NULL,"
     " activity_date TEXT NOT NULL,"
     " record BLOB NOT NULL"  // pcmd.plans.v1.Activity, serialised.
     ") WITHOUT ROWID;"
     "CREATE INDEX activities_by_date ON activities(activity_date, id);"},
    {13, "reports",
     "CREATE TABLE report_obligations ("
     " plan_code TEXT NOT NULL,"
     " period TEXT NOT NULL,"
     " agency_code TEXT NOT NULL,"
     " kind INTEGER NOT NULL,"
     " period_start TEXT NOT NULL,"
     " period_end TEXT NOT NULL,"
     " due_date TEXT NOT NULL,"
     " report_id TEXT NOT NULL DEFAULT '',"
     " state INTEGER NOT NULL,"
     " due_notified INTEGER NOT NULL DEFAULT 0,"
     " overdue_notified INTEGER NOT NULL DEFAULT 0,"
     " PRIMARY KEY (plan_code, period, agency_code)) WITHOUT ROWID;"
     "CREATE INDEX obligations_by_due ON report_obligations(due_date);"
     "CREATE TABLE reports ("
     " id TEXT PRIMARY KEY,"
     " plan_code TEXT NOT NULL,"
     " period TEXT NOT NULL,"
     " agency_code TEXT NOT NULL,"
     " state INTEGER NOT NULL,"
     " record BLOB NOT NULL"  // pcmd.plans.v1.Report, serialised.
     ") WITHOUT ROWID;"
     "CREATE INDEX reports_by_plan ON reports(plan_code, period, agency_code);"},
    // Kept incrementally from events and from what plans records itself, rolled up to
    // every unit above the one where it happened, so that a figure is one indexed range
    // read however much history there is (counters.h).
    {14, "counters",
     "DROP TABLE tip_counts;"
     "CREATE TABLE counters ("
     " metric TEXT NOT NULL,"
     " dim TEXT NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " day TEXT NOT NULL,"
     " amount REAL NOT NULL,"
     " PRIMARY KEY (metric, dim, unit_code, day)) WITHOUT ROWID;"
     "CREATE TABLE fact_records ("
     " id INTEGER PRIMARY KEY,"
     " metric TEXT NOT NULL,"
     " record TEXT NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " day TEXT NOT NULL,"
     " amount REAL NOT NULL,"
     " attrs TEXT NOT NULL);"
     "CREATE INDEX fact_records_by_metric ON fact_records(metric, day, id);"
     "CREATE TABLE distinct_seen ("
     " metric TEXT NOT NULL,"
     " year TEXT NOT NULL,"
     " key TEXT NOT NULL,"
     " PRIMARY KEY (metric, year, key)) WITHOUT ROWID;"},
    // Drill-down pages walk a metric's facts in id order (counters.cc ListFacts).
    {15, "fact_records_by_metric_id",
     "CREATE INDEX fact_records_by_metric_id ON fact_records(metric, id);"},
};

}  // namespace

std::span<const storage::Migration> PlansMigrations() { return kMigrations; }

}  // namespace pcmd::plans
