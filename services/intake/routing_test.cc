// The routing rules (routing.h): the shipped rules parse and propose, for each kind of
// tip in the commune of Văn Điển (Thanh Trì, Hà Nội), the agency and unit their text
// names; malformed rules are refused naming the rule; Submit stores the proposal.
#include "services/intake/routing.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/clocks.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// VN → "01" Hà Nội → "020" huyện Thanh Trì → "09964" thị trấn Văn Điển;
// VN → "33" Hưng Yên → "323".
constexpr std::pair<const char*, const char*> kUnits[] = {
    {"01", "VN"}, {"020", "01"}, {"09964", "020"}, {"33", "VN"}, {"323", "33"}};

class RoutingTest : public ::testing::Test {
 protected:
  RoutingTest()
      : db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, IntakeMigrations())),
        units_(*db_) {
    EXPECT_TRUE(units::RememberUnits(*db_, {std::begin(kUnits), std::end(kUnits)}).ok());
  }

  // What `router` proposes for a tip of this kind in `unit`; an empty proposal when
  // none.
  v1::RouteProposal ProposalFor(const Router& router, v1::Category category, v1::LegalKind kind,
                                const std::string& unit) {
    v1::Tip tip;
    tip.set_category(category);
    tip.set_legal_kind(kind);
    tip.set_unit_code(unit);
    absl::StatusOr<std::optional<v1::RouteProposal>> proposal = router.Propose(tip, units_);
    EXPECT_TRUE(proposal.ok()) << proposal.status();
    if (!proposal.ok() || !proposal->has_value()) return v1::RouteProposal();
    return **proposal;
  }

  std::unique_ptr<storage::SqliteDatabase> db_;
  units::SqliteUnitTree units_;
};

// "agency_kind@unit_code by rule".
std::string Describe(const v1::RouteProposal& p) {
  return absl::StrCat(p.agency_kind(), "@", p.unit_code(), " by ", p.rule());
}

TEST_F(RoutingTest, TheShippedRulesParseInTheirOrder) {
  absl::StatusOr<Router> parsed = Router::Parse(DefaultRoutingRules());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<std::string> ids;
  for (const v1::RoutingRule& rule : DefaultRouter().rules().rules()) ids.push_back(rule.id());
  EXPECT_THAT(ids, ElementsAre("child-exploitation", "trafficking", "official-protection",
                               "online-brokering", "establishment-crime", "establishment",
                               "public-place", "complaint", "default"));
  EXPECT_EQ(parsed->rules().SerializeAsString(), DefaultRouter().rules().SerializeAsString());
}

TEST_F(RoutingTest, TheShippedRulesProposeWhatTheirTextSaysForATipInVanDien) {
  struct Case {
    v1::Category category;
    v1::LegalKind kind;
    std::string expected;  // Describe() of the proposal.
  };
  // Derived from routing_rules.textproto: the first matching rule decides; province
  // of 09964 is 01 (the national level is never proposed).
  const Case cases[] = {
      {v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION, v1::LEGAL_KIND_DENUNCIATION,
       "police@01 by child-exploitation"},
      {v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION, v1::LEGAL_KIND_COMPLAINT,
       "police@01 by child-exploitation"},
      {v1::CATEGORY_TRAFFICKING, v1::LEGAL_KIND_CRIME_REPORT, "police@01 by trafficking"},
      {v1::CATEGORY_TRAFFICKING, v1::LEGAL_KIND_COMPLAINT, "police@01 by trafficking"},
      {v1::CATEGORY_OFFICIAL_PROTECTION, v1::LEGAL_KIND_DENUNCIATION,
       "police@01 by official-protection"},
      {v1::CATEGORY_ONLINE_BROKERING, v1::LEGAL_KIND_PETITION_TO_PROSECUTE,
       "police@01 by online-brokering"},
      {v1::CATEGORY_ESTABLISHMENT, v1::LEGAL_KIND_DENUNCIATION,
       "police@09964 by establishment-crime"},
      {v1::CATEGORY_ESTABLISHMENT, v1::LEGAL_KIND_CRIME_REPORT,
       "police@09964 by establishment-crime"},
      {v1::CATEGORY_ESTABLISHMENT, v1::LEGAL_KIND_PETITION_TO_PROSECUTE,
       "police@09964 by establishment-crime"},
      {v1::CATEGORY_ESTABLISHMENT, v1::LEGAL_KIND_COMPLAINT,
       "inspection_team@09964 by establishment"},
      {v1::CATEGORY_PUBLIC_PLACE, v1::LEGAL_KIND_DENUNCIATION, "police@09964 by public-place"},
      // public-place comes before complaint.
      {v1::CATEGORY_PUBLIC_PLACE, v1::LEGAL_KIND_COMPLAINT, "police@09964 by public-place"},
      {v1::CATEGORY_OTHER, v1::LEGAL_KIND_COMPLAINT, "social_affairs@09964 by complaint"},
      {v1::CATEGORY_OTHER, v1::LEGAL_KIND_DENUNCIATION, "police@09964 by default"},
      {v1::CATEGORY_OTHER, v1::LEGAL_KIND_CRIME_REPORT, "police@09964 by default"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Describe(ProposalFor(DefaultRouter(), c.category, c.kind, "09964")), c.expected)
        << v1::Category_Name(c.category) << " / " << v1::LegalKind_Name(c.kind);
  }
}

