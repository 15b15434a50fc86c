// The referral loop over real SQLite: the consent gate (withdrawal mid-referral
// included), the provider's projection and scope, overdue detection, events and the
// provider's watch.
#include "services/referrals/referrals.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/events/outbox_testing.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/envelope.pb.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "services/referrals/clients.h"
#include "services/referrals/referral_feed.h"
#include "services/referrals/schema.h"
#include "services/referrals/sqlite_client_store.h"
#include "services/referrals/sqlite_referral_store.h"

namespace pcmd::referrals {
namespace {

using security::AgencyKind;
using security::Scope;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2024-06-10 09:00 in Hà Nội.
constexpr int64_t kStart = 1717984800;

class ReferralsTest : public ::testing::Test {
 protected:
  ReferralsTest()
      : clock_(absl::FromUnixSeconds(kStart)),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, ReferralsMigrations())),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'k')}}, std::string(32, 'i'))),
        outbox_("referrals", clock_),
        units_(*db_),
        client_store_(*db_, outbox_, clock_, *keys_),
        clients_(client_store_, clock_, units_, *keys_),
        store_(*db_, outbox_, clock_, *keys_),
        referrals_(store_, clients_, clock_, units_, *keys_),
        feed_(*db_, clock_, {.poll_interval = absl::Milliseconds(1)}) {
    EXPECT_TRUE(units::RememberUnits(*db_, {{"01", "VN"}, {"268", "01"}, {"33", "VN"}}).ok());
    health_ =
        AddProvider("Trung tâm Y tế huyện Thanh Trì", v1::PROVIDER_KIND_HEALTH_FACILITY,
                    {v1::SERVICE_TYPE_HIV_STI_TESTING, v1::SERVICE_TYPE_ARV_TREATMENT}, "YTE-TT");
    school_ = AddProvider("Trường Trung cấp nghề Thanh Trì", v1::PROVIDER_KIND_VOCATIONAL_SCHOOL,
                          {v1::SERVICE_TYPE_VOCATIONAL_TRAINING}, "TCN-TT");
  }

  // Straight into the directory: the provider logic has its own tests.
  std::string AddProvider(const std::string& display_name, v1::ProviderKind kind,
                          const std::vector<v1::ServiceType>& services, const std::string& agency,
                          bool active = true) {
    const std::string id = absl::StrCat("p", ++providers_);
    EXPECT_TRUE(db_->Write([&](storage::Transaction& tx) -> absl::Status {
                     absl::Status s = tx.Execute(
                         "INSERT INTO providers(id, display_name, kind, unit_code, capacity, "
                         "active, create_unix_ms, agency_code) VALUES (?1, ?2, ?3, '268', 10, ?4, "
                         "0, ?5)",
                         {id, display_name, int64_t{kind}, int64_t{active}, agency});
                     for (v1::ServiceType service : services) {
                       if (!s.ok()) break;
                       s = tx.Execute(
                           "INSERT INTO provider_services(provider_id, service) VALUES (?1, ?2)",
                           {id, int64_t{service}});
                     }
                     return s;
                   })
                    .ok());
    return absl::StrCat("providers/", id);
  }

  v1::Client Register(const std::string& request_id, const std::string& id_number,
                      bool minor = false) {
    v1::RegisterClientRequest r;
    r.set_request_id(request_id);
    r.set_unit_code("268");
    r.set_source(v1::CLIENT_SOURCE_OUTREACH);
    r.mutable_identity()->set_full_name("Nguyễn Thị Hoa");
    r.mutable_identity()->set_phone("0912 345 678");
    r.mutable_identity()->set_id_number(id_number);
    r.set_minor(minor);
    absl::StatusOr<v1::Client> c = clients_.Register(worker_, r);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.value_or(v1::Client());
  }

  v1::GiveConsentRequest ConsentRequest(const v1::Client& client, const std::string& request_id) {
    v1::GiveConsentRequest r;
    r.set_request_id(request_id);
    r.set_client(client.name());
    r.set_basis(v1::CONSENT_BASIS_CLIENT_CONSENT);
    r.add_provider_kinds(v1::PROVIDER_KIND_HEALTH_FACILITY);
    r.add_service_types(v1::SERVICE_TYPE_HIV_STI_TESTING);
    r.add_shared_fields(v1::SHARED_FIELD_FULL_NAME);
    r.add_shared_fields(v1::SHARED_FIELD_NEED);
    r.set_given_date("2024-06-10");
    r.set_expire_date("2024-12-31");
    return r;
  }

  v1::Consent Consent(const v1::Client& client, const std::string& request_id) {
    absl::StatusOr<v1::Consent> c =
        clients_.GiveConsent(worker_, ConsentRequest(client, request_id));
    EXPECT_TRUE(c.ok()) << c.status();
    return c.value_or(v1::Consent());
  }

  v1::CreateReferralRequest ReferralRequest(const v1::Client& client, const std::string& request_id,
                                            const std::string& provider, v1::ServiceType service) {
    v1::CreateReferralRequest r;
    r.set_request_id(request_id);
    r.set_client(client.name());
    r.set_provider(provider);
    r.set_service_type(service);
    r.set_note("Chị ấy muốn được xét nghiệm buổi sáng");
    r.set_follow_up_date("2024-06-20");
    return r;
  }

  v1::Referral Refer(const v1::Client& client, const std::string& request_id) {
    absl::StatusOr<v1::Referral> r = referrals_.Create(
        worker_, ReferralRequest(client, request_id, health_, v1::SERVICE_TYPE_HIV_STI_TESTING));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(v1::Referral());
  }

  int Count(const std::string& sql) {
    int n = -1;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     absl::StatusOr<std::optional<storage::Row>> row = tx.QueryOne(sql);
                     if (!row.ok()) return row.status();
                     n = static_cast<int>((*row)->Int(0));
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }

  // Every envelope in the outbox, serialised.
  std::string OutboxBytes() {
    std::string all;
    for (const events::v1::EventEnvelope& env : events::OutboxEnvelopes(*db_)) {
      absl::StrAppend(&all, env.SerializeAsString());
    }
    return all;
  }

  v1::InboxReferral Accept(const security::Access& provider, const v1::Referral& r) {
    v1::AcceptReferralRequest accept;
    accept.set_name(r.name());
    absl::StatusOr<v1::InboxReferral> view = referrals_.Accept(provider, accept);
    EXPECT_TRUE(view.ok()) << view.status();
    return view.value_or(v1::InboxReferral());
  }

  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  std::unique_ptr<crypto::Keyring> keys_;
  events::Outbox outbox_;
  units::SqliteUnitTree units_;
  SqliteClientStore client_store_;
  Clients clients_;
  SqliteReferralStore store_;
  Referrals referrals_;
  ReferralFeed feed_;
  int providers_ = 0;
  std::string health_;
  std::string school_;
  const security::Access worker_ = security::Access::For(AgencyKind::kSocialAffairs, "01",
                                                         "SYT-HN-PCTNXH", Scope::kOwnUnitSubtree);
  const security::Access health_centre_ =
      security::Access::For(AgencyKind::kProvider, "268", "YTE-TT", Scope::kAddressedToProvider);
  const security::Access school_system_ =
      security::Access::For(AgencyKind::kProvider, "268", "TCN-TT", Scope::kAddressedToProvider);
};

