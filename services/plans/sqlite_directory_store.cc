#include "services/plans/sqlite_directory_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/text/text.h"
#include "common/units/units.h"
#include "google/protobuf/util/json_util.h"
#include "pcmd/events/v1/plans_events.pb.h"

namespace pcmd::plans {
namespace {

using storage::Row;
using storage::Transaction;

std::vector<std::string> ParseCodes(const std::string& json) {
  // Written only by this file as storage::JsonArray of codes ([A-Za-z0-9._-]).
  std::vector<std::string> out;
  std::string current;
  bool in = false;
  for (char c : json) {
    if (c == '"') {
      if (in) out.push_back(current);
      current.clear();
      in = !in;
    } else if (in) {
      current.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> Codes(const google::protobuf::RepeatedPtrField<std::string>& codes) {
  return {codes.begin(), codes.end()};
}

constexpr absl::string_view kUnitColumns =
    "code, display_name, level, parent_code, valid_from, valid_to, successors";

v1::Unit UnitFromRow(const Row& row) {
  v1::Unit u;
  u.set_name(absl::StrCat("units/", row.Text(0)));
  u.set_code(row.Text(0));
  u.set_display_name(row.Text(1));
  u.set_level(static_cast<v1::UnitLevel>(row.Int(2)));
  u.set_parent_code(row.OptionalText(3).value_or(""));
  u.set_valid_from(row.Text(4));
  u.set_valid_to(row.Text(5));
  for (std::string& s : ParseCodes(row.Text(6))) u.add_successor_codes(std::move(s));
  return u;
}

constexpr absl::string_view kAgencyColumns =
    "code, display_name, kind, unit_code, parent_code, valid_from, valid_to, successors";

v1::Agency AgencyFromRow(const Row& row) {
  v1::Agency a;
  a.set_name(absl::StrCat("agencies/", row.Text(0)));
  a.set_code(row.Text(0));
  a.set_display_name(row.Text(1));
  a.set_kind(static_cast<v1::AgencyKind>(row.Int(2)));
  a.set_unit_code(row.Text(3));
  a.set_parent_code(row.OptionalText(4).value_or(""));
  a.set_valid_from(row.Text(5));
  a.set_valid_to(row.Text(6));
  for (std::string& s : ParseCodes(row.Text(7))) a.add_successor_codes(std::move(s));
  return a;
}

absl::StatusOr<std::optional<v1::Agency>> FindAgency(Transaction& tx, absl::string_view code) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kAgencyColumns, " FROM agencies WHERE code = ?1"),
                  {std::string(code)}));
  if (!row.has_value()) return std::optional<v1::Agency>();
  return std::optional<v1::Agency>(AgencyFromRow(*row));
}

// True when every folded word is among the words of `name`.
bool HasWords(absl::string_view name, const std::vector<std::string>& words) {
  if (words.empty()) return true;
  const std::vector<std::string> have = text::Words(name);
  for (const std::string& w : words) {
    if (std::find(have.begin(), have.end(), w) == have.end()) return false;
  }
  return true;
}

bool ValidOn(absl::string_view from, absl::string_view to, absl::string_view day) {
  if (day.empty()) return true;
  return (from.empty() || from <= day) && (to.empty() || day <= to);
}

absl::Status NotFoundField(absl::string_view field, absl::string_view what,
                           absl::string_view code) {
  return StatusWithFields(
      absl::StatusCode::kNotFound, absl::StrCat(what, " ", code, " not found"),
      {{std::string(field), absl::StrCat("names no known ", what, ": ", code)}});
}

}  // namespace

absl::StatusOr<std::optional<v1::Unit>> FindUnit(Transaction& tx, absl::string_view code) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kUnitColumns, " FROM units WHERE code = ?1"),
                  {std::string(code)}));
  if (!row.has_value()) return std::optional<v1::Unit>();
  return std::optional<v1::Unit>(UnitFromRow(*row));
}

absl::StatusOr<v1::Unit> SqliteDirectoryStore::CreateUnit(const v1::Unit& unit) {
  std::optional<v1::Unit> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Unit> existing, FindUnit(tx, unit.code()));
    if (existing.has_value()) {
      if (existing->SerializeAsString() != unit.SerializeAsString()) {
        return absl::AlreadyExistsError(absl::StrCat(
            "unit code ", unit.code(), " already belongs to ", existing->display_name()));
      }
      result = std::move(existing);
      return absl::OkStatus();
    }
    if (!unit.parent_code().empty()) {
      PCMD_ASSIGN_OR_RETURN(std::optional<v1::Unit> parent, FindUnit(tx, unit.parent_code()));
      if (!parent.has_value())
        return NotFoundField("parent_code", "parent unit", unit.parent_code());
    }
    for (int i = 0; i < unit.successor_codes_size(); ++i) {
      PCMD_ASSIGN_OR_RETURN(std::optional<v1::Unit> s, FindUnit(tx, unit.successor_codes(i)));
      if (!s.has_value()) {
        return NotFoundField(absl::StrCat("successor_codes[", i, "]"), "unit",
                             unit.successor_codes(i));
      }
    }
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO units(code, display_name, level, parent_code, valid_from, valid_to, "
        "successors) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        {unit.code(), unit.display_name(), int64_t{unit.level()},
         unit.parent_code().empty() ? storage::Value(std::monostate{})
                                    : storage::Value(unit.parent_code()),
         unit.valid_from(), unit.valid_to(), storage::JsonArray(Codes(unit.successor_codes()))}));
    events::v1::UnitCreated created;
    created.set_unit_code(unit.code());
    created.set_level(unit.level());
    created.set_parent_code(unit.parent_code());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "unit", unit.name(), created).status());
    // The tree that unit scope and the counters' roll-up read (common/units), as the
    // other services learn it.
    PCMD_RETURN_IF_ERROR(units::RememberUnit(tx, unit.code(), unit.parent_code()));
    result = unit;
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::Unit> SqliteDirectoryStore::GetUnit(absl::string_view code) {
  return storage::ReadOne<v1::Unit>(
      db_, [&](Transaction& tx) { return FindUnit(tx, code); },
      absl::StrCat("unit units/", code, " not found"));
}

