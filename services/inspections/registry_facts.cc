#include "services/inspections/registry_facts.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/validation/validation.h"
#include "pcmd/events/v1/inspections_events.pb.h"

namespace pcmd::inspections {

using storage::Row;

absl::StatusOr<std::optional<RiskInputs>> LoadRiskInputs(storage::Transaction& tx,
                                                         absl::string_view id) {
  const std::string key(id);
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT business_type, hotspot, commitment_date, create_unix_ms "
                  "FROM establishments WHERE id = ?1",
                  {key}));
  if (!row.has_value()) return std::optional<RiskInputs>();
  RiskInputs in;
  in.business_type = static_cast<v1::BusinessType>(row->Int(0));
  in.hotspot_linked = !row->Text(1).empty();
  in.commitment_date = ParseIsoDate(row->Text(2));
  in.registered = VietnamDay(absl::FromUnixMillis(row->Int(3)));
  PCMD_ASSIGN_OR_RETURN(std::vector<Row> violations,
                        tx.Query("SELECT inspection_date, severity FROM inspection_violations "
                                 "WHERE establishment_id = ?1",
                                 {key}));
  for (const Row& v : violations) {
    if (std::optional<absl::CivilDay> day = ParseIsoDate(v.Text(0)); day.has_value()) {
      in.violations.push_back({*day, static_cast<v1::Severity>(v.Int(1))});
    }
  }
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> tips,
      tx.Query("SELECT receive_day FROM establishment_tips WHERE establishment_id = ?1", {key}));
  for (const Row& t : tips) {
    if (std::optional<absl::CivilDay> day = ParseIsoDate(t.Text(0)); day.has_value()) {
      in.tip_dates.push_back(*day);
    }
  }
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> last,
                        tx.QueryOne("SELECT MAX(inspection_date) FROM inspections "
                                    "WHERE establishment_id = ?1 AND state = ?2",
                                    {key, int64_t{v1::INSPECTION_STATE_COMPLETED}}));
  if (last.has_value() && !last->IsNull(0)) in.last_inspection = ParseIsoDate(last->Text(0));
  return std::optional<RiskInputs>(std::move(in));
}

std::optional<absl::CivilDay> FollowUpForTip(const RiskInputs& inputs, int category,
                                             absl::CivilDay day) {
  bool serious = false;
  for (const PastViolation& v : inputs.violations) {
    serious |= v.date <= day && v.date >= AddMonths(day, -36) && v.severity >= v1::SEVERITY_SERIOUS;
  }
  bool earlier_tip = false;
  // Windows include both ends, as in the risk scheme (risk.h). `inputs` are those
  // before this tip was recorded: any tip among them that day or earlier counts.
  for (absl::CivilDay tip : inputs.tip_dates) {
    earlier_tip |= tip <= day && tip >= AddMonths(day, -12);
  }
  const bool recently_inspected =
      inputs.last_inspection.has_value() && *inputs.last_inspection >= AddMonths(day, -6);
  const bool complex = inputs.hotspot_linked || earlier_tip;
  if (!serious && !(complex && !recently_inspected)) return std::nullopt;
  // pcmd.intake.v1.Category: 4 trafficking, 5 sexual exploitation of a child.
  const bool urgent = category == 4 || category == 5;
  return day + (urgent ? 7 : 30);
}

absl::StatusOr<v1::RiskAssessment> RefreshRisk(storage::Transaction& tx, events::Outbox& outbox,
                                               absl::string_view id, absl::CivilDay today,
                                               bool follow_up_requested) {
  PCMD_ASSIGN_OR_RETURN(std::optional<RiskInputs> inputs, LoadRiskInputs(tx, id));
  if (!inputs.has_value()) {
    return absl::NotFoundError(absl::StrCat("establishment establishments/", id, " not found"));
  }
  const v1::RiskAssessment risk = AssessRisk(*inputs, today);
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> stored,
                        tx.QueryOne("SELECT risk_category, risk_complex, unit_code "
                                    "FROM establishments WHERE id = ?1",
                                    {std::string(id)}));
  const bool changed = stored->Int(0) != risk.category() || (stored->Int(1) != 0) != risk.complex();
  if (!changed && !follow_up_requested) return risk;
  PCMD_RETURN_IF_ERROR(
      tx.Execute("UPDATE establishments SET risk_category = ?2, risk_complex = ?3 WHERE id = ?1",
                 {std::string(id), int64_t{risk.category()}, int64_t{risk.complex() ? 1 : 0}}));
  events::v1::EstablishmentRiskChanged event;
  event.set_establishment(absl::StrCat("establishments/", id));
  event.set_unit_code(stored->Text(2));
  event.set_score(risk.score());
  event.set_category(risk.category());
  event.set_complex(risk.complex());
  event.set_next_due_date(risk.next_due_date());
  event.set_follow_up_requested(follow_up_requested);
  PCMD_RETURN_IF_ERROR(outbox.Append(tx, "establishment", event.establishment(), event).status());
  return risk;
}

}  // namespace pcmd::inspections