TEST_F(RoutingTest, AProvinceLevelRuleProposesTheProvinceOfEachUnit) {
  EXPECT_EQ(Describe(ProposalFor(DefaultRouter(), v1::CATEGORY_TRAFFICKING,
                                 v1::LEGAL_KIND_DENUNCIATION, "020")),
            "police@01 by trafficking");
  // A province is its own province.
  EXPECT_EQ(Describe(ProposalFor(DefaultRouter(), v1::CATEGORY_TRAFFICKING,
                                 v1::LEGAL_KIND_DENUNCIATION, "01")),
            "police@01 by trafficking");
  EXPECT_EQ(Describe(ProposalFor(DefaultRouter(), v1::CATEGORY_TRAFFICKING,
                                 v1::LEGAL_KIND_DENUNCIATION, "323")),
            "police@33 by trafficking");
}

TEST_F(RoutingTest, AUnitTheTreeDoesNotKnowIsProposedItself) {
  EXPECT_EQ(Describe(ProposalFor(DefaultRouter(), v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION,
                                 v1::LEGAL_KIND_DENUNCIATION, "77777")),
            "police@77777 by child-exploitation");
  EXPECT_EQ(
      Describe(ProposalFor(DefaultRouter(), v1::CATEGORY_OTHER, v1::LEGAL_KIND_COMPLAINT, "77777")),
      "social_affairs@77777 by complaint");
}

TEST_F(RoutingTest, AParentLevelRuleProposesTheUnitDirectlyAbove) {
  absl::StatusOr<Router> router = Router::Parse(R"pb(
    rules { id: "district" agency_kind: "social_affairs" level: ROUTE_LEVEL_PARENT }
  )pb");
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_EQ(Describe(ProposalFor(*router, v1::CATEGORY_OTHER, v1::LEGAL_KIND_COMPLAINT, "09964")),
            "social_affairs@020 by district");
  EXPECT_EQ(Describe(ProposalFor(*router, v1::CATEGORY_OTHER, v1::LEGAL_KIND_COMPLAINT, "020")),
            "social_affairs@01 by district");
  // Directly under the national level: nowhere to go up to.
  EXPECT_EQ(Describe(ProposalFor(*router, v1::CATEGORY_OTHER, v1::LEGAL_KIND_COMPLAINT, "01")),
            "social_affairs@01 by district");
}

TEST_F(RoutingTest, AWithinUnitRuleAppliesOnlyInsideThatSubtree) {
  absl::StatusOr<Router> router = Router::Parse(R"pb(
    rules {
      id: "thanh-tri-trafficking"
      categories: CATEGORY_TRAFFICKING
      within_unit: "020"
      agency_kind: "social_affairs"
      level: ROUTE_LEVEL_PLACE
    }
    rules { id: "default" agency_kind: "police" level: ROUTE_LEVEL_PROVINCE }
  )pb");
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_EQ(Describe(ProposalFor(*router, v1::CATEGORY_TRAFFICKING, v1::LEGAL_KIND_DENUNCIATION,
                                 "09964")),
            "social_affairs@09964 by thanh-tri-trafficking");
  EXPECT_EQ(
      Describe(ProposalFor(*router, v1::CATEGORY_TRAFFICKING, v1::LEGAL_KIND_DENUNCIATION, "020")),
      "social_affairs@020 by thanh-tri-trafficking");
  // Above the subtree, beside it, and in another province: the next rule.
  EXPECT_EQ(
      Describe(ProposalFor(*router, v1::CATEGORY_TRAFFICKING, v1::LEGAL_KIND_DENUNCIATION, "01")),
      "police@01 by default");
  EXPECT_EQ(
      Describe(ProposalFor(*router, v1::CATEGORY_TRAFFICKING, v1::LEGAL_KIND_DENUNCIATION, "323")),
      "police@33 by default");
  // Inside the subtree but another category: the next rule.
  EXPECT_EQ(Describe(ProposalFor(*router, v1::CATEGORY_ESTABLISHMENT, v1::LEGAL_KIND_DENUNCIATION,
                                 "09964")),
            "police@01 by default");
}

