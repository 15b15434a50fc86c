#include "services/intake/access_rules.h"

#include <cstdlib>

#include "common/events/admin_rules.h"

namespace pcmd::intake {
namespace {

using K = security::AgencyKind;

// A rule table that does not load is a programming error caught by the tests.
void Must(const absl::Status& status) {
  if (!status.ok()) std::abort();
}

}  // namespace

security::AccessPolicy IntakeAccessPolicy() {
  security::AccessPolicy policy;
  // Tips come in through police, social-affairs and Team 178 systems (hotlines, walk-ins,
  // the web form run by them), other ministries, and our own services (a crime suspected
  // during an inspection).
  Must(policy.Add(
      {.method = "/pcmd.intake.v1.IntakeService/SubmitTip",
       .kinds = {K::kPolice, K::kSocialAffairs, K::kInspectionTeam, K::kMinistry, K::kService},
       // Any agency that receives a tip must record it, wherever the facts happened;
       // assignment then gives it one responsible unit.
       .scope = security::Scope::kAll,
       .personal_data = true}));
  // Agencies that handle or supervise tips; the procuracy supervises how denunciations are
  // settled (Criminal Procedure Code Art. 145-147).
  Must(policy.Add({.method = "/pcmd.intake.v1.IntakeService/GetTip",
                   .kinds = {K::kPolice, K::kSocialAffairs, K::kProcuracy, K::kInspectionTeam},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  // Break-glass: who reported a tip. People who denounce a crime are protected by law
  // (Criminal Procedure Code 2015, Chapter XXXIII), and a reporter exposed to the
  // organisers of prostitution is in danger, so their identity stays closed even to most
  // agencies that work the tip. Only the police, who settle denunciations and may have
  // to take the reporter's statement or protect them, and the procuracy, which
  // supervises that settlement, may open it, each within its own units; social affairs,
  // Teams 178 and ministries work the tip without it. Every call is audited and raised
  // to supervisors (ReporterRevealed).
  Must(policy.Add({.method = "/pcmd.intake.v1.IntakeService/RevealReporter",
                   .kinds = {K::kPolice, K::kProcuracy},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  // Stage work: the agencies that settle tips (police for crimes, social affairs and
  // Teams 178 for administrative matters), within their units; the logic then lets only
  // the agency responsible for the stage act (tips.h). The stage methods answer the
  // tip, with its personal data.
  for (const char* rpc : {"VerifyTip", "ClassifyTip", "AssignTip", "TransferTip", "AcceptTransfer",
                          "RejectTransfer", "ResolveTip", "MarkTipDuplicate"}) {
    Must(policy.Add({.method = std::string("/pcmd.intake.v1.IntakeService/") + rpc,
                     .kinds = {K::kPolice, K::kSocialAffairs, K::kInspectionTeam},
                     .scope = security::Scope::kOwnUnitSubtree,
                     .personal_data = true}));
  }
  // The procuracy grants the one extension of a criminal tip's time limit (Criminal
  // Procedure Code 2015 Art. 147(2)); the others extend on a complex case or remote
  // area (clocks.h).
  Must(policy.Add({.method = "/pcmd.intake.v1.IntakeService/ExtendTipDeadline",
                   .kinds = {K::kPolice, K::kSocialAffairs, K::kInspectionTeam, K::kProcuracy},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  // Lists: the agencies that read tips, plus ministries for national oversight (a
  // ministry sits at "VN" and so sees every unit). The full view opens personal data.
  Must(policy.Add(
      {.method = "/pcmd.intake.v1.IntakeService/ListTips",
       .kinds = {K::kPolice, K::kSocialAffairs, K::kProcuracy, K::kInspectionTeam, K::kMinistry},
       .scope = security::Scope::kOwnUnitSubtree,
       .personal_data = true}));
  // Which tips share a person, an address or a place: links between people's records,
  // so audited like reading the tip.
  Must(policy.Add({.method = "/pcmd.intake.v1.IntakeService/ListLikelyDuplicates",
                   .kinds = {K::kPolice, K::kSocialAffairs, K::kProcuracy, K::kInspectionTeam},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  // The real-time exchange between agencies' own systems: codes and states only (no
  // personal data; the receiving system reads a tip with GetTip, which is audited).
  Must(policy.Add({.method = "/pcmd.intake.v1.IntakeService/WatchTips",
                   .kinds = {K::kPolice, K::kSocialAffairs, K::kProcuracy, K::kInspectionTeam},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = false}));
  // Hand-over (bàn giao): the police, who find people selling sex in raids, hand them
  // to social affairs for support, and only where they work: the logic refuses a
  // hand-over whose unit lies outside the caller's units (handovers.h). It records
  // names and ID numbers.
  Must(policy.Add({.method = "/pcmd.intake.v1.IntakeService/CreateHandOver",
                   .kinds = {K::kPolice},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  // The social-affairs authority of the hand-over's units takes the people on and needs
  // who they are to reach them; the police that made it keep sight of it wherever it
  // lies. No other kind: that a person sold sex stays with these two.
  Must(policy.Add({.method = "/pcmd.intake.v1.IntakeService/GetHandOver",
                   .kinds = {K::kPolice, K::kSocialAffairs},
                   .scope = security::Scope::kOwnUnitSubtree,
                   .personal_data = true}));
  Must(events::AddEventAdminRules(policy));
  return policy;
}

}  // namespace pcmd::intake
