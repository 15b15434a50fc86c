// pcmd-demo: loads the demo data set (pcmd.demo.v1.DemoData in protobuf text format,
// deploy/demo/data.textproto) into a running suite over mutual TLS: the units through
// plans as the operator, then each tip through intake as its demo agency, moved through
// the stages it lists. Idempotent: units already there are kept, tips carry request
// ids, and a stage already made is skipped. Run by deploy/demo.sh.
//
// Exit status: 0 when everything was loaded; 1 when a call failed (printed with its
// status); 2 for bad usage.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/security/client_channel.h"
#include "common/security/identity.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/client_context.h"
#include "pcmd/demo/v1/demo.pb.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/plans/v1/directory.grpc.pb.h"

namespace {

using pcmd::Config;

// The demo officer on whose behalf every call is made.
void SetCaller(grpc::ClientContext& ctx, const std::string& purpose) {
  ctx.AddMetadata(std::string(pcmd::security::kEndUserHeader), "demo-officer-1");
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

// Moves `name` through `stage` as the agency of `stub`; a stage already made answers
// FAILED_PRECONDITION, which a second run expects.
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
  auto channel = ChannelAs(config, config.GetString("intake"), config.GetString("as"));
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
  auto channel = ChannelAs(config, config.GetString("inspections"), config.GetString("as"));
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
  auto channel = ChannelAs(config, config.GetString("intake"), config.GetString("as"));
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
  std::printf("watching as %s (Ctrl-C to stop)\n", config.GetString("as").c_str());
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

}  // namespace

int main(int argc, char** argv) {
  Config config("pcmd-demo");
  config.DefineString("data", "deploy/demo/data.textproto", "the demo data set");
  config.DefineString("certs", "", "folder of deploy/certs.sh's certificates (required)");
  config.DefineString("plans", "127.0.0.1:50051", "plans host:port");
  config.DefineString("intake", "127.0.0.1:50052", "intake host:port");
  config.DefineString("inspections", "127.0.0.1:50053", "inspections host:port");
  config.DefineString("mode", "load",
                      "load (the data set), list (tips found by --text), watch (changes) or "
                      "establishments (risky businesses found by --text, riskiest first)");
  config.DefineString("as", "police-hanoi", "demo certificate to list or watch as");
  config.DefineString("text", "", "list: words to find, diacritics optional");
  config.DefineBool("overdue", false, "list: only tips past a deadline");
  config.DefineString("cursor", "", "watch: resume after this cursor");
  if (absl::Status s = config.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "pcmd-demo: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (config.help_requested()) {
    std::fputs(config.Usage().c_str(), stdout);
    return 0;
  }
  if (config.GetString("certs").empty()) {
    std::fputs("pcmd-demo: --certs is required\n", stderr);
    return 2;
  }
  if (config.GetString("mode") == "list") return List(config);
  if (config.GetString("mode") == "watch") return Watch(config);
  if (config.GetString("mode") == "establishments") return ListEstablishments(config);
  if (config.GetString("mode") != "load") {
    std::fputs("pcmd-demo: --mode must be load, list, watch or establishments\n", stderr);
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
  return 0;
}
