#include "services/inspections/establishments.h"

#include "common/events/outbox_testing.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/inspections/sqlite_establishment_store.h"

namespace pcmd::inspections {
namespace {

using ::testing::UnorderedElementsAre;

class EstablishmentsTest : public ::testing::Test {
 protected:
  EstablishmentsTest()
      : clock_(absl::FromUnixSeconds(1717400000)),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, InspectionsMigrations())),
        outbox_("inspections", clock_),
        store_(*db_, outbox_, clock_),
        units_(*db_),
        establishments_(store_, clock_, units_) {}

  static v1::CreateEstablishmentRequest Massage(const std::string& request_id) {
    v1::CreateEstablishmentRequest r;
    r.set_request_id(request_id);
    r.set_display_name("Massage Thư Giãn Hoa Sen");
    r.set_business_type(v1::BUSINESS_TYPE_MASSAGE);
    r.set_business_registration_number("0108123456");
    r.set_address("Số 12 đường Ngọc Hồi, xã Ngũ Hiệp, huyện Thanh Trì, Hà Nội");
    r.set_unit_code("268");
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteEstablishmentStore store_;
  units::SqliteUnitTree units_;
  Establishments establishments_;
  // A national agency: unit scope has its own test below.
  const security::Access national_ = security::Access::For(
      security::AgencyKind::kInspectionTeam, "VN", "NATIONAL", security::Scope::kOwnUnitSubtree);
};

TEST_F(EstablishmentsTest, RegistersABusinessAsOperatingAndKeepsItsVietnameseName) {
  auto e = establishments_.Create(national_, Massage("reg-1"));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->status(), v1::ESTABLISHMENT_STATUS_OPERATING);
  auto read = establishments_.Get(e->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->display_name(), "Massage Thư Giãn Hoa Sen");
  EXPECT_EQ(read->address(), "Số 12 đường Ngọc Hồi, xã Ngũ Hiệp, huyện Thanh Trì, Hà Nội");
}

TEST_F(EstablishmentsTest, ReturnsTheSameBusinessWhenARequestIsRetried) {
  auto first = establishments_.Create(national_, Massage("reg-1"));
  auto retry = establishments_.Create(national_, Massage("reg-1"));
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(first->name(), retry->name());
}

TEST_F(EstablishmentsTest, NamesEveryInvalidField) {
  v1::CreateEstablishmentRequest bad = Massage("");
  bad.set_display_name(std::string(201, 'a'));
  bad.set_business_type(static_cast<v1::BusinessType>(77));
  bad.set_address("");
  bad.set_unit_code("");
  const absl::Status s = establishments_.Create(national_, bad).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& fv : FieldViolationsOf(s)) fields.push_back(fv.field);
  EXPECT_THAT(fields, UnorderedElementsAre("request_id", "display_name", "business_type", "address",
                                           "unit_code"));
}

TEST_F(EstablishmentsTest, PublishesEstablishmentRegisteredOnceWithTheRecord) {
  ASSERT_TRUE(establishments_.Create(national_, Massage("reg-1")).ok());
  ASSERT_TRUE(establishments_.Create(national_, Massage("reg-1")).ok());  // A retry adds nothing.
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ::testing::ElementsAre("pcmd.events.v1.EstablishmentRegistered"));
}

TEST_F(EstablishmentsTest, AnswersNotFoundForAnUnknownBusiness) {
  EXPECT_EQ(establishments_.Get("establishments/none").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(establishments_.Get("tips/none").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EstablishmentsTest, RefusesToCreateOneInAUnitOutsideTheCallersUnits) {
  const security::Access elsewhere = security::Access::For(
      security::AgencyKind::kInspectionTeam, "33", "HUNG-YEN", security::Scope::kOwnUnitSubtree);
  const absl::Status status = establishments_.Create(elsewhere, Massage("r-scope")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace pcmd::inspections