TEST_F(RoutingTest, ProposesNothingWhenNoRuleMatches) {
  absl::StatusOr<Router> router = Router::Parse(R"pb(
    rules {
      id: "complaint"
      legal_kinds: LEGAL_KIND_COMPLAINT
      agency_kind: "social_affairs"
      level: ROUTE_LEVEL_PLACE
    }
  )pb");
  ASSERT_TRUE(router.ok()) << router.status();
  v1::Tip tip;
  tip.set_category(v1::CATEGORY_OTHER);
  tip.set_legal_kind(v1::LEGAL_KIND_DENUNCIATION);
  tip.set_unit_code("09964");
  absl::StatusOr<std::optional<v1::RouteProposal>> proposal = router->Propose(tip, units_);
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  EXPECT_FALSE(proposal->has_value());
}

TEST_F(RoutingTest, RefusesMalformedRulesNamingTheRuleAndWhatIsWrong) {
  struct Case {
    const char* what;
    const char* text;
    std::vector<std::string> message_parts;
  };
  const Case cases[] =
      {
          {"missing id",
           R"pb(rules { id: "a" agency_kind: "police" level: ROUTE_LEVEL_PLACE }
                rules { agency_kind: "police" level: ROUTE_LEVEL_PLACE })pb",
           {"routing rule 1", "id"}},
          {"id with capitals",
           R"pb(rules { id: "Default" agency_kind: "police" level: ROUTE_LEVEL_PLACE })pb",
           {"routing rule 0", "Default", "id"}},
          {"repeated id",
           R"pb(rules { id: "a" agency_kind: "police" level: ROUTE_LEVEL_PLACE }
                rules { id: "a" agency_kind: "social_affairs" level: ROUTE_LEVEL_PLACE })pb",
           {"routing rule 1", "\"a\"", "twice"}},
          {"bad agency kind",
           R"pb(rules { id: "cong-an" agency_kind: "cong_an" level: ROUTE_LEVEL_PLACE })pb",
           {"cong-an", "agency_kind", "cong_an"}},
          {"empty agency kind",
           R"pb(rules { id: "none" level: ROUTE_LEVEL_PLACE })pb",
           {"none", "agency_kind"}},
          {"missing level",
           R"pb(rules { id: "nowhere" agency_kind: "police" })pb",
           {"nowhere", "level"}},
          {"unspecified category",
           R"pb(rules {
                  id: "zero"
                  categories: CATEGORY_UNSPECIFIED
                  agency_kind: "police"
                  level: ROUTE_LEVEL_PLACE
                })pb",
           {"zero", "category"}},
          {"unknown category number",
           R"pb(rules {
                  id: "ninety-nine"
                  categories: 99
                  agency_kind: "police"
                  level: ROUTE_LEVEL_PLACE
                })pb",
           {"ninety-nine", "99"}},
          {"unknown legal kind number",
           R"pb(rules {
                  id: "kind-42"
                  legal_kinds: 42
                  agency_kind: "police"
                  level: ROUTE_LEVEL_PLACE
                })pb",
           {"kind-42", "42"}},
      };
  for (const Case& c : cases) {
    absl::StatusOr<Router> router = Router::Parse(c.text);
    EXPECT_EQ(router.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
    for (const std::string& part : c.message_parts) {
      EXPECT_THAT(std::string(router.status().message()), HasSubstr(part)) << c.what;
    }
  }
}

