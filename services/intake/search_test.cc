// Finding tips (tips.h Tips::List, LikelyDuplicates, IsOverdue): diacritic-insensitive
// search, filters, scope, pagination, views, likely duplicates and the overdue flag,
// on real SQLite with a fake clock and a Vietnamese unit tree.
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "common/validation/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/clocks.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;
using K = security::AgencyKind;

absl::Time VietnamAt(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), VietnamTime());
}

security::Caller CallerOf(K kind, const std::string& unit, const std::string& code) {
  return {.agency = {.kind = kind, .unit_code = unit, .code = code},
          .end_user = "officer-" + code,
          .purpose = "tip-handling"};
}

security::Access AccessOf(K kind, const std::string& unit, const std::string& code) {
  return {.caller = CallerOf(kind, unit, code), .scope = security::Scope::kOwnUnitSubtree};
}

// VN → "01" Hà Nội → "020" huyện Thanh Trì → "09964" thị trấn Văn Điển;
// VN → "33" Hưng Yên → "323".
class SearchFixture : public ::testing::Test {
 protected:
  SearchFixture()
      : clock_(VietnamAt(2024, 6, 3, 9, 30)),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, IntakeMigrations())),
        outbox_("intake", clock_),
        store_(*db_, outbox_, clock_, *keys_),
        units_(*db_),
        tips_(store_, clock_, units_, *keys_) {
    EXPECT_TRUE(
        units::RememberUnits(
            *db_, {{"01", "VN"}, {"020", "01"}, {"09964", "020"}, {"33", "VN"}, {"323", "33"}})
            .ok());
  }

  // A denunciation about an establishment in `unit`, with a fresh request id.
  v1::SubmitTipRequest Request(const std::string& unit, const std::string& description = "",
                               const std::string& address = "") {
    v1::SubmitTipRequest r = sample::MinimalRequest(absl::StrCat("r-", ++requests_));
    r.set_unit_code(unit);
    r.set_description(description);
    if (!address.empty()) r.mutable_place()->set_address(address);
    return r;
  }

  // Submits and returns the stored tip ("" name when it fails).
  v1::Tip Submit(const security::Caller& receiver, const v1::SubmitTipRequest& request) {
    absl::StatusOr<v1::Tip> tip = tips_.Submit(receiver, request);
    EXPECT_TRUE(tip.ok()) << tip.status();
    return tip.ok() ? *tip : v1::Tip();
  }
  std::string SubmitName(const security::Caller& receiver, const v1::SubmitTipRequest& request) {
    return Submit(receiver, request).name();
  }

  // A request for the basic view (set explicitly: see DefaultsToTheBasicView).
  static v1::ListTipsRequest Query() {
    v1::ListTipsRequest r;
    r.set_view(v1::TIP_VIEW_BASIC);
    return r;
  }
  static v1::ListTipsRequest Text(const std::string& text) {
    v1::ListTipsRequest r = Query();
    r.set_text(text);
    return r;
  }

  // The names of the tips listed, in order; empty with a failure when List fails.
  std::vector<std::string> Names(const security::Access& access,
                                 const v1::ListTipsRequest& request) {
    absl::StatusOr<v1::ListTipsResponse> listed = tips_.List(access, request);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> names;
    if (!listed.ok()) return names;
    for (const v1::Tip& tip : listed->tips()) names.push_back(tip.name());
    return names;
  }
  std::vector<std::string> Names(const v1::ListTipsRequest& request) {
    return Names(national_, request);
  }

  v1::Tip Get(const std::string& name) {
    absl::StatusOr<v1::Tip> tip = tips_.Get(national_, name);
    EXPECT_TRUE(tip.ok()) << tip.status();
    return tip.ok() ? *tip : v1::Tip();
  }

  // Moves the tip RECEIVED → VERIFIED → CLASSIFIED → ASSIGNED (to the same agency) as
  // `responsible`.
  void MoveToAssigned(const security::Access& responsible, const std::string& name) {
    v1::VerifyTipRequest verify;
    verify.set_name(name);
    ASSERT_TRUE(tips_.Verify(responsible, verify).ok());
    v1::ClassifyTipRequest classify;
    classify.set_name(name);
    classify.set_classification(v1::CLASSIFICATION_ADMINISTRATIVE);
    ASSERT_TRUE(tips_.Classify(responsible, classify).ok());
    v1::AssignTipRequest assign;
    assign.set_name(name);
    assign.set_agency_code(responsible.caller.agency.code);
    assign.set_unit_code(responsible.caller.agency.unit_code);
    ASSERT_TRUE(tips_.Assign(responsible, assign).ok());
  }

  FakeClock clock_;
  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  units::SqliteUnitTree units_;
  Tips tips_;
  int requests_ = 0;

  const security::Access national_ = AccessOf(K::kPolice, "VN", "C06");
  const security::Caller national_receiver_ = CallerOf(K::kPolice, "VN", "C06");
  // Hà Nội city police, Thanh Trì district police, Thanh Trì social affairs, Hưng Yên
  // provincial police.
  const security::Caller hanoi_police_ = CallerOf(K::kPolice, "01", "CA-HN");
  const security::Caller thanh_tri_police_ = CallerOf(K::kPolice, "020", "CA-TT");
  const security::Caller thanh_tri_social_ = CallerOf(K::kSocialAffairs, "020", "LDTBXH-TT");
  const security::Caller hung_yen_police_ = CallerOf(K::kPolice, "33", "CA-HY");
  const security::Access thanh_tri_police_access_ = AccessOf(K::kPolice, "020", "CA-TT");
  const security::Access hung_yen_police_access_ = AccessOf(K::kPolice, "33", "CA-HY");
};