absl::StatusOr<std::vector<v1::Unit>> SqliteDirectoryStore::ListUnits(const UnitQuery& q) {
  std::vector<v1::Unit> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    std::string sql = absl::StrCat("SELECT ", kUnitColumns, " FROM units WHERE code > ?1");
    std::vector<storage::Value> params = {q.after_code};
    if (!q.parent_code.empty()) {
      params.push_back(q.parent_code);
      absl::StrAppend(&sql, " AND parent_code = ?", params.size());
    }
    if (!q.subtree_of.empty()) {
      params.push_back(q.subtree_of);
      absl::StrAppend(&sql, " AND code IN (WITH RECURSIVE sub(c) AS (SELECT ?", params.size(),
                      " UNION SELECT u.code FROM units u JOIN sub ON u.parent_code = sub.c) "
                      "SELECT c FROM sub)");
    }
    if (q.level != v1::UNIT_LEVEL_UNSPECIFIED) {
      params.push_back(int64_t{q.level});
      absl::StrAppend(&sql, " AND level = ?", params.size());
    }
    absl::StrAppend(&sql, " ORDER BY code");
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& row : rows) {
      if (static_cast<int>(out.size()) >= q.limit) break;
      v1::Unit u = UnitFromRow(row);
      if (!ValidOn(u.valid_from(), u.valid_to(), q.valid_on)) continue;
      if (!HasWords(u.display_name(), q.words)) continue;
      out.push_back(std::move(u));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Agency> SqliteDirectoryStore::CreateAgency(const v1::Agency& agency) {
  std::optional<v1::Agency> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Agency> existing, FindAgency(tx, agency.code()));
    if (existing.has_value()) {
      if (existing->SerializeAsString() != agency.SerializeAsString()) {
        return absl::AlreadyExistsError(absl::StrCat(
            "agency code ", agency.code(), " already belongs to ", existing->display_name()));
      }
      result = std::move(existing);
      return absl::OkStatus();
    }
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Unit> unit, FindUnit(tx, agency.unit_code()));
    if (!unit.has_value()) return NotFoundField("unit_code", "unit", agency.unit_code());
    if (!agency.parent_code().empty()) {
      PCMD_ASSIGN_OR_RETURN(std::optional<v1::Agency> parent, FindAgency(tx, agency.parent_code()));
      if (!parent.has_value()) return NotFoundField("parent_code", "agency", agency.parent_code());
    }
    for (int i = 0; i < agency.successor_codes_size(); ++i) {
      PCMD_ASSIGN_OR_RETURN(std::optional<v1::Agency> s, FindAgency(tx, agency.successor_codes(i)));
      if (!s.has_value()) {
        return NotFoundField(absl::StrCat("successor_codes[", i, "]"), "agency",
                             agency.successor_codes(i));
      }
    }
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO agencies(code, display_name, kind, unit_code, parent_code, valid_from, "
        "valid_to, successors) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        {agency.code(), agency.display_name(), int64_t{agency.kind()}, agency.unit_code(),
         agency.parent_code().empty() ? storage::Value(std::monostate{})
                                      : storage::Value(agency.parent_code()),
         agency.valid_from(), agency.valid_to(),
         storage::JsonArray(Codes(agency.successor_codes()))}));
    result = agency;
    return absl::OkStatus();
  }));
  return *std::move(result);
}

absl::StatusOr<v1::Agency> SqliteDirectoryStore::GetAgency(absl::string_view code) {
  return storage::ReadOne<v1::Agency>(
      db_, [&](Transaction& tx) { return FindAgency(tx, code); },
      absl::StrCat("agency agencies/", code, " not found"));
}

absl::StatusOr<std::vector<v1::Agency>> SqliteDirectoryStore::ListAgencies(const AgencyQuery& q) {
  std::vector<v1::Agency> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    std::string sql = absl::StrCat("SELECT ", kAgencyColumns, " FROM agencies WHERE code > ?1");
    std::vector<storage::Value> params = {q.after_code};
    if (q.kind != v1::AGENCY_KIND_UNSPECIFIED) {
      params.push_back(int64_t{q.kind});
      absl::StrAppend(&sql, " AND kind = ?", params.size());
    }
    if (!q.unit_code.empty()) {
      params.push_back(q.unit_code);
      absl::StrAppend(&sql, " AND unit_code IN (WITH RECURSIVE sub(c) AS (SELECT ?", params.size(),
                      " UNION SELECT u.code FROM units u JOIN sub ON u.parent_code = sub.c) "
                      "SELECT c FROM sub)");
    }
    absl::StrAppend(&sql, " ORDER BY code");
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& row : rows) {
      if (static_cast<int>(out.size()) >= q.limit) break;
      v1::Agency a = AgencyFromRow(row);
      if (!ValidOn(a.valid_from(), a.valid_to(), q.valid_on)) continue;
      if (!HasWords(a.display_name(), q.words)) continue;
      out.push_back(std::move(a));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace pcmd::plans
