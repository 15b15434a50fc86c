#include "services/referrals/referral_rules.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd::referrals {
namespace {

using v1::ReferralState;
constexpr ReferralState kNone = v1::REFERRAL_STATE_UNSPECIFIED;  // Refused.
constexpr ReferralState S = v1::REFERRAL_STATE_SENT;
constexpr ReferralState A = v1::REFERRAL_STATE_ACCEPTED;
constexpr ReferralState D = v1::REFERRAL_STATE_DECLINED;
constexpr ReferralState I = v1::REFERRAL_STATE_IN_SERVICE;
constexpr ReferralState C = v1::REFERRAL_STATE_COMPLETED;
constexpr ReferralState R = v1::REFERRAL_STATE_REVOKED;
constexpr ReferralState E = v1::REFERRAL_STATE_EXPIRED;

struct Row {
  ReferralStep step;
  v1::Outcome outcome;
  // The state after the step from SENT, ACCEPTED, DECLINED, IN_SERVICE, COMPLETED,
  // REVOKED, EXPIRED; kNone where the step is refused.
  std::vector<ReferralState> after;
};

// The whole state machine, written out independently of referral_rules.cc.
const std::vector<Row>& Table() {
  static const auto* table = new std::vector<Row>{
      {ReferralStep::kAccept,
       v1::OUTCOME_UNSPECIFIED,
       {A, kNone, kNone, kNone, kNone, kNone, kNone}},
      {ReferralStep::kDecline,
       v1::OUTCOME_UNSPECIFIED,
       {D, kNone, kNone, kNone, kNone, kNone, kNone}},
      {ReferralStep::kRecordDelivery,
       v1::OUTCOME_UNSPECIFIED,
       {kNone, I, kNone, I, kNone, kNone, kNone}},
      {ReferralStep::kComplete,
       v1::OUTCOME_COMPLETED,
       {kNone, kNone, kNone, C, kNone, kNone, kNone}},
      {ReferralStep::kComplete,
       v1::OUTCOME_DID_NOT_ATTEND,
       {kNone, C, kNone, C, kNone, kNone, kNone}},
      {ReferralStep::kRevoke, v1::OUTCOME_UNSPECIFIED, {R, R, kNone, kNone, kNone, kNone, kNone}},
      {ReferralStep::kWithdrawConsent,
       v1::OUTCOME_UNSPECIFIED,
       {R, R, kNone, kNone, kNone, kNone, kNone}},
      {ReferralStep::kExpire,
       v1::OUTCOME_UNSPECIFIED,
       {E, kNone, kNone, kNone, kNone, kNone, kNone}},
      {ReferralStep::kScheduleFollowUp,
       v1::OUTCOME_UNSPECIFIED,
       {S, A, kNone, I, kNone, kNone, kNone}},
  };
  return *table;
}

TEST(ReferralStateMachine, AllowsExactlyTheStepsOfTheTableFromEveryState) {
  const std::vector<ReferralState> from = {S, A, D, I, C, R, E};
  for (const Row& row : Table()) {
    for (size_t i = 0; i < from.size(); ++i) {
      absl::StatusOr<ReferralState> next =
          NextState("referrals/r1", from[i], row.step, row.outcome);
      SCOPED_TRACE(absl::StrCat(StepName(row.step), " from ", v1::ReferralState_Name(from[i]),
                                " with ", v1::Outcome_Name(row.outcome)));
      if (row.after[i] == kNone) {
        ASSERT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
        // The refusal names the referral and the state it is in.
        EXPECT_THAT(std::string(next.status().message()),
                    ::testing::HasSubstr(absl::StrCat("referrals/r1 is ",
                                                      v1::ReferralState_Name(from[i]).substr(15))));
      } else {
        ASSERT_TRUE(next.ok()) << next.status();
        EXPECT_EQ(*next, row.after[i]);
      }
    }
  }
}

TEST(ReferralStateMachine, CountsOnlySentAcceptedAndInServiceAsOpen) {
  EXPECT_TRUE(IsOpen(S));
  EXPECT_TRUE(IsOpen(A));
  EXPECT_TRUE(IsOpen(I));
  for (ReferralState closed : {D, C, R, E}) EXPECT_FALSE(IsOpen(closed));
}

v1::Consent HealthConsent(std::string given, std::string expires) {
  v1::Consent c;
  c.set_name("clients/c1/consents/k1");
  c.set_basis(v1::CONSENT_BASIS_CLIENT_CONSENT);
  c.add_provider_kinds(v1::PROVIDER_KIND_HEALTH_FACILITY);
  c.add_service_types(v1::SERVICE_TYPE_HIV_STI_TESTING);
  c.add_service_types(v1::SERVICE_TYPE_ARV_TREATMENT);
  c.set_given_date(std::move(given));
  c.set_expire_date(std::move(expires));
  return c;
}

TEST(ConsentGate, LetsThroughAConsentNamingTheKindAndTheServiceOnTheDaysItHolds) {
  const std::vector<v1::Consent> consents = {HealthConsent("2024-06-01", "2024-12-31")};
  for (absl::CivilDay day : {absl::CivilDay(2024, 6, 1), absl::CivilDay(2024, 12, 31)}) {
    absl::StatusOr<v1::Consent> c =
        ConsentFor("clients/c1", consents, v1::PROVIDER_KIND_HEALTH_FACILITY,
                   v1::SERVICE_TYPE_ARV_TREATMENT, day);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->name(), "clients/c1/consents/k1");
  }
}

