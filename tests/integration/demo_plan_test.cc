// The demo as deploy/run.sh runs it — the four real binaries on a clock set to 10 June
// 2024, the shipped directory seed, Redis, mutual TLS, then pcmd-demo loading its data
// set and the seed plans — and the Hà Nội 2024 plan's figures moving as tips,
// inspections and referrals happen.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/testing/redis_server.h"
#include "common/testing/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/plans/v1/plans.grpc.pb.h"
#include "tests/integration/service_process.h"

namespace pcmd::integration {
namespace {

using ::testing::HasSubstr;
namespace pv1 = plans::v1;

constexpr char kDemoDate[] = "2024-06-10";

class DemoPlanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    redis_ = new testing::RedisServer;
    dir_ = new TempDir;
    const std::vector<std::string> common = {"--redis=" + redis_->address(),
                                             absl::StrCat("--clock-date=", kDemoDate)};
    std::vector<std::string> plans_flags = common;
    plans_flags.push_back(absl::StrCat("--directory-seed=", PCMD_SOURCE_DIR,
                                       "/services/plans/data/directory.textproto"));
    plans_ = new RunningBinary(kServices[0], *dir_, "127.0.0.1:0", plans_flags);
    inspections_ = new RunningBinary(kServices[2], *dir_, "127.0.0.1:0", common);
    std::vector<std::string> intake_flags = common;
    intake_flags.push_back("--inspections=" + inspections_->target());
    intake_ = new RunningBinary(kServices[1], *dir_, "127.0.0.1:0", intake_flags);
    referrals_ = new RunningBinary(kServices[3], *dir_, "127.0.0.1:0", common);
  }
  static void TearDownTestSuite() {
    delete referrals_;
    delete intake_;
    delete inspections_;
    delete plans_;
    delete dir_;
    delete redis_;
  }

  // Runs pcmd-demo with `args`; returns its exit status, its output in `out`.
  static std::optional<int> Demo(const std::vector<std::string>& args, std::string* out) {
    std::vector<std::string> argv = {PCMD_DEMO_BIN,
                                     "--certs=" + TestCerts(),
                                     "--plans=" + plans_->target(),
                                     "--intake=" + intake_->target(),
                                     "--inspections=" + inspections_->target(),
                                     "--referrals=" + referrals_->target(),
                                     absl::StrCat("--clock-date=", kDemoDate)};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = dir_->File(absl::StrCat("demo-", ++runs_, ".log"));
    testing::Subprocess demo(argv, log);
    const std::optional<int> rc = demo.Wait(absl::Seconds(180));
    *out = testing::ReadFile(log);
    return rc;
  }

  static pv1::PlanProgress Progress(const std::string& plan) {
    auto stub = pv1::PlansService::NewStub(ChannelAs(plans_->target(), "social-affairs-hanoi"));
    grpc::ClientContext ctx;
    pv1::GetPlanProgressRequest request;
    request.set_plan("plans/" + plan);
    request.set_as_of_date(kDemoDate);
    pv1::GetPlanProgressResponse response;
    const grpc::Status status = stub->GetPlanProgress(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.progress();
  }

  static pv1::Plan Plan(const std::string& code) {
    auto stub = pv1::PlansService::NewStub(ChannelAs(plans_->target(), "police-hanoi"));
    grpc::ClientContext ctx;
    pv1::GetPlanRequest request;
    request.set_name("plans/" + code);
    pv1::GetPlanResponse response;
    const grpc::Status status = stub->GetPlan(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << code << ": " << status.error_message();
    return response.plan();
  }

  // What the plan's computed targets (and sub-targets) count of `metric` without
  // filters: the value of a count, the numerator or denominator of a percentage.
  static double ValueOf(const pv1::Plan& plan, const pv1::PlanProgress& progress,
                        const std::string& metric) {
    std::map<std::string, const pv1::Target*> by_id;
    std::function<void(const google::protobuf::RepeatedPtrField<pv1::Target>&)> walk =
        [&](const auto& targets) {
          for (const pv1::Target& t : targets) {
            by_id[t.id()] = &t;
            walk(t.sub_targets());
          }
        };
    walk(plan.targets());
    auto counts = [&](const pv1::Measure& m) {
      return m.metric() == metric && m.filters().empty() && !m.cumulative() &&
             m.aggregate() <= pv1::AGGREGATE_SUM;
    };
    double sum = 0;
    std::function<void(const google::protobuf::RepeatedPtrField<pv1::TargetProgress>&)> add =
        [&](const auto& targets) {
          for (const pv1::TargetProgress& p : targets) {
            const pv1::Target* t = by_id[p.target_id()];
            if (t != nullptr && t->source() == pv1::TARGET_SOURCE_COMPUTED) {
              if (t->kind() == pv1::TARGET_KIND_COUNT && counts(t->numerator())) sum += p.value();
              if (t->kind() == pv1::TARGET_KIND_PERCENT && counts(t->numerator())) {
                sum += p.numerator();
              }
              if (t->kind() == pv1::TARGET_KIND_PERCENT && counts(t->denominator())) {
                sum += p.denominator();
              }
            }
            add(p.sub_targets());
          }
        };
    add(progress.targets());
    return sum;
  }

  // How many times ValueOf(metric) counts one record of `metric`.
  static int Uses(const pv1::Plan& plan, const std::string& metric) {
    pv1::PlanProgress ones;
    std::function<void(const google::protobuf::RepeatedPtrField<pv1::Target>&,
                       google::protobuf::RepeatedPtrField<pv1::TargetProgress>*)>
        walk = [&](const auto& targets, auto* out) {
          for (const pv1::Target& t : targets) {
            pv1::TargetProgress* p = out->Add();
            p->set_target_id(t.id());
            p->set_value(1);
            p->set_numerator(1);
            p->set_denominator(1);
            walk(t.sub_targets(), p->mutable_sub_targets());
          }
        };
    walk(plan.targets(), ones.mutable_targets());
    return static_cast<int>(ValueOf(plan, ones, metric));
  }

  static inline testing::RedisServer* redis_ = nullptr;
  static inline TempDir* dir_ = nullptr;
  static inline RunningBinary* plans_ = nullptr;
  static inline RunningBinary* intake_ = nullptr;
  static inline RunningBinary* inspections_ = nullptr;
  static inline RunningBinary* referrals_ = nullptr;
  static inline int runs_ = 0;
};

TEST_F(DemoPlanTest, TheDemoLoadsTheSeedPlansAndItsWorkMovesTheHanoi2024Figures) {
  ASSERT_GT(plans_->port(), 0) << plans_->log();
  ASSERT_GT(intake_->port(), 0) << intake_->log();
  ASSERT_GT(inspections_->port(), 0) << inspections_->log();
  ASSERT_GT(referrals_->port(), 0) << referrals_->log();

  std::string out;
  ASSERT_EQ(Demo({absl::StrCat("--data=", PCMD_SOURCE_DIR, "/deploy/demo/data.textproto"),
                  absl::StrCat("--plans-dir=", PCMD_SOURCE_DIR, "/deploy/plans")},
                 &out),
            std::optional<int>(0))
      << out << plans_->log();
  // Every document of deploy/plans is imported and issued.
  int documents = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(PCMD_SOURCE_DIR) + "/deploy/plans")) {
    if (entry.path().extension() != ".json") continue;
    ++documents;
    const std::string code = entry.path().stem().string();
    const pv1::Plan plan = Plan(code);
    EXPECT_EQ(plan.state(), pv1::PLAN_STATE_ISSUED) << code;
    EXPECT_GT(plan.targets_size(), 0) << code;
  }
  EXPECT_GE(documents, 1);
  const pv1::Plan hanoi = Plan("hn-2024");
  int eliminate = 0, keep_clean = 0;
  for (const pv1::PlanHotspot& h : hanoi.hotspots()) {
    eliminate += h.goal() == pv1::HOTSPOT_GOAL_ELIMINATE;
    keep_clean += h.goal() == pv1::HOTSPOT_GOAL_KEEP_CLEAN;
  }
  EXPECT_EQ(eliminate, 3) << "Appendix II";
  EXPECT_EQ(keep_clean, 8) << "Appendix III";

