// pcmd-demo: loads the demo data set (pcmd.demo.v1.DemoData in protobuf text format,
// deploy/demo/data.textproto) into a running suite over mutual TLS: the units through
// plans as the operator, then each tip through intake as its demo agency, moved through
// the stages it lists; then the providers through referrals, and each client walked
// through the loop (registered, consent, needs, referrals) by its case-worker agency,
// each referral then accepted, served or declined by the provider's own certificate.
// Every date is today's (Vietnam time). Idempotent: units already there are kept,
// creations carry request ids, a consent of the same terms in force is kept, needs
// already assessed are kept, and a stage or provider step already made is skipped.
// Run by deploy/demo.sh.
//
// Other modes show the suite as one demo agency sees it: tips (list, watch), risky
// businesses (establishments), a provider's inbox (inbox) and a case worker's referrals
// (referrals).
//
// Exit status: 0 when everything was loaded; 1 when a call failed (printed with its
// status); 2 for bad usage.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/ids/clock.h"
#include "common/security/client_channel.h"
#include "common/security/identity.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/client_context.h"
#include "pcmd/demo/v1/demo.pb.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/plans/v1/directory.grpc.pb.h"
#include "pcmd/plans/v1/plans.grpc.pb.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"

namespace {

using pcmd::Config;
namespace rv1 = pcmd::referrals::v1;

// The member of staff of the provider on whose behalf its system acts.
constexpr char kProviderStaff[] = "demo-intake-desk-1";

// The demo officer (or `end_user`) on whose behalf every call is made.
void SetCaller(grpc::ClientContext& ctx, const std::string& purpose,
               const std::string& end_user = "demo-officer-1") {
  ctx.AddMetadata(std::string(pcmd::security::kEndUserHeader), end_user);
  ctx.AddMetadata(std::string(pcmd::security::kPurposeHeader), purpose);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelAs(const Config& config,
                                                         const std::string& target,
                                                         const std::string& agency) {
  const std::string certs = config.GetString("certs");
  return pcmd::security::ClientChannel(target, {.ca_file = certs + "/ca.crt",
                                                .cert_file = certs + "/" + agency + ".crt",
                                                .key_file = certs + "/" + agency + ".key"});
}

int Fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "pcmd-demo: %s: %s (code %d)\n", what.c_str(),
               status.error_message().c_str(), static_cast<int>(status.error_code()));
  return 1;
}

// The demo certificate to act as: --as, or the mode's usual agency.
std::string Agency(const Config& config, const std::string& fallback) {
  return config.GetString("as").empty() ? fallback : config.GetString("as");
}

// Today in Vietnam (UTC+7), the day every service counts in.
// The days --clock-date moves the services' clocks by (zero without it).
absl::Duration clock_shift;

absl::CivilDay VietnamToday() {
  return absl::ToCivilDay(absl::Now() + clock_shift, absl::FixedTimeZone(7 * 3600));
}

// "SERVICE_TYPE_SHELTER" → "SHELTER".
std::string Short(const std::string& enum_name, absl::string_view prefix) {
  return std::string(absl::StripPrefix(enum_name, prefix));
}
std::string ServiceName(int s) {
  return Short(rv1::ServiceType_Name(static_cast<rv1::ServiceType>(s)), "SERVICE_TYPE_");
}
std::string ReferralStateName(rv1::ReferralState s) {
  return Short(rv1::ReferralState_Name(s), "REFERRAL_STATE_");
}

// Where a referral stands, for both sides: ", answer by 2026-12-01" while it waits for
// the provider, then the sessions delivered and how it ended.
std::string Progress(rv1::ReferralState state, const std::string& response_due, int deliveries,
                     const std::string& last_delivery, rv1::Outcome outcome,
                     rv1::DeclineReason decline_reason) {
  std::string out;
  if (state == rv1::REFERRAL_STATE_SENT) absl::StrAppend(&out, ", answer by ", response_due);
  if (deliveries > 0) {
    absl::StrAppend(&out, ", ", deliveries, " session(s) delivered, last on ", last_delivery);
  }
  if (outcome != rv1::OUTCOME_UNSPECIFIED) {
    absl::StrAppend(&out, ", outcome ", Short(rv1::Outcome_Name(outcome), "OUTCOME_"));
  }
  if (decline_reason != rv1::DECLINE_REASON_UNSPECIFIED) {
    absl::StrAppend(
        &out, ", declined: ", Short(rv1::DeclineReason_Name(decline_reason), "DECLINE_REASON_"));
  }
  return out;
}

// Polls `call` (a ListTips or ListEstablishments filtered by one unit) every 100 ms
// until it is no longer refused as naming an unknown unit: the service has learnt the
// unit from plans' UnitCreated event on the bus. Returns false after 30 s.
template <typename Call>
bool WaitUntilKnown(Call call) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    grpc::ClientContext ctx;
    SetCaller(ctx, "directory-upkeep");
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    const grpc::StatusCode code = call(ctx).error_code();
    if (code != grpc::StatusCode::INVALID_ARGUMENT && code != grpc::StatusCode::UNAVAILABLE &&
        code != grpc::StatusCode::DEADLINE_EXCEEDED) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

// Moves `name` through `stage` as the agency of `stub`; a stage already made answers
// FAILED_PRECONDITION, which a second run expects.
grpc::Status MakeStage(pcmd::intake::v1::IntakeService::Stub& stub, const std::string& name,
                       const std::string& stage, const std::string& request_id) {
  grpc::ClientContext ctx;
  SetCaller(ctx, "tip-handling");
  if (stage == "verify") {
    pcmd::intake::v1::VerifyTipRequest r;
    r.set_name(name);
    r.set_request_id(request_id);
    pcmd::intake::v1::VerifyTipResponse out;
    return stub.VerifyTip(&ctx, r, &out);
  }
  if (stage == "classify") {
    pcmd::intake::v1::ClassifyTipRequest r;
    r.set_name(name);
    r.set_request_id(request_id);
    r.set_classification(pcmd::intake::v1::CLASSIFICATION_ADMINISTRATIVE);
    pcmd::intake::v1::ClassifyTipResponse out;
    return stub.ClassifyTip(&ctx, r, &out);
  }
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unknown stage \"" + stage + "\"");
}