TEST_F(ReferralsTest, RefusesAReferralWithoutConsentAndWritesNothing) {
  const v1::Client client = Register("c-1", "001199012345");
  const int before = Count("SELECT COUNT(*) FROM outbox");
  const absl::Status s = referrals_
                             .Create(worker_, ReferralRequest(client, "r-1", health_,
                                                              v1::SERVICE_TYPE_HIV_STI_TESTING))
                             .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("no consent"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM referrals"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), before);
  // The request id was not used up by the refusal.
  Consent(client, "k-1");
  EXPECT_TRUE(referrals_
                  .Create(worker_,
                          ReferralRequest(client, "r-1", health_, v1::SERVICE_TYPE_HIV_STI_TESTING))
                  .ok());
}

TEST_F(ReferralsTest, RefusesAProviderKindOrServiceTheConsentDoesNotName) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  EXPECT_EQ(referrals_
                .Create(worker_, ReferralRequest(client, "r-1", school_,
                                                 v1::SERVICE_TYPE_VOCATIONAL_TRAINING))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      referrals_
          .Create(worker_, ReferralRequest(client, "r-2", health_, v1::SERVICE_TYPE_ARV_TREATMENT))
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(ReferralsTest, RefusesAConsentThatHasExpired) {
  const v1::Client client = Register("c-1", "001199012345");
  v1::GiveConsentRequest short_one = ConsentRequest(client, "k-1");
  short_one.set_expire_date("2024-06-12");
  ASSERT_TRUE(clients_.GiveConsent(worker_, short_one).ok());
  clock_.Advance(absl::Hours(24 * 3));
  EXPECT_EQ(referrals_
                .Create(worker_,
                        ReferralRequest(client, "r-1", health_, v1::SERVICE_TYPE_HIV_STI_TESTING))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ReferralsTest, AcceptsAProtectiveBasisOnlyForAMinorOrATraffickingVictim) {
  const v1::Client adult = Register("c-1", "001199012345");
  const v1::Client minor = Register("c-2", "001208012345", /*minor=*/true);
  v1::GiveConsentRequest protective = ConsentRequest(adult, "k-1");
  protective.set_basis(v1::CONSENT_BASIS_PROTECTIVE);
  protective.set_legal_basis("Luật Trẻ em 2016, Điều 50");
  EXPECT_EQ(clients_.GiveConsent(worker_, protective).status().code(),
            absl::StatusCode::kFailedPrecondition);
  protective.set_client(minor.name());
  protective.set_request_id("k-2");
  ASSERT_TRUE(clients_.GiveConsent(worker_, protective).ok());
  EXPECT_TRUE(
      referrals_
          .Create(worker_, ReferralRequest(minor, "r-1", health_, v1::SERVICE_TYPE_HIV_STI_TESTING))
          .ok());
}

TEST_F(ReferralsTest, NamesEveryBadFieldOfAConsent) {
  const v1::Client client = Register("c-1", "001199012345");
  v1::GiveConsentRequest bad = ConsentRequest(client, "k-1");
  bad.add_provider_kinds(v1::PROVIDER_KIND_HEALTH_FACILITY);  // twice
  bad.clear_service_types();
  bad.set_expire_date("2027-01-01");                // more than two years
  bad.set_legal_basis("Nghị định 144/2021/NĐ-CP");  // only for the protective basis
  const std::vector<std::string> fields =
      ViolatedFields(clients_.GiveConsent(worker_, bad).status());
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("provider_kinds[1]", "service_types",
                                                      "expire_date", "legal_basis"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consents"), 0);
}

TEST_F(ReferralsTest, WithdrawingConsentMidReferralRevokesItAndHidesTheClientFromTheProvider) {
  const v1::Client client = Register("c-1", "001199012345");
  const v1::Consent consent = Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");
  const v1::InboxReferral accepted = Accept(health_centre_, r);
  EXPECT_EQ(accepted.full_name(), "Nguyễn Thị Hoa");

  v1::WithdrawConsentRequest withdraw;
  withdraw.set_name(consent.name());
  withdraw.set_withdrawn_date("2024-06-10");
  absl::StatusOr<v1::WithdrawConsentResponse> withdrawn =
      referrals_.WithdrawConsent(worker_, withdraw);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_THAT(withdrawn->revoked_referrals(), ElementsAre(r.name()));
  std::vector<events::v1::ConsentWithdrawn> announced;
  for (const events::v1::EventEnvelope& env : events::OutboxEnvelopes(*db_)) {
    if (events::v1::ConsentWithdrawn w; env.payload().UnpackTo(&w)) announced.push_back(w);
  }
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].consent(), consent.name());
  EXPECT_THAT(announced[0].revoked_referrals(), ElementsAre(r.name()));

  v1::GetInboxReferralRequest get;
  absl::StatusOr<v1::InboxReferral> view = referrals_.GetInbox(health_centre_, r.name());
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->state(), v1::REFERRAL_STATE_REVOKED);
  EXPECT_FALSE(view->consent_in_force());
  EXPECT_EQ(view->full_name(), "");
  absl::StatusOr<v1::Referral> seen = referrals_.Get(worker_, r.name());
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->revoke_reason(), v1::REVOKE_REASON_CONSENT_WITHDRAWN);
  // No new referral under it; withdrawing twice names the state.
  EXPECT_EQ(referrals_
                .Create(worker_,
                        ReferralRequest(client, "r-2", health_, v1::SERVICE_TYPE_HIV_STI_TESTING))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  const absl::Status again = referrals_.WithdrawConsent(worker_, withdraw).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.message()), HasSubstr("already withdrawn"));
}