// ---------------------------------------------------------------------------
// ListTips: text search.

class ListTips : public SearchFixture {};

constexpr char kVanDienAddress[] = "xã Văn Điển, huyện Thanh Trì";

TEST_F(ListTips, FindsThanhTriWithoutDiacritics) {
  const std::string van_dien = SubmitName(
      national_receiver_, Request("09964", "Nhà nghỉ cho thuê phòng theo giờ", kVanDienAddress));
  SubmitName(national_receiver_,
             Request("01", "Quán bia ôm trên đường Nguyễn Trãi", "phường Thanh Xuân Bắc"));
  EXPECT_THAT(Names(Text("thanh tri")), ElementsAre(van_dien));
  EXPECT_THAT(Names(Text("Thanh Trì")), ElementsAre(van_dien));
  EXPECT_THAT(Names(Text("THANH TRÌ")), ElementsAre(van_dien));
  EXPECT_THAT(Names(Text("van dien")), ElementsAre(van_dien));
  // Decomposed input (e + combining circumflex + combining grave) folds the same.
  EXPECT_THAT(Names(Text("Văn Đie\xCC\x82\xCC\x89n")), ElementsAre(van_dien));
}

TEST_F(ListTips, FindsDongDaWithOrWithoutDiacritics) {
  const std::string dong_da = SubmitName(
      national_receiver_,
      Request("01", "Quán massage trên phố Đống Đa có dấu hiệu mua bán dâm", "phường Láng Hạ"));
  SubmitName(national_receiver_, Request("01", "Nhà nghỉ ở Cầu Giấy", ""));
  const std::vector<std::string> with = Names(Text("Đống Đa"));
  EXPECT_THAT(with, ElementsAre(dong_da));
  EXPECT_EQ(Names(Text("dong da")), with);
  EXPECT_EQ(Names(Text("ĐỐNG ĐA")), with);
  EXPECT_EQ(Names(Text("Dong, Da!")), with);
}

TEST_F(ListTips, SearchesTheDescriptionAndTheAddressTogether) {
  const std::string van_dien = SubmitName(
      national_receiver_, Request("09964", "Nhà nghỉ cho thuê phòng theo giờ", kVanDienAddress));
  // "nhà nghỉ" is in the description, "Thanh Trì" in the address.
  EXPECT_THAT(Names(Text("nha nghi thanh tri")), ElementsAre(van_dien));
}

TEST_F(ListTips, RequiresEveryWordToMatch) {
  const std::string van_dien = SubmitName(
      national_receiver_, Request("09964", "Nhà nghỉ cho thuê phòng theo giờ", kVanDienAddress));
  clock_.Advance(absl::Minutes(1));
  const std::string karaoke =
      SubmitName(national_receiver_, Request("020", "Quán karaoke ở Thanh Trì mở sau 23 giờ", ""));
  EXPECT_THAT(Names(Text("thanh tri")), ElementsAre(karaoke, van_dien));
  EXPECT_THAT(Names(Text("thanh tri karaoke")), ElementsAre(karaoke));
  EXPECT_THAT(Names(Text("karaoke van dien")), IsEmpty());
}

TEST_F(ListTips, DoesNotMatchAWordThatIsOnlyAPrefix) {
  const std::string van_dien =
      SubmitName(national_receiver_, Request("09964", "Quán karaoke Hoàng Gia", kVanDienAddress));
  EXPECT_THAT(Names(Text("thanh tr")), IsEmpty());
  EXPECT_THAT(Names(Text("than")), IsEmpty());
  EXPECT_THAT(Names(Text("karaok")), IsEmpty());
  EXPECT_THAT(Names(Text("hoang gi")), IsEmpty());
  EXPECT_THAT(Names(Text("karaoke")), ElementsAre(van_dien));
}

// ---------------------------------------------------------------------------
// ListTips: filters.

class ListTipsFilters : public SearchFixture {
 protected:
  ListTipsFilters() {
    // Received a minute apart, oldest first.
    v1::SubmitTipRequest r1 = Request("09964");
    est_van_dien_ = SubmitName(thanh_tri_police_, r1);
    clock_.Advance(absl::Minutes(1));
    v1::SubmitTipRequest r2 = Request("020");
    r2.set_category(v1::CATEGORY_TRAFFICKING);
    r2.set_legal_kind(v1::LEGAL_KIND_CRIME_REPORT);
    trafficking_thanh_tri_ = SubmitName(hanoi_police_, r2);
    clock_.Advance(absl::Minutes(1));
    v1::SubmitTipRequest r3 = Request("01");
    r3.set_category(v1::CATEGORY_OTHER);
    r3.set_legal_kind(v1::LEGAL_KIND_COMPLAINT);
    complaint_hanoi_ = SubmitName(thanh_tri_social_, r3);
    clock_.Advance(absl::Minutes(1));
    v1::SubmitTipRequest r4 = Request("323");
    r4.set_category(v1::CATEGORY_PUBLIC_PLACE);
    public_hung_yen_ = SubmitName(hung_yen_police_, r4);
    clock_.Advance(absl::Minutes(1));
    // In Hưng Yên, but received (and so held) by the Thanh Trì police.
    held_by_thanh_tri_ = SubmitName(thanh_tri_police_, Request("323"));

    v1::VerifyTipRequest verify;
    verify.set_name(est_van_dien_);
    EXPECT_TRUE(tips_.Verify(thanh_tri_police_access_, verify).ok());
  }

