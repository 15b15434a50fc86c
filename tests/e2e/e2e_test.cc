// The whole system end to end, as deploy/run.sh runs it: the four real binaries on a
// clock set to 10 June 2024, the shipped directory seed, a real Redis, mutual TLS with
// the certificates of deploy/certs.sh, and the Hà Nội 2024 plan imported and issued.
// One hotline tip about a massage parlour in Thanh Trì is walked through every
// service: the social-affairs hotline hands it to the police, the Team 178 inspects the
// parlour and meets two people who may need support, the social-affairs authority
// reaches them and refers them to a health centre and a vocational school, which take
// them on, the police settle the tip on time — and the plan's figures, their records
// and the six-monthly report show exactly that work.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/admin.grpc.pb.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/plans/v1/plans.grpc.pb.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "tests/integration/service_process.h"

namespace pcmd::e2e {
namespace {

using integration::ChannelAs;
using integration::InspectionsKnowsUnit;
using integration::IntakeKnowsUnit;
using integration::kServices;
using integration::ReferralsKnowsUnit;
using integration::RunningBinary;
using integration::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

namespace iv1 = intake::v1;
namespace sv1 = inspections::v1;
namespace rv1 = referrals::v1;
namespace pv1 = plans::v1;

// The day the services' clocks run on (--clock-date): inside the plan's 2024 period and
// its first half-year.
constexpr char kToday[] = "2024-06-10";

// The agency codes of deploy/certs.sh's certificates.
constexpr char kPolice[] = "CA-HN-PC02";            // police-hanoi
constexpr char kSocialAffairs[] = "SYT-HN-PCTNXH";  // social-affairs-hanoi
constexpr char kTeam178[] = "DKT178-TT";            // team178-thanhtri
constexpr char kHealthCentre[] = "YTE-TT";          // provider-yte-thanhtri
constexpr char kVocationalSchool[] = "TCN-HN";      // provider-nghe-hanoi

// A deadline and, for calls that touch personal data, the end user and purpose of use
// every agency system states.
void Prepare(grpc::ClientContext& ctx, const std::string& purpose,
             const std::string& end_user = "officer-0001") {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  integration::StateUse(ctx, end_user, purpose);
}

// Polls `done` every 50 ms until it holds or `timeout` passes; returns whether it held.
template <typename Fn>
bool Within(absl::Duration timeout, Fn done) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The plan's target or sub-target whose numerator counts `metric` with exactly
// `filters`; null when there is none.
const pv1::Target* TargetCounting(const pv1::Plan& plan, const std::string& metric,
                                  const std::vector<std::string>& filters = {}) {
  const pv1::Target* found = nullptr;
  std::function<void(const google::protobuf::RepeatedPtrField<pv1::Target>&)> walk =
      [&](const auto& targets) {
        for (const pv1::Target& t : targets) {
          const std::vector<std::string> have(t.numerator().filters().begin(),
                                              t.numerator().filters().end());
          if (found == nullptr && t.source() == pv1::TARGET_SOURCE_COMPUTED &&
              t.numerator().metric() == metric && have == filters) {
            found = &t;
          }
          walk(t.sub_targets());
        }
      };
  walk(plan.targets());
  return found;
}

// The progress of target `id` (or of a sub-target), or an empty one.
pv1::TargetProgress ProgressOf(const pv1::PlanProgress& progress, const std::string& id) {
  pv1::TargetProgress found;
  std::function<void(const google::protobuf::RepeatedPtrField<pv1::TargetProgress>&)> walk =
      [&](const auto& targets) {
        for (const pv1::TargetProgress& t : targets) {
          if (t.target_id() == id) found = t;
          walk(t.sub_targets());
        }
      };
  walk(progress.targets());
  return found;
}

// A Markdown table cell as services/plans/report_document.cc writes it.
std::string Cell(const std::string& s) {
  return absl::StrReplaceAll(s, {{"|", "\\|"}, {"\r", " "}, {"\n", " "}});
}

class EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = std::make_unique<testing::RedisServer>();
    dir_ = std::make_unique<TempDir>();
    const std::vector<std::string> common = {"--redis=" + redis_->address(),
                                             absl::StrCat("--clock-date=", kToday)};
    std::vector<std::string> plans_flags = common;
    plans_flags.push_back(absl::StrCat("--directory-seed=", PCMD_SOURCE_DIR,
                                       "/services/plans/data/directory.textproto"));
    plans_ = std::make_unique<RunningBinary>(kServices[0], *dir_, "127.0.0.1:0", plans_flags);
    inspections_ = std::make_unique<RunningBinary>(kServices[2], *dir_, "127.0.0.1:0", common);
    std::vector<std::string> intake_flags = common;
    intake_flags.push_back("--inspections=" + inspections_->target());
    intake_ = std::make_unique<RunningBinary>(kServices[1], *dir_, "127.0.0.1:0", intake_flags);
    referrals_ = std::make_unique<RunningBinary>(kServices[3], *dir_, "127.0.0.1:0", common);
  }

  void TearDown() override {
    if (HasFailure()) {
      for (const RunningBinary* b :
           {plans_.get(), intake_.get(), inspections_.get(), referrals_.get()}) {
        if (b != nullptr)
          std::fprintf(stderr, "---- %s\n%s\n", b->target().c_str(), b->log().c_str());
      }
    }
    referrals_.reset();
    intake_.reset();
    inspections_.reset();
    plans_.reset();
    dir_.reset();
    redis_.reset();
  }

  // The Hà Nội 2024 plan document as shipped, imported and issued as pcmd's operator
  // (as pcmd-demo's LoadPlans does).
  pv1::Plan ImportHanoi2024() {
    auto stub = pv1::PlansService::NewStub(ChannelAs(plans_->target(), "operator"));
    pv1::ImportPlanRequest request;
    request.set_request_id("e2e-import-hn-2024");
    request.set_document(ReadText(absl::StrCat(PCMD_SOURCE_DIR, "/deploy/plans/hn-2024.json")));
    request.set_issue(true);
    pv1::ImportPlanResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "plan-upkeep");
    const grpc::Status status = stub->ImportPlan(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.plan();
  }