TEST_F(ReferralsTest, KeepsAReferralInServiceAfterWithdrawalButShowsTheProviderNothing) {
  const v1::Client client = Register("c-1", "001199012345");
  const v1::Consent consent = Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");
  Accept(health_centre_, r);
  v1::RecordServiceDeliveryRequest delivered;
  delivered.set_name(r.name());
  delivered.set_delivery_date("2024-06-10");
  ASSERT_TRUE(referrals_.RecordDelivery(health_centre_, delivered).ok());
  v1::WithdrawConsentRequest withdraw;
  withdraw.set_name(consent.name());
  withdraw.set_withdrawn_date("2024-06-10");
  absl::StatusOr<v1::WithdrawConsentResponse> withdrawn =
      referrals_.WithdrawConsent(worker_, withdraw);
  ASSERT_TRUE(withdrawn.ok());
  EXPECT_TRUE(withdrawn->revoked_referrals().empty());
  absl::StatusOr<v1::InboxReferral> view = referrals_.GetInbox(health_centre_, r.name());
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->state(), v1::REFERRAL_STATE_IN_SERVICE);
  EXPECT_EQ(view->full_name(), "");
  // The provider can still close the loop.
  v1::CompleteReferralRequest complete;
  complete.set_name(r.name());
  complete.set_outcome(v1::OUTCOME_COMPLETED);
  absl::StatusOr<v1::InboxReferral> done = referrals_.Complete(health_centre_, complete);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::REFERRAL_STATE_COMPLETED);
}