  std::string est_van_dien_, trafficking_thanh_tri_, complaint_hanoi_, public_hung_yen_,
      held_by_thanh_tri_;
};

TEST_F(ListTipsFilters, FiltersByState) {
  v1::ListTipsRequest r = Query();
  r.add_states(v1::TIP_STATE_VERIFIED);
  EXPECT_THAT(Names(r), ElementsAre(est_van_dien_));
  r.clear_states();
  r.add_states(v1::TIP_STATE_RECEIVED);
  EXPECT_THAT(Names(r), ElementsAre(held_by_thanh_tri_, public_hung_yen_, complaint_hanoi_,
                                    trafficking_thanh_tri_));
  r.add_states(v1::TIP_STATE_VERIFIED);
  EXPECT_EQ(Names(r).size(), 5u);
  r.clear_states();
  r.add_states(v1::TIP_STATE_RESOLVED);
  EXPECT_THAT(Names(r), IsEmpty());
}

TEST_F(ListTipsFilters, FiltersByLegalKind) {
  v1::ListTipsRequest r = Query();
  r.add_legal_kinds(v1::LEGAL_KIND_COMPLAINT);
  EXPECT_THAT(Names(r), ElementsAre(complaint_hanoi_));
  r.add_legal_kinds(v1::LEGAL_KIND_CRIME_REPORT);
  EXPECT_THAT(Names(r), ElementsAre(complaint_hanoi_, trafficking_thanh_tri_));
}

TEST_F(ListTipsFilters, FiltersByCategory) {
  v1::ListTipsRequest r = Query();
  r.add_categories(v1::CATEGORY_TRAFFICKING);
  r.add_categories(v1::CATEGORY_PUBLIC_PLACE);
  EXPECT_THAT(Names(r), ElementsAre(public_hung_yen_, trafficking_thanh_tri_));
}

TEST_F(ListTipsFilters, FiltersByTheSubtreeOfAUnit) {
  v1::ListTipsRequest r = Query();
  r.set_unit_code("020");
  EXPECT_THAT(Names(r), ElementsAre(trafficking_thanh_tri_, est_van_dien_));
  r.set_unit_code("01");
  EXPECT_THAT(Names(r), ElementsAre(complaint_hanoi_, trafficking_thanh_tri_, est_van_dien_));
  r.set_unit_code("09964");
  EXPECT_THAT(Names(r), ElementsAre(est_van_dien_));
  r.set_unit_code("33");
  EXPECT_THAT(Names(r), ElementsAre(held_by_thanh_tri_, public_hung_yen_));
}

TEST_F(ListTipsFilters, FiltersByResponsibleAgency) {
  v1::ListTipsRequest r = Query();
  r.set_responsible_agency("CA-TT");
  EXPECT_THAT(Names(r), ElementsAre(held_by_thanh_tri_, est_van_dien_));
  r.set_responsible_agency("CA-HY");
  EXPECT_THAT(Names(r), ElementsAre(public_hung_yen_));
}

TEST_F(ListTipsFilters, AppliesEveryFilterGiven) {
  v1::ListTipsRequest r = Query();
  r.set_unit_code("01");
  r.add_legal_kinds(v1::LEGAL_KIND_DENUNCIATION);
  EXPECT_THAT(Names(r), ElementsAre(est_van_dien_));
  r.add_states(v1::TIP_STATE_RECEIVED);
  EXPECT_THAT(Names(r), IsEmpty());
}

TEST_F(ListTipsFilters, ShowsAThanhTriCallerItsUnitsTipsAndTheTipsItHoldsButNotHungYens) {
  EXPECT_THAT(Names(thanh_tri_police_access_, Query()),
              ElementsAre(held_by_thanh_tri_, trafficking_thanh_tri_, est_van_dien_));
  EXPECT_THAT(Names(hung_yen_police_access_, Query()),
              ElementsAre(held_by_thanh_tri_, public_hung_yen_));
  // Within its own units, the unit filter narrows.
  v1::ListTipsRequest r = Query();
  r.set_unit_code("09964");
  EXPECT_THAT(Names(thanh_tri_police_access_, r), ElementsAre(est_van_dien_));
  r.set_unit_code("020");
  EXPECT_THAT(Names(thanh_tri_police_access_, r),
              ElementsAre(trafficking_thanh_tri_, est_van_dien_));
}

TEST_F(ListTipsFilters, AnAgencyCanGetEveryTipItListsInFull) {
  // The Thanh Trì police hold a tip whose facts are in Hưng Yên: ListTips opens it in
  // full for them (and the stage methods let them work it), so GetTip should too.
  v1::ListTipsRequest r = Query();
  r.set_view(v1::TIP_VIEW_FULL);
  absl::StatusOr<v1::ListTipsResponse> listed = tips_.List(thanh_tri_police_access_, r);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->tips_size(), 3);
  for (const v1::Tip& tip : listed->tips()) {
    absl::StatusOr<v1::Tip> got = tips_.Get(thanh_tri_police_access_, tip.name());
    EXPECT_TRUE(got.ok()) << tip.name() << " in " << tip.unit_code() << ": " << got.status();
  }
}