const char* StateName(pcmd::intake::v1::TipState state) {
  return pcmd::intake::v1::TipState_Name(state).c_str() + sizeof("TIP_STATE_") - 1;
}

// --mode=list: the tips the agency sees, newest first, found by --text.
int List(const Config& config) {
  auto channel = ChannelAs(config, config.GetString("intake"), Agency(config, "police-hanoi"));
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
    return 1;
  }
  auto intake = pcmd::intake::v1::IntakeService::NewStub(*channel);
  pcmd::intake::v1::ListTipsRequest request;
  request.set_text(config.GetString("text"));
  request.set_overdue_only(config.GetBool("overdue"));
  request.set_view(pcmd::intake::v1::TIP_VIEW_FULL);
  grpc::ClientContext ctx;
  SetCaller(ctx, "tip-handling");
  pcmd::intake::v1::ListTipsResponse response;
  const grpc::Status status = intake->ListTips(&ctx, request, &response);
  if (!status.ok()) return Fail("ListTips", status);
  for (const pcmd::intake::v1::Tip& tip : response.tips()) {
    std::printf("%s  %-16s unit %-6s held by %-14s deadline %s%s\n    %s\n", tip.name().c_str(),
                StateName(tip.state()), tip.unit_code().c_str(), tip.responsible_agency().c_str(),
                tip.legal_deadline().c_str(), tip.overdue() ? "  OVERDUE" : "",
                tip.place().address().c_str());
  }
  std::printf("%d tip(s)\n", response.tips_size());
  return 0;
}

// --mode=establishments: the risky businesses in the agency's units, riskiest first,
// with the reasons for their risk.
int ListEstablishments(const Config& config) {
  auto channel = ChannelAs(config, config.GetString("inspections"), Agency(config, "police-hanoi"));
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
    return 1;
  }
  auto inspections = pcmd::inspections::v1::InspectionsService::NewStub(*channel);
  pcmd::inspections::v1::ListEstablishmentsRequest request;
  request.set_text(config.GetString("text"));
  grpc::ClientContext ctx;
  SetCaller(ctx, "establishment-registry");
  pcmd::inspections::v1::ListEstablishmentsResponse response;
  const grpc::Status status = inspections->ListEstablishments(&ctx, request, &response);
  if (!status.ok()) return Fail("ListEstablishments", status);
  for (const pcmd::inspections::v1::Establishment& e : response.establishments()) {
    const pcmd::inspections::v1::RiskAssessment& risk = e.risk();
    std::printf("%s  %s (unit %s)\n    risk %s, score %d%s, next inspection by %s\n",
                e.name().c_str(), e.display_name().c_str(), e.unit_code().c_str(),
                pcmd::inspections::v1::RiskCategory_Name(risk.category()).c_str(), risk.score(),
                risk.complex() ? ", complex" : "", risk.next_due_date().c_str());
    for (const pcmd::inspections::v1::RiskFactor& f : risk.factors()) {
      if (f.points() != 0) std::printf("      %+3d  %s\n", f.points(), f.detail().c_str());
    }
  }
  std::printf("%d establishment(s)\n", response.establishments_size());
  return 0;
}

// --mode=watch: every change to tips that concern the agency, as it happens.
int Watch(const Config& config) {
  auto channel = ChannelAs(config, config.GetString("intake"), Agency(config, "police-hanoi"));
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
    return 1;
  }
  auto intake = pcmd::intake::v1::IntakeService::NewStub(*channel);
  pcmd::intake::v1::WatchTipsRequest request;
  request.set_cursor(config.GetString("cursor"));
  grpc::ClientContext ctx;
  ctx.AddMetadata(std::string(pcmd::security::kEndUserHeader), "demo-officer-1");
  ctx.AddMetadata(std::string(pcmd::security::kPurposeHeader), "tip-handling");
  auto reader = intake->WatchTips(&ctx, request);
  std::printf("watching as %s (Ctrl-C to stop)\n", Agency(config, "police-hanoi").c_str());
  std::fflush(stdout);
  pcmd::intake::v1::WatchTipsResponse change;
  while (reader->Read(&change)) {
    std::printf("%s  %-20s %s  %-16s held by %s%s%s\n", change.cursor().c_str(),
                change.change().c_str(), change.tip().c_str(), StateName(change.state()),
                change.responsible_agency().c_str(),
                change.escalated_to_unit().empty() ? "" : "  escalated to unit ",
                change.escalated_to_unit().c_str());
    std::fflush(stdout);
  }
  const grpc::Status status = reader->Finish();
  return status.ok() ? 0 : Fail("WatchTips", status);
}