TEST_F(RoutingTest, RefusesUnparsableTextAsInvalidArgument) {
  for (const char* text : {"rules { id: ", "rules { id: \"a\" colour: \"red\" }", "{{{"}) {
    EXPECT_EQ(Router::Parse(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST_F(RoutingTest, SaysWhereTheTextFailsToParse) {
  // An unknown level name is a parse error of the text format; the operator who wrote
  // the file needs to know which value on which line.
  absl::StatusOr<Router> router = Router::Parse(
      "rules { id: \"a\" agency_kind: \"police\" level: ROUTE_LEVEL_PLACE }\n"
      "rules { id: \"b\" agency_kind: \"police\" level: ROUTE_LEVEL_COUNTRY }\n");
  EXPECT_EQ(router.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(router.status().message());
  EXPECT_THAT(message, HasSubstr("ROUTE_LEVEL_COUNTRY"));
  EXPECT_THAT(message, HasSubstr("2:"));
}

TEST_F(RoutingTest, AcceptsNoRulesAtAll) {
  absl::StatusOr<Router> router = Router::Parse("");
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_EQ(router->rules().rules_size(), 0);
}

// Submit through Tips: the proposal is stored with the tip.
class SubmitRoutingTest : public RoutingTest {
 protected:
  SubmitRoutingTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2024, 6, 3, 9, 30, 0), VietnamTime())),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        outbox_("intake", clock_),
        store_(*db_, outbox_, clock_, *keys_) {}

  v1::SubmitTipRequest RequestIn(const std::string& request_id, v1::Category category,
                                 v1::LegalKind kind) {
    v1::SubmitTipRequest r = sample::MinimalRequest(request_id);
    r.set_unit_code("09964");
    r.set_category(category);
    r.set_legal_kind(kind);
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<crypto::Keyring> keys_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  // The Hà Nội police receive the tip.
  security::Caller receiver_{
      .agency = {.kind = security::AgencyKind::kPolice, .unit_code = "01", .code = "CA-HN"},
      .end_user = "officer-1",
      .purpose = "tip-handling"};
  security::Access hanoi_police_ = security::Access::For(security::AgencyKind::kPolice, "01",
                                                         "CA-HN", security::Scope::kOwnUnitSubtree);
};

TEST_F(SubmitRoutingTest, SubmitStoresTheProposalAndGetTipReturnsIt) {
  Tips tips(store_, clock_, units_, *keys_);
  auto submitted = tips.Submit(
      receiver_, RequestIn("r-1", v1::CATEGORY_ESTABLISHMENT, v1::LEGAL_KIND_COMPLAINT));
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(Describe(submitted->proposed_route()), "inspection_team@09964 by establishment");
  auto got = tips.Get(hanoi_police_, submitted->name());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->has_proposed_route());
  EXPECT_EQ(Describe(got->proposed_route()), "inspection_team@09964 by establishment");

  auto child = tips.Submit(receiver_, RequestIn("r-2", v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION,
                                                v1::LEGAL_KIND_DENUNCIATION));
  ASSERT_TRUE(child.ok()) << child.status();
  auto got_child = tips.Get(hanoi_police_, child->name());
  ASSERT_TRUE(got_child.ok()) << got_child.status();
  EXPECT_EQ(Describe(got_child->proposed_route()), "police@01 by child-exploitation");
}

TEST_F(SubmitRoutingTest, SubmitUsesTheRouterItWasGivenAndStoresNoProposalWhenNoneMatches) {
  absl::StatusOr<Router> router = Router::Parse(R"pb(
    rules {
      id: "hung-yen-only"
      within_unit: "33"
      agency_kind: "social_affairs"
      level: ROUTE_LEVEL_PROVINCE
    }
  )pb");
  ASSERT_TRUE(router.ok()) << router.status();
  Tips tips(store_, clock_, units_, *keys_, *router);
  auto in_van_dien =
      tips.Submit(receiver_, RequestIn("r-1", v1::CATEGORY_OTHER, v1::LEGAL_KIND_COMPLAINT));
  ASSERT_TRUE(in_van_dien.ok()) << in_van_dien.status();
  EXPECT_FALSE(in_van_dien->has_proposed_route());
  auto got = tips.Get(hanoi_police_, in_van_dien->name());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_proposed_route());

  v1::SubmitTipRequest in_hung_yen = RequestIn("r-2", v1::CATEGORY_OTHER, v1::LEGAL_KIND_COMPLAINT);
  in_hung_yen.set_unit_code("323");
  auto submitted = tips.Submit(receiver_, in_hung_yen);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(Describe(submitted->proposed_route()), "social_affairs@33 by hung-yen-only");
}

TEST_F(SubmitRoutingTest, ARetriedSubmitKeepsTheFirstProposal) {
  Tips tips(store_, clock_, units_, *keys_);
  const v1::SubmitTipRequest request =
      RequestIn("r-1", v1::CATEGORY_PUBLIC_PLACE, v1::LEGAL_KIND_DENUNCIATION);
  auto first = tips.Submit(receiver_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  auto retry = tips.Submit(receiver_, request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());
  EXPECT_EQ(Describe(retry->proposed_route()), "police@09964 by public-place");
}

}  // namespace
}  // namespace pcmd::intake
