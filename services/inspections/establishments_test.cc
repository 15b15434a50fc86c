#include "services/inspections/establishments.h"

#include "common/events/outbox_testing.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
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
        db_(*storage::SqliteDatabase::Open({.path = dir_.File("inspections.db")},
                                           InspectionsMigrations())),
        outbox_("inspections", clock_),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'k')}}, std::string(32, 'i'))),
        store_(*db_, outbox_, clock_, *keys_),
        units_(*db_),
        establishments_(store_, clock_, units_, keys_->index_key()) {}

  static v1::CreateEstablishmentRequest WithOwner(const std::string& request_id) {
    v1::CreateEstablishmentRequest r = Massage(request_id);
    v1::BusinessOwner* owner = r.mutable_owner();
    owner->set_full_name("Nguyễn Thị Hương");
    owner->set_id_number("001190012345");
    owner->set_phone("0912 345 678");
    owner->set_birth_date("1990-02-14");
    return r;
  }

  // The database file and its write-ahead log, as raw bytes.
  std::string RawFileBytes() const {
    return testing::ReadFile(dir_.File("inspections.db")) +
           testing::ReadFile(dir_.File("inspections.db-wal"));
  }

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

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  std::unique_ptr<crypto::Keyring> keys_;
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
  auto read = establishments_.Get(national_, e->name());
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
  EXPECT_EQ(establishments_.Get(national_, "establishments/none").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(establishments_.Get(national_, "tips/none").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EstablishmentsTest, RefusesToCreateOneInAUnitOutsideTheCallersUnits) {
  const security::Access elsewhere = security::Access::For(
      security::AgencyKind::kInspectionTeam, "33", "HUNG-YEN", security::Scope::kOwnUnitSubtree);
  const absl::Status status = establishments_.Create(elsewhere, Massage("r-scope")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(EstablishmentsTest, KeepsTheOwnerWithDiacriticsAndGivesAPseudonymFromTheIdNumber) {
  auto e = establishments_.Create(national_, WithOwner("own-1"));
  ASSERT_TRUE(e.ok()) << e.status();
  auto read = establishments_.Get(national_, e->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->owner().full_name(), "Nguyễn Thị Hương");
  EXPECT_EQ(read->owner().id_number(), "001190012345");
  EXPECT_EQ(read->owner().phone(), "0912 345 678");
  EXPECT_EQ(read->owner().birth_date(), "1990-02-14");
  EXPECT_EQ(read->owner().pseudonym(), crypto::BlindIndex(*keys_).Pseudonym("001190012345"));
  EXPECT_THAT(read->owner().pseudonym(), ::testing::StartsWith("psn_"));
}

TEST_F(EstablishmentsTest, StoresNoOwnerValueInPlaintextInTheDatabaseFile) {
  ASSERT_TRUE(establishments_.Create(national_, WithOwner("own-1")).ok());
  const std::string raw = RawFileBytes();
  ASSERT_FALSE(raw.empty());
  for (const char* secret : {"Nguyễn Thị Hương", "001190012345", "0912 345 678", "1990-02-14"}) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " is in the file in plaintext";
  }
  // The business itself is not personal data and stays readable (the scan can find text).
  EXPECT_NE(raw.find("Massage Thư Giãn Hoa Sen"), std::string::npos);
}

TEST_F(EstablishmentsTest, GivesTheSameOwnerTheSamePseudonymAndAnotherOwnerAnother) {
  v1::CreateEstablishmentRequest passport = WithOwner("own-1");
  passport.mutable_owner()->set_id_number("B7654321");
  auto first = establishments_.Create(national_, passport);
  v1::CreateEstablishmentRequest same = WithOwner("own-2");
  same.mutable_owner()->set_id_number("b7654321");  // Letter case does not make a new person.
  auto second = establishments_.Create(national_, same);
  v1::CreateEstablishmentRequest other = WithOwner("own-3");
  other.mutable_owner()->set_id_number("079085000111");
  auto third = establishments_.Create(national_, other);
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  EXPECT_EQ(first->owner().pseudonym(), second->owner().pseudonym());
  EXPECT_NE(first->owner().pseudonym(), third->owner().pseudonym());
}

TEST_F(EstablishmentsTest, NamesEachBadOwnerFieldAndStoresNothing) {
  v1::CreateEstablishmentRequest bad = WithOwner("own-bad");
  bad.mutable_owner()->set_full_name("");
  bad.mutable_owner()->set_id_number("0011-9001");
  bad.mutable_owner()->set_phone("call me");
  bad.mutable_owner()->set_birth_date("1990-02-30");
  const absl::Status status = establishments_.Create(national_, bad).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const FieldViolation& fv : FieldViolationsOf(status)) fields.push_back(fv.field);
  EXPECT_THAT(fields, ::testing::IsSupersetOf({"owner.full_name", "owner.id_number", "owner.phone",
                                               "owner.birth_date"}));
  EXPECT_TRUE(events::OutboxEventTypes(*db_).empty());
}

TEST_F(EstablishmentsTest, RefusesToServeAnOwnerWhoseSealedValueWasMovedToAnotherRow) {
  auto a = establishments_.Create(national_, WithOwner("own-1"));
  v1::CreateEstablishmentRequest other = WithOwner("own-2");
  other.mutable_owner()->set_full_name("Trần Văn Bình");
  auto b = establishments_.Create(national_, other);
  ASSERT_TRUE(a.ok() && b.ok());
  // Someone with the file copies A's sealed name over B's: it must not open as B's.
  ASSERT_TRUE(db_->Write([&](storage::Transaction& tx) {
                   return tx.Execute(
                       "UPDATE establishment_owners SET full_name = (SELECT full_name FROM "
                       "establishment_owners WHERE establishment_id = ?1) "
                       "WHERE establishment_id = ?2",
                       {a->name().substr(15), b->name().substr(15)});
                 })
                  .ok());
  EXPECT_EQ(establishments_.Get(national_, b->name()).status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(establishments_.Get(national_, a->name()).ok());
}

TEST_F(EstablishmentsTest, OpensOwnersSealedUnderAnOlderKeyAfterARotation) {
  auto before = establishments_.Create(national_, WithOwner("own-1"));
  ASSERT_TRUE(before.ok());
  // The deployment adds key version 2; version 1 stays to open what it sealed.
  auto rotated = crypto::Keyring::ForTesting({{1, std::string(32, 'k')}, {2, std::string(32, 'n')}},
                                             std::string(32, 'i'));
  SqliteEstablishmentStore store(*db_, outbox_, clock_, *rotated);
  Establishments after(store, clock_, units_, rotated->index_key());
  auto old = after.Get(national_, before->name());
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->owner().full_name(), "Nguyễn Thị Hương");
  auto fresh = after.Create(national_, WithOwner("own-2"));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  std::string sealed;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                   auto row = tx.QueryOne(
                       "SELECT full_name FROM establishment_owners WHERE establishment_id = ?1",
                       {fresh->name().substr(15)});
                   if (!row.ok()) return row.status();
                   sealed = (*row)->Text(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(crypto::FieldCipher::VersionOf(sealed), 2);
}

}  // namespace
}  // namespace pcmd::inspections