TEST(ConsentGate, RefusesAnotherKindAnotherServiceBeforeItIsGivenAfterItExpiresOrOnceWithdrawn) {
  std::vector<v1::Consent> consents = {HealthConsent("2024-06-01", "2024-12-31")};
  const absl::CivilDay in_force(2024, 7, 1);
  auto refused = [&](v1::ProviderKind kind, v1::ServiceType service, absl::CivilDay day) {
    return ConsentFor("clients/c1", consents, kind, service, day).status().code() ==
           absl::StatusCode::kFailedPrecondition;
  };
  EXPECT_TRUE(
      refused(v1::PROVIDER_KIND_VOCATIONAL_SCHOOL, v1::SERVICE_TYPE_ARV_TREATMENT, in_force));
  EXPECT_TRUE(refused(v1::PROVIDER_KIND_HEALTH_FACILITY, v1::SERVICE_TYPE_METHADONE, in_force));
  EXPECT_TRUE(refused(v1::PROVIDER_KIND_HEALTH_FACILITY, v1::SERVICE_TYPE_ARV_TREATMENT,
                      absl::CivilDay(2024, 5, 31)));
  EXPECT_TRUE(refused(v1::PROVIDER_KIND_HEALTH_FACILITY, v1::SERVICE_TYPE_ARV_TREATMENT,
                      absl::CivilDay(2025, 1, 1)));
  consents[0].set_withdrawn(true);
  EXPECT_TRUE(refused(v1::PROVIDER_KIND_HEALTH_FACILITY, v1::SERVICE_TYPE_ARV_TREATMENT, in_force));
}

TEST(ConsentGate, ChoosesTheMostRecentlyGivenConsentInForce) {
  v1::Consent older = HealthConsent("2024-01-01", "2024-12-31");
  older.set_name("clients/c1/consents/old");
  v1::Consent newer = HealthConsent("2024-05-01", "2024-12-31");
  newer.set_name("clients/c1/consents/new");
  absl::StatusOr<v1::Consent> c =
      ConsentFor("clients/c1", {older, newer}, v1::PROVIDER_KIND_HEALTH_FACILITY,
                 v1::SERVICE_TYPE_HIV_STI_TESTING, absl::CivilDay(2024, 6, 1));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->name(), "clients/c1/consents/new");
}

InboxSource Source(std::vector<v1::SharedField> shared) {
  InboxSource s;
  s.referral.set_name("referrals/r1");
  s.referral.set_service_type(v1::SERVICE_TYPE_ARV_TREATMENT);
  s.referral.set_state(v1::REFERRAL_STATE_SENT);
  s.referral.set_note("Chị cần hẹn buổi sáng");
  s.consent = HealthConsent("2024-06-01", "2024-12-31");
  for (v1::SharedField f : shared) s.consent.add_shared_fields(f);
  s.minor = true;
  s.identity.emplace();
  s.identity->set_full_name("Nguyễn Thị Hoa");
  s.identity->set_phone("0912 345 678");
  s.identity->set_id_number("001199012345");
  s.need_priority = v1::NEED_PRIORITY_HIGH;
  s.client_ref = "cref_x";
  return s;
}

