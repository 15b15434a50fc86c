#include <set>
#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "tools/pcmdctl/catalog.h"
#include "tools/pcmdctl/render.h"

namespace pcmd::ctl {
namespace {

using ::testing::HasSubstr;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = Catalog::Embedded();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    catalog_ = std::move(*loaded);
  }
  std::unique_ptr<google::protobuf::Message> Request(const std::string& group,
                                                     const std::string& verb) {
    const Command* c = catalog_->Find(group, verb);
    EXPECT_NE(c, nullptr) << group << " " << verb;
    return catalog_->NewMessage(c->method->input_type());
  }
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, EveryMethodOfTheFourServicesIsACommandWithAUniqueName) {
  std::set<std::string> names;
  int methods = 0;
  for (const char* service :
       {"pcmd.intake.v1.IntakeService", "pcmd.inspections.v1.InspectionsService",
        "pcmd.referrals.v1.ReferralsService", "pcmd.referrals.v1.ProviderInboxService",
        "pcmd.referrals.v1.CasesService", "pcmd.plans.v1.PlansService",
        "pcmd.plans.v1.DirectoryService", "pcmd.events.v1.EventAdminService"}) {
    const auto* descriptor = catalog_->pool().FindServiceByName(service);
    ASSERT_NE(descriptor, nullptr) << service;
    for (int m = 0; m < descriptor->method_count(); ++m) {
      ++methods;
      const std::string full = service + std::string("/") + descriptor->method(m)->name();
      const Command* c = catalog_->FindByFullName(full);
      ASSERT_NE(c, nullptr) << full;
      EXPECT_TRUE(names.insert(c->group + " " + c->verb).second)
          << "twice: " << c->group << " " << c->verb;
    }
  }
  EXPECT_EQ(static_cast<int>(catalog_->commands().size()), methods);
}

TEST_F(CatalogTest, CommandsReadAsGroupAndVerb) {
  auto method_of = [&](const char* group, const char* verb) {
    const Command* c = catalog_->Find(group, verb);
    return c == nullptr ? std::string("none") : c->method->full_name();
  };
  EXPECT_EQ(method_of("tips", "submit"), "pcmd.intake.v1.IntakeService.SubmitTip");
  EXPECT_EQ(method_of("plans", "progress"), "pcmd.plans.v1.PlansService.GetPlanProgress");
  EXPECT_EQ(method_of("referrals", "list"), "pcmd.referrals.v1.ReferralsService.ListReferrals");
  EXPECT_EQ(method_of("agencies", "list"), "pcmd.plans.v1.DirectoryService.ListAgencies");
  EXPECT_EQ(method_of("inbox", "accept"), "pcmd.referrals.v1.ProviderInboxService.AcceptReferral");
  EXPECT_EQ(method_of("events", "stats"), "pcmd.events.v1.EventAdminService.GetEventStats");
  EXPECT_EQ(catalog_->Find("tips", "submit")->service, "intake");
  EXPECT_EQ(catalog_->Find("events", "stats")->service, "");
  EXPECT_EQ(CommandName("CasesService", "AddCaseNote"),
            std::make_pair(std::string("case-notes"), std::string("add")));
}

TEST_F(CatalogTest, HelpHasTheCommentsOfTheProtos) {
  const Command* c = catalog_->Find("tips", "submit");
  EXPECT_FALSE(CommentOf(c->method).empty());
  bool documented_request_id = false;
  for (const FlagHelp& f : FlagsOf(c->method->input_type())) {
    if (f.path == "request-id")
      documented_request_id = f.comment.find("idempotency") != std::string::npos;
    if (f.path == "category") {
      EXPECT_THAT(f.enum_values, ::testing::Contains("establishment"));
    }
  }
  EXPECT_TRUE(documented_request_id);
}

TEST_F(CatalogTest, FlagsSetNestedFieldsEnumsByShortNameAndRepeatedMessages) {
  auto request = Request("tips", "submit");
  const absl::Status applied =
      ApplyFlags({{.name = "category", .value = "establishment"},
                  {.name = "legal-kind", .value = "LEGAL_KIND_DENUNCIATION"},
                  {.name = "place.address", .value = "Số 12 ngõ 34 Ngọc Hồi, Thanh Trì"},
                  {.name = "latitude", .value = "20.95"},
                  {.name = "persons", .value = R"({"role":"PERSON_ROLE_ORGANISER"})"},
                  {.name = "persons", .value = R"({"role":"PERSON_ROLE_VICTIM"})"}},
                 *request);
  ASSERT_TRUE(applied.ok()) << applied;
  const std::string text = request->DebugString();
  EXPECT_THAT(text, HasSubstr("category: CATEGORY_ESTABLISHMENT"));
  EXPECT_THAT(text, HasSubstr("legal_kind: LEGAL_KIND_DENUNCIATION"));
  EXPECT_THAT(text, HasSubstr("latitude: 20.95"));
  const auto* persons = request->GetDescriptor()->FindFieldByName("persons");
  EXPECT_EQ(request->GetReflection()->FieldSize(*request, persons), 2);
  const auto* place = request->GetDescriptor()->FindFieldByName("place");
  const auto& p = request->GetReflection()->GetMessage(*request, place);
  EXPECT_EQ(p.GetReflection()->GetString(p, p.GetDescriptor()->FindFieldByName("address")),
            "Số 12 ngõ 34 Ngọc Hồi, Thanh Trì");
}