TEST_F(ListTipsFilters, RefusesAUnitOutsideTheCallersUnits) {
  for (const char* unit : {"33", "323", "01"}) {
    v1::ListTipsRequest r = Query();
    r.set_unit_code(unit);
    absl::StatusOr<v1::ListTipsResponse> listed = tips_.List(thanh_tri_police_access_, r);
    EXPECT_EQ(listed.status().code(), absl::StatusCode::kPermissionDenied) << unit;
  }
}

TEST_F(ListTipsFilters, ShowsEverythingToANationalCallerOrScopeAll) {
  EXPECT_EQ(Names(Query()).size(), 5u);
  security::Access all = thanh_tri_police_access_;
  all.scope = security::Scope::kAll;
  EXPECT_EQ(Names(all, Query()).size(), 5u);
}

// ---------------------------------------------------------------------------
// ListTips: receipt dates.

TEST_F(ListTips, FiltersByVietnamReceiptDateInclusively) {
  // 23:30 on 3 June and 00:10 on 4 June in Hà Nội are both 3 June in UTC.
  clock_.Set(VietnamAt(2024, 6, 3, 23, 30));
  const std::string late_3rd = SubmitName(national_receiver_, Request("01"));
  clock_.Set(VietnamAt(2024, 6, 4, 0, 10));
  const std::string early_4th = SubmitName(national_receiver_, Request("01"));
  clock_.Set(VietnamAt(2024, 6, 5, 12, 0));
  const std::string noon_5th = SubmitName(national_receiver_, Request("01"));
  clock_.Set(VietnamAt(2024, 6, 6, 0, 0));
  const std::string midnight_6th = SubmitName(national_receiver_, Request("01"));

  const auto between = [&](const std::string& from, const std::string& to) {
    v1::ListTipsRequest r = Query();
    r.set_receive_date_from(from);
    r.set_receive_date_to(to);
    return Names(r);
  };
  EXPECT_THAT(between("2024-06-04", "2024-06-04"), ElementsAre(early_4th));
  EXPECT_THAT(between("2024-06-03", "2024-06-04"), ElementsAre(early_4th, late_3rd));
  EXPECT_THAT(between("2024-06-05", "2024-06-05"), ElementsAre(noon_5th));
  EXPECT_THAT(between("", "2024-06-03"), ElementsAre(late_3rd));
  EXPECT_THAT(between("2024-06-05", ""), ElementsAre(midnight_6th, noon_5th));
  EXPECT_THAT(between("2024-06-06", "2024-06-30"), ElementsAre(midnight_6th));
  EXPECT_THAT(between("2024-06-07", ""), IsEmpty());
}

// ---------------------------------------------------------------------------
// ListTips: pagination.

TEST_F(ListTips, PagesFiveTipsInThreePagesNewestFirstWithoutRepeatsOrGaps) {
  std::vector<std::string> newest_first;
  for (int i = 0; i < 5; ++i) {
    newest_first.insert(newest_first.begin(), SubmitName(national_receiver_, Request("09964")));
    clock_.Advance(absl::Minutes(1));
  }
  std::vector<std::vector<std::string>> pages;
  v1::ListTipsRequest r = Query();
  r.set_page_size(2);
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListTipsResponse> listed = tips_.List(national_, r);
    ASSERT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string>& names = pages.emplace_back();
    for (const v1::Tip& tip : listed->tips()) names.push_back(tip.name());
    if (listed->next_page_token().empty()) break;
    r.set_page_token(listed->next_page_token());
  }
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_THAT(pages[0], ElementsAre(newest_first[0], newest_first[1]));
  EXPECT_THAT(pages[1], ElementsAre(newest_first[2], newest_first[3]));
  EXPECT_THAT(pages[2], ElementsAre(newest_first[4]));
}

TEST_F(ListTips, PagesTipsReceivedInTheSameMillisecondWithoutRepeatsOrGaps) {
  std::vector<std::string> submitted;
  for (int i = 0; i < 5; ++i) submitted.push_back(SubmitName(national_receiver_, Request("01")));
  v1::ListTipsRequest all = Query();
  const std::vector<std::string> in_one_page = Names(all);
  ASSERT_THAT(in_one_page, UnorderedElementsAreArray(submitted));

  std::vector<std::string> paged;
  v1::ListTipsRequest r = Query();
  r.set_page_size(2);
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListTipsResponse> listed = tips_.List(national_, r);
    ASSERT_TRUE(listed.ok()) << listed.status();
    for (const v1::Tip& tip : listed->tips()) paged.push_back(tip.name());
    if (listed->next_page_token().empty()) break;
    r.set_page_token(listed->next_page_token());
  }
  EXPECT_THAT(paged, ElementsAreArray(in_one_page));
}

TEST_F(ListTips, KeepsItsPlaceWhenANewerTipArrivesBetweenPages) {
  std::vector<std::string> newest_first;
  for (int i = 0; i < 4; ++i) {
    newest_first.insert(newest_first.begin(), SubmitName(national_receiver_, Request("01")));
    clock_.Advance(absl::Minutes(1));
  }
  v1::ListTipsRequest r = Query();
  r.set_page_size(2);
  absl::StatusOr<v1::ListTipsResponse> first = tips_.List(national_, r);
  ASSERT_TRUE(first.ok()) << first.status();
  SubmitName(national_receiver_, Request("01"));
  r.set_page_token(first->next_page_token());
  // The page size may change between pages; the filters may not.
  r.set_page_size(3);
  EXPECT_THAT(Names(r), ElementsAre(newest_first[2], newest_first[3]));
}