  // The demo's tips (dated 10 June 2024 by the shifted clocks) count for Hà Nội 2024.
  double tips = 0;
  ASSERT_TRUE(Eventually([&] {
    tips = ValueOf(hanoi, Progress("hn-2024"), "tips.received");
    return tips > 0;
  })) << "no tips.received count target moved";

  // One more tip in Thanh Trì moves it by exactly one (in every target that counts it).
  const int uses = Uses(hanoi, "tips.received");
  ASSERT_GT(uses, 0) << "the Hà Nội plan counts tips received somewhere";
  {
    auto intake = intake::v1::IntakeService::NewStub(ChannelAs(intake_->target(), "police-hanoi"));
    grpc::ClientContext ctx;
    StateUse(ctx);
    intake::v1::SubmitTipRequest request;
    request.set_request_id("demo-test-tip-1");
    request.set_channel(intake::v1::CHANNEL_HOTLINE);
    request.set_legal_kind(intake::v1::LEGAL_KIND_DENUNCIATION);
    request.set_category(intake::v1::CATEGORY_PUBLIC_PLACE);
    request.set_unit_code("268");
    request.set_description("Phản ánh có người đứng đường mời khách tại khu vực Ngọc Hồi.");
    intake::v1::SubmitTipResponse response;
    const grpc::Status status = intake->SubmitTip(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_TRUE(Eventually([&] {
    return ValueOf(hanoi, Progress("hn-2024"), "tips.received") == tips + uses;
  })) << "the new tip did not reach the plan";

  // The demo's referral loop (a client assessed and served) counts too.
  const pv1::PlanProgress now = Progress("hn-2024");
  EXPECT_GT(ValueOf(hanoi, now, "referrals.clients_served") +
                ValueOf(hanoi, now, "referrals.clients_in_need"),
            0)
      << "the referrals the demo walked through do not show in the plan";

  // The generated six-monthly report names the plan's hotspots and the agencies whose
  // reports are due.
  auto plans = pv1::PlansService::NewStub(ChannelAs(plans_->target(), "social-affairs-hanoi"));
  grpc::ClientContext ctx;
  pv1::GenerateReportRequest request;
  request.set_plan("plans/hn-2024");
  request.set_period("2024-H1");
  request.set_format(pv1::REPORT_FORMAT_MARKDOWN);
  pv1::GenerateReportResponse report;
  const grpc::Status status = plans->GenerateReport(&ctx, request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(report.document(), HasSubstr(hanoi.hotspots(0).display_name()));
  EXPECT_THAT(report.title(), HasSubstr("6 tháng đầu năm 2024"));

  // Loading again changes nothing and still succeeds (request ids).
  ASSERT_EQ(Demo({absl::StrCat("--data=", PCMD_SOURCE_DIR, "/deploy/demo/data.textproto"),
                  absl::StrCat("--plans-dir=", PCMD_SOURCE_DIR, "/deploy/plans")},
                 &out),
            std::optional<int>(0))
      << out;
  // The progress view a newcomer is told to run.
  ASSERT_EQ(Demo({"--mode=progress", "--plan=hn-2024"}, &out), std::optional<int>(0)) << out;
  EXPECT_THAT(out, HasSubstr(hanoi.title()));
}

}  // namespace
}  // namespace pcmd::integration