// --mode=inbox: the referrals addressed to the provider, newest first, each with the
// client's fields its consent lets the provider see ("(not shared)" for the others).
int Inbox(const Config& config) {
  const std::string as = Agency(config, "provider-hanoi");
  auto channel = ChannelAs(config, config.GetString("referrals"), as);
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
    return 1;
  }
  auto inbox = rv1::ProviderInboxService::NewStub(*channel);
  rv1::ListInboxReferralsRequest request;
  request.set_page_size(200);
  rv1::ListInboxReferralsResponse response;
  {
    grpc::ClientContext ctx;
    SetCaller(ctx, "referrals", kProviderStaff);
    const grpc::Status status = inbox->ListInboxReferrals(&ctx, request, &response);
    if (!status.ok()) return Fail("ListInboxReferrals", status);
  }
  for (const rv1::InboxReferral& listed : response.referrals()) {
    rv1::GetInboxReferralRequest get;
    get.set_name(listed.name());
    rv1::GetInboxReferralResponse got;
    grpc::ClientContext ctx;
    SetCaller(ctx, "referrals", kProviderStaff);
    const grpc::Status status = inbox->GetInboxReferral(&ctx, get, &got);
    if (!status.ok()) return Fail("GetInboxReferral " + listed.name(), status);
    const rv1::InboxReferral& r = got.referral();
    std::printf("%s  %-24s %-10s from %s", r.name().c_str(), ServiceName(r.service_type()).c_str(),
                ReferralStateName(r.state()).c_str(), r.sender_agency().c_str());
    std::printf("%s", Progress(r.state(), r.response_due_date(), r.deliveries(),
                               r.last_delivery_date(), r.outcome(), r.decline_reason())
                          .c_str());
    std::printf("\n    client %s\n", r.client_ref().c_str());
    if (!r.consent_in_force()) {
      std::printf(
          "    no field of the client is shown (the referral is closed, or its consent is no "
          "longer in force)\n");
      continue;
    }
    std::vector<std::string> shared;
    const auto is_shared = [&](rv1::SharedField f) {
      return std::find(r.shared_fields().begin(), r.shared_fields().end(), f) !=
             r.shared_fields().end();
    };
    for (int f : r.shared_fields()) {
      shared.push_back(
          Short(rv1::SharedField_Name(static_cast<rv1::SharedField>(f)), "SHARED_FIELD_"));
    }
    std::printf("    the consent shares: %s\n", absl::StrJoin(shared, ", ").c_str());
    const auto field = [&](const char* label, rv1::SharedField f, const std::string& value) {
      std::printf("    %-11s %s\n", label,
                  !is_shared(f)   ? "(not shared)"
                  : value.empty() ? "(none)"
                                  : value.c_str());
    };
    field("full name", rv1::SHARED_FIELD_FULL_NAME, r.full_name());
    field("birth date", rv1::SHARED_FIELD_BIRTH_DATE, r.birth_date());
    field("phone", rv1::SHARED_FIELD_PHONE, r.phone());
    field("address", rv1::SHARED_FIELD_ADDRESS, r.address());
    field("ID number", rv1::SHARED_FIELD_ID_NUMBER, r.id_number());
    std::vector<std::string> flags;
    if (r.minor()) flags.push_back("minor");
    if (r.trafficking_victim()) flags.push_back("trafficking victim");
    field("flags", rv1::SHARED_FIELD_FLAGS, absl::StrJoin(flags, ", "));
    field("need", rv1::SHARED_FIELD_NEED,
          r.need_priority() == rv1::NEED_PRIORITY_UNSPECIFIED
              ? ""
              : Short(rv1::NeedPriority_Name(r.need_priority()), "NEED_PRIORITY_"));
    field("note", rv1::SHARED_FIELD_REFERRAL_NOTE, r.note());
  }
  std::printf("%d referral(s) addressed to %s\n", response.referrals_size(), as.c_str());
  return 0;
}

// --mode=referrals: the referrals of the case worker's units, newest first, with the
// provider and whether they fell through (--overdue: only those).
int ListReferrals(const Config& config) {
  auto channel =
      ChannelAs(config, config.GetString("referrals"), Agency(config, "social-affairs-hanoi"));
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
    return 1;
  }
  auto referrals = rv1::ReferralsService::NewStub(*channel);
  // Provider names → "display name (agency code)".
  std::map<std::string, std::string> providers;
  {
    rv1::ListProvidersRequest request;
    request.set_include_inactive(true);
    request.set_page_size(200);
    rv1::ListProvidersResponse response;
    grpc::ClientContext ctx;
    SetCaller(ctx, "provider-directory");
    const grpc::Status status = referrals->ListProviders(&ctx, request, &response);
    if (!status.ok()) return Fail("ListProviders", status);
    for (const rv1::Provider& p : response.providers()) {
      providers[p.name()] = absl::StrCat(p.display_name(), " (", p.agency_code(), ")");
    }
  }
  rv1::ListReferralsRequest request;
  request.set_overdue_only(config.GetBool("overdue"));
  request.set_page_size(200);
  rv1::ListReferralsResponse response;
  grpc::ClientContext ctx;
  SetCaller(ctx, "case-work");
  const grpc::Status status = referrals->ListReferrals(&ctx, request, &response);
  if (!status.ok()) return Fail("ListReferrals", status);
  for (const rv1::Referral& r : response.referrals()) {
    const auto provider = providers.find(r.provider());
    std::printf("%s  %-24s %-10s unit %-5s client %s%s\n    to %s", r.name().c_str(),
                ServiceName(r.service_type()).c_str(), ReferralStateName(r.state()).c_str(),
                r.unit_code().c_str(), r.client().c_str(), r.overdue() ? "  OVERDUE" : "",
                provider == providers.end() ? r.provider().c_str() : provider->second.c_str());
    std::printf("%s", Progress(r.state(), r.response_due_date(), r.deliveries(),
                               r.last_delivery_date(), r.outcome(), r.decline_reason())
                          .c_str());
    if (!r.follow_up_date().empty()) std::printf(", follow up on %s", r.follow_up_date().c_str());
    std::printf("\n");
  }
  std::printf("%d referral(s)%s\n", response.referrals_size(),
              config.GetBool("overdue") ? " that fell through" : "");
  return 0;
}