TEST_F(ListTips, RefusesAPageTokenReusedWithAChangedFilterNamingPageToken) {
  for (int i = 0; i < 3; ++i) {
    SubmitName(national_receiver_, Request("09964", "nhà nghỉ"));
    clock_.Advance(absl::Minutes(1));
  }
  v1::ListTipsRequest r = Query();
  r.set_page_size(1);
  absl::StatusOr<v1::ListTipsResponse> first = tips_.List(national_, r);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->next_page_token().empty());

  std::vector<v1::ListTipsRequest> changed(4, r);
  changed[0].set_text("nha nghi");
  changed[1].add_states(v1::TIP_STATE_RECEIVED);
  changed[2].set_unit_code("01");
  changed[3].set_view(v1::TIP_VIEW_FULL);
  for (v1::ListTipsRequest& c : changed) {
    c.set_page_token(first->next_page_token());
    absl::StatusOr<v1::ListTipsResponse> listed = tips_.List(national_, c);
    EXPECT_EQ(listed.status().code(), absl::StatusCode::kInvalidArgument) << c.DebugString();
    EXPECT_THAT(ViolatedFields(listed.status()), ElementsAre("page_token")) << c.DebugString();
  }
  v1::ListTipsRequest garbage = r;
  garbage.set_page_token("not-a-token");
  EXPECT_THAT(ViolatedFields(tips_.List(national_, garbage).status()), ElementsAre("page_token"));
}

// ---------------------------------------------------------------------------
// ListTips: validation.

TEST_F(ListTips, NamesEachInvalidField) {
  struct Case {
    std::string field;
    std::function<void(v1::ListTipsRequest&)> set;
  };
  std::string long_text;
  for (int i = 0; i < 201; ++i) long_text += "ă";
  const std::vector<Case> cases = {
      {"page_size", [](auto& r) { r.set_page_size(501); }},
      {"page_size", [](auto& r) { r.set_page_size(-1); }},
      {"states[0]", [](auto& r) { r.add_states(static_cast<v1::TipState>(99)); }},
      {"states[1]",
       [](auto& r) {
         r.add_states(v1::TIP_STATE_RECEIVED);
         r.add_states(static_cast<v1::TipState>(99));
       }},
      {"legal_kinds[0]", [](auto& r) { r.add_legal_kinds(static_cast<v1::LegalKind>(42)); }},
      {"categories[0]", [](auto& r) { r.add_categories(static_cast<v1::Category>(-1)); }},
      {"receive_date_to",
       [](auto& r) {
         r.set_receive_date_from("2024-06-10");
         r.set_receive_date_to("2024-06-09");
       }},
      {"receive_date_from", [](auto& r) { r.set_receive_date_from("2024-02-30"); }},
      {"receive_date_to", [](auto& r) { r.set_receive_date_to("10/06/2024"); }},
      {"text", [&](auto& r) { r.set_text(long_text); }},
      {"unit_code", [](auto& r) { r.set_unit_code("Thanh Trì"); }},
      {"responsible_agency", [](auto& r) { r.set_responsible_agency("CA TT"); }},
      {"view", [](auto& r) { r.set_view(static_cast<v1::TipView>(7)); }},
  };
  for (const Case& c : cases) {
    v1::ListTipsRequest r = Query();
    c.set(r);
    absl::StatusOr<v1::ListTipsResponse> listed = tips_.List(national_, r);
    EXPECT_EQ(listed.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    const std::vector<std::string> fields = ViolatedFields(listed.status());
    EXPECT_THAT(fields, Contains(c.field)) << r.DebugString();
    EXPECT_THAT(fields, Each(c.field)) << r.DebugString();
  }

  // All at once: one violation per field.
  v1::ListTipsRequest all = Query();
  all.set_page_size(501);
  all.add_states(static_cast<v1::TipState>(99));
  all.set_receive_date_from("2024-06-10");
  all.set_receive_date_to("2024-06-09");
  all.set_text(long_text);
  const std::vector<std::string> fields = ViolatedFields(tips_.List(national_, all).status());
  for (const char* field : {"page_size", "states[0]", "receive_date_to", "text"}) {
    EXPECT_THAT(fields, Contains(field));
  }
}

TEST_F(ListTips, AcceptsTheLimitsThemselves) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "ă";
  v1::ListTipsRequest r = Query();
  r.set_page_size(500);
  r.set_text(text);
  r.set_receive_date_from("2024-06-03");
  r.set_receive_date_to("2024-06-03");
  EXPECT_TRUE(tips_.List(national_, r).ok());
  r.set_page_size(0);
  EXPECT_TRUE(tips_.List(national_, r).ok());
}

// ---------------------------------------------------------------------------
// ListTips: views.