TEST_F(ReferralsTest, ShowsTheProviderOnlyWhatTheConsentAllows) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");  // FULL_NAME and NEED only.
  v1::AssessNeedsRequest needs;
  needs.set_client(client.name());
  needs.set_assessed_date("2024-06-10");
  v1::Need* need = needs.add_needs();
  need->set_service_type(v1::SERVICE_TYPE_HIV_STI_TESTING);
  need->set_priority(v1::NEED_PRIORITY_HIGH);
  need->set_eligible(true);
  ASSERT_TRUE(clients_.AssessNeeds(worker_, needs).ok());
  const v1::Referral r = Refer(client, "r-1");
  absl::StatusOr<v1::InboxReferral> view = referrals_.GetInbox(health_centre_, r.name());
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_TRUE(view->consent_in_force());
  EXPECT_EQ(view->full_name(), "Nguyễn Thị Hoa");
  EXPECT_EQ(view->need_priority(), v1::NEED_PRIORITY_HIGH);
  EXPECT_EQ(view->phone(), "");
  EXPECT_EQ(view->id_number(), "");
  EXPECT_EQ(view->note(), "");
  EXPECT_THAT(view->client_ref(), ::testing::StartsWith("cref_"));
  // The case worker sees the note; the list shows no client field at all.
  EXPECT_EQ(referrals_.Get(worker_, r.name())->note(), "Chị ấy muốn được xét nghiệm buổi sáng");
  absl::StatusOr<v1::ListInboxReferralsResponse> inbox =
      referrals_.ListInbox(health_centre_, v1::ListInboxReferralsRequest());
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->referrals_size(), 1);
  EXPECT_EQ(inbox->referrals(0).full_name(), "");
}

TEST_F(ReferralsTest, RefusesAProviderActingOnAReferralAddressedToAnother) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");
  v1::AcceptReferralRequest accept;
  accept.set_name(r.name());
  EXPECT_EQ(referrals_.Accept(school_system_, accept).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(referrals_.GetInbox(school_system_, r.name()).status().code(),
            absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::ListInboxReferralsResponse> other =
      referrals_.ListInbox(school_system_, v1::ListInboxReferralsRequest());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->referrals_size(), 0);
  EXPECT_EQ(referrals_.Get(worker_, r.name())->state(), v1::REFERRAL_STATE_SENT);
}

