// The access matrix: every RPC of every service, called as every agency kind. The
// expected allow list below is written independently of the rule tables
// (services/*/access_rules.cc): a change to either that the other does not share
// fails here, and so does an RPC added without a rule.
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/admin.pb.h"
#include "pcmd/inspections/v1/inspections.pb.h"
#include "pcmd/intake/v1/intake.pb.h"
#include "pcmd/plans/v1/directory.pb.h"
#include "pcmd/plans/v1/plans.pb.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/inspections/access_rules.h"
#include "services/intake/access_rules.h"
#include "services/plans/access_rules.h"
#include "services/referrals/access_rules.h"
#include "tests/security/expected_access.h"

namespace pcmd::security {
namespace {

struct ServiceUnderTest {
  const char* name;
  AccessPolicy policy;
  std::vector<const google::protobuf::ServiceDescriptor*> hosted;
};

std::vector<ServiceUnderTest> Services() {
  const auto* admin = events::v1::GetEventStatsRequest::descriptor()->file()->service(0);
  return {
      {"intake",
       intake::IntakeAccessPolicy(),
       {intake::v1::Tip::descriptor()->file()->service(0), admin}},
      {"inspections",
       inspections::InspectionsAccessPolicy(),
       {inspections::v1::Establishment::descriptor()->file()->service(0), admin}},
      {"referrals",
       referrals::ReferralsAccessPolicy(),
       {referrals::v1::Provider::descriptor()->file()->service(0),
        referrals::v1::Provider::descriptor()->file()->service(1),
        referrals::v1::Provider::descriptor()->file()->service(2), admin}},
      {"plans",
       plans::PlansAccessPolicy(),
       {plans::v1::Unit::descriptor()->file()->service(0),
        plans::v1::Plan::descriptor()->file()->service(0), admin}},
  };
}

TEST(AccessMatrix, EveryRpcOfEveryServiceHasARule) {
  for (const ServiceUnderTest& s : Services()) {
    for (const auto* service : s.hosted) {
      EXPECT_TRUE(s.policy.MissingRules(*service).empty())
          << s.name << ": " << service->full_name() << " has RPCs without a rule, e.g. "
          << s.policy.MissingRules(*service).front();
    }
  }
}

TEST(AccessMatrix, EveryRuleIsInTheMatrix) {
  for (const ServiceUnderTest& s : Services()) {
    for (const auto& [method, rule] : s.policy.rules()) {
      EXPECT_TRUE(Matrix().count(method)) << s.name << ": " << method << " is not in the matrix";
    }
  }
}

TEST(AccessMatrix, AllowsExactlyTheListedKindsForEveryRpc) {
  for (const ServiceUnderTest& s : Services()) {
    for (const auto& [method, rule] : s.policy.rules()) {
      auto expected = Matrix().find(method);
      if (expected == Matrix().end()) continue;  // Reported by the test above.
      const std::vector<std::string> names = absl::StrSplit(expected->second.allowed, ' ');
      const std::set<std::string> allowed(names.begin(), names.end());
      for (AgencyKind kind : AllKinds()) {
        const Caller caller{{kind, "01", "AG-1"}, "officer-7", "tip-handling"};
        const auto decision = s.policy.Check(method, caller);
        const bool should = allowed.count(std::string(KindName(kind))) != 0;
        EXPECT_EQ(decision.ok(), should)
            << method << " as " << KindName(kind) << ": " << decision.status();
        if (!should) EXPECT_EQ(decision.status().code(), absl::StatusCode::kPermissionDenied);
        // Without an end user and purpose, personal data stays closed even to allowed kinds.
        const auto anonymous = s.policy.Check(method, Caller{{kind, "01", "AG-1"}, "", ""});
        if (should) {
          EXPECT_EQ(anonymous.ok(), !expected->second.personal_data) << method;
        }
      }
    }
  }
}

}  // namespace
}  // namespace pcmd::security
