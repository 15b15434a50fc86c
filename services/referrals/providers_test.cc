#include "services/referrals/providers.h"

#include "common/events/outbox_testing.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/referrals/sqlite_provider_store.h"

namespace pcmd::referrals {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class ProvidersTest : public ::testing::Test {
 protected:
  ProvidersTest()
      : clock_(absl::FromUnixSeconds(1717400000)),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, ReferralsMigrations())),
        outbox_("referrals", clock_),
        store_(*db_, outbox_, clock_),
        units_(*db_),
        providers_(store_, clock_, units_) {}

  static v1::CreateProviderRequest HealthCentre(const std::string& request_id) {
    v1::CreateProviderRequest r;
    r.set_request_id(request_id);
    r.set_display_name("Trung tâm Y tế huyện Thanh Trì");
    r.set_kind(v1::PROVIDER_KIND_HEALTH_FACILITY);
    r.add_services(v1::SERVICE_TYPE_ARV_TREATMENT);
    r.add_services(v1::SERVICE_TYPE_HIV_STI_TESTING);
    r.set_unit_code("268");
    r.set_capacity(40);
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteProviderStore store_;
  units::SqliteUnitTree units_;
  Providers providers_;
  // A national agency: unit scope has its own test below.
  const security::Access national_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "VN", "NATIONAL", security::Scope::kOwnUnitSubtree);
};

TEST_F(ProvidersTest, AddsAnActiveProviderWithItsServices) {
  auto p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  auto read = providers_.Get(p->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->active());
  EXPECT_EQ(read->display_name(), "Trung tâm Y tế huyện Thanh Trì");
  EXPECT_THAT(read->services(),
              ElementsAre(v1::SERVICE_TYPE_HIV_STI_TESTING, v1::SERVICE_TYPE_ARV_TREATMENT));
  EXPECT_EQ(read->capacity(), 40);
}

TEST_F(ProvidersTest, ReturnsTheSameProviderWhenARequestIsRetried) {
  auto first = providers_.Create(national_, HealthCentre("p-1"));
  auto retry = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(first->name(), retry->name());
}

TEST_F(ProvidersTest, NamesEachBadServiceByIndexAndStoresNothing) {
  v1::CreateProviderRequest bad = HealthCentre("p-2");
  bad.add_services(v1::SERVICE_TYPE_ARV_TREATMENT);    // duplicate → services[2]
  bad.add_services(static_cast<v1::ServiceType>(99));  // unknown → services[3]
  bad.set_capacity(-5);
  const absl::Status s = providers_.Create(national_, bad).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& fv : FieldViolationsOf(s)) fields.push_back(fv.field);
  EXPECT_THAT(fields, UnorderedElementsAre("services[2]", "services[3]", "capacity"));
  EXPECT_EQ(providers_.Create(national_, HealthCentre("p-2")).ok(), true)
      << "the failed request must not have consumed its request_id";
}

TEST_F(ProvidersTest, PublishesProviderRegisteredOnceWithTheRecord) {
  ASSERT_TRUE(providers_.Create(national_, HealthCentre("p-1")).ok());
  ASSERT_TRUE(providers_.Create(national_, HealthCentre("p-1")).ok());
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ::testing::ElementsAre("pcmd.events.v1.ProviderRegistered"));
}

TEST_F(ProvidersTest, RequiresAtLeastOneService) {
  v1::CreateProviderRequest none = HealthCentre("p-3");
  none.clear_services();
  const absl::Status s = providers_.Create(national_, none).status();
  ASSERT_EQ(FieldViolationsOf(s).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "services");
}

TEST_F(ProvidersTest, RefusesToCreateOneInAUnitOutsideTheCallersUnits) {
  const security::Access elsewhere = security::Access::For(
      security::AgencyKind::kSocialAffairs, "33", "HUNG-YEN", security::Scope::kOwnUnitSubtree);
  const absl::Status status = providers_.Create(elsewhere, HealthCentre("r-scope")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace pcmd::referrals