TEST_F(ReferralsTest, RefusesACaseWorkerOfAnotherProvince) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");
  const security::Access hung_yen =
      security::Access::For(AgencyKind::kSocialAffairs, "33", "SYT-HY", Scope::kOwnUnitSubtree);
  EXPECT_EQ(referrals_.Get(hung_yen, r.name()).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::RevokeReferralRequest revoke;
  revoke.set_name(r.name());
  revoke.set_reason(v1::REVOKE_REASON_SENT_IN_ERROR);
  EXPECT_EQ(referrals_.Revoke(hung_yen, revoke).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(ReferralsTest, WalksTheWholeLoopPublishingOneEventPerStepWithoutPersonalData) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");
  // A retried create answers the first referral and publishes nothing more.
  EXPECT_EQ(Refer(client, "r-1").name(), r.name());
  Accept(health_centre_, r);
  v1::RecordServiceDeliveryRequest delivered;
  delivered.set_name(r.name());
  delivered.set_delivery_date("2024-06-10");
  ASSERT_TRUE(referrals_.RecordDelivery(health_centre_, delivered).ok());
  // A retry of the same day's session counts once.
  ASSERT_TRUE(referrals_.RecordDelivery(health_centre_, delivered).ok());
  v1::CompleteReferralRequest complete;
  complete.set_name(r.name());
  complete.set_outcome(v1::OUTCOME_COMPLETED);
  absl::StatusOr<v1::InboxReferral> done = referrals_.Complete(health_centre_, complete);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->deliveries(), 1);
  absl::StatusOr<v1::Referral> closed = referrals_.Get(worker_, r.name());
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->state(), v1::REFERRAL_STATE_COMPLETED);
  EXPECT_TRUE(closed->has_respond_time());
  EXPECT_TRUE(closed->has_complete_time());
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.ClientRegistered", "pcmd.events.v1.ConsentGiven",
                          "pcmd.events.v1.ReferralSent", "pcmd.events.v1.ReferralAccepted",
                          "pcmd.events.v1.ServiceDelivered", "pcmd.events.v1.ReferralCompleted"));
  const std::string bytes = OutboxBytes();
  for (const std::string personal :
       {"Nguyễn Thị Hoa", "0912 345 678", "001199012345", "xét nghiệm buổi sáng"}) {
    EXPECT_EQ(bytes.find(personal), std::string::npos) << personal;
  }
  // Sealed at rest too.
  std::string rows;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                   auto all = tx.Query(
                       "SELECT identity FROM clients UNION ALL SELECT note FROM referrals");
                   if (!all.ok()) return all.status();
                   for (const storage::Row& row : *all) rows += row.Text(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(rows.find("Nguyễn"), std::string::npos);
  EXPECT_EQ(rows.find("buổi sáng"), std::string::npos);
}

TEST_F(ReferralsTest, DeclinesWithAReasonAndRevokesByTheCaseWorkerEachPublishingItsEvent) {
  const v1::Client client = Register("c-1", "001199012345");
  v1::GiveConsentRequest both = ConsentRequest(client, "k-1");
  both.add_service_types(v1::SERVICE_TYPE_ARV_TREATMENT);
  ASSERT_TRUE(clients_.GiveConsent(worker_, both).ok());
  const v1::Referral testing = Refer(client, "r-1");
  absl::StatusOr<v1::Referral> arv = referrals_.Create(
      worker_, ReferralRequest(client, "r-2", health_, v1::SERVICE_TYPE_ARV_TREATMENT));
  ASSERT_TRUE(arv.ok()) << arv.status();

  v1::DeclineReferralRequest decline;
  decline.set_name(testing.name());
  const absl::Status no_reason = referrals_.Decline(health_centre_, decline).status();
  EXPECT_THAT(ViolatedFields(no_reason), ElementsAre("reason"));
  decline.set_reason(v1::DECLINE_REASON_NO_CAPACITY);
  absl::StatusOr<v1::InboxReferral> declined = referrals_.Decline(health_centre_, decline);
  ASSERT_TRUE(declined.ok()) << declined.status();
  EXPECT_EQ(declined->state(), v1::REFERRAL_STATE_DECLINED);
  EXPECT_EQ(declined->decline_reason(), v1::DECLINE_REASON_NO_CAPACITY);

  v1::RevokeReferralRequest revoke;
  revoke.set_name(arv->name());
  revoke.set_reason(v1::REVOKE_REASON_CONSENT_WITHDRAWN);  // Not the case worker's to give.
  EXPECT_THAT(ViolatedFields(referrals_.Revoke(worker_, revoke).status()), ElementsAre("reason"));
  revoke.set_reason(v1::REVOKE_REASON_REFERRED_ELSEWHERE);
  absl::StatusOr<v1::Referral> revoked = referrals_.Revoke(worker_, revoke);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->state(), v1::REFERRAL_STATE_REVOKED);
  EXPECT_TRUE(revoked->has_end_time());

  std::vector<std::string> types = events::OutboxEventTypes(*db_);
  EXPECT_EQ(std::count(types.begin(), types.end(), "pcmd.events.v1.ReferralDeclined"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "pcmd.events.v1.ReferralRevoked"), 1);
  for (const events::v1::EventEnvelope& env : events::OutboxEnvelopes(*db_)) {
    events::v1::ReferralDeclined d;
    if (env.payload().UnpackTo(&d)) EXPECT_EQ(d.reason(), v1::DECLINE_REASON_NO_CAPACITY);
  }
}