TEST(ProviderProjection, ShowsOnlyTheFieldsTheConsentLists) {
  const v1::InboxReferral view = Project(
      Source({v1::SHARED_FIELD_FULL_NAME, v1::SHARED_FIELD_NEED}), absl::CivilDay(2024, 7, 1));
  EXPECT_TRUE(view.consent_in_force());
  EXPECT_EQ(view.full_name(), "Nguyễn Thị Hoa");
  EXPECT_EQ(view.need_priority(), v1::NEED_PRIORITY_HIGH);
  EXPECT_EQ(view.phone(), "");
  EXPECT_EQ(view.id_number(), "");
  EXPECT_FALSE(view.minor());
  EXPECT_EQ(view.note(), "");
  EXPECT_EQ(view.service_type(), v1::SERVICE_TYPE_ARV_TREATMENT);
  EXPECT_EQ(view.client_ref(), "cref_x");
}

TEST(ProviderProjection, ShowsNothingOfTheClientOnceTheConsentIsWithdrawnOrExpired) {
  const std::vector<v1::SharedField> all = {
      v1::SHARED_FIELD_FULL_NAME, v1::SHARED_FIELD_PHONE, v1::SHARED_FIELD_ID_NUMBER,
      v1::SHARED_FIELD_FLAGS,     v1::SHARED_FIELD_NEED,  v1::SHARED_FIELD_REFERRAL_NOTE};
  InboxSource withdrawn = Source(all);
  withdrawn.consent.set_withdrawn(true);
  for (const auto& [source, day] : {std::pair{withdrawn, absl::CivilDay(2024, 7, 1)},
                                    std::pair{Source(all), absl::CivilDay(2025, 1, 1)}}) {
    const v1::InboxReferral view = Project(source, day);
    EXPECT_FALSE(view.consent_in_force());
    EXPECT_TRUE(view.shared_fields().empty());
    EXPECT_EQ(view.full_name() + view.phone() + view.id_number() + view.note(), "");
    EXPECT_FALSE(view.minor());
    EXPECT_EQ(view.need_priority(), v1::NEED_PRIORITY_UNSPECIFIED);
    // The service itself stays visible so that the provider can still close the loop.
    EXPECT_EQ(view.name(), "referrals/r1");
    EXPECT_EQ(view.service_type(), v1::SERVICE_TYPE_ARV_TREATMENT);
  }
}

TEST(ProviderProjection, ShowsNothingOfTheClientOnceTheReferralIsClosed) {
  for (ReferralState closed : {D, C, R, E}) {
    InboxSource source = Source({v1::SHARED_FIELD_FULL_NAME, v1::SHARED_FIELD_FLAGS});
    source.referral.set_state(closed);
    const v1::InboxReferral view = Project(source, absl::CivilDay(2024, 7, 1));
    EXPECT_FALSE(view.consent_in_force()) << v1::ReferralState_Name(closed);
    EXPECT_EQ(view.full_name(), "") << v1::ReferralState_Name(closed);
    EXPECT_FALSE(view.minor());
    EXPECT_EQ(view.state(), closed);
  }
}

TEST(ProviderProjection, NeedsTheIdentityOnlyWhenAnIdentityFieldIsShared) {
  const absl::CivilDay july(2024, 7, 1);
  EXPECT_FALSE(SharesIdentity(Source({v1::SHARED_FIELD_NEED}).consent, S, july));
  EXPECT_TRUE(SharesIdentity(Source({v1::SHARED_FIELD_PHONE}).consent, S, july));
  EXPECT_FALSE(SharesIdentity(Source({v1::SHARED_FIELD_PHONE}).consent, R, july));
  EXPECT_FALSE(
      SharesIdentity(Source({v1::SHARED_FIELD_PHONE}).consent, S, absl::CivilDay(2025, 7, 1)));
}

}  // namespace
}  // namespace pcmd::referrals
