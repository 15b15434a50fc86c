#include "services/inspections/teams.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/paging/paging.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::inspections {
namespace {

constexpr absl::string_view kPrefix = "teams/";
constexpr size_t kMaxMembers = 30;
constexpr int kMinCapacity = 1;
constexpr int kMaxCapacity = 500;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

std::string MemberPath(int i, absl::string_view field) {
  return absl::StrCat("team.members[", i, "].", field);
}

// Checks the members and the leadership rule: exactly one leader, from the
// social-affairs authority (Decree 178/2004/NĐ-CP).
void ValidateMembers(Validator& v, const v1::Team& team) {
  v.Count("team.members", team.members_size(), 1, kMaxMembers);
  bool role_unclear = false;
  std::optional<int> leader;
  for (int i = 0; i < team.members_size(); ++i) {
    const v1::TeamMember& m = team.members(i);
    v.Text(MemberPath(i, "display_name"), m.display_name(), {.required = true, .max_chars = 200});
    v.Enum(MemberPath(i, "agency"), m.agency(), v1::MemberAgency_IsValid);
    const std::string role = MemberPath(i, "role");
    v.Enum(role, m.role(), v1::MemberRole_IsValid);
    if (v.Has(role)) {
      role_unclear = true;
      continue;
    }
    if (m.role() != v1::MEMBER_ROLE_LEADER) continue;
    if (leader.has_value()) {
      v.Add(role, absl::StrCat("a team has exactly one leader and team.members[", *leader,
                               "] leads already"));
      continue;
    }
    leader = i;
    const std::string agency = MemberPath(i, "agency");
    if (!v.Has(agency) && m.agency() != v1::MEMBER_AGENCY_SOCIAL_AFFAIRS) {
      v.Add(agency,
            "the leader must come from the social-affairs authority "
            "(MEMBER_AGENCY_SOCIAL_AFFAIRS)");
    }
  }
  // A member whose role is unreadable may have been meant as the leader: that
  // violation is the one to fix first.
  if (team.members_size() > 0 && !leader.has_value() && !role_unclear) {
    v.Add("team.members", "needs exactly one member with role MEMBER_ROLE_LEADER");
  }
}

void ValidateTeam(Validator& v, const v1::Team& team) {
  v.Text("team.display_name", team.display_name(), {.required = true, .max_chars = 200});
  v.Enum("team.level", team.level(), v1::TeamLevel_IsValid);
  v.Code("team.unit_code", team.unit_code());
  v.Code("team.agency_code", team.agency_code());
  v.Text("team.decision", team.decision(), {.required = true, .max_chars = 300});
  ValidateMembers(v, team);
  v.Date("team.active_from", team.active_from(), /*required=*/true);
  v.Date("team.active_to", team.active_to());
  const std::optional<absl::CivilDay> from = ParseIsoDate(team.active_from());
  const std::optional<absl::CivilDay> to = ParseIsoDate(team.active_to());
  if (from.has_value() && to.has_value() && *to < *from) {
    v.Add("team.active_to", absl::StrCat("must not be before team.active_from (",
                                         team.active_from(), "); leave it empty when open-ended"));
  }
  v.Range("team.monthly_capacity", team.monthly_capacity(), kMinCapacity, kMaxCapacity);
}

// Where the next page starts: "<unit>.<display name>.<id>", unit and display name in
// web-safe base64 (which has no '.'); common/paging binds it to the query.
std::string PageToken(const v1::Team& last, absl::string_view fingerprint) {
  return MakePageToken(absl::StrCat(absl::WebSafeBase64Escape(last.unit_code()), ".",
                                    absl::WebSafeBase64Escape(last.display_name()), ".",
                                    absl::string_view(last.name()).substr(kPrefix.size())),
                       fingerprint);
}

std::optional<TeamPosition> ParsePageToken(absl::string_view token, absl::string_view fingerprint) {
  const std::optional<std::string> plain = ReadPageToken(token, fingerprint);
  if (!plain.has_value()) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(*plain, '.');
  TeamPosition position;
  if (parts.size() != 3 || parts[2].empty() ||
      !absl::WebSafeBase64Unescape(parts[0], &position.unit_code) ||
      !absl::WebSafeBase64Unescape(parts[1], &position.display_name) ||
      position.unit_code.empty()) {
    return std::nullopt;
  }
  position.id = parts[2];
  return position;
}

}  // namespace

absl::StatusOr<v1::Team> Teams::Create(const security::Access& access,
                                       const v1::CreateTeamRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  if (!request.has_team()) {
    v.Add("team", "is required");
  } else {
    ValidateTeam(v, request.team());
    PCMD_RETURN_IF_ERROR(
        units::CheckKnownUnit(v, "team.unit_code", request.team().unit_code(), units_));
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateTeamRequest"));
  const v1::Team& given = request.team();
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access,
                           {.name = absl::StrCat("a new team in unit ", given.unit_code()),
                            .unit_code = given.unit_code()},
                           units_));

  v1::Team team = given;
  team.set_name(absl::StrCat(kPrefix, ids_.Next()));
  *team.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  // The fields the server sets do not make a retry a different request.
  v1::CreateTeamRequest fingerprinted = request;
  fingerprinted.mutable_team()->clear_name();
  fingerprinted.mutable_team()->clear_create_time();
  // Unkeyed: members are officials acting in office, not personal data.
  return store_.CreateTeam(request.request_id(), storage::RequestFingerprint(fingerprinted), team);
}

absl::StatusOr<v1::Team> Teams::Get(const security::Access& access, absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "teams"));
  PCMD_ASSIGN_OR_RETURN(v1::Team team, store_.GetTeam(id));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access, {.name = team.name(), .unit_code = team.unit_code()}, units_));
  return team;
}

absl::StatusOr<v1::ListTeamsResponse> Teams::List(const security::Access& access,
                                                  const v1::ListTeamsRequest& request) {
  Validator v;
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  if (!request.unit_code().empty()) v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  v.Date("active_on", request.active_on());
  TeamQuery query;
  const std::string fingerprint = QueryFingerprint(request);
  if (!request.page_token().empty()) {
    query.after = ParsePageToken(request.page_token(), fingerprint);
    if (!query.after.has_value()) {
      v.Add("page_token", "is not a page token of this query (the filters must stay the same)");
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListTeamsRequest"));

  PCMD_ASSIGN_OR_RETURN(query.units, units::UnitsInReach(access, request.unit_code(), units_));
  query.active_on = request.active_on();
  const int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  // One more than the page tells whether another page follows.
  query.limit = page_size + 1;

  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Team> teams, store_.ListTeams(query));
  v1::ListTeamsResponse response;
  const bool more = static_cast<int>(teams.size()) > page_size;
  if (more) teams.resize(page_size);
  for (v1::Team& team : teams) *response.add_teams() = std::move(team);
  if (more) response.set_next_page_token(PageToken(response.teams().rbegin()[0], fingerprint));
  return response;
}

}  // namespace pcmd::inspections
