#include "common/units/units.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "pcmd/events/v1/plans_events.pb.h"

namespace pcmd::units {

absl::Status RememberUnit(storage::Transaction& tx, absl::string_view code,
                          absl::string_view parent_code) {
  return tx.Execute(
      "INSERT INTO known_units(code, parent_code) VALUES (?1, ?2) "
      "ON CONFLICT(code) DO UPDATE SET parent_code = excluded.parent_code",
      {std::string(code), std::string(parent_code)});
}

void RegisterUnitHandlers(events::EventConsumer& consumer) {
  consumer.Handle("pcmd.events.v1.UnitCreated",
                  [](storage::Transaction& tx, const events::v1::EventEnvelope& env) {
                    events::v1::UnitCreated unit;
                    if (!env.payload().UnpackTo(&unit)) {
                      return absl::InvalidArgumentError("payload is not UnitCreated");
                    }
                    return RememberUnit(tx, unit.unit_code(), unit.parent_code());
                  });
  consumer.OnReset([](storage::Transaction& tx) { return tx.Execute("DELETE FROM known_units"); });
}

absl::StatusOr<bool> SqliteUnitTree::IsWithin(absl::string_view unit,
                                              absl::string_view ancestor) const {
  if (unit == ancestor) return true;
  bool within = false;
  PCMD_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& tx) -> absl::Status {
    // Walks up from `unit`; the depth bound guards against a cycle in bad data.
    PCMD_ASSIGN_OR_RETURN(std::optional<storage::Row> row,
                          tx.QueryOne("WITH RECURSIVE up(code, depth) AS ("
                                      " SELECT parent_code, 1 FROM known_units WHERE code = ?1"
                                      " UNION ALL"
                                      " SELECT k.parent_code, up.depth + 1 FROM known_units k"
                                      " JOIN up ON k.code = up.code WHERE up.depth < 16)"
                                      " SELECT COUNT(*) FROM up WHERE code = ?2",
                                      {std::string(unit), std::string(ancestor)}));
    within = row.has_value() && row->Int(0) > 0;
    return absl::OkStatus();
  }));
  return within;
}

absl::StatusOr<bool> SqliteUnitTree::Knows(absl::string_view unit) const {
  if (unit == security::kNationalUnit) return true;
  bool known = false;
  PCMD_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::optional<storage::Row> row,
        tx.QueryOne("SELECT 1 FROM known_units WHERE code = ?1", {std::string(unit)}));
    known = row.has_value();
    return absl::OkStatus();
  }));
  return known;
}

absl::StatusOr<std::optional<std::vector<std::string>>> UnitsInReach(
    const security::Access& access, absl::string_view unit_filter,
    const security::UnitTree& units) {
  const security::Caller& caller = access.caller;
  const bool everywhere =
      access.scope == security::Scope::kAll || caller.agency.unit_code == security::kNationalUnit;
  if (!everywhere && access.scope != security::Scope::kOwnUnitSubtree) {
    return absl::PermissionDeniedError(
        absl::StrCat("agency ", caller.agency.code, " has no unit scope for this list"));
  }
  if (unit_filter.empty()) {
    if (everywhere) return std::optional<std::vector<std::string>>();
    PCMD_ASSIGN_OR_RETURN(std::vector<std::string> own, units.SubtreeOf(caller.agency.unit_code));
    return std::optional<std::vector<std::string>>(std::move(own));
  }
  if (!everywhere) {
    PCMD_ASSIGN_OR_RETURN(bool within, units.IsWithin(unit_filter, caller.agency.unit_code));
    if (!within) {
      return absl::PermissionDeniedError(absl::StrCat(
          "unit ", unit_filter, " lies outside the units of agency ", caller.agency.code));
    }
  }
  PCMD_ASSIGN_OR_RETURN(std::vector<std::string> subtree, units.SubtreeOf(unit_filter));
  return std::optional<std::vector<std::string>>(std::move(subtree));
}

absl::Status CheckKnownUnit(Validator& v, absl::string_view field, absl::string_view unit,
                            const security::UnitTree& units) {
  if (unit.empty() || v.Has(field)) return absl::OkStatus();
  PCMD_ASSIGN_OR_RETURN(bool known, units.Knows(unit));
  if (!known) {
    v.Add(field, absl::StrCat("unit ", unit,
                              " is not in the directory of administrative units; use a code "
                              "from the plans service's directory"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SqliteUnitTree::AncestorsOf(absl::string_view unit) const {
  std::vector<std::string> ancestors;
  PCMD_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<storage::Row> rows,
                          tx.Query("WITH RECURSIVE up(code, depth) AS ("
                                   " SELECT parent_code, 1 FROM known_units WHERE code = ?1"
                                   " UNION ALL"
                                   " SELECT k.parent_code, up.depth + 1 FROM known_units k"
                                   " JOIN up ON k.code = up.code WHERE up.depth < 16)"
                                   " SELECT code FROM up WHERE code != '' ORDER BY depth",
                                   {std::string(unit)}));
    for (const storage::Row& row : rows) ancestors.push_back(row.Text(0));
    return absl::OkStatus();
  }));
  return ancestors;
}

absl::StatusOr<std::vector<std::string>> SqliteUnitTree::SubtreeOf(absl::string_view unit) const {
  std::vector<std::string> subtree;
  PCMD_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<storage::Row> rows,
                          tx.Query("WITH RECURSIVE down(code, depth) AS ("
                                   " SELECT ?1, 0"
                                   " UNION"
                                   " SELECT k.code, down.depth + 1 FROM known_units k"
                                   " JOIN down ON k.parent_code = down.code WHERE down.depth < 16)"
                                   " SELECT DISTINCT code FROM down ORDER BY code",
                                   {std::string(unit)}));
    for (const storage::Row& row : rows) subtree.push_back(row.Text(0));
    return absl::OkStatus();
  }));
  return subtree;
}

}  // namespace pcmd::units
