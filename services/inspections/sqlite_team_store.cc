#include "services/inspections/sqlite_team_store.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::inspections {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kPrefix = "teams/";
constexpr absl::string_view kColumns =
    "id, display_name, level, unit_code, agency_code, decision, active_from, active_to, "
    "monthly_capacity, create_unix_ms";

v1::Team FromRow(const Row& r) {
  v1::Team t;
  t.set_name(absl::StrCat(kPrefix, r.Text(0)));
  t.set_display_name(r.Text(1));
  t.set_level(static_cast<v1::TeamLevel>(r.Int(2)));
  t.set_unit_code(r.Text(3));
  t.set_agency_code(r.Text(4));
  t.set_decision(r.Text(5));
  t.set_active_from(r.Text(6));
  t.set_active_to(r.Text(7));
  t.set_monthly_capacity(static_cast<int32_t>(r.Int(8)));
  *t.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(r.Int(9));
  return t;
}

// Adds the team's members, in their stored order.
absl::Status AddMembers(Transaction& tx, absl::string_view id, v1::Team& team) {
  PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        tx.Query("SELECT display_name, agency, role FROM team_members "
                                 "WHERE team_id = ?1 ORDER BY position",
                                 {std::string(id)}));
  for (const Row& r : rows) {
    v1::TeamMember* m = team.add_members();
    m->set_display_name(r.Text(0));
    m->set_agency(static_cast<v1::MemberAgency>(r.Int(1)));
    m->set_role(static_cast<v1::MemberRole>(r.Int(2)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Team>> Find(Transaction& tx, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                        tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM teams WHERE id = ?1"),
                                    {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Team>();
  v1::Team team = FromRow(*row);
  PCMD_RETURN_IF_ERROR(AddMembers(tx, id, team));
  return std::optional<v1::Team>(std::move(team));
}

absl::Status Insert(Transaction& tx, absl::string_view id, const v1::Team& t) {
  PCMD_RETURN_IF_ERROR(tx.Execute(
      absl::StrCat("INSERT INTO teams(", kColumns,
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
      {std::string(id), t.display_name(), int64_t{t.level()}, t.unit_code(), t.agency_code(),
       t.decision(), t.active_from(), t.active_to(), int64_t{t.monthly_capacity()},
       TimeUtil::TimestampToMilliseconds(t.create_time())}));
  for (int i = 0; i < t.members_size(); ++i) {
    const v1::TeamMember& m = t.members(i);
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO team_members(team_id, position, display_name, agency, role) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        {std::string(id), int64_t{i}, m.display_name(), int64_t{m.agency()}, int64_t{m.role()}}));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Team> SqliteTeamStore::CreateTeam(absl::string_view request_id,
                                                     absl::string_view fingerprint,
                                                     const v1::Team& team) {
  if (!absl::StartsWith(team.name(), kPrefix)) {
    return absl::InternalError(absl::StrCat("a team to store is named ", team.name()));
  }
  const std::string id(absl::string_view(team.name()).substr(kPrefix.size()));
  std::optional<v1::Team> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "CreateTeam", request_id, fingerprint,
                                              team.name(), absl::ToUnixMillis(clock_.Now()),
                                              [&] { return Insert(tx, id, team); }));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, absl::string_view(name).substr(kPrefix.size())));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("created team cannot be read back");
  return *std::move(result);
}

absl::StatusOr<v1::Team> SqliteTeamStore::GetTeam(absl::string_view id) {
  return storage::ReadOne<v1::Team>(
      db_, [&](Transaction& tx) { return Find(tx, id); },
      absl::StrCat("team ", kPrefix, id, " not found"));
}

absl::StatusOr<std::vector<v1::Team>> SqliteTeamStore::ListTeams(const TeamQuery& query) {
  std::vector<std::string> where;
  std::vector<storage::Value> params;
  const auto param = [&](storage::Value value) {
    params.push_back(std::move(value));
    return absl::StrCat("?", params.size());
  };
  if (query.units.has_value()) {
    where.push_back(absl::StrCat("unit_code IN (SELECT value FROM json_each(",
                                 param(storage::JsonArray(*query.units)), "))"));
  }
  if (!query.active_on.empty()) {
    const std::string day = param(query.active_on);
    where.push_back(
        absl::StrCat("active_from <= ", day, " AND (active_to = '' OR active_to >= ", day, ")"));
  }
  if (query.after.has_value()) {
    where.push_back(absl::StrCat("(unit_code, display_name, id) > (", param(query.after->unit_code),
                                 ", ", param(query.after->display_name), ", ",
                                 param(query.after->id), ")"));
  }
  const std::string sql =
      absl::StrCat("SELECT ", kColumns, " FROM teams", where.empty() ? "" : " WHERE ",
                   absl::StrJoin(where, " AND "), " ORDER BY unit_code, display_name, id LIMIT ",
                   param(int64_t{query.limit}));
  std::vector<v1::Team> teams;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
    for (const Row& row : rows) {
      v1::Team team = FromRow(row);
      PCMD_RETURN_IF_ERROR(AddMembers(tx, row.Text(0), team));
      teams.push_back(std::move(team));
    }
    return absl::OkStatus();
  }));
  return teams;
}

}  // namespace pcmd::inspections