TEST_F(CatalogTest, ABadFlagIsRefusedNamingTheFlagAndTheChoices) {
  auto request = Request("tips", "submit");
  absl::Status unknown = ApplyFlags({{.name = "colour", .value = "red"}}, *request);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("--colour"));
  absl::Status enum_value = ApplyFlags({{.name = "category", .value = "casino"}}, *request);
  EXPECT_THAT(enum_value.message(), HasSubstr("establishment"));
  // "address" is both the place's and the reporter's: the caller must say which.
  absl::Status ambiguous = ApplyFlags({{.name = "address", .value = "Hà Nội"}}, *request);
  EXPECT_THAT(ambiguous.message(), HasSubstr("--place.address"));
  auto list = Request("tips", "list");
  absl::Status number = ApplyFlags({{.name = "page-size", .value = "many"}}, *list);
  EXPECT_EQ(number.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(number.message(), HasSubstr("whole number"));
}

TEST_F(CatalogTest, FlagsWinOverTheJsonFile) {
  auto request = Request("referrals", "list");
  ASSERT_TRUE(MergeJson(R"({"provider": "providers/a", "unit_code": "01"})", *request).ok());
  ASSERT_TRUE(ApplyFlags({{.name = "provider", .value = "providers/b"}}, *request).ok());
  const std::string text = request->DebugString();
  EXPECT_THAT(text, HasSubstr("providers/b"));
  EXPECT_THAT(text, HasSubstr("unit_code: \"01\""));
  EXPECT_FALSE(MergeJson("{not json", *request).ok());
}

TEST_F(CatalogTest, AListAnswerPrintsAsATableWithShortEnumNames) {
  const Command* c = catalog_->Find("tips", "list");
  auto answer = catalog_->NewMessage(c->method->output_type());
  ASSERT_TRUE(MergeJson(R"({"tips": [
      {"name": "tips/1", "state": "TIP_STATE_RECEIVED", "unit_code": "268",
       "place": {"address": "Ngọc Hồi, Thanh Trì"}},
      {"name": "tips/2", "state": "TIP_STATE_RECEIVED", "unit_code": "01"}],
      "next_page_token": "abc"})",
                        *answer)
                  .ok());
  const std::string text = RenderText(*answer, {});
  EXPECT_THAT(text, HasSubstr("tips (2):"));
  EXPECT_THAT(text, HasSubstr("place.address"));
  EXPECT_THAT(text, HasSubstr("received"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("TIP_STATE_")));
  EXPECT_THAT(text, HasSubstr("next_page_token: abc"));
  EXPECT_THAT(RenderJson(*answer, false), HasSubstr(R"("next_page_token":"abc")"));
}

TEST(RenderTest, ColumnsAlignByCharactersNotBytes) {
  EXPECT_EQ(DisplayWidth("Thanh Trì"), 9);
  EXPECT_EQ(DisplayWidth("Tri\xCC\x80"), 3);  // "i" + combining grave accent
  const std::string table = Table({"unit", "n"}, {{"Thanh Trì", "1"}, {"Hà Nội", "22"}});
  // Every "n" column starts at the same display column.
  std::vector<int> starts;
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    if (line.empty() || line[0] == '-') continue;
    std::string prefix(line.substr(0, line.rfind(' ') + 1));
    starts.push_back(DisplayWidth(prefix));
  }
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_EQ(starts[0], starts[1]);
  EXPECT_EQ(starts[1], starts[2]);
}

TEST(RenderTest, LongCellsAreCutWithoutSplittingACharacter) {
  const std::string cut = Truncate("Đường Ngọc Hồi, Thị trấn Văn Điển", 10);
  EXPECT_EQ(DisplayWidth(cut), 10);
  EXPECT_EQ(cut, "Đường Ngọ…");
  EXPECT_EQ(Truncate("ngắn", 10), "ngắn");
}

}  // namespace
}  // namespace pcmd::ctl