TEST_F(ListTips, ReturnsNoPersonalFieldsInTheBasicViewAndAllInTheFullView) {
  v1::SubmitTipRequest request = sample::FullRequest("full-1");
  request.set_unit_code("09964");
  const std::string name = SubmitName(national_receiver_, request);

  absl::StatusOr<v1::ListTipsResponse> basic = tips_.List(national_, Query());
  ASSERT_TRUE(basic.ok()) << basic.status();
  ASSERT_EQ(basic->tips_size(), 1);
  const v1::Tip& b = basic->tips(0);
  EXPECT_EQ(b.name(), name);
  EXPECT_EQ(b.unit_code(), "09964");
  EXPECT_EQ(b.state(), v1::TIP_STATE_RECEIVED);
  EXPECT_EQ(b.responsible_agency(), "C06");
  EXPECT_FALSE(b.legal_deadline().empty());
  EXPECT_EQ(b.description(), "");
  EXPECT_FALSE(b.has_place());
  EXPECT_EQ(b.persons_size(), 0);
  EXPECT_EQ(b.attachments_size(), 0);

  v1::ListTipsRequest full_request = Query();
  full_request.set_view(v1::TIP_VIEW_FULL);
  absl::StatusOr<v1::ListTipsResponse> full = tips_.List(national_, full_request);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(full->tips_size(), 1);
  const v1::Tip& f = full->tips(0);
  EXPECT_EQ(f.description(), sample::kDescription);
  EXPECT_EQ(f.place().address(), sample::kAddress);
  ASSERT_EQ(f.persons_size(), 3);
  EXPECT_EQ(f.persons(0).full_name(), sample::kOrganiserName);
  EXPECT_EQ(f.attachments_size(), 1);
  EXPECT_TRUE(f.has_reporter());
  // The full view is what GetTip returns.
  const v1::Tip got = Get(name);
  EXPECT_EQ(f.SerializeAsString(), got.SerializeAsString());
}

TEST_F(ListTips, DefaultsToTheBasicViewWhenViewIsUnset) {
  v1::SubmitTipRequest request = sample::FullRequest("full-1");
  request.set_unit_code("09964");
  const std::string name = SubmitName(national_receiver_, request);
  // intake.proto: TIP_VIEW_BASIC is "the default".
  absl::StatusOr<v1::ListTipsResponse> listed = tips_.List(national_, v1::ListTipsRequest());
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->tips_size(), 1);
  EXPECT_EQ(listed->tips(0).name(), name);
  EXPECT_EQ(listed->tips(0).description(), "");
  EXPECT_EQ(listed->tips(0).persons_size(), 0);
  EXPECT_FALSE(listed->tips(0).has_place());
}

// ---------------------------------------------------------------------------
// Overdue: Tip.overdue and ListTips.overdue_only.

class Overdue : public SearchFixture {
 protected:
  std::vector<std::string> OverdueNames() {
    v1::ListTipsRequest r = Query();
    r.set_overdue_only(true);
    return Names(r);
  }
};

TEST_F(Overdue, FlagsAndListsATipOnceItsStageDeadlinePasses) {
  // Received 3 June: stage deadline 6 June, legal deadline 23 June.
  const v1::Tip received = Submit(thanh_tri_police_, Request("09964"));
  ASSERT_EQ(received.stage_deadline(), "2024-06-06");
  EXPECT_FALSE(received.overdue());
  clock_.Set(VietnamAt(2024, 6, 6, 23, 59));
  const std::string newer = SubmitName(thanh_tri_police_, Request("09964"));
  EXPECT_FALSE(Get(received.name()).overdue());
  EXPECT_THAT(OverdueNames(), IsEmpty());

  clock_.Set(VietnamAt(2024, 6, 7, 0, 1));
  EXPECT_TRUE(Get(received.name()).overdue());
  EXPECT_FALSE(Get(newer).overdue());
  EXPECT_THAT(OverdueNames(), ElementsAre(received.name()));
  // The flag is set in every listing, not only the overdue one.
  absl::StatusOr<v1::ListTipsResponse> all = tips_.List(national_, Query());
  ASSERT_TRUE(all.ok()) << all.status();
  std::map<std::string, bool> flags;
  for (const v1::Tip& tip : all->tips()) flags[tip.name()] = tip.overdue();
  EXPECT_TRUE(flags[received.name()]);
  EXPECT_FALSE(flags[newer]);
}

TEST_F(Overdue, FlagsAnAssignedTipAfterTheTwentyDayLegalDeadlineAndClearsItOnceResolved) {
  const std::string name = SubmitName(thanh_tri_police_, Request("09964"));
  MoveToAssigned(thanh_tri_police_access_, name);
  const v1::Tip assigned = Get(name);
  ASSERT_EQ(assigned.state(), v1::TIP_STATE_ASSIGNED);
  ASSERT_EQ(assigned.legal_deadline(), "2024-06-23");

  clock_.Set(VietnamAt(2024, 6, 23, 18, 0));
  EXPECT_FALSE(Get(name).overdue());
  EXPECT_THAT(OverdueNames(), IsEmpty());
  clock_.Set(VietnamAt(2024, 6, 24, 8, 0));
  EXPECT_TRUE(Get(name).overdue());
  EXPECT_THAT(OverdueNames(), ElementsAre(name));

  v1::ResolveTipRequest resolve;
  resolve.set_name(name);
  resolve.set_outcome(v1::OUTCOME_ADMINISTRATIVE_SANCTION);
  resolve.add_references("45/QĐ-XPHC");
  absl::StatusOr<v1::Tip> resolved = tips_.Resolve(thanh_tri_police_access_, resolve);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_FALSE(resolved->overdue());
  EXPECT_FALSE(resolved->resolution().on_time());
  EXPECT_FALSE(Get(name).overdue());
  EXPECT_THAT(OverdueNames(), IsEmpty());
}

TEST_F(Overdue, NeverFlagsADuplicate) {
  const std::string original = SubmitName(thanh_tri_police_, Request("09964"));
  const std::string repeat = SubmitName(thanh_tri_police_, Request("09964"));
  v1::MarkTipDuplicateRequest mark;
  mark.set_name(repeat);
  mark.set_duplicate_of(original);
  ASSERT_TRUE(tips_.MarkDuplicate(thanh_tri_police_access_, mark).ok());
  clock_.Set(VietnamAt(2024, 7, 1, 8, 0));
  EXPECT_TRUE(Get(original).overdue());
  EXPECT_FALSE(Get(repeat).overdue());
  EXPECT_THAT(OverdueNames(), ElementsAre(original));
}

