#include "services/intake/crime_reports.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace pcmd::intake {

v1::SubmitTipRequest CrimeReportRequest(const events::v1::CrimeSuspected& event,
                                        absl::string_view event_id) {
  v1::SubmitTipRequest request;
  request.set_request_id(absl::StrCat("crime-suspected-", event_id));
  request.set_channel(v1::CHANNEL_TEAM_178);
  request.set_legal_kind(v1::LEGAL_KIND_CRIME_REPORT);
  request.set_category(event.minor_involved()          ? v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION
                       : event.trafficking_suspected() ? v1::CATEGORY_TRAFFICKING
                                                       : v1::CATEGORY_ESTABLISHMENT);
  request.set_unit_code(event.unit_code());
  request.set_establishment(event.establishment());
  request.set_description(
      absl::StrCat("Team 178 ", event.team_agency(), " suspected a crime during inspection ",
                   event.inspection(), " on ", event.inspection_date(),
                   event.minor_involved() ? " (a person under 18 involved)" : "",
                   event.trafficking_suspected() ? " (trafficking suspected)" : "",
                   "; the findings are in the inspections service."));
  return request;
}

absl::Status RecordCrimeReport(storage::Transaction& tx, Tips& tips, SqliteTipStore& store,
                               const events::v1::EventEnvelope& envelope) {
  events::v1::CrimeSuspected event;
  if (!envelope.payload().UnpackTo(&event)) {
    return absl::InvalidArgumentError("CrimeSuspected payload does not parse");
  }
  const v1::SubmitTipRequest request = CrimeReportRequest(event, envelope.event_id());
  const security::Caller team{.agency = {.kind = security::AgencyKind::kInspectionTeam,
                                         .unit_code = event.unit_code(),
                                         .code = event.team_agency()},
                              .end_user = "pcmd-inspections",
                              .purpose = "crime-report"};
  // Inspections checked the unit against its copy of the directory; a report of a
  // crime must not wait in dead letters until ours catches up.
  PCMD_ASSIGN_OR_RETURN(PreparedTip prepared, tips.Prepare(team, request, /*check_unit=*/false));
  return store
      .CreateTipIn(tx, request.request_id(), prepared.fingerprint, prepared.tip, nullptr,
                   prepared.received)
      .status();
}

void RegisterCrimeReportHandler(events::EventConsumer& consumer, Tips& tips,
                                SqliteTipStore& store) {
  consumer.Handle(
      "pcmd.events.v1.CrimeSuspected",
      [&tips, &store](storage::Transaction& tx, const events::v1::EventEnvelope& envelope) {
        return RecordCrimeReport(tx, tips, store, envelope);
      });
}

}  // namespace pcmd::intake