// Channels by demo certificate, made once each.
class Channels {
 public:
  Channels(const Config& config, std::string target) : config_(config), target_(target) {}
  // Null (after printing why) when the certificate cannot be read.
  std::shared_ptr<grpc::Channel> As(const std::string& agency) {
    auto it = channels_.find(agency);
    if (it != channels_.end()) return it->second;
    auto channel = ChannelAs(config_, target_, agency);
    if (!channel.ok()) {
      std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
      return nullptr;
    }
    return channels_[agency] = *std::move(channel);
  }

 private:
  const Config& config_;
  const std::string target_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

// The same terms, whatever order they were listed in (the service stores them sorted).
template <typename T>
std::vector<int> Sorted(const google::protobuf::RepeatedField<T>& values) {
  std::vector<int> out(values.begin(), values.end());
  std::sort(out.begin(), out.end());
  return out;
}

bool SameTerms(const rv1::Consent& have, const rv1::GiveConsentRequest& want) {
  return have.basis() == want.basis() && have.legal_basis() == want.legal_basis() &&
         Sorted(have.provider_kinds()) == Sorted(want.provider_kinds()) &&
         Sorted(have.service_types()) == Sorted(want.service_types()) &&
         Sorted(have.shared_fields()) == Sorted(want.shared_fields());
}

bool SameNeeds(const rv1::Client& client, const rv1::AssessNeedsRequest& want) {
  if (client.needs_assessed_date().empty()) return false;
  const auto key = [](const google::protobuf::RepeatedPtrField<rv1::Need>& needs) {
    std::vector<std::string> out;
    for (const rv1::Need& n : needs) {
      out.push_back(absl::StrCat(n.service_type(), "/", n.priority(), "/", n.eligible()));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  return key(client.needs()) == key(want.needs());
}

// Takes one provider step on `referral` as the provider; `done` says the referral
// already made it. Prints one line. Returns 1 when the step was taken, 0 when it was
// already done or answered FAILED_PRECONDITION (the referral moved on), -1 (after
// printing why) on any other error.
int ProviderStep(rv1::ProviderInboxService::Stub& inbox, const pcmd::demo::v1::DemoReferral& d,
                 const std::string& referral, const std::string& step, bool done,
                 const std::string& today) {
  if (done) {
    std::printf("pcmd-demo:     %-8s already done\n", step.c_str());
    return 0;
  }
  grpc::ClientContext ctx;
  SetCaller(ctx, "referrals", kProviderStaff);
  grpc::Status status;
  rv1::InboxReferral after;
  if (step == "accept") {
    rv1::AcceptReferralRequest r;
    r.set_name(referral);
    rv1::AcceptReferralResponse out;
    status = inbox.AcceptReferral(&ctx, r, &out);
    after = out.referral();
  } else if (step == "decline") {
    rv1::DeclineReferralRequest r;
    r.set_name(referral);
    r.set_reason(d.decline_reason() == rv1::DECLINE_REASON_UNSPECIFIED ? rv1::DECLINE_REASON_OTHER
                                                                       : d.decline_reason());
    rv1::DeclineReferralResponse out;
    status = inbox.DeclineReferral(&ctx, r, &out);
    after = out.referral();
  } else if (step == "deliver") {
    rv1::RecordServiceDeliveryRequest r;
    r.set_name(referral);
    r.set_delivery_date(today);
    rv1::RecordServiceDeliveryResponse out;
    status = inbox.RecordServiceDelivery(&ctx, r, &out);
    after = out.referral();
  } else if (step == "complete") {
    rv1::CompleteReferralRequest r;
    r.set_name(referral);
    r.set_outcome(d.outcome() == rv1::OUTCOME_UNSPECIFIED ? rv1::OUTCOME_COMPLETED : d.outcome());
    rv1::CompleteReferralResponse out;
    status = inbox.CompleteReferral(&ctx, r, &out);
    after = out.referral();
  } else {
    std::fprintf(stderr,
                 "pcmd-demo: unknown provider step \"%s\" (accept, decline, deliver or "
                 "complete)\n",
                 step.c_str());
    return -1;
  }
  if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    std::printf("pcmd-demo:     %-8s skipped: %s\n", step.c_str(), status.error_message().c_str());
    return 0;
  }
  if (!status.ok()) {
    Fail(absl::StrCat(step, " ", referral, " as ", d.provider_agency()), status);
    return -1;
  }
  std::printf("pcmd-demo:     %-8s as %s → %s\n", step.c_str(), d.provider_agency().c_str(),
              ReferralStateName(after.state()).c_str());
  return 1;
}

// Loads the providers and walks each client through the referral loop.
int LoadReferrals(const Config& config, const pcmd::demo::v1::DemoData& data) {
  if (data.providers().empty() && data.clients().empty()) return 0;
  Channels channels(config, config.GetString("referrals"));
  // Referrals refuses records in units it has not learnt yet: wait for the bus.
  std::shared_ptr<grpc::Channel> probe_channel = channels.As("social-affairs-hanoi");
  if (probe_channel == nullptr) return 1;
  auto probe = rv1::ReferralsService::NewStub(probe_channel);
  for (const pcmd::plans::v1::CreateUnitRequest& unit : data.units()) {
    const bool known = WaitUntilKnown([&](grpc::ClientContext& ctx) {
      rv1::ListClientsRequest request;
      request.set_unit_code(unit.code());
      request.set_page_size(1);
      rv1::ListClientsResponse response;
      return probe->ListClients(&ctx, request, &response);
    });
    if (!known) {
      std::fprintf(stderr,
                   "pcmd-demo: referrals never learnt unit %s from plans; is Redis running?\n",
                   unit.code().c_str());
      return 1;
    }
  }

  // CreateProviderRequest.request_id → provider.
  std::map<std::string, rv1::Provider> providers;
  for (const pcmd::demo::v1::DemoProvider& p : data.providers()) {
    std::shared_ptr<grpc::Channel> channel = channels.As(p.agency());
    if (channel == nullptr) return 1;
    auto referrals = rv1::ReferralsService::NewStub(channel);
    grpc::ClientContext ctx;
    SetCaller(ctx, "provider-directory");
    rv1::CreateProviderResponse created;
    const grpc::Status status = referrals->CreateProvider(&ctx, p.request(), &created);
    if (!status.ok()) return Fail("CreateProvider " + p.request().request_id(), status);
    const rv1::Provider& provider = created.provider();
    std::printf("pcmd-demo: %s  %s  %s, unit %s, receives as %s\n", provider.name().c_str(),
                provider.display_name().c_str(),
                Short(rv1::ProviderKind_Name(provider.kind()), "PROVIDER_KIND_").c_str(),
                provider.unit_code().c_str(), provider.agency_code().c_str());
    providers[p.request().request_id()] = provider;
  }

  const absl::CivilDay today_day = VietnamToday();
  const std::string today = absl::FormatCivilTime(today_day);
  int referred = 0, steps = 0;
  for (const pcmd::demo::v1::DemoClient& c : data.clients()) {
    std::shared_ptr<grpc::Channel> channel = channels.As(c.agency());
    if (channel == nullptr) return 1;
    auto referrals = rv1::ReferralsService::NewStub(channel);

    // Registered (a second run answers the client registered the first time).
    rv1::Client client;
    {
      grpc::ClientContext ctx;
      SetCaller(ctx, "case-work");
      rv1::RegisterClientResponse out;
      const grpc::Status status = referrals->RegisterClient(&ctx, c.request(), &out);
      if (!status.ok()) return Fail("RegisterClient " + c.request().request_id(), status);
      client = out.client();
      std::printf("pcmd-demo: %s  %s  unit %s%s%s\n", client.name().c_str(),
                  c.request().request_id().c_str(), client.unit_code().c_str(),
                  client.minor() ? ", minor" : "",
                  client.trafficking_victim() ? ", trafficking victim" : "");
    }

    // The consent: one of the same terms in force is kept; otherwise given today.
    if (c.has_consent()) {
      rv1::ListConsentsRequest list;
      list.set_client(client.name());
      rv1::ListConsentsResponse consents;
      grpc::ClientContext ctx;
      SetCaller(ctx, "case-work");
      const grpc::Status status = referrals->ListConsents(&ctx, list, &consents);
      if (!status.ok()) return Fail("ListConsents " + client.name(), status);
      const rv1::Consent* kept = nullptr;
      for (const rv1::Consent& have : consents.consents()) {
        if (!have.withdrawn() && have.given_date() <= today && today <= have.expire_date() &&
            SameTerms(have, c.consent())) {
          kept = &have;
          break;
        }
      }
      rv1::Consent consent;
      if (kept != nullptr) {
        consent = *kept;
      } else {
        rv1::GiveConsentRequest give = c.consent();
        give.set_request_id(absl::StrCat(c.consent().request_id(), "-", today));
        give.set_client(client.name());
        give.set_given_date(today);
        give.set_expire_date(absl::FormatCivilTime(today_day + 365));
        grpc::ClientContext give_ctx;
        SetCaller(give_ctx, "case-work");
        rv1::GiveConsentResponse out;
        const grpc::Status given = referrals->GiveConsent(&give_ctx, give, &out);
        if (!given.ok()) return Fail("GiveConsent " + give.request_id(), given);
        consent = out.consent();
      }
      std::printf("pcmd-demo:   consent %s  %s until %s%s\n", consent.name().c_str(),
                  Short(rv1::ConsentBasis_Name(consent.basis()), "CONSENT_BASIS_").c_str(),
                  consent.expire_date().c_str(), kept != nullptr ? " (already in force)" : "");
    }

    // The needs: assessed today unless they are these already.
    if (c.has_needs()) {
      std::vector<std::string> names;
      for (const rv1::Need& n : c.needs().needs()) names.push_back(ServiceName(n.service_type()));
      if (SameNeeds(client, c.needs())) {
        std::printf("pcmd-demo:   needs   %s (already assessed on %s)\n",
                    absl::StrJoin(names, ", ").c_str(), client.needs_assessed_date().c_str());
      } else {
        rv1::AssessNeedsRequest assess = c.needs();
        assess.set_client(client.name());
        assess.set_assessed_date(today);
        grpc::ClientContext ctx;
        SetCaller(ctx, "case-work");
        rv1::AssessNeedsResponse out;
        const grpc::Status status = referrals->AssessNeeds(&ctx, assess, &out);
        if (!status.ok()) return Fail("AssessNeeds " + client.name(), status);
        std::printf("pcmd-demo:   needs   %s (assessed on %s)\n",
                    absl::StrJoin(names, ", ").c_str(), today.c_str());
      }
    }

    for (const pcmd::demo::v1::DemoReferral& d : c.referrals()) {
      const auto provider = providers.find(d.provider());
      if (provider == providers.end()) {
        std::fprintf(stderr, "pcmd-demo: referral %s names provider \"%s\", not in the data\n",
                     d.request().request_id().c_str(), d.provider().c_str());
        return 1;
      }
      rv1::CreateReferralRequest create = d.request();
      create.set_client(client.name());
      create.set_provider(provider->second.name());
      rv1::Referral referral;
      {
        grpc::ClientContext ctx;
        SetCaller(ctx, "case-work");
        rv1::CreateReferralResponse out;
        const grpc::Status status = referrals->CreateReferral(&ctx, create, &out);
        if (!status.ok()) return Fail("CreateReferral " + create.request_id(), status);
        referral = out.referral();
      }
      ++referred;
      std::printf("pcmd-demo:   referral %s  %s to %s\n", referral.name().c_str(),
                  ServiceName(referral.service_type()).c_str(),
                  provider->second.display_name().c_str());

      if (d.steps().empty()) continue;
      std::shared_ptr<grpc::Channel> provider_channel = channels.As(d.provider_agency());
      if (provider_channel == nullptr) return 1;
      auto inbox = rv1::ProviderInboxService::NewStub(provider_channel);
      // Where the referral stands now, as the provider sees it.
      rv1::InboxReferral now;
      {
        rv1::GetInboxReferralRequest get;
        get.set_name(referral.name());
        rv1::GetInboxReferralResponse out;
        grpc::ClientContext ctx;
        SetCaller(ctx, "referrals", kProviderStaff);
        const grpc::Status status = inbox->GetInboxReferral(&ctx, get, &out);
        if (!status.ok()) {
          return Fail(absl::StrCat("GetInboxReferral ", referral.name(), " as ",
                                   d.provider_agency(), " (is it the provider's certificate?)"),
                      status);
        }
        now = out.referral();
      }
      int deliveries = 0;
      for (const std::string& step : d.steps()) {
        bool done = false;
        if (step == "accept") {
          done = now.state() == rv1::REFERRAL_STATE_ACCEPTED ||
                 now.state() == rv1::REFERRAL_STATE_IN_SERVICE ||
                 now.state() == rv1::REFERRAL_STATE_COMPLETED;
        } else if (step == "decline") {
          done = now.state() == rv1::REFERRAL_STATE_DECLINED;
        } else if (step == "deliver") {
          done = now.deliveries() > deliveries++;
        } else if (step == "complete") {
          done = now.state() == rv1::REFERRAL_STATE_COMPLETED;
        }
        const int taken = ProviderStep(*inbox, d, referral.name(), step, done, today);
        if (taken < 0) return 1;
        steps += taken;
      }
    }
  }
  std::printf("pcmd-demo: %d providers, %d clients, %d referrals, %d provider steps taken\n",
              data.providers_size(), data.clients_size(), referred, steps);
  return 0;
}

// Imports and issues every plan document of --plans-dir (the seeds), as pcmd's operator,
// then records the demo's activities. Rerunning answers with the stored plans.
int LoadPlans(const Config& config, const pcmd::demo::v1::DemoData& data) {
  const std::string dir = config.GetString("plans-dir");
  if (dir.empty()) return 0;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) {
    std::fprintf(stderr, "pcmd-demo: cannot list %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  std::sort(files.begin(), files.end());
  auto channel = ChannelAs(config, config.GetString("plans"), "operator");
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
    return 1;
  }
  auto plans = pcmd::plans::v1::PlansService::NewStub(*channel);
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    pcmd::plans::v1::ImportPlanRequest request;
    request.set_request_id(absl::StrCat("demo-import-", file.stem().string()));
    request.set_document(text.str());
    request.set_issue(true);
    grpc::ClientContext ctx;
    SetCaller(ctx, "plan-upkeep");
    pcmd::plans::v1::ImportPlanResponse imported;
    const grpc::Status status = plans->ImportPlan(&ctx, request, &imported);
    if (!status.ok()) return Fail("ImportPlan " + file.string(), status);
    std::printf(
        "pcmd-demo: %s  %s  %s, %d targets, %d hotspots\n", imported.plan().name().c_str(),
        imported.plan().number().c_str(),
        Short(pcmd::plans::v1::PlanState_Name(imported.plan().state()), "PLAN_STATE_").c_str(),
        imported.plan().targets_size(), imported.plan().hotspots_size());
  }
  for (const pcmd::demo::v1::DemoActivity& a : data.activities()) {
    auto as = ChannelAs(config, config.GetString("plans"), a.agency());
    if (!as.ok()) {
      std::fprintf(stderr, "pcmd-demo: %s\n", std::string(as.status().message()).c_str());
      return 1;
    }
    pcmd::plans::v1::RecordActivityRequest request = a.request();
    // Dated on the services' today unless the data says otherwise.
    if (request.activity().date().empty()) {
      request.mutable_activity()->set_date(absl::FormatCivilTime(VietnamToday()));
    }
    grpc::ClientContext ctx;
    SetCaller(ctx, "plan-reporting");
    pcmd::plans::v1::RecordActivityResponse recorded;
    const grpc::Status status =
        pcmd::plans::v1::PlansService::NewStub(*as)->RecordActivity(&ctx, request, &recorded);
    if (!status.ok()) return Fail("RecordActivity " + request.request_id(), status);
  }
  std::printf("pcmd-demo: %zu plans imported and issued, %d activities recorded\n", files.size(),
              data.activities_size());
  return 0;
}

std::string Figure(double v) {
  if (v == static_cast<int64_t>(v)) return absl::StrCat(static_cast<int64_t>(v));
  return absl::StrFormat("%.1f", v);
}

// One line per target of --plan on --as-of (default: the services' today).
int ShowProgress(const Config& config) {
  auto channel =
      ChannelAs(config, config.GetString("plans"), Agency(config, "social-affairs-hanoi"));
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
    return 1;
  }
  pcmd::plans::v1::GetPlanProgressRequest request;
  request.set_plan(absl::StrCat("plans/", config.GetString("plan")));
  request.set_as_of_date(config.GetString("as-of").empty() ? absl::FormatCivilTime(VietnamToday())
                                                           : config.GetString("as-of"));
  grpc::ClientContext ctx;
  SetCaller(ctx, "plan-reporting");
  pcmd::plans::v1::GetPlanProgressResponse response;
  const grpc::Status status =
      pcmd::plans::v1::PlansService::NewStub(*channel)->GetPlanProgress(&ctx, request, &response);
  if (!status.ok()) return Fail("GetPlanProgress", status);
  const pcmd::plans::v1::PlanProgress& p = response.progress();
  std::printf("%s — as of %s (%.0f%% of %s – %s elapsed)\n", p.title().c_str(),
              p.as_of_date().c_str(), p.elapsed_share() * 100, p.period_start().c_str(),
              p.period_end().c_str());
  std::printf("%-6s %-9s %-15s %-10s %s\n", "ID", "TARGET", "VALUE", "STATUS", "TITLE");
  std::function<void(const pcmd::plans::v1::TargetProgress&, int)> show =
      [&](const pcmd::plans::v1::TargetProgress& t, int depth) {
        const bool rate = t.kind() == pcmd::plans::v1::TARGET_KIND_PERCENT ||
                          t.kind() == pcmd::plans::v1::TARGET_KIND_GROWTH;
        const bool reported = t.source() == pcmd::plans::v1::TARGET_SOURCE_REPORTED;
        std::string title = t.title();
        // Whole UTF-8 characters only.
        if (title.size() > 90) {
          size_t cut = 90;
          while (cut > 0 && (static_cast<unsigned char>(title[cut]) & 0xC0) == 0x80) --cut;
          title = title.substr(0, cut) + "…";
        }
        std::string value = Figure(t.value()) + (rate ? "%" : "");
        if (t.status() == pcmd::plans::v1::PROGRESS_STATUS_NO_DATA && reported) {
          value = "(reported)";
        } else if (t.kind() == pcmd::plans::v1::TARGET_KIND_PERCENT) {
          value += absl::StrCat(" (", Figure(t.numerator()), "/", Figure(t.denominator()), ")");
        }
        std::printf(
            "%-6s %-9s %-15s %-10s %s%s\n", t.target_id().c_str(),
            (Figure(t.target_value()) + (rate ? "%" : "")).c_str(), value.c_str(),
            Short(pcmd::plans::v1::ProgressStatus_Name(t.status()), "PROGRESS_STATUS_").c_str(),
            std::string(2 * depth, ' ').c_str(), title.c_str());
        for (const auto& sub : t.sub_targets()) show(sub, depth + 1);
      };
  for (const auto& t : p.targets()) show(t, 0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config config("pcmd-demo");
  config.DefineString("data", "deploy/demo/data.textproto", "the demo data set");
  config.DefineString("certs", "", "folder of deploy/certs.sh's certificates (required)");
  config.DefineString("plans", "127.0.0.1:50051", "plans host:port");
  config.DefineString("intake", "127.0.0.1:50052", "intake host:port");
  config.DefineString("inspections", "127.0.0.1:50053", "inspections host:port");
  config.DefineString("referrals", "127.0.0.1:50054", "referrals host:port");
  config.DefineString("mode", "load",
                      "load (the data set), list (tips found by --text), watch (changes to "
                      "tips), establishments (risky businesses found by --text, riskiest "
                      "first), inbox (a provider's referrals, with the client's fields its "
                      "consent shares), referrals (a case worker's referrals, with who fell "
                      "through) or progress (a plan's targets, measured live)");
  config.DefineString("as", "",
                      "demo certificate to act as (default: police-hanoi; provider-hanoi for "
                      "inbox; social-affairs-hanoi for referrals)");
  config.DefineString("text", "", "list, establishments: words to find, diacritics optional");
  config.DefineBool("overdue", false,
                    "list: only tips past a deadline; referrals: only referrals that fell "
                    "through (expired unanswered, or past their follow-up date)");
  config.DefineString("cursor", "", "watch: resume after this cursor");
  config.DefineString("plans-dir", "deploy/plans",
                      "load: folder of plan documents (*.json) to import and issue; empty: none");
  config.DefineString("plan", "hn-2024", "progress: the plan's code");
  config.DefineString("as-of", "", "progress: the date (default: the services' today)");
  config.DefineString("clock-date", "",
                      "the day the services' clocks run on (their --clock-date), so that the "
                      "dates the demo sends are theirs");
  if (absl::Status s = config.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (config.help_requested()) {
    std::fputs(config.Usage().c_str(), stdout);
    return 0;
  }
  if (const std::string day = config.GetString("clock-date"); !day.empty()) {
    absl::CivilDay parsed;
    if (!absl::ParseCivilTime(day, &parsed)) {
      std::fputs("pcmd-demo: --clock-date must be YYYY-MM-DD\n", stderr);
      return 2;
    }
    clock_shift = pcmd::ShiftToDay(parsed);
  }
  if (config.GetString("certs").empty()) {
    std::fputs("pcmd-demo: --certs is required\n", stderr);
    return 2;
  }
  if (config.GetString("mode") == "list") return List(config);
  if (config.GetString("mode") == "watch") return Watch(config);
  if (config.GetString("mode") == "establishments") return ListEstablishments(config);
  if (config.GetString("mode") == "inbox") return Inbox(config);
  if (config.GetString("mode") == "referrals") return ListReferrals(config);
  if (config.GetString("mode") == "progress") return ShowProgress(config);
  if (config.GetString("mode") != "load") {
    std::fputs(
        "pcmd-demo: --mode must be load, list, watch, establishments, inbox, referrals or "
        "progress\n",
        stderr);
    return 2;
  }
  std::ifstream in(config.GetString("data"));
  std::stringstream text;
  text << in.rdbuf();
  pcmd::demo::v1::DemoData data;
  if (!in || !google::protobuf::TextFormat::ParseFromString(text.str(), &data)) {
    std::fprintf(stderr, "pcmd-demo: cannot read %s as pcmd.demo.v1.DemoData text\n",
                 config.GetString("data").c_str());
    return 2;
  }

  auto operator_channel = ChannelAs(config, config.GetString("plans"), "operator");
  if (!operator_channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n",
                 std::string(operator_channel.status().message()).c_str());
    return 1;
  }
  auto directory = pcmd::plans::v1::DirectoryService::NewStub(*operator_channel);
  for (const pcmd::plans::v1::CreateUnitRequest& unit : data.units()) {
    grpc::ClientContext ctx;
    SetCaller(ctx, "directory-upkeep");
    pcmd::plans::v1::CreateUnitResponse out;
    const grpc::Status status = directory->CreateUnit(&ctx, unit, &out);
    if (!status.ok()) return Fail("CreateUnit " + unit.code(), status);
  }
  std::printf("pcmd-demo: %d units in the directory\n", data.units_size());
  // Intake and inspections refuse records in units they have not learnt yet: wait for
  // the bus to bring them.
  auto intake_channel = ChannelAs(config, config.GetString("intake"), "police-hanoi");
  auto inspections_channel = ChannelAs(config, config.GetString("inspections"), "police-hanoi");
  if (!intake_channel.ok() || !inspections_channel.ok()) {
    std::fprintf(stderr, "pcmd-demo: cannot read the police-hanoi certificate\n");
    return 1;
  }
  auto intake_probe = pcmd::intake::v1::IntakeService::NewStub(*intake_channel);
  auto inspections_probe = pcmd::inspections::v1::InspectionsService::NewStub(*inspections_channel);
  for (const pcmd::plans::v1::CreateUnitRequest& unit : data.units()) {
    const bool known = WaitUntilKnown([&](grpc::ClientContext& ctx) {
                         pcmd::intake::v1::ListTipsRequest request;
                         request.set_unit_code(unit.code());
                         request.set_page_size(1);
                         pcmd::intake::v1::ListTipsResponse response;
                         return intake_probe->ListTips(&ctx, request, &response);
                       }) &&
                       WaitUntilKnown([&](grpc::ClientContext& ctx) {
                         pcmd::inspections::v1::ListEstablishmentsRequest request;
                         request.set_unit_code(unit.code());
                         request.set_page_size(1);
                         pcmd::inspections::v1::ListEstablishmentsResponse response;
                         return inspections_probe->ListEstablishments(&ctx, request, &response);
                       });
    if (!known) {
      std::fprintf(stderr,
                   "pcmd-demo: the services never learnt unit %s from plans; is Redis running?\n",
                   unit.code().c_str());
      return 1;
    }
  }

  for (const pcmd::demo::v1::DemoEstablishment& e : data.establishments()) {
    auto channel = ChannelAs(config, config.GetString("inspections"), e.agency());
    if (!channel.ok()) {
      std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
      return 1;
    }
    auto inspections = pcmd::inspections::v1::InspectionsService::NewStub(*channel);
    grpc::ClientContext ctx;
    SetCaller(ctx, "establishment-registry");
    pcmd::inspections::v1::CreateEstablishmentResponse created;
    const grpc::Status status = inspections->CreateEstablishment(&ctx, e.request(), &created);
    if (!status.ok()) return Fail("CreateEstablishment " + e.request().request_id(), status);
    std::printf("pcmd-demo: %s  %s  risk %s\n", created.establishment().name().c_str(),
                created.establishment().display_name().c_str(),
                pcmd::inspections::v1::RiskCategory_Name(created.establishment().risk().category())
                    .c_str());
  }
  for (const pcmd::demo::v1::DemoTeam& t : data.teams()) {
    auto channel = ChannelAs(config, config.GetString("inspections"), t.agency());
    if (!channel.ok()) {
      std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
      return 1;
    }
    auto inspections = pcmd::inspections::v1::InspectionsService::NewStub(*channel);
    grpc::ClientContext ctx;
    SetCaller(ctx, "team-registry");
    pcmd::inspections::v1::CreateTeamResponse created;
    const grpc::Status status = inspections->CreateTeam(&ctx, t.request(), &created);
    if (!status.ok()) return Fail("CreateTeam " + t.request().request_id(), status);
    std::printf("pcmd-demo: %s  %s\n", created.team().name().c_str(),
                created.team().display_name().c_str());
  }

  int moved = 0;
  for (const pcmd::demo::v1::DemoTip& tip : data.tips()) {
    auto channel = ChannelAs(config, config.GetString("intake"), tip.agency());
    if (!channel.ok()) {
      std::fprintf(stderr, "pcmd-demo: %s\n", std::string(channel.status().message()).c_str());
      return 1;
    }
    auto intake = pcmd::intake::v1::IntakeService::NewStub(*channel);
    grpc::ClientContext ctx;
    SetCaller(ctx, "tip-handling");
    pcmd::intake::v1::SubmitTipResponse submitted;
    const grpc::Status status = intake->SubmitTip(&ctx, tip.request(), &submitted);
    if (!status.ok()) return Fail("SubmitTip " + tip.request().request_id(), status);
    std::printf(
        "pcmd-demo: %s  %s  %s\n", submitted.tip().name().c_str(),
        tip.request().request_id().c_str(),
        submitted.likely_duplicates().empty()
            ? ""
            : absl::StrCat("(", submitted.likely_duplicates_size(), " likely duplicate)").c_str());
    for (const std::string& stage : tip.stages()) {
      const grpc::Status s = MakeStage(*intake, submitted.tip().name(), stage,
                                       absl::StrCat(tip.request().request_id(), "-", stage));
      if (!s.ok() && s.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
        return Fail(stage + " " + submitted.tip().name(), s);
      }
      ++moved;
    }
  }
  std::printf("pcmd-demo: %d tips submitted, %d stage changes\n", data.tips_size(), moved);
  if (int rc = LoadPlans(config, data); rc != 0) return rc;
  return LoadReferrals(config, data);
}
