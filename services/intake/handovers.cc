#include "services/intake/handovers.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "common/validation/person_fields.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"
#include "services/intake/clocks.h"

namespace pcmd::intake {
namespace {

void ValidatePerson(Validator& v, int i, const v1::HandedOverPerson& p, absl::CivilDay today) {
  const std::string at = absl::StrCat("hand_over.persons[", i, "].");
  v.Text(at + "full_name", p.full_name(), {.required = true, .max_chars = 200});
  ValidateBirthDate(v, at + "birth_date", p.birth_date(), today);
  ValidateIdNumber(v, at + "id_number", p.id_number());
  ValidatePhone(v, at + "phone", p.phone());
  v.Text(at + "needs", p.needs(), {.max_chars = kMaxNeedsChars, .multiline = true});
}

}  // namespace

absl::StatusOr<v1::HandOver> HandOvers::Create(const security::Access& access,
                                               const v1::CreateHandOverRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  const v1::HandOver& given = request.hand_over();
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Code("hand_over.unit_code", given.unit_code());
  std::optional<std::string> tip_id;
  if (!given.tip().empty()) {
    absl::StatusOr<std::string> id = ParseResourceName("hand_over.tip", given.tip(), "tips");
    if (id.ok()) {
      tip_id = *std::move(id);
    } else {
      v.AddFrom(id.status());
    }
  }
  v.DateNotAfter("hand_over.found_date", given.found_date(), today, /*required=*/true);
  v.Count("hand_over.persons", given.persons_size(), 1, kMaxHandedOverPersons);
  // Over the limit, the elements are not examined: one violation, not thousands.
  if (given.persons_size() <= static_cast<int>(kMaxHandedOverPersons)) {
    for (int i = 0; i < given.persons_size(); ++i) {
      ValidatePerson(v, i, given.persons(i), today);
    }
  }
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "hand_over.unit_code", given.unit_code(), units_));
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid CreateHandOverRequest"));

  // Scope before the tip: a caller that may not hand over here learns nothing of tips.
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access,
                           {.name = absl::StrCat("a new hand-over in unit ", given.unit_code()),
                            .unit_code = given.unit_code()},
                           units_));
  if (tip_id.has_value()) {
    if (absl::StatusOr<std::string> unit = tips_.GetTipUnit(*tip_id); !unit.ok()) {
      if (unit.status().code() != absl::StatusCode::kNotFound) return unit.status();
      return StatusWithFields(absl::StatusCode::kNotFound,
                              absl::StrCat("hand_over.tip: tip ", given.tip(), " not found"),
                              {{"hand_over.tip", "names no tip"}});
    }
  }

  v1::HandOver hand_over;
  hand_over.set_name(absl::StrCat("handovers/", ids_.Next()));
  hand_over.set_unit_code(given.unit_code());
  hand_over.set_tip(given.tip());
  hand_over.set_found_date(given.found_date());
  for (const v1::HandedOverPerson& person : given.persons()) {
    v1::HandedOverPerson& stored = *hand_over.add_persons();
    stored = person;
    // Output only: whatever the caller sent is replaced.
    stored.set_pseudonym(person.id_number().empty() ? std::string()
                                                    : index_.Pseudonym(person.id_number()));
  }
  hand_over.set_from_agency(access.caller.agency.code);
  *hand_over.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return store_.CreateHandOver(request.request_id(),
                               storage::RequestFingerprint(request, keys_.index_key()), hand_over);
}

absl::StatusOr<v1::HandOver> HandOvers::Get(const security::Access& access,
                                            absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "handovers"));
  // Scope first, from the unit and agency alone: nothing is opened for a caller out of
  // scope. The police that handed the people over keep sight of them wherever the
  // unit lies.
  PCMD_ASSIGN_OR_RETURN(HandOverScope scope, store_.GetHandOverScope(id));
  PCMD_RETURN_IF_ERROR(security::CheckScope(access,
                                            {.name = absl::StrCat("handovers/", id),
                                             .unit_code = scope.unit_code,
                                             .assigned_agency = scope.from_agency},
                                            units_));
  return store_.GetHandOver(id);
}

}  // namespace pcmd::intake
