#include "services/inspections/establishments.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/events/outbox_testing.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
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
        establishments_(store_, clock_, units_, keys_->index_key()) {
    EXPECT_TRUE(units::RememberUnits(*db_, {{"01", "VN"}, {"268", "01"}, {"33", "VN"}}).ok());
  }

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
  // Registered, then its first risk.
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ::testing::ElementsAre("pcmd.events.v1.EstablishmentRegistered",
                                     "pcmd.events.v1.EstablishmentRiskChanged"));
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

TEST_F(EstablishmentsTest, RefusesABusinessInAUnitTheDirectoryDoesNotHave) {
  v1::CreateEstablishmentRequest request = Massage("reg-unknown");
  request.set_unit_code("99999");
  const absl::Status s = establishments_.Create(national_, request).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolationsOf(s).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "unit_code");
  EXPECT_TRUE(events::OutboxEventTypes(*db_).empty());
}

TEST_F(EstablishmentsTest, AnswersEveryRecordWithItsRiskAndTheFactorsBehindIt) {
  auto e = establishments_.Create(national_, Massage("risk-1"));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_GT(e->risk().score(), 0);
  EXPECT_NE(e->risk().category(), v1::RISK_CATEGORY_UNSPECIFIED);
  int sum = 0;
  std::vector<std::string> codes;
  for (const v1::RiskFactor& f : e->risk().factors()) {
    sum += f.points();
    codes.push_back(f.code());
  }
  EXPECT_EQ(sum, e->risk().score());
  EXPECT_THAT(codes, ::testing::Contains("business_type"));
  EXPECT_TRUE(e->last_inspection_date().empty());
}

TEST_F(EstablishmentsTest, ALinkToAHotspotRaisesTheRiskAndMakesItComplex) {
  auto plain = establishments_.Create(national_, Massage("hot-1"));
  v1::CreateEstablishmentRequest on_hotspot = Massage("hot-2");
  on_hotspot.set_hotspot("hotspots/ho-guom-1");
  auto hot = establishments_.Create(national_, on_hotspot);
  ASSERT_TRUE(plain.ok() && hot.ok());
  EXPECT_GT(hot->risk().score(), plain->risk().score());
  EXPECT_TRUE(hot->risk().complex());
  EXPECT_FALSE(plain->risk().complex());
}

TEST_F(EstablishmentsTest, UpdatesOnlyTheFieldsOfTheMaskAndChangesTheEtag) {
  auto e = establishments_.Create(national_, WithOwner("upd-1"));
  ASSERT_TRUE(e.ok()) << e.status();
  v1::UpdateEstablishmentRequest update;
  update.mutable_establishment()->set_name(e->name());
  update.mutable_establishment()->set_display_name("Massage Hoa Sen Mới");
  update.mutable_establishment()->set_address("ignored: not in the mask");
  v1::Licence* licence = update.mutable_establishment()->add_licences();
  licence->set_kind(v1::LICENCE_KIND_SECURITY_ORDER);
  licence->set_number("123/GCN-ANTT");
  licence->set_issuer("Công an thành phố Hà Nội");
  licence->set_valid_from("2023-01-10");
  update.add_update_mask("display_name");
  update.add_update_mask("licences");
  update.set_etag(e->etag());
  auto updated = establishments_.Update(national_, update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->display_name(), "Massage Hoa Sen Mới");
  EXPECT_EQ(updated->address(), e->address());
  ASSERT_EQ(updated->licences_size(), 1);
  EXPECT_EQ(updated->licences(0).issuer(), "Công an thành phố Hà Nội");
  EXPECT_EQ(updated->owner().full_name(), "Nguyễn Thị Hương");
  EXPECT_NE(updated->etag(), e->etag());
  // The old etag is stale now.
  const absl::Status stale = establishments_.Update(national_, update).status();
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
}

TEST_F(EstablishmentsTest,
       RefusesAnUpdateOfAnUnchangeableFieldOrABadValueNamingItAndChangesNothing) {
  auto e = establishments_.Create(national_, Massage("upd-2"));
  ASSERT_TRUE(e.ok());
  v1::UpdateEstablishmentRequest update;
  update.mutable_establishment()->set_name(e->name());
  update.add_update_mask("unit_code");
  absl::Status s = establishments_.Update(national_, update).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "update_mask[0]");
  update.clear_update_mask();
  update.add_update_mask("commitment_date");
  update.mutable_establishment()->set_commitment_date("2099-01-01");
  s = establishments_.Update(national_, update).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "establishment.commitment_date");
  auto read = establishments_.Get(national_, e->name());
  EXPECT_EQ(read->etag(), e->etag());
  EXPECT_TRUE(read->commitment_date().empty());
}