  pv1::PlanProgress Progress() {
    auto stub = pv1::PlansService::NewStub(ChannelAs(plans_->target(), "social-affairs-hanoi"));
    pv1::GetPlanProgressRequest request;
    request.set_plan("plans/hn-2024");
    request.set_as_of_date(kToday);
    pv1::GetPlanProgressResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "plan-reporting");
    const grpc::Status status = stub->GetPlanProgress(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.progress();
  }

  // Every record behind target `id` of the Hà Nội plan on kToday (all pages).
  std::vector<pv1::TargetRecord> Records(const std::string& id,
                                         pv1::MeasurePart part = pv1::MEASURE_PART_NUMERATOR) {
    auto stub = pv1::PlansService::NewStub(ChannelAs(plans_->target(), "police-hanoi"));
    std::vector<pv1::TargetRecord> out;
    std::string token;
    do {
      pv1::ListTargetRecordsRequest request;
      request.set_plan("plans/hn-2024");
      request.set_target_id(id);
      request.set_part(part);
      request.set_as_of_date(kToday);
      request.set_page_token(token);
      pv1::ListTargetRecordsResponse response;
      grpc::ClientContext ctx;
      Prepare(ctx, "plan-reporting");
      const grpc::Status status = stub->ListTargetRecords(&ctx, request, &response);
      EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
      if (!status.ok()) break;
      out.insert(out.end(), response.records().begin(), response.records().end());
      token = response.next_page_token();
    } while (!token.empty());
    return out;
  }