TEST_F(ReferralsTest, AssessesNeedsFromTheFixedListNamingEachBadEntryAndAnnouncesThem) {
  const v1::Client client = Register("c-1", "001199012345");
  v1::AssessNeedsRequest bad;
  bad.set_client(client.name());
  bad.set_assessed_date("2024-06-11");  // Tomorrow.
  v1::Need* twice = bad.add_needs();
  twice->set_service_type(v1::SERVICE_TYPE_SHELTER);
  twice->set_priority(v1::NEED_PRIORITY_HIGH);
  *bad.add_needs() = *twice;
  bad.add_needs()->set_service_type(static_cast<v1::ServiceType>(42));
  EXPECT_THAT(ViolatedFields(clients_.AssessNeeds(worker_, bad).status()),
              ::testing::UnorderedElementsAre("needs[1].service_type", "needs[2].service_type",
                                              "needs[2].priority", "assessed_date"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM client_needs"), 0);

  v1::AssessNeedsRequest good;
  good.set_client(client.name());
  good.set_assessed_date("2024-06-10");
  for (auto [service, eligible] :
       {std::pair{v1::SERVICE_TYPE_SHELTER, true}, std::pair{v1::SERVICE_TYPE_LOAN, false}}) {
    v1::Need* n = good.add_needs();
    n->set_service_type(service);
    n->set_priority(v1::NEED_PRIORITY_MEDIUM);
    n->set_eligible(eligible);
  }
  absl::StatusOr<v1::Client> assessed = clients_.AssessNeeds(worker_, good);
  ASSERT_TRUE(assessed.ok()) << assessed.status();
  EXPECT_EQ(assessed->needs_size(), 2);
  EXPECT_EQ(assessed->needs_assessed_date(), "2024-06-10");
  std::vector<events::v1::NeedsAssessed> announced;
  for (const events::v1::EventEnvelope& env : events::OutboxEnvelopes(*db_)) {
    if (events::v1::NeedsAssessed n; env.payload().UnpackTo(&n)) announced.push_back(n);
  }
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_THAT(announced[0].needs(),
              ::testing::UnorderedElementsAre(v1::SERVICE_TYPE_SHELTER, v1::SERVICE_TYPE_LOAN));
  EXPECT_THAT(announced[0].eligible(), ElementsAre(v1::SERVICE_TYPE_SHELTER));
}

TEST_F(ReferralsTest, RefusesASecondOpenReferralForTheSameServiceNamingTheFirst) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral first = Refer(client, "r-1");
  const absl::Status second =
      referrals_
          .Create(worker_,
                  ReferralRequest(client, "r-2", health_, v1::SERVICE_TYPE_HIV_STI_TESTING))
          .status();
  EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.message()), HasSubstr(first.name()));
}

TEST_F(ReferralsTest, RefusesAnInactiveProviderOrOneWithoutTheService) {
  const v1::Client client = Register("c-1", "001199012345");
  v1::GiveConsentRequest broad = ConsentRequest(client, "k-1");
  broad.add_service_types(v1::SERVICE_TYPE_METHADONE);
  ASSERT_TRUE(clients_.GiveConsent(worker_, broad).ok());
  const std::string closed = AddProvider("Phòng khám đã đóng", v1::PROVIDER_KIND_HEALTH_FACILITY,
                                         {v1::SERVICE_TYPE_HIV_STI_TESTING}, "PK-X", false);
  EXPECT_THAT(std::string(referrals_
                              .Create(worker_, ReferralRequest(client, "r-1", closed,
                                                               v1::SERVICE_TYPE_HIV_STI_TESTING))
                              .status()
                              .message()),
              HasSubstr("inactive"));
  EXPECT_THAT(std::string(referrals_
                              .Create(worker_, ReferralRequest(client, "r-2", health_,
                                                               v1::SERVICE_TYPE_METHADONE))
                              .status()
                              .message()),
              HasSubstr("does not offer"));
  const absl::Status missing =
      referrals_
          .Create(worker_, ReferralRequest(client, "r-3", "providers/nope",
                                           v1::SERVICE_TYPE_HIV_STI_TESTING))
          .status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  ASSERT_EQ(FieldViolationsOf(missing).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(missing)[0].field, "provider");
}