TEST_F(EstablishmentsTest, ClosesOnceAndThenRefusesChangesNamingTheState) {
  auto e = establishments_.Create(national_, Massage("close-1"));
  ASSERT_TRUE(e.ok());
  v1::CloseEstablishmentRequest close;
  close.set_name(e->name());
  close.set_close_date("2024-06-01");
  close.set_reason("Chủ cơ sở ngừng kinh doanh");
  auto closed = establishments_.Close(national_, close);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status(), v1::ESTABLISHMENT_STATUS_CLOSED);
  EXPECT_EQ(closed->close_reason(), "Chủ cơ sở ngừng kinh doanh");
  const absl::Status again = establishments_.Close(national_, close).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.message()), ::testing::HasSubstr("CLOSED"));
  v1::UpdateEstablishmentRequest update;
  update.mutable_establishment()->set_name(e->name());
  update.mutable_establishment()->set_display_name("Khác");
  update.add_update_mask("display_name");
  EXPECT_EQ(establishments_.Update(national_, update).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EstablishmentsTest, FindsBusinessesByNameOrAddressIgnoringDiacriticsAndLeavesOwnersOut) {
  ASSERT_TRUE(establishments_.Create(national_, WithOwner("find-1")).ok());
  v1::CreateEstablishmentRequest karaoke = Massage("find-2");
  karaoke.set_display_name("Karaoke Hoàng Gia");
  karaoke.set_business_type(v1::BUSINESS_TYPE_KARAOKE);
  karaoke.set_address("Số 5 phố Đại Từ, phường Đại Kim, Hoàng Mai");
  ASSERT_TRUE(establishments_.Create(national_, karaoke).ok());
  v1::ListEstablishmentsRequest list;
  list.set_text("hoang gia");
  auto found = establishments_.List(national_, list);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->establishments_size(), 1);
  EXPECT_EQ(found->establishments(0).display_name(), "Karaoke Hoàng Gia");
  list.set_text("dai tu");
  EXPECT_EQ(establishments_.List(national_, list)->establishments_size(), 1);
  list.set_text("hoa");  // Whole words: "Hoa" (Hoa Sen), not "Hoàng".
  found = establishments_.List(national_, list);
  ASSERT_EQ(found->establishments_size(), 1);
  EXPECT_EQ(found->establishments(0).display_name(), "Massage Thư Giãn Hoa Sen");
  EXPECT_FALSE(found->establishments(0).has_owner());
  list.clear_text();
  list.add_business_types(v1::BUSINESS_TYPE_KARAOKE);
  EXPECT_EQ(establishments_.List(national_, list)->establishments_size(), 1);
}

TEST_F(EstablishmentsTest, FindsBusinessesStoredBeforeSearchExistedOnceIndexedAtStartUp) {
  ASSERT_TRUE(establishments_.Create(national_, Massage("old-1")).ok());
  // As a row written before migration 9 looks.
  ASSERT_TRUE(db_->Write([](storage::Transaction& tx) {
                   return tx.Execute("UPDATE establishments SET search_words = ''");
                 })
                  .ok());
  v1::ListEstablishmentsRequest list;
  list.set_text("hoa sen");
  EXPECT_EQ(establishments_.List(national_, list)->establishments_size(), 0);
  EXPECT_EQ(store_.IndexUnsearchable().value_or(-1), 1);
  EXPECT_EQ(establishments_.List(national_, list)->establishments_size(), 1);
  EXPECT_EQ(store_.IndexUnsearchable().value_or(-1), 0) << "a second run finds nothing to do";
}

TEST_F(EstablishmentsTest, ListsRiskiestFirstInPagesBoundToTheirFilters) {
  for (int i = 0; i < 5; ++i) {
    v1::CreateEstablishmentRequest r = Massage(absl::StrCat("page-", i));
    if (i % 2 == 0) r.set_business_type(v1::BUSINESS_TYPE_OTHER);
    ASSERT_TRUE(establishments_.Create(national_, r).ok());
  }
  v1::ListEstablishmentsRequest list;
  list.set_page_size(2);
  std::vector<int> scores;
  std::set<std::string> seen;
  for (int page = 0; page < 3; ++page) {
    auto got = establishments_.List(national_, list);
    ASSERT_TRUE(got.ok()) << got.status();
    for (const v1::Establishment& e : got->establishments()) {
      scores.push_back(e.risk().score());
      seen.insert(e.name());
    }
    list.set_page_token(got->next_page_token());
    if (got->next_page_token().empty()) break;
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(scores.rbegin(), scores.rend()));
  v1::ListEstablishmentsRequest other = list;
  other.set_text("massage");
  other.set_page_token(establishments_
                           .List(national_,
                                 [] {
                                   v1::ListEstablishmentsRequest r;
                                   r.set_page_size(2);
                                   return r;
                                 }())
                           ->next_page_token());
  const absl::Status s = establishments_.List(national_, other).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "page_token");
}

TEST_F(EstablishmentsTest, ListsOnlyTheCallersUnitsAndRefusesAnotherProvince) {
  ASSERT_TRUE(establishments_.Create(national_, Massage("unit-1")).ok());
  const security::Access hung_yen = security::Access::For(
      security::AgencyKind::kPolice, "33", "CA-HY", security::Scope::kOwnUnitSubtree);
  EXPECT_EQ(establishments_.List(hung_yen, {})->establishments_size(), 0);
  v1::ListEstablishmentsRequest hanoi;
  hanoi.set_unit_code("01");
  EXPECT_EQ(establishments_.List(hung_yen, hanoi).status().code(),
            absl::StatusCode::kPermissionDenied);
  const security::Access hanoi_police = security::Access::For(
      security::AgencyKind::kPolice, "01", "CA-HN", security::Scope::kOwnUnitSubtree);
  EXPECT_EQ(establishments_.List(hanoi_police, {})->establishments_size(), 1);
}

}  // namespace
}  // namespace pcmd::inspections
