// The shipped data: the directory seed (services/plans/data/directory.textproto) and the
// seed plans (deploy/plans/*.json) load into a real SQLite file, validate, and
// survive an export and re-import unchanged.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/plans/directory.h"
#include "services/plans/plan_document.h"
#include "services/plans/plans.h"
#include "services/plans/plans_stack.h"
#include "services/plans/schema.h"
#include "services/plans/sqlite_directory_store.h"
#include "services/plans/sqlite_figures.h"
#include "services/plans/sqlite_plan_store.h"

namespace pcmd::plans {
namespace {

using ::testing::Contains;
using ::testing::SizeIs;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string kSource = PCMD_SOURCE_DIR;
// Every plan document shipped in deploy/plans, by code (its file name).
std::vector<std::string> SeedPlans() {
  std::vector<std::string> codes;
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/deploy/plans")) {
    if (entry.path().extension() == ".json") codes.push_back(entry.path().stem().string());
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

class SeedTest : public ::testing::Test {
 protected:
  SeedTest()
      : stack_(absl::FromCivil(absl::CivilSecond(2024, 6, 10, 10, 0, 0), absl::UTCTimeZone())),
        directory_(stack_.directory),
        plans_(stack_.plans) {}

  int LoadDirectory() {
    v1::DirectorySeed seed;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
        Read(kSource + "/services/plans/data/directory.textproto"), &seed));
    absl::StatusOr<int> created = directory_.LoadSeed(seed);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(-1);
  }

  absl::StatusOr<v1::Plan> ImportSeed(const std::string& code) {
    v1::ImportPlanRequest r;
    r.set_request_id(absl::StrCat("import-", code));
    r.set_document(Read(absl::StrCat(kSource, "/deploy/plans/", code, ".json")));
    r.set_issue(true);
    return plans_.ImportPlan(operator_, r);
  }

  PlansStack stack_;
  Directory& directory_;
  Plans& plans_;
  const security::Access operator_ = security::Access::For(security::AgencyKind::kOperator, "VN",
                                                           "pcmd-operator", security::Scope::kAll);
};

TEST_F(SeedTest, TheDirectorySeedHoldsThe34ProvincesOf2025AndLoadsOnce) {
  EXPECT_GT(LoadDirectory(), 34);
  v1::ListUnitsRequest r;
  r.set_level(v1::UNIT_LEVEL_PROVINCE);
  r.set_valid_on("2025-07-01");
  r.set_page_size(100);
  absl::StatusOr<v1::ListUnitsResponse> provinces = directory_.ListUnits(r);
  ASSERT_TRUE(provinces.ok()) << provinces.status();
  EXPECT_THAT(provinces->units(), SizeIs(34));
  EXPECT_EQ(LoadDirectory(), 0) << "a second load creates nothing";

  // Thanh Trì's 2024 figures stay answerable: the district is kept with its validity.
  absl::StatusOr<v1::Unit> thanh_tri = directory_.GetUnit("units/268");
  ASSERT_TRUE(thanh_tri.ok()) << thanh_tri.status();
  EXPECT_EQ(thanh_tri->display_name(), "Huyện Thanh Trì");
  EXPECT_EQ(thanh_tri->valid_to(), "2025-06-30");
  // Hải Dương is Hải Phòng today.
  v1::ResolveUnitRequest resolve;
  resolve.set_name("units/30");
  resolve.set_date("2026-01-01");
  absl::StatusOr<v1::ResolveUnitResponse> today = directory_.ResolveUnit(resolve);
  ASSERT_TRUE(today.ok()) << today.status();
  ASSERT_EQ(today->units_size(), 1);
  EXPECT_EQ(today->units(0).code(), "31");
  // The social-affairs authority of Hà Nội in 2024 and in 2026.
  v1::ListAgenciesRequest agencies;
  agencies.set_kind(v1::AGENCY_KIND_SOCIAL_AFFAIRS);
  agencies.set_unit_code("01");
  agencies.set_valid_on("2026-01-01");
  absl::StatusOr<v1::ListAgenciesResponse> now = directory_.ListAgencies(agencies);
  ASSERT_TRUE(now.ok()) << now.status();
  std::vector<std::string> codes;
  for (const v1::Agency& a : now->agencies()) codes.push_back(a.code());
  EXPECT_THAT(codes, Contains("SYT-HN-PCTNXH"));
  EXPECT_THAT(codes, ::testing::Not(Contains("SLDTBXH-HN")));
}

TEST_F(SeedTest, EverySeedPlanImportsIssuesAndExportsUnchanged) {
  LoadDirectory();
  const std::vector<std::string> codes = SeedPlans();
  // The five source documents of the domain, each shipped as a plan document.
  EXPECT_THAT(codes, ::testing::ElementsAre("an-bien-2020", "bldtbxh-2021-2025", "hd-2023",
                                            "hn-2024", "tq-2013"));
  for (const std::string& code : codes) {
    SCOPED_TRACE(code);
    absl::StatusOr<v1::Plan> plan = ImportSeed(code);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->state(), v1::PLAN_STATE_ISSUED);
    EXPECT_GT(plan->targets_size(), 0);
    EXPECT_GT(plan->reporting_size(), 0);
    absl::StatusOr<std::string> exported = plans_.ExportPlan(plan->name());
    ASSERT_TRUE(exported.ok()) << exported.status();
    absl::StatusOr<v1::Plan> parsed = ParsePlanDocument(*exported);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(DocumentOnly(*parsed).SerializeAsString(), DocumentOnly(*plan).SerializeAsString());
    // Every target of a seed plan can be evaluated.
    v1::GetPlanProgressRequest progress;
    progress.set_plan(plan->name());
    progress.set_as_of_date(plan->period_end());
    absl::StatusOr<v1::PlanProgress> p = plans_.GetPlanProgress(progress);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->targets_size(), plan->targets_size());
  }
}