  static events::v1::GetEventStatsResponse Stats(const RunningBinary& b) {
    auto stub = events::v1::EventAdminService::NewStub(ChannelAs(b.target(), "operator"));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    events::v1::GetEventStatsResponse response;
    const grpc::Status status = stub->GetEventStats(&ctx, {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Every outbox published and every consumer caught up with every stream.
  bool Settled() {
    for (const RunningBinary* b :
         {plans_.get(), intake_.get(), inspections_.get(), referrals_.get()}) {
      const events::v1::GetEventStatsResponse stats = Stats(*b);
      if (stats.outbox_backlog() != 0 || stats.consumer_lag().empty()) return false;
      for (const auto& lag : stats.consumer_lag()) {
        if (lag.lag() != 0) return false;
      }
    }
    return true;
  }

  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<RunningBinary> plans_, intake_, inspections_, referrals_;
};

TEST_F(EndToEndTest, AHotlineTipBecomesAnInspectionReferralsAndPlanFigures) {
  const absl::Time started = absl::Now();
  ASSERT_GT(plans_->port(), 0) << plans_->log();
  ASSERT_GT(intake_->port(), 0) << intake_->log();
  ASSERT_GT(inspections_->port(), 0) << inspections_->log();
  ASSERT_GT(referrals_->port(), 0) << referrals_->log();

  // The seeded directory reaches the other services through plans' UnitCreated events.
  for (const char* unit : {"01", "268"}) {
    ASSERT_TRUE(Within(absl::Seconds(20), [&] { return IntakeKnowsUnit(intake_->target(), unit); }))
        << "intake never learnt unit " << unit;
    ASSERT_TRUE(Within(absl::Seconds(20),
                       [&] { return InspectionsKnowsUnit(inspections_->target(), unit); }))
        << "inspections never learnt unit " << unit;
    ASSERT_TRUE(
        Within(absl::Seconds(20), [&] { return ReferralsKnowsUnit(referrals_->target(), unit); }))
        << "referrals never learnt unit " << unit;
  }

  // The Hà Nội 2024 plan, issued; its period holds the services' today.
  const pv1::Plan plan = ImportHanoi2024();
  ASSERT_EQ(plan.name(), "plans/hn-2024");
  ASSERT_EQ(plan.state(), pv1::PLAN_STATE_ISSUED);
  ASSERT_LE(plan.period_start(), kToday);
  ASSERT_GE(plan.period_end(), kToday);
  // The targets this walk moves, found by what they count.
  const pv1::Target* tips_on_time = TargetCounting(plan, "tips.resolved", {"on_time=true"});
  const pv1::Target* inspected = TargetCounting(plan, "inspections.establishments_inspected");
  const pv1::Target* informed = TargetCounting(plan, "inspections.people_informed");
  const pv1::Target* contacts = TargetCounting(plan, "referrals.outreach_contacts");
  const pv1::Target* served = TargetCounting(plan, "referrals.clients_served");
  const pv1::Target* districts = TargetCounting(plan, "referrals.sessions_delivered");
  ASSERT_NE(tips_on_time, nullptr) << "no target counts tips resolved on time";
  ASSERT_NE(inspected, nullptr) << "no target counts establishments inspected";
  ASSERT_NE(informed, nullptr) << "no target counts people informed during inspections";
  ASSERT_NE(contacts, nullptr) << "no target counts outreach contacts";
  ASSERT_NE(served, nullptr) << "no target counts clients served";
  ASSERT_NE(districts, nullptr) << "no target counts service sessions";
  ASSERT_EQ(tips_on_time->kind(), pv1::TARGET_KIND_PERCENT);
  ASSERT_EQ(tips_on_time->denominator().metric(), "tips.received");
  ASSERT_EQ(served->denominator().metric(), "referrals.clients_in_need");
  ASSERT_EQ(districts->numerator().aggregate(), pv1::AGGREGATE_DISTRICTS_WITH_ANY);
  // Nothing counted before the walk.
  {
    const pv1::PlanProgress before = Progress();
    EXPECT_EQ(ProgressOf(before, tips_on_time->id()).denominator(), 0);
    EXPECT_EQ(ProgressOf(before, inspected->id()).value(), 0);
    EXPECT_EQ(ProgressOf(before, contacts->id()).value(), 0);
  }

  auto police = iv1::IntakeService::NewStub(ChannelAs(intake_->target(), "police-hanoi"));
  auto hotline = iv1::IntakeService::NewStub(ChannelAs(intake_->target(), "social-affairs-hanoi"));
  auto team =
      sv1::InspectionsService::NewStub(ChannelAs(inspections_->target(), "team178-thanhtri"));
  auto worker =
      rv1::ReferralsService::NewStub(ChannelAs(referrals_->target(), "social-affairs-hanoi"));

  // ---- 1. The massage parlour, and the hotline tip about it, routed to the police.
  std::string parlour;
  {
    sv1::CreateEstablishmentRequest request;
    request.set_request_id("e2e-massage-lotus");
    request.set_display_name("Massage Hoa Sen Thanh Trì");
    request.set_business_type(sv1::BUSINESS_TYPE_MASSAGE);
    request.set_address("Số 88 đường Ngọc Hồi, xã Ngọc Hồi, huyện Thanh Trì, Hà Nội");
    request.set_unit_code("268");
    sv1::CreateEstablishmentResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "establishment-registry");
    const grpc::Status status = team->CreateEstablishment(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    parlour = response.establishment().name();
    EXPECT_THAT(parlour, StartsWith("establishments/"));
    EXPECT_EQ(response.establishment().unit_code(), "268");
    EXPECT_EQ(response.establishment().status(), sv1::ESTABLISHMENT_STATUS_OPERATING);
    EXPECT_EQ(response.establishment().last_inspection_date(), "");
  }

  // The social-affairs hotline records a citizen's call about it.
  iv1::Tip tip;
  {
    iv1::SubmitTipRequest request;
    request.set_request_id("e2e-hotline-lotus");
    request.set_channel(iv1::CHANNEL_HOTLINE);
    request.set_legal_kind(iv1::LEGAL_KIND_DENUNCIATION);
    request.set_category(iv1::CATEGORY_ESTABLISHMENT);
    request.set_unit_code("268");
    request.set_establishment(parlour);
    request.set_description(
        "Người dân gọi đường dây nóng phản ánh cơ sở massage Hoa Sen có phòng kín, nhân viên "
        "mời khách mua bán dâm sau 22 giờ.");
    request.mutable_place()->set_address("Số 88 đường Ngọc Hồi, xã Ngọc Hồi, huyện Thanh Trì");
    iv1::SubmitTipResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "tip-handling", "hotline-operator-01");
    const grpc::Status status = hotline->SubmitTip(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    tip = response.tip();
  }
  EXPECT_THAT(tip.name(), StartsWith("tips/"));
  EXPECT_EQ(tip.state(), iv1::TIP_STATE_RECEIVED);
  EXPECT_EQ(tip.establishment(), parlour);
  EXPECT_EQ(tip.receiving_agency(), kSocialAffairs);
  EXPECT_EQ(tip.responsible_agency(), kSocialAffairs);
  // A denunciation is settled within 20 days of receipt (CPC 2015 Art. 147(1)).
  EXPECT_EQ(tip.legal_deadline(), "2024-06-30");
  EXPECT_FALSE(tip.overdue());
  // The routing rules propose the police of the place for a denunciation about a business.
  EXPECT_EQ(tip.proposed_route().agency_kind(), "police");
  EXPECT_EQ(tip.proposed_route().unit_code(), "268");
  EXPECT_EQ(tip.proposed_route().rule(), "establishment-crime");

  // The hotline hands it to the Hà Nội criminal police, who take it on.
  {
    iv1::TransferTipRequest request;
    request.set_name(tip.name());
    request.set_request_id("e2e-transfer-lotus");
    request.set_etag(tip.etag());
    request.set_to_agency(kPolice);
    request.set_to_unit("01");
    iv1::TransferTipResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "tip-handling", "hotline-operator-01");
    const grpc::Status status = hotline->TransferTip(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.tip().state(), iv1::TIP_STATE_TRANSFER_PENDING);
    EXPECT_EQ(response.tip().pending_transfer().to_agency(), kPolice);
    // The sender stays responsible until the police accept.
    EXPECT_EQ(response.tip().responsible_agency(), kSocialAffairs);
  }
  {
    iv1::AcceptTransferRequest request;
    request.set_name(tip.name());
    request.set_request_id("e2e-accept-lotus");
    iv1::AcceptTransferResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "tip-handling");
    const grpc::Status status = police->AcceptTransfer(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    tip = response.tip();
  }
  EXPECT_EQ(tip.state(), iv1::TIP_STATE_ASSIGNED);
  EXPECT_EQ(tip.responsible_agency(), kPolice);
  EXPECT_EQ(tip.responsible_unit(), "01");
  EXPECT_FALSE(tip.has_pending_transfer());
  EXPECT_EQ(tip.legal_deadline(), "2024-06-30") << "a transfer does not move the legal clock";

  // ---- 2. The Team 178 of Thanh Trì inspects the parlour at the police's request.
  std::string team_name;
  {
    auto social =
        sv1::InspectionsService::NewStub(ChannelAs(inspections_->target(), "social-affairs-hanoi"));
    sv1::CreateTeamRequest request;
    request.set_request_id("e2e-team-178-thanh-tri");
    sv1::Team& t = *request.mutable_team();
    t.set_display_name("Đội kiểm tra liên ngành 178 huyện Thanh Trì");
    t.set_level(sv1::TEAM_LEVEL_DISTRICT);
    t.set_unit_code("268");
    t.set_agency_code(kTeam178);
    t.set_decision("Quyết định số 1520/QĐ-UBND ngày 12/3/2024 của UBND huyện Thanh Trì");
    sv1::TeamMember& leader = *t.add_members();
    leader.set_display_name("Bà Nguyễn Thị Lan, Phó trưởng phòng LĐ-TB&XH");
    leader.set_agency(sv1::MEMBER_AGENCY_SOCIAL_AFFAIRS);
    leader.set_role(sv1::MEMBER_ROLE_LEADER);
    sv1::TeamMember& officer = *t.add_members();
    officer.set_display_name("Ông Trần Văn Minh, Đội CSHS Công an huyện");
    officer.set_agency(sv1::MEMBER_AGENCY_POLICE);
    officer.set_role(sv1::MEMBER_ROLE_DEPUTY);
    t.set_active_from("2024-03-12");
    t.set_monthly_capacity(12);
    sv1::CreateTeamResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "team-registry");
    const grpc::Status status = social->CreateTeam(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    team_name = response.team().name();
    EXPECT_EQ(response.team().agency_code(), kTeam178);
  }
  std::string inspection;
  {
    sv1::ScheduleInspectionRequest request;
    request.set_request_id("e2e-inspect-lotus");
    request.set_establishment(parlour);
    request.set_team(team_name);
    request.set_kind(sv1::INSPECTION_KIND_SURPRISE);
    request.set_planned_date(kToday);
    request.set_tip(tip.name());
    sv1::ScheduleInspectionResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "inspection");
    const grpc::Status status = team->ScheduleInspection(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    inspection = response.inspection().name();
    EXPECT_THAT(inspection, StartsWith("inspections/"));
    EXPECT_EQ(response.inspection().state(), sv1::INSPECTION_STATE_SCHEDULED);
    EXPECT_EQ(response.inspection().tip(), tip.name());
    EXPECT_EQ(response.inspection().unit_code(), "268");
    EXPECT_EQ(response.inspection().team_agency(), kTeam178);
  }

  // Harbouring prostitution (Decree 144/2021 Art. 26(1)(a)), in force on the day.
  constexpr char kHarbouring[] = "ND144-2021/26/1/a";
  {
    sv1::ListLegalReferencesRequest request;
    request.set_valid_on(kToday);
    sv1::ListLegalReferencesResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "inspection");
    const grpc::Status status = team->ListLegalReferences(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    const sv1::LegalReference* found = nullptr;
    for (const sv1::LegalReference& r : response.legal_references()) {
      if (r.code() == kHarbouring) found = &r;
    }
    ASSERT_NE(found, nullptr) << kHarbouring << " is not valid on " << kToday;
    EXPECT_EQ(found->severity(), sv1::SEVERITY_VERY_SERIOUS);
  }

  // The team finds rooms used for selling sex, fines the owner, informs the owner and
  // three workers on the law, and meets two women who may need support.
  constexpr int kOwnersInformed = 1, kWorkersInformed = 3;
  const std::string kPersonA = "Đinh Thị Thu Hà", kIdA = "001199012345";
  const std::string kPersonB = "Vàng Thị Mỷ", kIdB = "002199054321";
  constexpr char kDecision[] = "125/QĐ-XPVPHC";
  sv1::Inspection done;
  {
    sv1::RecordInspectionResultRequest request;
    request.set_name(inspection);
    request.set_request_id("e2e-result-lotus");
    request.set_inspection_date(kToday);
    sv1::InspectionResult& r = *request.mutable_result();
    r.set_findings("Phát hiện hai phòng kín tầng 2 được dùng làm nơi mua bán dâm.");
    sv1::Violation& violation = *r.add_violations();
    violation.set_legal_reference(kHarbouring);
    violation.set_description("Chủ cơ sở cho sử dụng phòng massage làm nơi mua bán dâm");
    sv1::Sanction& fine = *r.add_sanctions();
    fine.set_kind(sv1::SANCTION_KIND_FINE);
    fine.set_violation_index(0);
    fine.set_fine_amount_vnd(45'000'000);
    fine.set_decision_number(kDecision);
    r.set_owners_informed(kOwnersInformed);
    r.set_workers_informed(kWorkersInformed);
    for (const auto& [name, id] : {std::pair(kPersonA, kIdA), std::pair(kPersonB, kIdB)}) {
      sv1::PersonMet& met = *r.add_persons_met();
      met.set_full_name(name);
      met.set_id_number(id);
      met.set_birth_date(name == kPersonA ? "1999-04-12" : "1999-11-02");
      met.set_needs(name == kPersonA ? "Muốn xét nghiệm HIV và học nghề may"
                                     : "Muốn xét nghiệm HIV");
    }
    sv1::RecordInspectionResultResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "inspection");
    const grpc::Status status = team->RecordInspectionResult(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    done = response.inspection();
  }
  EXPECT_EQ(done.state(), sv1::INSPECTION_STATE_COMPLETED);
  EXPECT_EQ(done.inspection_date(), kToday);
  ASSERT_EQ(done.result().persons_met_size(), 2);
  ASSERT_EQ(done.result().violations_size(), 1);
  const std::string pseudonym_a = done.result().persons_met(0).pseudonym();
  const std::string pseudonym_b = done.result().persons_met(1).pseudonym();
  EXPECT_THAT(pseudonym_a, StartsWith("psn_"));
  EXPECT_THAT(pseudonym_b, StartsWith("psn_"));
  EXPECT_NE(pseudonym_a, pseudonym_b);
  {
    sv1::GetEstablishmentRequest request;
    request.set_name(parlour);
    sv1::GetEstablishmentResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "establishment-registry");
    const grpc::Status status = team->GetEstablishment(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.establishment().last_inspection_date(), kToday);
    // A very serious violation is a complex sign: inspected at least once a year.
    EXPECT_TRUE(response.establishment().risk().complex());
  }

  // ---- 3. The social-affairs authority reaches the two women and refers them.
  // The inspection's PersonMayNeedSupport events open one outreach task each.
  std::vector<rv1::OutreachTask> tasks;
  grpc::Status listed;
  ASSERT_TRUE(Within(absl::Seconds(20), [&] {
    rv1::ListOutreachTasksRequest request;
    request.set_unit_code("268");
    rv1::ListOutreachTasksResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "outreach");
    listed = worker->ListOutreachTasks(&ctx, request, &response);
    if (!listed.ok() || response.tasks_size() < 2) return false;
    tasks.assign(response.tasks().begin(), response.tasks().end());
    return true;
  })) << listed.error_message();
  ASSERT_EQ(tasks.size(), 2u);
  std::map<std::string, rv1::OutreachTask> task_of;  // By person: "A", "B".
  for (const rv1::OutreachTask& t : tasks) {
    EXPECT_EQ(t.source(), rv1::OUTREACH_SOURCE_INSPECTION);
    EXPECT_EQ(t.state(), rv1::OUTREACH_TASK_STATE_OPEN);
    EXPECT_EQ(t.unit_code(), "268");
    EXPECT_EQ(t.found_date(), kToday);
    EXPECT_EQ(t.due_date(), "2024-06-17") << "adults are reached within 7 days";
    EXPECT_TRUE(t.client().empty());
    if (t.pseudonym() == pseudonym_a) task_of["A"] = t;
    if (t.pseudonym() == pseudonym_b) task_of["B"] = t;
  }
  ASSERT_EQ(task_of.size(), 2u) << "the tasks do not carry the inspection's pseudonyms";
  EXPECT_EQ(task_of["A"].source_ref(), inspection + "#0");
  EXPECT_EQ(task_of["B"].source_ref(), inspection + "#1");