TEST_F(ReferralsTest, ExpiresAReferralTheProviderNeverAnsweredAndListsItAsFallenThrough) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");  // Due 2024-06-17.
  EXPECT_EQ(r.response_due_date(), "2024-06-17");
  ASSERT_EQ(*store_.RaiseOverdue(absl::CivilDay(2024, 6, 17)), 0) << "due that day, not yet late";
  ASSERT_EQ(*store_.RaiseOverdue(absl::CivilDay(2024, 6, 18)), 1);
  EXPECT_EQ(*store_.RaiseOverdue(absl::CivilDay(2024, 6, 19)), 0) << "raised once";
  absl::StatusOr<v1::Referral> expired = referrals_.Get(worker_, r.name());
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->state(), v1::REFERRAL_STATE_EXPIRED);
  EXPECT_TRUE(expired->overdue());
  v1::ListReferralsRequest fallen;
  fallen.set_overdue_only(true);
  absl::StatusOr<v1::ListReferralsResponse> list = referrals_.List(worker_, fallen);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->referrals_size(), 1);
  EXPECT_EQ(list->referrals(0).name(), r.name());
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'pcmd.events.v1.ReferralOverdue'"), 1);
  // Too late to accept now.
  v1::AcceptReferralRequest accept;
  accept.set_name(r.name());
  const absl::Status late = referrals_.Accept(health_centre_, accept).status();
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(late.message()), HasSubstr("is EXPIRED"));
}

TEST_F(ReferralsTest, RaisesAPassedFollowUpOnceAndClearsItWhenANewDateIsSet) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");  // Follow-up 2024-06-20.
  Accept(health_centre_, r);
  EXPECT_EQ(*store_.RaiseOverdue(absl::CivilDay(2024, 6, 21)), 1);
  EXPECT_EQ(*store_.RaiseOverdue(absl::CivilDay(2024, 6, 22)), 0);
  v1::ListReferralsRequest fallen;
  fallen.set_overdue_only(true);
  EXPECT_EQ(referrals_.List(worker_, fallen)->referrals_size(), 1);
  clock_.Advance(absl::Hours(24 * 12));  // 2024-06-22
  v1::ScheduleReferralFollowUpRequest next;
  next.set_name(r.name());
  next.set_follow_up_date("2024-07-01");
  absl::StatusOr<v1::Referral> scheduled = referrals_.ScheduleFollowUp(worker_, next);
  ASSERT_TRUE(scheduled.ok()) << scheduled.status();
  EXPECT_FALSE(scheduled->overdue());
  EXPECT_EQ(referrals_.List(worker_, fallen)->referrals_size(), 0);
  EXPECT_EQ(*store_.RaiseOverdue(absl::CivilDay(2024, 7, 2)), 1) << "the new date is raised too";
}

TEST_F(ReferralsTest, CountsASessionOnEachDeliveryDayAndBackfilledDaysToo) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");
  Accept(health_centre_, r);
  clock_.Advance(absl::Hours(24 * 2));  // 2024-06-12
  v1::RecordServiceDeliveryRequest delivered;
  delivered.set_name(r.name());
  for (const char* day : {"2024-06-12", "2024-06-11", "2024-06-12"}) {
    delivered.set_delivery_date(day);
    ASSERT_TRUE(referrals_.RecordDelivery(health_centre_, delivered).ok()) << day;
  }
  absl::StatusOr<v1::Referral> now = referrals_.Get(worker_, r.name());
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->deliveries(), 2);
  EXPECT_EQ(now->last_delivery_date(), "2024-06-12");
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'pcmd.events.v1.ServiceDelivered'"), 2);
}

TEST_F(ReferralsTest, RefusesAnAnswerAfterTheResponseDueDateEvenBeforeTheJobExpiresIt) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");  // Due 2024-06-17.
  clock_.Advance(absl::Hours(24 * 8));          // 2024-06-18
  v1::AcceptReferralRequest accept;
  accept.set_name(r.name());
  const absl::Status late = referrals_.Accept(health_centre_, accept).status();
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(late.message()), HasSubstr("2024-06-17"));
  EXPECT_EQ(referrals_.Get(worker_, r.name())->state(), v1::REFERRAL_STATE_SENT);
}

TEST_F(ReferralsTest, AnswersARetryAfterMidnightWithTheReferralCreatedTheDayBefore) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  v1::CreateReferralRequest request =
      ReferralRequest(client, "r-1", health_, v1::SERVICE_TYPE_HIV_STI_TESTING);
  request.set_response_due_date("2024-06-10");  // Today, allowed today only.
  absl::StatusOr<v1::Referral> first = referrals_.Create(worker_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Hours(24));
  absl::StatusOr<v1::Referral> retry = referrals_.Create(worker_, request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());
  // A new request with that date is refused, naming it.
  request.set_request_id("r-2");
  const std::vector<std::string> fields =
      ViolatedFields(referrals_.Create(worker_, request).status());
  EXPECT_THAT(fields, ElementsAre("response_due_date"));
}