TEST_F(SeedTest, HanoiCarriesItsAppendixHotspotsAndReportsOn17JuneAnd17December) {
  LoadDirectory();
  absl::StatusOr<v1::Plan> hanoi = ImportSeed("hn-2024");
  ASSERT_TRUE(hanoi.ok()) << hanoi.status();
  int eliminate = 0, keep_clean = 0;
  for (const v1::PlanHotspot& h : hanoi->hotspots()) {
    eliminate += h.goal() == v1::HOTSPOT_GOAL_ELIMINATE;
    keep_clean += h.goal() == v1::HOTSPOT_GOAL_KEEP_CLEAN;
    absl::StatusOr<v1::Hotspot> registered = plans_.GetHotspot(absl::StrCat("hotspots/", h.code()));
    ASSERT_TRUE(registered.ok()) << h.code() << ": " << registered.status();
    EXPECT_EQ(registered->state(), h.goal() == v1::HOTSPOT_GOAL_ELIMINATE
                                       ? v1::HOTSPOT_STATE_TARGETED
                                       : v1::HOTSPOT_STATE_HANDED_OVER);
  }
  EXPECT_EQ(eliminate, 3) << "Appendix II";
  EXPECT_EQ(keep_clean, 8) << "Appendix III";
  std::vector<std::string> due;
  for (const v1::ReportingRule& r : hanoi->reporting()) due.push_back(r.due());
  EXPECT_THAT(due, Contains("06-17"));
  EXPECT_THAT(due, Contains("12-17"));
  int computed = 0;
  for (const v1::Target& t : hanoi->targets()) computed += t.source() == v1::TARGET_SOURCE_COMPUTED;
  EXPECT_GE(computed, 5) << "the plan's measurable targets are computed, not typed in";
}

TEST_F(SeedTest, ABrokenSeedDocumentIsRefusedWholeWithEveryPathNamed) {
  LoadDirectory();
  absl::StatusOr<v1::Plan> doc = ParsePlanDocument(Read(kSource + "/deploy/plans/hn-2024.json"));
  ASSERT_TRUE(doc.ok()) << doc.status();
  ASSERT_GE(doc->targets_size(), 1);
  doc->set_unit_code("h-nowhere");
  doc->mutable_targets(0)->set_kind(v1::TARGET_KIND_UNSPECIFIED);
  doc->mutable_reporting(0)->add_agencies("NO-SUCH-AGENCY");
  v1::ImportPlanRequest r;
  r.set_request_id("import-broken");
  r.set_document(PlanDocument(*doc));
  const absl::Status status = plans_.ImportPlan(operator_, r).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  const std::vector<std::string> fields = ViolatedFields(status);
  EXPECT_THAT(fields, Contains("unit_code"));
  EXPECT_THAT(fields, Contains("targets[0].kind"));
  EXPECT_THAT(fields, Contains(absl::StrCat("reporting[0].agencies[",
                                            doc->reporting(0).agencies_size() - 1, "]")));
  EXPECT_EQ(plans_.GetPlan("plans/hn-2024").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace pcmd::plans
