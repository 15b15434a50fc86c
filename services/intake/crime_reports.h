// Crimes suspected during inspections become tips: inspections publishes
// CrimeSuspected when a Team 178 finds signs of organising, brokering, trafficking or
// a minor involved; intake records it as a crime report (tin báo) received through
// the Team 178 channel, routed to the police by the routing rules, in the same
// transaction as the event's inbox entry — once per event, never lost.
#ifndef PCMD_SERVICES_INTAKE_CRIME_REPORTS_H_
#define PCMD_SERVICES_INTAKE_CRIME_REPORTS_H_

#include "common/events/consumer.h"
#include "pcmd/events/v1/inspections_events.pb.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips.h"

namespace pcmd::intake {

// The tip request a CrimeSuspected event stands for: channel Team 178, legal kind
// crime report, category child sexual exploitation / trafficking / establishment by
// the event's flags, request id "crime-suspected-<event id>" (so a redelivered event
// finds its tip). No personal data: the event carries none.
v1::SubmitTipRequest CrimeReportRequest(const events::v1::CrimeSuspected& event,
                                        absl::string_view event_id);

// Records the tip of one CrimeSuspected envelope inside `tx` (once: a redelivered
// event finds the tip its first delivery created). Errors: INVALID_ARGUMENT when the
// payload does not parse or does not make a valid tip (a missing unit or team code);
// storage errors.
absl::Status RecordCrimeReport(storage::Transaction& tx, Tips& tips, SqliteTipStore& store,
                               const events::v1::EventEnvelope& envelope);

// Handles pcmd.events.v1.CrimeSuspected on `consumer` with RecordCrimeReport: the Team 178
// (event.team_agency at event.unit_code) is the receiving agency. An event that does not make a
// valid tip fails (and is dead-lettered after the consumer's attempts). `tips` and `store` must
// outlive the consumer.
void RegisterCrimeReportHandler(events::EventConsumer& consumer, Tips& tips, SqliteTipStore& store);

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_CRIME_REPORTS_H_