TEST_F(ReferralsTest, RefusesAStaleEtagAndChangesNothing) {
  const v1::Client client = Register("c-1", "001199012345");
  Consent(client, "k-1");
  const v1::Referral r = Refer(client, "r-1");
  Accept(health_centre_, r);
  v1::RevokeReferralRequest revoke;
  revoke.set_name(r.name());
  revoke.set_reason(v1::REVOKE_REASON_CLIENT_CHANGED_MIND);
  revoke.set_etag(r.etag());  // Read before the provider accepted.
  EXPECT_EQ(referrals_.Revoke(worker_, revoke).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(referrals_.Get(worker_, r.name())->state(), v1::REFERRAL_STATE_ACCEPTED);
}

TEST_F(ReferralsTest, StreamsTheProvidersOwnChangesResumablyFromACursor) {
  const v1::Client client = Register("c-1", "001199012345");
  v1::GiveConsentRequest both = ConsentRequest(client, "k-1");
  both.add_provider_kinds(v1::PROVIDER_KIND_VOCATIONAL_SCHOOL);
  both.add_service_types(v1::SERVICE_TYPE_VOCATIONAL_TRAINING);
  ASSERT_TRUE(clients_.GiveConsent(worker_, both).ok());
  v1::WatchInboxRequest from_start;
  from_start.set_cursor("c0");
  const v1::Referral r = Refer(client, "r-1");
  ASSERT_TRUE(referrals_
                  .Create(worker_, ReferralRequest(client, "r-2", school_,
                                                   v1::SERVICE_TYPE_VOCATIONAL_TRAINING))
                  .ok());
  Accept(health_centre_, r);

  std::vector<v1::WatchInboxResponse> got;
  auto take = [&](size_t n, const v1::WatchInboxRequest& request) {
    got.clear();
    return feed_.Watch(
        health_centre_, request,
        [&](const v1::WatchInboxResponse& c) {
          got.push_back(c);
          return got.size() < n;
        },
        [&] { return got.size() >= n; });
  };
  ASSERT_TRUE(take(1, from_start).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].change(), "ReferralSent");
  EXPECT_EQ(got[0].referral(), r.name());
  v1::WatchInboxRequest resume;
  resume.set_cursor(got[0].cursor());
  ASSERT_TRUE(take(1, resume).ok());
  ASSERT_EQ(got.size(), 1u);
  // The school's referral between the two is not the health centre's to see.
  EXPECT_EQ(got[0].change(), "ReferralAccepted");
  EXPECT_EQ(got[0].state(), v1::REFERRAL_STATE_ACCEPTED);

  v1::WatchInboxRequest bad;
  bad.set_cursor("yesterday");
  EXPECT_EQ(take(1, bad).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReferralsTest, RegistersOnePersonOnceAcrossRegistrations) {
  const v1::Client first = Register("c-1", "001199012345");
  EXPECT_THAT(first.pseudonym(), ::testing::StartsWith("psn_"));
  v1::RegisterClientRequest again;
  again.set_request_id("c-2");
  again.set_unit_code("268");
  again.set_source(v1::CLIENT_SOURCE_SELF_REFERRAL);
  again.mutable_identity()->set_full_name("Nguyen Thi Hoa");
  again.mutable_identity()->set_id_number("001199012345");
  const absl::Status s = clients_.Register(worker_, again).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(s.message()), HasSubstr(first.name()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM clients"), 1);
  // Another province learns that the person is someone's client, not whose.
  const security::Access hung_yen =
      security::Access::For(AgencyKind::kSocialAffairs, "33", "SYT-HY", Scope::kOwnUnitSubtree);
  again.set_request_id("c-3");
  again.set_unit_code("33");
  const absl::Status elsewhere = clients_.Register(hung_yen, again).status();
  EXPECT_EQ(elsewhere.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(elsewhere.message()), ::testing::Not(HasSubstr(first.name())));
}

TEST_F(ReferralsTest, NamesEveryBadFieldOfARegistration) {
  v1::RegisterClientRequest bad;
  bad.set_request_id("c 1");
  bad.set_unit_code("999");
  bad.mutable_identity()->set_birth_date("2030-01-01");
  bad.mutable_identity()->set_phone("call me");
  bad.set_source_ref("Nguyễn Thị Hoa");  // Free text would sit in a plain column.
  const std::vector<std::string> fields = ViolatedFields(clients_.Register(worker_, bad).status());
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("request_id", "unit_code", "source",
                                                      "identity.full_name", "identity.birth_date",
                                                      "identity.phone", "source_ref"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM clients"), 0);
}

}  // namespace
}  // namespace pcmd::referrals
