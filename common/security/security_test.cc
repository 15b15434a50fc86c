#include "common/security/access_policy.h"
#include "common/security/identity.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/testing/v1/echo.pb.h"

namespace pcmd::security {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(AgencyUri, RoundTripsEveryKind) {
  for (AgencyKind kind : AllKinds()) {
    const Agency agency{kind, "01", "AG-1"};
    auto parsed = ParseAgencyUri(AgencyUri(agency));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->kind, kind);
    EXPECT_EQ(parsed->unit_code, "01");
    EXPECT_EQ(parsed->code, "AG-1");
  }
}

TEST(AgencyUri, ParsesThePoliceOfHanoi) {
  auto agency = ParseAgencyUri("urn:pcmd:agency:police:01:CA-HN-PC02");
  ASSERT_TRUE(agency.ok()) << agency.status();
  EXPECT_EQ(agency->kind, AgencyKind::kPolice);
  EXPECT_EQ(agency->unit_code, "01");
  EXPECT_EQ(agency->code, "CA-HN-PC02");
}

TEST(AgencyUri, SaysWhichPartIsWrong) {
  const struct {
    const char* uri;
    const char* complaint;
  } cases[] = {
      {"spiffe://pcmd/police", "is not urn:pcmd:agency"},
      {"urn:pcmd:agency:police:01", "exactly <kind>:<unit>:<code>"},
      {"urn:pcmd:agency:mafia:01:X", "unknown agency kind \"mafia\""},
      {"urn:pcmd:agency:police:0 1:X", "bad unit code"},
      {"urn:pcmd:agency:police:01:", "bad agency code"},
  };
  for (const auto& c : cases) {
    const auto parsed = ParseAgencyUri(c.uri);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.uri;
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(c.complaint)) << c.uri;
  }
}

Caller As(AgencyKind kind, std::string end_user = "officer-7", std::string purpose = "tips") {
  return {{kind, "01", "AG"}, std::move(end_user), std::move(purpose)};
}

AccessPolicy SamplePolicy() {
  AccessPolicy policy;
  EXPECT_TRUE(policy
                  .Add({.method = "/pcmd.testing.v1.EchoService/Echo",
                        .kinds = {AgencyKind::kPolice, AgencyKind::kSocialAffairs},
                        .personal_data = true})
                  .ok());
  return policy;
}

TEST(AccessPolicy, DeniesAMethodWithoutARule) {
  const auto decision =
      SamplePolicy().Check("/pcmd.testing.v1.EchoService/Other", As(AgencyKind::kPolice));
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(decision.status().message()), HasSubstr("no access rule"));
}

TEST(AccessPolicy, AllowsOnlyTheKindsItNames) {
  const AccessPolicy policy = SamplePolicy();
  for (AgencyKind kind : AllKinds()) {
    const bool allowed = kind == AgencyKind::kPolice || kind == AgencyKind::kSocialAffairs;
    const auto decision = policy.Check("/pcmd.testing.v1.EchoService/Echo", As(kind));
    EXPECT_EQ(decision.ok(), allowed) << KindName(kind);
    if (!allowed) EXPECT_EQ(decision.status().code(), absl::StatusCode::kPermissionDenied);
  }
}

TEST(AccessPolicy, RequiresEndUserAndPurposeForPersonalData) {
  const AccessPolicy policy = SamplePolicy();
  for (const Caller& caller :
       {As(AgencyKind::kPolice, "", "tips"), As(AgencyKind::kPolice, "officer-7", "")}) {
    const auto decision = policy.Check("/pcmd.testing.v1.EchoService/Echo", caller);
    EXPECT_EQ(decision.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(std::string(decision.status().message()), HasSubstr("x-pcmd-end-user"));
  }
}

TEST(AccessPolicy, KeepsOneRulePerMethodAndRefusesEmptyOrMalformedRules) {
  AccessPolicy policy = SamplePolicy();
  EXPECT_EQ(
      policy.Add({.method = "/pcmd.testing.v1.EchoService/Echo", .kinds = {AgencyKind::kCourt}})
          .code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(policy.Add({.method = "/pcmd.testing.v1.EchoService/X", .kinds = {}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(policy.Add({.method = "Echo", .kinds = {AgencyKind::kCourt}}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AccessPolicy, ListsTheMethodsOfAServiceThatHaveNoRule) {
  AccessPolicy empty;
  const auto* service = pcmd::testing::v1::EchoRequest::descriptor()->file()->service(0);
  EXPECT_THAT(empty.MissingRules(*service), ElementsAre("/pcmd.testing.v1.EchoService/Echo"));
  EXPECT_TRUE(SamplePolicy().MissingRules(*service).empty());
}

}  // namespace
}  // namespace pcmd::security
