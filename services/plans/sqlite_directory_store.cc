#include "services/plans/sqlite_unit_store.h"

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/units/units.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "pcmd/events/v1/plans_events.pb.h"

namespace pcmd::plans {
namespace {

using storage::Row;
using storage::Transaction;

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
    // Kept incrementally from TipReceived so that reading progress never scans
    // history.
    {4, "tip counters",
     "CREATE TABLE tip_counts ("
     " unit_code TEXT NOT NULL,"
     " receive_date TEXT NOT NULL,"
     " tips INTEGER NOT NULL,"
     " PRIMARY KEY (unit_code, receive_date)) WITHOUT ROWID;"},
    {5, "audit log", audit::kAuditMigrationSql},
    {6, "known units", units::kUnitsMigrationSql},
};

absl::StatusOr<std::optional<v1::Unit>> Find(Transaction& tx, absl::string_view code) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT code, display_name, level, parent_code, valid_from, valid_to "
                  "FROM units WHERE code = ?1",
                  {std::string(code)}));
  if (!row.has_value()) return std::optional<v1::Unit>();
  v1::Unit u;
  u.set_name(absl::StrCat("units/", row->Text(0)));
  u.set_code(row->Text(0));
  u.set_display_name(row->Text(1));
  u.set_level(static_cast<v1::UnitLevel>(row->Int(2)));
  u.set_parent_code(row->OptionalText(3).value_or(""));
  u.set_valid_from(row->Text(4));
  u.set_valid_to(row->Text(5));
  return std::optional<v1::Unit>(std::move(u));
}

}  // namespace

std::span<const storage::Migration> PlansMigrations() { return kMigrations; }

absl::StatusOr<v1::Unit> SqliteUnitStore::CreateUnit(const v1::Unit& unit) {
  std::optional<v1::Unit> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Unit> existing, Find(tx, unit.code()));
    if (existing.has_value()) {
      if (existing->SerializeAsString() != unit.SerializeAsString()) {
        return absl::AlreadyExistsError(absl::StrCat(
            "unit code ", unit.code(), " already belongs to ", existing->display_name()));
      }
      result = std::move(existing);
      return absl::OkStatus();
    }
    if (!unit.parent_code().empty()) {
      PCMD_ASSIGN_OR_RETURN(std::optional<v1::Unit> parent, Find(tx, unit.parent_code()));
      if (!parent.has_value()) {
        return StatusWithFields(absl::StatusCode::kNotFound,
                                absl::StrCat("parent unit ", unit.parent_code(), " not found"),
                                {{"parent_code", "names no known unit"}});
      }
    }
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO units(code, display_name, level, parent_code, valid_from, valid_to) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        {unit.code(), unit.display_name(), int64_t{unit.level()},
         unit.parent_code().empty() ? storage::Value(std::monostate{})
                                    : storage::Value(unit.parent_code()),
         unit.valid_from(), unit.valid_to()}));
    events::v1::UnitCreated created;
    created.set_unit_code(unit.code());
    created.set_level(unit.level());
    created.set_parent_code(unit.parent_code());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "unit", unit.name(), created).status());
    // The tree that unit scope reads (common/units), as the other services learn it.
    PCMD_RETURN_IF_ERROR(units::RememberUnit(tx, unit.code(), unit.parent_code()));
    result = unit;
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::Unit> SqliteUnitStore::GetUnit(absl::string_view code) {
  return storage::ReadOne<v1::Unit>(
      db_, [&](Transaction& tx) { return Find(tx, code); },
      absl::StrCat("unit units/", code, " not found"));
}

void RegisterPlansHandlers(events::EventConsumer& consumer) {
  consumer.Handle("pcmd.events.v1.TipReceived",
                  [](Transaction& tx, const events::v1::EventEnvelope& env) -> absl::Status {
                    events::v1::TipReceived tip;
                    if (!env.payload().UnpackTo(&tip)) {
                      return absl::InvalidArgumentError("payload is not TipReceived");
                    }
                    return tx.Execute(
                        "INSERT INTO tip_counts(unit_code, receive_date, tips) VALUES (?1, ?2, 1) "
                        "ON CONFLICT(unit_code, receive_date) DO UPDATE SET tips = tips + 1",
                        {tip.unit_code(), tip.receive_date()});
                  });
  consumer.OnReset([](Transaction& tx) { return tx.Execute("DELETE FROM tip_counts"); });
}

absl::StatusOr<int64_t> TipsReceived(storage::SqliteDatabase& db, absl::string_view unit_code,
                                     absl::string_view from, absl::string_view to) {
  int64_t tips = 0;
  PCMD_RETURN_IF_ERROR(db.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> row,
        tx.QueryOne("SELECT COALESCE(SUM(tips), 0) FROM tip_counts "
                    "WHERE unit_code = ?1 AND receive_date BETWEEN ?2 AND ?3",
                    {std::string(unit_code), std::string(from), std::string(to)}));
    tips = row->Int(0);
    return absl::OkStatus();
  }));
  return tips;
}

}  // namespace pcmd::plans