TEST(IsOverdue, ComparesVietnamDatesAndIgnoresClosedTips) {
  v1::Tip tip;
  tip.set_state(v1::TIP_STATE_VERIFIED);
  tip.set_legal_deadline("2024-06-23");
  tip.set_stage_deadline("2024-06-10");
  EXPECT_FALSE(IsOverdue(tip, absl::CivilDay(2024, 6, 10)));
  EXPECT_TRUE(IsOverdue(tip, absl::CivilDay(2024, 6, 11)));
  tip.clear_stage_deadline();
  EXPECT_FALSE(IsOverdue(tip, absl::CivilDay(2024, 6, 23)));
  EXPECT_TRUE(IsOverdue(tip, absl::CivilDay(2024, 6, 24)));
  for (v1::TipState closed : {v1::TIP_STATE_RESOLVED, v1::TIP_STATE_DUPLICATE}) {
    tip.set_state(closed);
    EXPECT_FALSE(IsOverdue(tip, absl::CivilDay(2024, 12, 31)));
  }
}

// ---------------------------------------------------------------------------
// Likely duplicates.

class LikelyDuplicates : public SearchFixture {
 protected:
  // "tips/… reason,reason" per duplicate, as LikelyDuplicates answers for `access`.
  std::vector<std::string> DuplicatesOf(const security::Access& access, const std::string& name) {
    absl::StatusOr<std::vector<v1::LikelyDuplicate>> found = tips_.LikelyDuplicates(access, name);
    EXPECT_TRUE(found.ok()) << found.status();
    std::vector<std::string> out;
    if (!found.ok()) return out;
    for (const v1::LikelyDuplicate& d : *found) {
      out.push_back(absl::StrCat(d.tip(), " ", absl::StrJoin(d.reasons(), ",")));
    }
    return out;
  }
  std::vector<std::string> DuplicatesOf(const std::string& name) {
    return DuplicatesOf(national_, name);
  }

  v1::SubmitTipRequest About(const std::string& establishment, const std::string& unit = "09964") {
    v1::SubmitTipRequest r = Request(unit);
    r.set_establishment(establishment);
    return r;
  }

  static constexpr char kKaraoke[] = "establishments/0192f0aa-0000-7000-8000-000000000001";
  static constexpr char kMassage[] = "establishments/0192f0aa-0000-7000-8000-000000000002";
};

TEST_F(LikelyDuplicates, SuggestsTipsAboutTheSameEstablishmentBothWays) {
  const std::string first = SubmitName(national_receiver_, About(kKaraoke));
  clock_.Advance(absl::Hours(2));
  const std::string other = SubmitName(national_receiver_, About(kMassage));
  clock_.Advance(absl::Hours(2));
  const std::string second = SubmitName(national_receiver_, About(kKaraoke));
  EXPECT_THAT(DuplicatesOf(second), ElementsAre(first + " establishment"));
  EXPECT_THAT(DuplicatesOf(first), ElementsAre(second + " establishment"));
  EXPECT_THAT(DuplicatesOf(other), IsEmpty());
}

TEST_F(LikelyDuplicates, SuggestsTipsAboutTheSameHotspotBothWays) {
  v1::SubmitTipRequest r1 = Request("09964");
  r1.set_hotspot("hotspots/cau-van-dien");
  const std::string first = SubmitName(national_receiver_, r1);
  v1::SubmitTipRequest r2 = Request("020");
  r2.set_category(v1::CATEGORY_PUBLIC_PLACE);
  r2.set_hotspot("hotspots/cau-van-dien");
  const std::string second = SubmitName(national_receiver_, r2);
  v1::SubmitTipRequest r3 = Request("020");
  r3.set_hotspot("hotspots/ben-xe-nuoc-ngam");
  const std::string elsewhere = SubmitName(national_receiver_, r3);
  EXPECT_THAT(DuplicatesOf(second), ElementsAre(first + " hotspot"));
  EXPECT_THAT(DuplicatesOf(first), ElementsAre(second + " hotspot"));
  EXPECT_THAT(DuplicatesOf(elsewhere), IsEmpty());
}

TEST_F(LikelyDuplicates, SuggestsTipsNamingAPersonWithTheSameIdNumberBothWays) {
  v1::SubmitTipRequest r1 = Request("09964");
  v1::NamedPerson* organiser = r1.add_persons();
  organiser->set_role(v1::PERSON_ROLE_ORGANISER);
  organiser->set_full_name(sample::kOrganiserName);
  organiser->set_id_number(sample::kOrganiserIdNumber);
  const v1::Tip first = Submit(national_receiver_, r1);
  clock_.Advance(absl::Hours(24 * 10));
  // Another place, another role, the name written otherwise: the same ID number.
  v1::SubmitTipRequest r2 = Request("323");
  v1::NamedPerson* broker = r2.add_persons();
  broker->set_role(v1::PERSON_ROLE_BROKER);
  broker->set_full_name("Nguyễn V. Hùng");
  broker->set_id_number(sample::kOrganiserIdNumber);
  const v1::Tip second = Submit(national_receiver_, r2);
  // The same name without an ID number is not enough.
  v1::SubmitTipRequest r3 = Request("09964");
  v1::NamedPerson* same_name = r3.add_persons();
  same_name->set_role(v1::PERSON_ROLE_ORGANISER);
  same_name->set_full_name(sample::kOrganiserName);
  const std::string unnamed = SubmitName(national_receiver_, r3);

  ASSERT_EQ(first.persons_size(), 1);
  ASSERT_EQ(second.persons_size(), 1);
  EXPECT_FALSE(first.persons(0).pseudonym().empty());
  EXPECT_EQ(first.persons(0).pseudonym(), second.persons(0).pseudonym());
  EXPECT_THAT(DuplicatesOf(second.name()), ElementsAre(first.name() + " person"));
  EXPECT_THAT(DuplicatesOf(first.name()), ElementsAre(second.name() + " person"));
  EXPECT_THAT(DuplicatesOf(unnamed), IsEmpty());
}