  // Each woman agrees to be a client (the same pseudonym as in inspections); each
  // task closes as contacted, which records one outreach contact.
  std::map<std::string, std::string> client_of;
  for (const auto& [who, name, id] :
       {std::tuple("A", kPersonA, kIdA), std::tuple("B", kPersonB, kIdB)}) {
    const rv1::OutreachTask& t = task_of[who];
    rv1::Client client;
    {
      rv1::RegisterClientRequest request;
      request.set_request_id(absl::StrCat("e2e-client-", who));
      request.set_unit_code("268");
      request.set_source(rv1::CLIENT_SOURCE_INSPECTION);
      request.set_source_ref(t.source_ref());
      request.set_outreach_task(t.name());
      request.mutable_identity()->set_full_name(name);
      request.mutable_identity()->set_id_number(id);
      rv1::RegisterClientResponse response;
      grpc::ClientContext ctx;
      Prepare(ctx, "case-work");
      const grpc::Status status = worker->RegisterClient(&ctx, request, &response);
      ASSERT_TRUE(status.ok()) << who << ": " << status.error_message();
      client = response.client();
    }
    EXPECT_THAT(client.name(), StartsWith("clients/"));
    EXPECT_EQ(client.pseudonym(), t.pseudonym()) << who;
    EXPECT_EQ(client.unit_code(), "268");
    EXPECT_EQ(client.agency_code(), kSocialAffairs);
    client_of[who] = client.name();
    {
      rv1::CloseOutreachTaskRequest request;
      request.set_name(t.name());
      request.set_outcome(rv1::OUTREACH_TASK_STATE_CONTACTED);
      request.set_client(client.name());
      request.set_contact_date(kToday);
      rv1::CloseOutreachTaskResponse response;
      grpc::ClientContext ctx;
      Prepare(ctx, "outreach");
      const grpc::Status status = worker->CloseOutreachTask(&ctx, request, &response);
      ASSERT_TRUE(status.ok()) << who << ": " << status.error_message();
      EXPECT_EQ(response.task().state(), rv1::OUTREACH_TASK_STATE_CONTACTED);
      EXPECT_EQ(response.task().client(), client.name());
    }
  }
  {
    rv1::ListOutreachTasksRequest request;
    request.set_unit_code("268");
    rv1::ListOutreachTasksResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "outreach");
    ASSERT_TRUE(worker->ListOutreachTasks(&ctx, request, &response).ok());
    EXPECT_EQ(response.tasks_size(), 0) << "no task is left open";
  }

  // The providers, each receiving through its own system.
  const auto create_provider = [&](const std::string& as, rv1::CreateProviderRequest request) {
    auto stub = rv1::ReferralsService::NewStub(ChannelAs(referrals_->target(), as));
    rv1::CreateProviderResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "provider-directory");
    const grpc::Status status = stub->CreateProvider(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << request.request_id() << ": " << status.error_message();
    EXPECT_TRUE(response.provider().active());
    return response.provider().name();
  };
  std::string health_centre, school;
  {
    rv1::CreateProviderRequest request;
    request.set_request_id("e2e-provider-yte-thanh-tri");
    request.set_display_name("Trung tâm Y tế huyện Thanh Trì");
    request.set_kind(rv1::PROVIDER_KIND_HEALTH_FACILITY);
    request.add_services(rv1::SERVICE_TYPE_HIV_STI_TESTING);
    request.add_services(rv1::SERVICE_TYPE_ARV_TREATMENT);
    request.set_unit_code("268");
    request.set_capacity(120);
    request.set_agency_code(kHealthCentre);
    request.set_contact("Phòng khám ngoại trú, thị trấn Văn Điển; điện thoại 024 0000 0268");
    health_centre = create_provider("health-hanoi", request);
  }
  {
    rv1::CreateProviderRequest request;
    request.set_request_id("e2e-provider-nghe-hanoi");
    request.set_display_name("Trường Trung cấp nghề Bình Minh Hà Nội");
    request.set_kind(rv1::PROVIDER_KIND_VOCATIONAL_SCHOOL);
    request.add_services(rv1::SERVICE_TYPE_VOCATIONAL_TRAINING);
    request.add_services(rv1::SERVICE_TYPE_JOB_PLACEMENT);
    request.set_unit_code("01");
    request.set_capacity(60);
    request.set_agency_code(kVocationalSchool);
    request.set_contact("Phòng tuyển sinh và việc làm; điện thoại 024 0000 0202");
    school = create_provider("social-affairs-hanoi", request);
  }
  ASSERT_THAT(health_centre, StartsWith("providers/"));
  ASSERT_THAT(school, StartsWith("providers/"));

  // Consent to both kinds of provider and both services, sharing the name and need.
  for (const char* who : {"A", "B"}) {
    rv1::GiveConsentRequest request;
    request.set_request_id(absl::StrCat("e2e-consent-", who));
    request.set_client(client_of[who]);
    request.set_basis(rv1::CONSENT_BASIS_CLIENT_CONSENT);
    request.add_provider_kinds(rv1::PROVIDER_KIND_HEALTH_FACILITY);
    request.add_provider_kinds(rv1::PROVIDER_KIND_VOCATIONAL_SCHOOL);
    request.add_service_types(rv1::SERVICE_TYPE_HIV_STI_TESTING);
    request.add_service_types(rv1::SERVICE_TYPE_VOCATIONAL_TRAINING);
    request.add_shared_fields(rv1::SHARED_FIELD_FULL_NAME);
    request.add_shared_fields(rv1::SHARED_FIELD_NEED);
    request.set_given_date(kToday);
    request.set_expire_date("2025-06-09");
    rv1::GiveConsentResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "case-work");
    const grpc::Status status = worker->GiveConsent(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << who << ": " << status.error_message();
    EXPECT_FALSE(response.consent().withdrawn());
    EXPECT_EQ(response.consent().expire_date(), "2025-06-09");
  }
  // A needs HIV testing and vocational training; B HIV testing.
  {
    const auto assess = [&](const std::string& who, const std::vector<rv1::ServiceType>& needs) {
      rv1::AssessNeedsRequest request;
      request.set_client(client_of[who]);
      request.set_assessed_date(kToday);
      for (rv1::ServiceType s : needs) {
        rv1::Need& n = *request.add_needs();
        n.set_service_type(s);
        n.set_priority(rv1::NEED_PRIORITY_HIGH);
        n.set_eligible(true);
      }
      rv1::AssessNeedsResponse response;
      grpc::ClientContext ctx;
      Prepare(ctx, "case-work");
      const grpc::Status status = worker->AssessNeeds(&ctx, request, &response);
      ASSERT_TRUE(status.ok()) << who << ": " << status.error_message();
      EXPECT_EQ(response.client().needs_size(), static_cast<int>(needs.size()));
      EXPECT_EQ(response.client().needs_assessed_date(), kToday);
    };
    assess("A", {rv1::SERVICE_TYPE_HIV_STI_TESTING, rv1::SERVICE_TYPE_VOCATIONAL_TRAINING});
    assess("B", {rv1::SERVICE_TYPE_HIV_STI_TESTING});
  }

  // Three referrals: A and B to the health centre for testing, A to the school.
  struct Sent {
    std::string who, referral, provider_certificate, provider_agency, full_name;
  };
  std::vector<Sent> sent;
  const auto refer = [&](const std::string& who, const std::string& provider,
                         rv1::ServiceType service, const std::string& certificate,
                         const std::string& agency, const std::string& full_name) {
    rv1::CreateReferralRequest request;
    request.set_request_id(absl::StrCat("e2e-referral-", who, "-", static_cast<int>(service)));
    request.set_client(client_of[who]);
    request.set_provider(provider);
    request.set_service_type(service);
    request.set_note("Đi cùng cán bộ xã hội.");
    rv1::CreateReferralResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "case-work");
    const grpc::Status status = worker->CreateReferral(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << who << ": " << status.error_message();
    const rv1::Referral& r = response.referral();
    EXPECT_EQ(r.state(), rv1::REFERRAL_STATE_SENT);
    EXPECT_EQ(r.client(), client_of[who]);
    EXPECT_EQ(r.provider_agency(), agency);
    EXPECT_EQ(r.sender_agency(), kSocialAffairs);
    EXPECT_EQ(r.unit_code(), "268");
    EXPECT_EQ(r.response_due_date(), "2024-06-17");
    EXPECT_FALSE(r.consent().empty());
    sent.push_back({who, r.name(), certificate, agency, full_name});
  };
  refer("A", health_centre, rv1::SERVICE_TYPE_HIV_STI_TESTING, "provider-yte-thanhtri",
        kHealthCentre, kPersonA);
  refer("B", health_centre, rv1::SERVICE_TYPE_HIV_STI_TESTING, "provider-yte-thanhtri",
        kHealthCentre, kPersonB);
  refer("A", school, rv1::SERVICE_TYPE_VOCATIONAL_TRAINING, "provider-nghe-hanoi",
        kVocationalSchool, kPersonA);
  ASSERT_EQ(sent.size(), 3u);

  // Each provider sees only its own referrals, with the fields the consent shares; it
  // accepts and records a first session.
  for (const Sent& s : sent) {
    auto inbox =
        rv1::ProviderInboxService::NewStub(ChannelAs(referrals_->target(), s.provider_certificate));
    const std::string other = s.provider_certificate == "provider-yte-thanhtri"
                                  ? "provider-nghe-hanoi"
                                  : "provider-yte-thanhtri";
    {
      auto stranger = rv1::ProviderInboxService::NewStub(ChannelAs(referrals_->target(), other));
      rv1::GetInboxReferralRequest request;
      request.set_name(s.referral);
      rv1::GetInboxReferralResponse response;
      grpc::ClientContext ctx;
      Prepare(ctx, "referrals", "intake-desk-1");
      EXPECT_EQ(stranger->GetInboxReferral(&ctx, request, &response).error_code(),
                grpc::StatusCode::PERMISSION_DENIED)
          << other << " reads " << s.referral << " addressed to " << s.provider_agency;
    }
    {
      rv1::GetInboxReferralRequest request;
      request.set_name(s.referral);
      rv1::GetInboxReferralResponse response;
      grpc::ClientContext ctx;
      Prepare(ctx, "referrals", "intake-desk-1");
      const grpc::Status status = inbox->GetInboxReferral(&ctx, request, &response);
      ASSERT_TRUE(status.ok()) << s.referral << ": " << status.error_message();
      EXPECT_EQ(response.referral().state(), rv1::REFERRAL_STATE_SENT);
      EXPECT_TRUE(response.referral().consent_in_force());
      EXPECT_EQ(response.referral().full_name(), s.full_name);
      EXPECT_EQ(response.referral().need_priority(), rv1::NEED_PRIORITY_HIGH);
      EXPECT_EQ(response.referral().id_number(), "") << "the ID number is not shared";
      EXPECT_EQ(response.referral().sender_agency(), kSocialAffairs);
    }
    {
      rv1::AcceptReferralRequest request;
      request.set_name(s.referral);
      rv1::AcceptReferralResponse response;
      grpc::ClientContext ctx;
      Prepare(ctx, "referrals", "intake-desk-1");
      const grpc::Status status = inbox->AcceptReferral(&ctx, request, &response);
      ASSERT_TRUE(status.ok()) << s.referral << ": " << status.error_message();
      EXPECT_EQ(response.referral().state(), rv1::REFERRAL_STATE_ACCEPTED);
    }
    {
      rv1::RecordServiceDeliveryRequest request;
      request.set_name(s.referral);
      request.set_delivery_date(kToday);
      rv1::RecordServiceDeliveryResponse response;
      grpc::ClientContext ctx;
      Prepare(ctx, "referrals", "intake-desk-1");
      const grpc::Status status = inbox->RecordServiceDelivery(&ctx, request, &response);
      ASSERT_TRUE(status.ok()) << s.referral << ": " << status.error_message();
      EXPECT_EQ(response.referral().state(), rv1::REFERRAL_STATE_IN_SERVICE);
      EXPECT_EQ(response.referral().deliveries(), 1);
      EXPECT_EQ(response.referral().last_delivery_date(), kToday);
    }
  }
  // The case worker sees where each referral stands.
  {
    rv1::ListReferralsRequest request;
    request.set_unit_code("268");
    rv1::ListReferralsResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "case-work");
    const grpc::Status status = worker->ListReferrals(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> in_service;
    for (const rv1::Referral& r : response.referrals()) {
      if (r.state() == rv1::REFERRAL_STATE_IN_SERVICE && r.deliveries() == 1) {
        in_service.push_back(r.name());
      }
    }
    EXPECT_THAT(in_service,
                UnorderedElementsAre(sent[0].referral, sent[1].referral, sent[2].referral));
  }

  // ---- 4. The police settle the tip on time with the sanction decision.
  {
    iv1::ResolveTipRequest request;
    request.set_name(tip.name());
    request.set_request_id("e2e-resolve-lotus");
    request.set_etag(tip.etag());
    request.set_outcome(iv1::OUTCOME_ADMINISTRATIVE_SANCTION);
    request.add_references(kDecision);
    request.set_note(absl::StrCat("Đã kiểm tra theo ", inspection, "; xử phạt chủ cơ sở."));
    iv1::ResolveTipResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "tip-handling");
    const grpc::Status status = police->ResolveTip(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    tip = response.tip();
  }
  EXPECT_EQ(tip.state(), iv1::TIP_STATE_RESOLVED);
  EXPECT_EQ(tip.responsible_agency(), kPolice);
  EXPECT_EQ(tip.resolution().outcome(), iv1::OUTCOME_ADMINISTRATIVE_SANCTION);
  EXPECT_THAT(tip.resolution().references(), ElementsAre(kDecision));
  EXPECT_TRUE(tip.resolution().on_time());
  EXPECT_FALSE(tip.overdue());
  {
    iv1::GetTipRequest request;
    request.set_name(tip.name());
    iv1::GetTipResponse response;
    grpc::ClientContext ctx;
    Prepare(ctx, "tip-handling");
    const grpc::Status status = police->GetTip(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> stages;
    for (const iv1::StageChange& c : response.tip().history()) {
      stages.push_back(absl::StrCat(iv1::TipState_Name(c.to_state()), " by ", c.agency_code()));
    }
    EXPECT_THAT(stages, ElementsAre(absl::StrCat("TIP_STATE_RECEIVED by ", kSocialAffairs),
                                    absl::StrCat("TIP_STATE_TRANSFER_PENDING by ", kSocialAffairs),
                                    absl::StrCat("TIP_STATE_ASSIGNED by ", kPolice),
                                    absl::StrCat("TIP_STATE_RESOLVED by ", kPolice)));
  }

  // ---- 5. The plan's figures: exactly this walk, nothing more.
  using Figures = std::map<std::string, double>;
  const auto figures_of = [&](const pv1::PlanProgress& p) {
    const pv1::TargetProgress t6 = ProgressOf(p, tips_on_time->id());
    const pv1::TargetProgress t10b = ProgressOf(p, served->id());
    return Figures{
        {"tips resolved on time", t6.numerator()},
        {"tips received", t6.denominator()},
        {"tips handled on time (%)", t6.value()},
        {"establishments inspected", ProgressOf(p, inspected->id()).value()},
        {"people informed during inspections", ProgressOf(p, informed->id()).value()},
        {"outreach contacts", ProgressOf(p, contacts->id()).value()},
        {"clients served", t10b.numerator()},
        {"clients in need", t10b.denominator()},
        {"clients in need served (%)", t10b.value()},
        {"districts with service sessions", ProgressOf(p, districts->id()).value()},
    };
  };
  const Figures expected = {
      {"tips resolved on time", 1},
      {"tips received", 1},
      {"tips handled on time (%)", 100},
      {"establishments inspected", 1},
      {"people informed during inspections", kOwnersInformed + kWorkersInformed},
      {"outreach contacts", 2},
      {"clients served", 2},  // A served twice (two referrals) counts once.
      {"clients in need", 2},
      {"clients in need served (%)", 100},
      {"districts with service sessions", 1},  // Thanh Trì.
  };
  Figures figures;
  EXPECT_TRUE(Within(absl::Seconds(30), [&] {
    figures = figures_of(Progress());
    return figures == expected;
  })) << "the plan's figures did not reach what the walk did";
  // Once every event is published and read, the figures stay exactly that.
  EXPECT_TRUE(Within(absl::Seconds(20), [&] { return Settled(); })) << "the bus did not settle";
  const pv1::PlanProgress progress = Progress();
  EXPECT_EQ(progress.as_of_date(), kToday);
  figures = figures_of(progress);
  EXPECT_EQ(figures, expected);
  // A rate at its target is on track until the period ends (met only then).
  EXPECT_EQ(ProgressOf(progress, tips_on_time->id()).status(), pv1::PROGRESS_STATUS_ON_TRACK);
  EXPECT_EQ(ProgressOf(progress, served->id()).status(), pv1::PROGRESS_STATUS_ON_TRACK);
  for (const RunningBinary* b :
       {plans_.get(), intake_.get(), inspections_.get(), referrals_.get()}) {
    EXPECT_EQ(Stats(*b).dead_letters(), 0) << b->target();
  }

  // The drill-down names the records this walk created, adding up to the figures.
  const auto names = [](const std::vector<pv1::TargetRecord>& records) {
    std::vector<std::string> out;
    for (const pv1::TargetRecord& r : records) out.push_back(r.record());
    return out;
  };
  const auto total = [](const std::vector<pv1::TargetRecord>& records) {
    double sum = 0;
    for (const pv1::TargetRecord& r : records) sum += r.amount();
    return sum;
  };
  {
    const std::vector<pv1::TargetRecord> resolved = Records(tips_on_time->id());
    EXPECT_THAT(names(resolved), ElementsAre(tip.name()));
    ASSERT_EQ(resolved.size(), 1u);
    EXPECT_THAT(resolved[0].attributes(), ::testing::Contains("on_time=true"));
    EXPECT_EQ(resolved[0].unit_code(), "268");
    EXPECT_EQ(resolved[0].date(), kToday);
    EXPECT_THAT(names(Records(tips_on_time->id(), pv1::MEASURE_PART_DENOMINATOR)),
                ElementsAre(tip.name()));
  }
  EXPECT_THAT(names(Records(inspected->id())), ElementsAre(inspection));
  {
    const std::vector<pv1::TargetRecord> people = Records(informed->id());
    EXPECT_THAT(names(people), ::testing::Each(inspection));
    EXPECT_EQ(total(people), kOwnersInformed + kWorkersInformed);
  }
  {
    const std::vector<pv1::TargetRecord> reached = Records(contacts->id());
    ASSERT_EQ(reached.size(), 2u);
    EXPECT_EQ(total(reached), 2);
    std::vector<std::string> whose;
    for (const pv1::TargetRecord& r : reached) {
      whose.push_back(r.record().substr(0, r.record().find("/contacts/")));
      EXPECT_THAT(r.record(), HasSubstr("/contacts/"));
      EXPECT_EQ(r.date(), kToday);
    }
    EXPECT_THAT(whose, UnorderedElementsAre(client_of["A"], client_of["B"]));
  }
  {
    const std::vector<pv1::TargetRecord> clients_served = Records(served->id());
    EXPECT_EQ(total(clients_served), 2) << "the records add up to the figure";
    const std::vector<std::string> served_names = names(clients_served);
    EXPECT_THAT(std::set<std::string>(served_names.begin(), served_names.end()),
                UnorderedElementsAre(client_of["A"], client_of["B"]));
    EXPECT_THAT(names(Records(served->id(), pv1::MEASURE_PART_DENOMINATOR)),
                UnorderedElementsAre(client_of["A"], client_of["B"]));
  }
  {
    std::vector<std::string> referrals;
    for (const Sent& s : sent) referrals.push_back(s.referral);
    EXPECT_THAT(names(Records(districts->id())), UnorderedElementsAreArray(referrals));
  }

  // ---- 6. The six-monthly report for 2024 H1 carries the same figures.
  {
    auto stub = pv1::PlansService::NewStub(ChannelAs(plans_->target(), "social-affairs-hanoi"));
    pv1::GenerateReportRequest request;
    request.set_plan("plans/hn-2024");
    request.set_period("2024-H1");
    request.set_format(pv1::REPORT_FORMAT_MARKDOWN);
    pv1::GenerateReportResponse report;
    grpc::ClientContext ctx;
    Prepare(ctx, "plan-reporting");
    const grpc::Status status = stub->GenerateReport(&ctx, request, &report);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(report.format(), pv1::REPORT_FORMAT_MARKDOWN);
    EXPECT_THAT(report.title(), HasSubstr("6 tháng đầu năm 2024"));
    EXPECT_THAT(report.title(), HasSubstr(plan.title()));
    const std::string& md = report.document();
    // Taken on the services' today, the period's end being later.
    EXPECT_THAT(md, HasSubstr("Số liệu tính đến ngày 2024-06-10"));
    // "| id | title | target | result | share | assessment | lead |".
    const auto row = [&](const pv1::Target& t, const std::string& figures) {
      return absl::StrCat("| ", Cell(t.id()), " | ", Cell(t.title()), " | ", figures, " | ");
    };
    EXPECT_THAT(md, HasSubstr(row(*tips_on_time, "100% | 100% (1/1) | 100% | Đúng tiến độ")))
        << "the tips target's row";
    EXPECT_THAT(md, HasSubstr(row(*contacts, "500 | 2 | 0,4%"))) << "the contacts' row";
    EXPECT_THAT(md, HasSubstr(row(*inspected, "2.460 | 1 | 0%"))) << "the inspections' row";
    EXPECT_THAT(md, HasSubstr(row(*informed, "2.460 | 4 | 0,2%"))) << "the people informed";
    EXPECT_THAT(md, HasSubstr(row(*served, "60% | 100% (2/2) | 166,7% | Đúng tiến độ")))
        << "the clients served";
  }

  // The whole walk, services included, well within a minute.
  EXPECT_LT(absl::Now() - started, absl::Seconds(45));
}

}  // namespace
}  // namespace pcmd::e2e