TEST_F(LikelyDuplicates, SuggestsTipsAtTheSameAddressWrittenDifferently) {
  const std::string first =
      SubmitName(national_receiver_, Request("09964", "", "Số 12 ngõ 34 phố Hàng Bạc"));
  const std::string second =
      SubmitName(national_receiver_, Request("09964", "", "so 12, ngo 34 pho hang bac"));
  const std::string third =
      SubmitName(national_receiver_, Request("09964", "", "SỐ 12 - NGÕ 34 - PHỐ HÀNG BẠC."));
  const std::string next_lane =
      SubmitName(national_receiver_, Request("09964", "", "Số 12 ngõ 36 phố Hàng Bạc"));
  EXPECT_THAT(DuplicatesOf(second), ElementsAre(third + " address", first + " address"));
  EXPECT_THAT(DuplicatesOf(first), ElementsAre(third + " address", second + " address"));
  EXPECT_THAT(DuplicatesOf(next_lane), IsEmpty());
}

TEST_F(LikelyDuplicates, GivesEveryReasonInOrder) {
  v1::SubmitTipRequest r1 = About(kKaraoke);
  r1.set_hotspot("hotspots/cau-van-dien");
  r1.mutable_place()->set_address("Số 12 ngõ 34 phố Hàng Bạc");
  v1::NamedPerson* p1 = r1.add_persons();
  p1->set_role(v1::PERSON_ROLE_ORGANISER);
  p1->set_full_name(sample::kOrganiserName);
  p1->set_id_number(sample::kOrganiserIdNumber);
  const std::string first = SubmitName(national_receiver_, r1);
  v1::SubmitTipRequest r2 = r1;
  r2.set_request_id("again-with-everything");
  r2.mutable_place()->set_address("so 12 ngo 34 pho hang bac");
  const std::string second = SubmitName(national_receiver_, r2);
  EXPECT_THAT(DuplicatesOf(second), ElementsAre(first + " establishment,hotspot,person,address"));
  EXPECT_THAT(DuplicatesOf(first), ElementsAre(second + " establishment,hotspot,person,address"));
}

TEST_F(LikelyDuplicates, DoesNotSuggestATipReceivedMoreThanNinetyDaysApart) {
  const std::string day_0 = SubmitName(national_receiver_, About(kKaraoke));
  clock_.Advance(absl::Hours(24 * 89));
  const std::string day_89 = SubmitName(national_receiver_, About(kKaraoke));
  clock_.Advance(absl::Hours(24 * 2));
  const std::string day_91 = SubmitName(national_receiver_, About(kKaraoke));
  EXPECT_THAT(DuplicatesOf(day_0), ElementsAre(day_89 + " establishment"));
  EXPECT_THAT(DuplicatesOf(day_91), ElementsAre(day_89 + " establishment"));
  // Newest first.
  EXPECT_THAT(DuplicatesOf(day_89),
              ElementsAre(day_91 + " establishment", day_0 + " establishment"));
}

TEST_F(LikelyDuplicates, HidesADuplicateTheCallerCannotSee) {
  const std::string van_dien = SubmitName(thanh_tri_police_, About(kKaraoke, "09964"));
  const std::string hung_yen = SubmitName(hung_yen_police_, About(kKaraoke, "323"));
  // In Hưng Yên but held by the Thanh Trì police: they may see it.
  const std::string held = SubmitName(thanh_tri_police_, About(kKaraoke, "323"));

  EXPECT_THAT(DuplicatesOf(van_dien),
              ElementsAre(held + " establishment", hung_yen + " establishment"));
  EXPECT_THAT(DuplicatesOf(thanh_tri_police_access_, van_dien),
              ElementsAre(held + " establishment"));
  EXPECT_THAT(DuplicatesOf(hung_yen_police_access_, hung_yen),
              ElementsAre(held + " establishment"));
}

TEST_F(LikelyDuplicates, RefusesATipOutOfScopeAndNamesBadOrUnknownTips) {
  const std::string hung_yen = SubmitName(hung_yen_police_, About(kKaraoke, "323"));
  SubmitName(thanh_tri_police_, About(kKaraoke, "09964"));
  EXPECT_EQ(tips_.LikelyDuplicates(thanh_tri_police_access_, hung_yen).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(tips_.LikelyDuplicates(national_, "tips/0192f0aa-0000-7000-8000-00000000dead")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<std::vector<v1::LikelyDuplicate>> malformed =
      tips_.LikelyDuplicates(national_, "tip/123");
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(malformed.status()), ElementsAre("name"));
}

}  // namespace
}  // namespace pcmd::intake
