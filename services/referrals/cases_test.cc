// Tests of case management over the real SQLite store, outbox and keys: opening (one
// open case per client, idempotent), reading, listing and paging, updates under a
// field mask and an etag, sealed notes, reviews, closure, their events, unit scope,
// and input that is refused field by field without writing anything.
#include "services/referrals/cases.h"

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/events/outbox_testing.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/envelope.pb.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "services/referrals/schema.h"
#include "services/referrals/sqlite_case_store.h"

namespace pcmd::referrals {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// The fixture's clock: 2024-06-03 14:33 in Vietnam.
constexpr int64_t kNowUnixSeconds = 1717400000;
constexpr const char* kToday = "2024-06-03";
constexpr const char* kYesterday = "2024-06-02";
constexpr const char* kTomorrow = "2024-06-04";
constexpr const char* kYearAhead = "2025-06-03";
constexpr const char* kPastAYear = "2025-06-04";

constexpr const char* kOpened = "pcmd.events.v1.CaseOpened";
constexpr const char* kReviewed = "pcmd.events.v1.CaseReviewed";
constexpr const char* kClosed = "pcmd.events.v1.CaseClosed";

// Personal text: none of it may be stored in the clear or leave in an event.
constexpr const char* kPlan =
    "Chị Lò Thị Hoa: hỗ trợ tâm lý hằng tuần tại Trung tâm Công tác xã hội Hà Nội;\n"
    "học nghề may từ tháng 9; liên hệ gia đình ở Điện Biên khi chị đồng ý.";
constexpr const char* kNewPlan =
    "Chuyển sang học nghề nấu ăn; tiếp tục điều trị ARV tại Thanh Trì.";
constexpr const char* kNote = "Chị Hoa đã đến buổi tư vấn thứ hai, tâm trạng ổn định hơn.";
constexpr const char* kSummary = "Đánh giá quý II: đã ổn định chỗ ở, cần tìm việc làm.";

std::vector<std::string> NamesOf(const v1::ListCasesResponse& response) {
  std::vector<std::string> names;
  for (const v1::Case& c : response.cases()) names.push_back(c.name());
  return names;
}

std::vector<std::string> TextsOf(const v1::ListCaseNotesResponse& response) {
  std::vector<std::string> texts;
  for (const v1::CaseNote& n : response.notes()) texts.push_back(n.text());
  return texts;
}

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, s);
  return out;
}

class CasesTest : public ::testing::Test {
 protected:
  CasesTest()
      : clock_(absl::FromUnixSeconds(kNowUnixSeconds)),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, ReferralsMigrations())),
        outbox_("referrals", clock_),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'k')}}, std::string(32, 'i'))),
        store_(*db_, outbox_, clock_, *keys_),
        units_(*db_),
        cases_(store_, clock_, units_) {
    // Hà Nội (01) with two districts; Hưng Yên (33) with one.
    EXPECT_TRUE(units::RememberUnits(
                    *db_, {{"01", "VN"}, {"268", "01"}, {"008", "01"}, {"33", "VN"}, {"323", "33"}})
                    .ok());
    AddClient("hoa", "268");
    AddClient("lan", "268");
    AddClient("mai", "008");
    AddClient("thu", "323");
  }

  // A client as RegisterClient would leave it, as far as cases read it.
  void AddClient(const std::string& id, const std::string& unit) {
    const absl::Status s = db_->Write([&](storage::Transaction& tx) {
      return tx.Execute(
          "INSERT INTO clients(id, pseudonym, unit_code, source, source_ref, minor, "
          "trafficking_victim, identity, agency_code, create_unix_ms) "
          "VALUES (?1, ?2, ?3, 1, '', 0, 0, ?4, 'SLDTBXH-HN', 0)",
          {id, absl::StrCat("psn_", id), unit, storage::Blob{}});
    });
    EXPECT_TRUE(s.ok()) << s;
  }

  static v1::OpenCaseRequest Open(const std::string& request_id,
                                  const std::string& client = "clients/hoa") {
    v1::OpenCaseRequest r;
    r.set_request_id(request_id);
    r.set_client(client);
    r.set_case_worker("CTXH-HN-0042 Nguyễn Thị Thu Hằng");
    r.set_plan(kPlan);
    r.set_next_review_date("2024-09-03");
    return r;
  }

  v1::Case MustOpen(const v1::OpenCaseRequest& request) {
    absl::StatusOr<v1::Case> c = cases_.OpenCase(ha_noi_, request);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : v1::Case();
  }

  v1::Case MustGet(const std::string& name) {
    v1::GetCaseRequest request;
    request.set_name(name);
    absl::StatusOr<v1::Case> c = cases_.GetCase(ha_noi_, request);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : v1::Case();
  }

  static v1::AddCaseNoteRequest Note(const std::string& request_id, const std::string& kase,
                                     const std::string& text = kNote) {
    v1::AddCaseNoteRequest r;
    r.set_request_id(request_id);
    r.set_case_(kase);
    r.set_text(text);
    r.set_note_date(kToday);
    r.set_author("CTXH-HN-0042");
    return r;
  }

  static v1::ReviewCaseRequest Review(const std::string& name) {
    v1::ReviewCaseRequest r;
    r.set_name(name);
    r.set_review_date(kToday);
    r.set_summary(kSummary);
    r.set_next_review_date("2024-12-03");
    return r;
  }

  static v1::CloseCaseRequest Close(const std::string& name) {
    v1::CloseCaseRequest r;
    r.set_name(name);
    r.set_reason(v1::CLOSE_REASON_REINTEGRATED);
    return r;
  }

  static v1::UpdateCaseRequest Update(const std::string& name,
                                      const std::vector<std::string>& paths) {
    v1::UpdateCaseRequest r;
    r.mutable_case_()->set_name(name);
    for (const std::string& p : paths) r.mutable_update_mask()->add_paths(p);
    return r;
  }

  int64_t CountRows(const std::string& table) {
    int64_t n = -1;
    const absl::Status s = db_->Read([&](storage::Transaction& tx) -> absl::Status {
      absl::StatusOr<std::optional<storage::Row>> row =
          tx.QueryOne(absl::StrCat("SELECT COUNT(*) FROM ", table));
      if (!row.ok()) return row.status();
      n = (*row)->Int(0);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  // What every write leaves behind, to compare before and after a refused call.
  std::vector<int64_t> Footprint() {
    return {CountRows("cases"), CountRows("case_notes"), CountRows("idempotency_keys"),
            CountRows("outbox")};
  }

  // One text column of every row of `table`, as stored.
  std::vector<std::string> Column(const std::string& table, const std::string& column) {
    std::vector<std::string> values;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     auto rows = tx.Query(absl::StrCat("SELECT ", column, " FROM ", table));
                     if (!rows.ok()) return rows.status();
                     for (const storage::Row& r : *rows) values.push_back(r.Text(0));
                     return absl::OkStatus();
                   })
                    .ok());
    return values;
  }

  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  std::unique_ptr<crypto::Keyring> keys_;
  SqliteCaseStore store_;
  units::SqliteUnitTree units_;
  Cases cases_;
  const security::Access ha_noi_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "01", "SLDTBXH-HN", security::Scope::kOwnUnitSubtree);
  const security::Access hung_yen_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "33", "SLDTBXH-HY", security::Scope::kOwnUnitSubtree);
};

// --- opening and reading ---

TEST_F(CasesTest, OpensACaseThatReadsBackWithItsVietnamesePlanInTheClientsUnit) {
  absl::StatusOr<v1::Case> opened = cases_.OpenCase(ha_noi_, Open("case-1"));
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_THAT(opened->name(), ::testing::StartsWith("cases/"));
  EXPECT_EQ(opened->plan(), kPlan);

  const v1::Case read = MustGet(opened->name());
  EXPECT_EQ(read.plan(), kPlan);
  EXPECT_EQ(read.client(), "clients/hoa");
  EXPECT_EQ(read.unit_code(), "268");
  EXPECT_EQ(read.agency_code(), "SLDTBXH-HN");
  EXPECT_EQ(read.case_worker(), "CTXH-HN-0042 Nguyễn Thị Thu Hằng");
  EXPECT_EQ(read.state(), v1::CASE_STATE_OPEN);
  EXPECT_EQ(read.next_review_date(), "2024-09-03");
  EXPECT_EQ(read.reviews(), 0);
  EXPECT_EQ(read.etag(), "v1");
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(read.open_time()),
            kNowUnixSeconds * 1000);
  EXPECT_FALSE(read.has_close_time());
  EXPECT_EQ(read.SerializeAsString(), opened->SerializeAsString());
}

TEST_F(CasesTest, OpensACaseWithoutAPlanOrReviewDate) {
  v1::OpenCaseRequest request = Open("bare");
  request.clear_plan();
  request.clear_next_review_date();
  const v1::Case c = MustOpen(request);
  EXPECT_EQ(MustGet(c.name()).plan(), "");
  EXPECT_EQ(c.next_review_date(), "");
}

TEST_F(CasesTest, ReturnsTheSameCaseWhenARequestIsRetriedEvenAfterItsDateRulesLapse) {
  v1::OpenCaseRequest request = Open("case-1");
  request.set_next_review_date(kToday);
  const v1::Case first = MustOpen(request);
  // Two days later the review date lies in the past; the retry still answers.
  clock_.Advance(absl::Hours(48));
  absl::StatusOr<v1::Case> retry = cases_.OpenCase(ha_noi_, request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first.name());
  EXPECT_EQ(retry->plan(), kPlan);
  EXPECT_EQ(CountRows("cases"), 1);
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre(kOpened));
}

TEST_F(CasesTest, RefusesARequestIdReusedForAnotherRequestNamingRequestId) {
  MustOpen(Open("case-1"));
  v1::OpenCaseRequest other = Open("case-1");
  other.set_plan("Kế hoạch khác");
  const std::vector<int64_t> before = Footprint();
  const absl::Status status = cases_.OpenCase(ha_noi_, other).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(ViolatedFields(status), ElementsAre("request_id"));
  EXPECT_EQ(Footprint(), before);
}

TEST_F(CasesTest, RefusesASecondOpenCaseForAClientNamingTheOpenOne) {
  const v1::Case first = MustOpen(Open("case-1"));
  const std::vector<int64_t> before = Footprint();
  const absl::Status status = cases_.OpenCase(ha_noi_, Open("case-2")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(first.name()));
  EXPECT_EQ(Footprint(), before);

  // Once it is closed, the client may have a new case.
  ASSERT_TRUE(cases_.CloseCase(ha_noi_, Close(first.name())).ok());
  absl::StatusOr<v1::Case> second = cases_.OpenCase(ha_noi_, Open("case-2"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->name(), first.name());
}

TEST_F(CasesTest, AnswersNotFoundNamingTheClientForAnUnknownClientAndWritesNothing) {
  const absl::Status status = cases_.OpenCase(ha_noi_, Open("case-1", "clients/nobody")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("client"));
  EXPECT_THAT(ViolatedFields(status), ElementsAre("client"));
  EXPECT_THAT(Footprint(), ElementsAre(0, 0, 0, 0));
}

TEST_F(CasesTest, RefusesAHungYenAgencyOpeningACaseForAHaNoiClient) {
  const absl::Status status = cases_.OpenCase(hung_yen_, Open("case-1")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_THAT(Footprint(), ElementsAre(0, 0, 0, 0));
}

TEST_F(CasesTest, RefusesEveryCallOfAHungYenAgencyOnAHaNoiCaseWithoutRevealingIt) {
  const v1::Case c = MustOpen(Open("case-1"));
  const std::vector<int64_t> before = Footprint();
  v1::GetCaseRequest get;
  get.set_name(c.name());
  v1::UpdateCaseRequest update = Update(c.name(), {"plan"});
  update.mutable_case_()->set_plan("Kế hoạch của tỉnh khác");
  v1::ListCaseNotesRequest notes;
  notes.set_case_(c.name());
  const std::vector<absl::Status> refused = {
      cases_.GetCase(hung_yen_, get).status(),
      cases_.UpdateCase(hung_yen_, update).status(),
      cases_.AddCaseNote(hung_yen_, Note("note-1", c.name())).status(),
      cases_.ListCaseNotes(hung_yen_, notes).status(),
      cases_.ReviewCase(hung_yen_, Review(c.name())).status(),
      cases_.CloseCase(hung_yen_, Close(c.name())).status(),
  };
  for (size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(refused[i].code(), absl::StatusCode::kPermissionDenied) << i << ": " << refused[i];
    EXPECT_THAT(std::string(refused[i].message()), Not(HasSubstr("Hoa"))) << i;
  }
  EXPECT_EQ(Footprint(), before);
  EXPECT_EQ(MustGet(c.name()).plan(), kPlan);
}

TEST_F(CasesTest, LetsTheProvinceAgencyReachTheCasesOfItsDistricts) {
  const v1::Case c = MustOpen(Open("case-1", "clients/mai"));
  EXPECT_EQ(c.unit_code(), "008");
  const security::Access hung_yen_district = security::Access::For(
      security::AgencyKind::kSocialAffairs, "323", "PLDTBXH-HY", security::Scope::kOwnUnitSubtree);
  absl::StatusOr<v1::Case> thu = cases_.OpenCase(hung_yen_district, Open("case-2", "clients/thu"));
  ASSERT_TRUE(thu.ok()) << thu.status();
  v1::GetCaseRequest get;
  get.set_name(thu->name());
  EXPECT_TRUE(cases_.GetCase(hung_yen_, get).ok());
  EXPECT_EQ(thu->agency_code(), "PLDTBXH-HY");
}

TEST_F(CasesTest, NamesExactlyTheOneBadFieldOfAnOpenCaseRequestAndWritesNothing) {
  struct Bad {
    std::string field;
    std::function<void(v1::OpenCaseRequest&)> spoil;
  };
  const std::vector<Bad> bad = {
      {"request_id", [](auto& r) { r.set_request_id(""); }},
      {"request_id", [](auto& r) { r.set_request_id("hồ sơ 1"); }},
      {"request_id", [](auto& r) { r.set_request_id(std::string(65, 'a')); }},
      {"client", [](auto& r) { r.set_client(""); }},
      {"client", [](auto& r) { r.set_client("hoa"); }},
      {"client", [](auto& r) { r.set_client("providers/hoa"); }},
      {"client", [](auto& r) { r.set_client("clients/hoa/notes"); }},
      {"case_worker", [](auto& r) { r.set_case_worker(""); }},
      {"case_worker", [](auto& r) { r.set_case_worker(std::string(201, 'c')); }},
      {"case_worker", [](auto& r) { r.set_case_worker("Nguyễn\nThu"); }},
      {"case_worker", [](auto& r) { r.set_case_worker("\xC3\x28"); }},
      {"plan", [](auto& r) { r.set_plan(Repeat("ơ", 5001)); }},
      {"plan", [](auto& r) { r.set_plan("kế hoạch\x01"); }},
      {"next_review_date", [](auto& r) { r.set_next_review_date("2024-02-30"); }},
      {"next_review_date", [](auto& r) { r.set_next_review_date("3/9/2024"); }},
      {"next_review_date", [](auto& r) { r.set_next_review_date(kYesterday); }},
      {"next_review_date", [](auto& r) { r.set_next_review_date(kPastAYear); }},
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    v1::OpenCaseRequest request = Open(absl::StrCat("bad-", i));
    bad[i].spoil(request);
    SCOPED_TRACE(absl::StrCat("case ", i, " (", bad[i].field, ")"));
    const absl::Status status = cases_.OpenCase(ha_noi_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(ViolatedFields(status), ElementsAre(bad[i].field)) << status;
  }
  EXPECT_THAT(Footprint(), ElementsAre(0, 0, 0, 0));
}

TEST_F(CasesTest, NamesEveryBadFieldOfAnOpenCaseRequestTogether) {
  v1::OpenCaseRequest request = Open("case-1");
  request.set_client("");
  request.set_case_worker("");
  request.set_next_review_date(kYesterday);
  const absl::Status status = cases_.OpenCase(ha_noi_, request).status();
  EXPECT_THAT(ViolatedFields(status),
              UnorderedElementsAre("client", "case_worker", "next_review_date"));
}

TEST_F(CasesTest, AcceptsTheBoundaryValuesOfAnOpenCaseRequest) {
  v1::OpenCaseRequest request = Open("edges-1");
  request.set_case_worker(Repeat("Đ", 200));
  request.set_plan(Repeat("ệ", 5000));
  request.set_next_review_date(kYearAhead);
  const v1::Case first = MustOpen(request);
  EXPECT_EQ(MustGet(first.name()).plan(), Repeat("ệ", 5000));

  request = Open("edges-2", "clients/lan");
  request.set_next_review_date(kToday);
  EXPECT_TRUE(cases_.OpenCase(ha_noi_, request).ok());
}

TEST_F(CasesTest, AnswersNotFoundForAnUnknownCaseAndNamesAMalformedName) {
  v1::GetCaseRequest request;
  request.set_name("cases/0192aaaa");
  EXPECT_EQ(cases_.GetCase(ha_noi_, request).status().code(), absl::StatusCode::kNotFound);
  for (const char* name : {"", "cases/", "clients/hoa", "cases/a/notes/b"}) {
    request.set_name(name);
    const absl::Status status = cases_.GetCase(ha_noi_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(ViolatedFields(status), ElementsAre("name")) << name;
  }
}

// --- listing ---

TEST_F(CasesTest, ListsTheCallersCasesNewestFirstWithoutPlans) {
  const v1::Case hoa = MustOpen(Open("a", "clients/hoa"));
  clock_.Advance(absl::Minutes(1));
  const v1::Case mai = MustOpen(Open("b", "clients/mai"));
  clock_.Advance(absl::Minutes(1));
  absl::StatusOr<v1::Case> thu = cases_.OpenCase(hung_yen_, Open("c", "clients/thu"));
  ASSERT_TRUE(thu.ok()) << thu.status();

  absl::StatusOr<v1::ListCasesResponse> listed = cases_.ListCases(ha_noi_, {});
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(NamesOf(*listed), ElementsAre(mai.name(), hoa.name()));
  for (const v1::Case& c : listed->cases()) EXPECT_EQ(c.plan(), "") << c.name();
  EXPECT_EQ(listed->next_page_token(), "");

  v1::ListCasesRequest district;
  district.set_unit_code("268");
  listed = cases_.ListCases(ha_noi_, district);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(NamesOf(*listed), ElementsAre(hoa.name()));

  const security::Access national = security::Access::For(
      security::AgencyKind::kMinistry, "VN", "BLDTBXH", security::Scope::kOwnUnitSubtree);
  listed = cases_.ListCases(national, {});
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(NamesOf(*listed), ElementsAre(thu->name(), mai.name(), hoa.name()));

  v1::ListCasesRequest elsewhere;
  elsewhere.set_unit_code("01");
  EXPECT_EQ(cases_.ListCases(hung_yen_, elsewhere).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(CasesTest, FiltersCasesByStateCaseWorkerClientAndReviewDue) {
  v1::OpenCaseRequest due_soon = Open("a", "clients/hoa");
  due_soon.set_next_review_date("2024-06-10");
  const v1::Case hoa = MustOpen(due_soon);
  v1::OpenCaseRequest due_later = Open("b", "clients/lan");
  due_later.set_next_review_date("2024-08-01");
  due_later.set_case_worker("CTXH-HN-0007");
  const v1::Case lan = MustOpen(due_later);
  v1::OpenCaseRequest never = Open("c", "clients/mai");
  never.clear_next_review_date();
  const v1::Case mai = MustOpen(never);
  // A closed case is never due, whatever its date was.
  v1::OpenCaseRequest closed_request = Open("d", "clients/thu");
  closed_request.set_next_review_date("2024-06-05");
  absl::StatusOr<v1::Case> thu = cases_.OpenCase(hung_yen_, closed_request);
  ASSERT_TRUE(thu.ok()) << thu.status();
  ASSERT_TRUE(cases_.CloseCase(hung_yen_, Close(thu->name())).ok());

  const security::Access national = security::Access::For(
      security::AgencyKind::kMinistry, "VN", "BLDTBXH", security::Scope::kOwnUnitSubtree);
  const auto list = [&](const std::function<void(v1::ListCasesRequest&)>& filter) {
    v1::ListCasesRequest request;
    filter(request);
    absl::StatusOr<v1::ListCasesResponse> listed = cases_.ListCases(national, request);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::set<std::string> names;
    if (listed.ok()) {
      for (const v1::Case& c : listed->cases()) names.insert(c.name());
    }
    return names;
  };
  using Names = std::set<std::string>;
  EXPECT_EQ(list([](auto& r) { r.set_state(v1::CASE_STATE_CLOSED); }), Names({thu->name()}));
  EXPECT_EQ(list([](auto& r) { r.set_state(v1::CASE_STATE_OPEN); }),
            Names({hoa.name(), lan.name(), mai.name()}));
  EXPECT_EQ(list([](auto& r) { r.set_case_worker("CTXH-HN-0007"); }), Names({lan.name()}));
  EXPECT_EQ(list([](auto& r) { r.set_case_worker("CTXH-HN"); }), Names());
  EXPECT_EQ(list([](auto& r) { r.set_client("clients/mai"); }), Names({mai.name()}));
  EXPECT_EQ(list([](auto& r) { r.set_review_due_by("2024-06-10"); }), Names({hoa.name()}));
  EXPECT_EQ(list([](auto& r) { r.set_review_due_by("2024-06-09"); }), Names());
  EXPECT_EQ(list([](auto& r) { r.set_review_due_by("2024-12-31"); }),
            Names({hoa.name(), lan.name()}));
  EXPECT_EQ(list([](auto& r) {
              r.set_review_due_by("2024-12-31");
              r.set_case_worker("CTXH-HN-0007");
            }),
            Names({lan.name()}));
}

TEST_F(CasesTest, PagesThroughEveryCaseOnceWithATokenBoundToTheFilters) {
  AddClient("ngoc", "268");
  AddClient("yen", "008");
  std::vector<std::string> opened;
  for (const char* client : {"hoa", "lan", "mai", "ngoc", "yen"}) {
    opened.push_back(MustOpen(Open(client, absl::StrCat("clients/", client))).name());
    // Some open in the same millisecond: the id keeps them in order.
    if (std::string(client) == "lan") clock_.Advance(absl::Seconds(1));
  }

  v1::ListCasesRequest request;
  request.set_page_size(2);
  std::vector<std::string> seen;
  std::vector<int> page_sizes;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListCasesResponse> listed = cases_.ListCases(ha_noi_, request);
    ASSERT_TRUE(listed.ok()) << listed.status();
    page_sizes.push_back(listed->cases_size());
    for (const v1::Case& c : listed->cases()) seen.push_back(c.name());
    if (listed->next_page_token().empty()) break;
    request.set_page_token(listed->next_page_token());
  }
  EXPECT_THAT(page_sizes, ElementsAre(2, 2, 1));
  EXPECT_EQ(seen, std::vector<std::string>(opened.rbegin(), opened.rend()));

  v1::ListCasesRequest first_page;
  first_page.set_page_size(2);
  absl::StatusOr<v1::ListCasesResponse> first = cases_.ListCases(ha_noi_, first_page);
  ASSERT_TRUE(first.ok()) << first.status();
  v1::ListCasesRequest other_filter = first_page;
  other_filter.set_state(v1::CASE_STATE_OPEN);
  other_filter.set_page_token(first->next_page_token());
  EXPECT_THAT(ViolatedFields(cases_.ListCases(ha_noi_, other_filter).status()),
              ElementsAre("page_token"));
  for (const char* token : {"not-a-token", "!!", "bm90LmEudG9rZW4"}) {
    v1::ListCasesRequest garbage = first_page;
    garbage.set_page_token(token);
    EXPECT_THAT(ViolatedFields(cases_.ListCases(ha_noi_, garbage).status()),
                ElementsAre("page_token"))
        << token;
  }
}

TEST_F(CasesTest, NamesEachBadListFilter) {
  struct Bad {
    std::string field;
    std::function<void(v1::ListCasesRequest&)> spoil;
  };
  const std::vector<Bad> bad = {
      {"unit_code", [](auto& r) { r.set_unit_code("999"); }},
      {"unit_code", [](auto& r) { r.set_unit_code("Hà Nội"); }},
      {"state", [](auto& r) { r.set_state(static_cast<v1::CaseState>(9)); }},
      {"case_worker", [](auto& r) { r.set_case_worker(std::string(201, 'c')); }},
      {"review_due_by", [](auto& r) { r.set_review_due_by("2024-13-01"); }},
      {"client", [](auto& r) { r.set_client("hoa"); }},
      {"page_size", [](auto& r) { r.set_page_size(201); }},
      {"page_size", [](auto& r) { r.set_page_size(-1); }},
  };
  for (const Bad& b : bad) {
    v1::ListCasesRequest request;
    b.spoil(request);
    const absl::Status status = cases_.ListCases(ha_noi_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << request.ShortDebugString();
    EXPECT_THAT(ViolatedFields(status), ElementsAre(b.field)) << request.ShortDebugString();
  }
}

// --- updating ---

TEST_F(CasesTest, ChangesOnlyTheFieldsTheMaskNamesAndMovesTheEtag) {
  const v1::Case c = MustOpen(Open("case-1"));
  v1::UpdateCaseRequest request = Update(c.name(), {"plan", "case_worker"});
  request.mutable_case_()->set_plan(kNewPlan);
  request.mutable_case_()->set_case_worker("CTXH-HN-0007");
  request.mutable_case_()->set_next_review_date("2024-07-01");  // Not in the mask.
  request.mutable_case_()->set_unit_code("33");                 // Not changeable.
  request.set_etag(c.etag());
  absl::StatusOr<v1::Case> updated = cases_.UpdateCase(ha_noi_, request);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->plan(), kNewPlan);
  EXPECT_EQ(updated->case_worker(), "CTXH-HN-0007");
  EXPECT_EQ(updated->next_review_date(), "2024-09-03");
  EXPECT_EQ(updated->unit_code(), "268");
  EXPECT_EQ(updated->etag(), "v2");
  EXPECT_EQ(MustGet(c.name()).SerializeAsString(), updated->SerializeAsString());

  // Clearing the review date and the plan.
  v1::UpdateCaseRequest clear = Update(c.name(), {"next_review_date", "plan"});
  updated = cases_.UpdateCase(ha_noi_, clear);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->next_review_date(), "");
  EXPECT_EQ(updated->plan(), "");
  EXPECT_EQ(updated->case_worker(), "CTXH-HN-0007");
}

TEST_F(CasesTest, RefusesAStaleEtagWithAbortedAndChangesNothing) {
  const v1::Case c = MustOpen(Open("case-1"));
  v1::UpdateCaseRequest first = Update(c.name(), {"case_worker"});
  first.mutable_case_()->set_case_worker("CTXH-HN-0007");
  first.set_etag(c.etag());
  ASSERT_TRUE(cases_.UpdateCase(ha_noi_, first).ok());

  v1::UpdateCaseRequest stale = Update(c.name(), {"plan"});
  stale.mutable_case_()->set_plan(kNewPlan);
  stale.set_etag(c.etag());
  const absl::Status status = cases_.UpdateCase(ha_noi_, stale).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(MustGet(c.name()).plan(), kPlan);
  EXPECT_EQ(MustGet(c.name()).etag(), "v2");
}

TEST_F(CasesTest, NamesEachBadPathOfTheMaskAndEachBadValue) {
  const v1::Case c = MustOpen(Open("case-1"));
  struct Bad {
    std::vector<std::string> fields;
    std::function<void(v1::UpdateCaseRequest&)> spoil;
  };
  const auto kase = [](v1::UpdateCaseRequest& r) { return r.mutable_case_(); };
  const std::vector<Bad> bad = {
      {{"update_mask.paths"}, [](auto& r) { r.clear_update_mask(); }},
      {{"update_mask.paths[1]"}, [](auto& r) { r.mutable_update_mask()->add_paths("state"); }},
      {{"update_mask.paths[1]", "update_mask.paths[2]"},
       [](auto& r) {
         r.mutable_update_mask()->add_paths("unit_code");
         r.mutable_update_mask()->add_paths("case.plan");
       }},
      {{"case.name"}, [&](auto& r) { kase(r)->set_name("clients/hoa"); }},
      {{"case.plan"}, [&](auto& r) { kase(r)->set_plan(Repeat("ư", 5001)); }},
      {{"case.case_worker"},
       [&](auto& r) {
         r.mutable_update_mask()->add_paths("case_worker");
         kase(r)->set_case_worker("");
       }},
      {{"case.next_review_date"},
       [&](auto& r) {
         r.mutable_update_mask()->add_paths("next_review_date");
         kase(r)->set_next_review_date(kYesterday);
       }},
      {{"case.next_review_date"},
       [&](auto& r) {
         r.mutable_update_mask()->add_paths("next_review_date");
         kase(r)->set_next_review_date(kPastAYear);
       }},
      {{"etag"}, [](auto& r) { r.set_etag(std::string(65, 'v')); }},
  };
  const std::vector<int64_t> before = Footprint();
  for (size_t i = 0; i < bad.size(); ++i) {
    v1::UpdateCaseRequest request = Update(c.name(), {"plan"});
    request.mutable_case_()->set_plan(kNewPlan);
    bad[i].spoil(request);
    SCOPED_TRACE(absl::StrCat("case ", i, ": ", request.ShortDebugString()));
    const absl::Status status = cases_.UpdateCase(ha_noi_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(ViolatedFields(status), bad[i].fields) << status;
  }
  EXPECT_EQ(Footprint(), before);
  EXPECT_EQ(MustGet(c.name()).plan(), kPlan);
  EXPECT_EQ(MustGet(c.name()).etag(), "v1");
}

TEST_F(CasesTest, RefusesToChangeAClosedCaseNamingItsState) {
  const v1::Case c = MustOpen(Open("case-1"));
  ASSERT_TRUE(cases_.CloseCase(ha_noi_, Close(c.name())).ok());
  v1::UpdateCaseRequest request = Update(c.name(), {"plan"});
  request.mutable_case_()->set_plan(kNewPlan);
  const absl::Status status = cases_.UpdateCase(ha_noi_, request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("CLOSED"));
  EXPECT_EQ(MustGet(c.name()).plan(), kPlan);
}

// --- notes ---

TEST_F(CasesTest, KeepsNotesAndThePlanSealedAtRestAndOpensThemOldestFirst) {
  const v1::Case c = MustOpen(Open("case-1"));
  absl::StatusOr<v1::CaseNote> first = cases_.AddCaseNote(ha_noi_, Note("note-1", c.name()));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->name(), ::testing::StartsWith(absl::StrCat(c.name(), "/notes/")));
  EXPECT_EQ(first->text(), kNote);
  EXPECT_EQ(first->author(), "CTXH-HN-0042");
  EXPECT_EQ(first->note_date(), kToday);
  clock_.Advance(absl::Minutes(10));
  ASSERT_TRUE(cases_.AddCaseNote(ha_noi_, Note("note-2", c.name(), "Ghi chú thứ hai")).ok());

  for (const std::string& sealed : Column("case_notes", "text")) {
    EXPECT_THAT(sealed, Not(HasSubstr("Hoa")));
    EXPECT_THAT(sealed, Not(HasSubstr("Ghi chú")));
    EXPECT_EQ(crypto::FieldCipher::VersionOf(sealed), 1);
  }
  for (const std::string& sealed : Column("cases", "plan")) {
    EXPECT_THAT(sealed, Not(HasSubstr("Lò Thị Hoa")));
    EXPECT_THAT(sealed, Not(HasSubstr("học nghề")));
    EXPECT_EQ(crypto::FieldCipher::VersionOf(sealed), 1);
  }

  v1::ListCaseNotesRequest request;
  request.set_case_(c.name());
  absl::StatusOr<v1::ListCaseNotesResponse> listed = cases_.ListCaseNotes(ha_noi_, request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(TextsOf(*listed), ElementsAre(kNote, "Ghi chú thứ hai"));
  EXPECT_EQ(listed->notes(0).SerializeAsString(), first->SerializeAsString());
}

TEST_F(CasesTest, ASealedNoteDoesNotOpenInAnotherRow) {
  const v1::Case c = MustOpen(Open("case-1"));
  ASSERT_TRUE(cases_.AddCaseNote(ha_noi_, Note("note-1", c.name())).ok());
  ASSERT_TRUE(cases_.AddCaseNote(ha_noi_, Note("note-2", c.name(), "Ghi chú thứ hai")).ok());
  // Someone with the file copies one sealed text over another.
  ASSERT_TRUE(db_->Write([](storage::Transaction& tx) {
                   return tx.Execute(
                       "UPDATE case_notes SET text = (SELECT text FROM case_notes ORDER BY "
                       "create_unix_ms, id LIMIT 1)");
                 })
                  .ok());
  v1::ListCaseNotesRequest request;
  request.set_case_(c.name());
  EXPECT_EQ(cases_.ListCaseNotes(ha_noi_, request).status().code(), absl::StatusCode::kInternal);
}

TEST_F(CasesTest, ReturnsTheSameNoteWhenARequestIsRetriedEvenAfterTheCaseClosed) {
  const v1::Case c = MustOpen(Open("case-1"));
  absl::StatusOr<v1::CaseNote> first = cases_.AddCaseNote(ha_noi_, Note("note-1", c.name()));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(cases_.CloseCase(ha_noi_, Close(c.name())).ok());
  absl::StatusOr<v1::CaseNote> retry = cases_.AddCaseNote(ha_noi_, Note("note-1", c.name()));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(CountRows("case_notes"), 1);

  const absl::Status other = cases_.AddCaseNote(ha_noi_, Note("note-1", c.name(), "khác")).status();
  EXPECT_THAT(ViolatedFields(other), ElementsAre("request_id"));
}

TEST_F(CasesTest, RefusesANoteOnAClosedCaseNamingItsState) {
  const v1::Case c = MustOpen(Open("case-1"));
  ASSERT_TRUE(cases_.CloseCase(ha_noi_, Close(c.name())).ok());
  const std::vector<int64_t> before = Footprint();
  const absl::Status status = cases_.AddCaseNote(ha_noi_, Note("note-1", c.name())).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("CASE_STATE_CLOSED"));
  EXPECT_EQ(Footprint(), before);
}

TEST_F(CasesTest, NamesExactlyTheOneBadFieldOfANoteAndWritesNothing) {
  const v1::Case c = MustOpen(Open("case-1"));
  struct Bad {
    std::string field;
    std::function<void(v1::AddCaseNoteRequest&)> spoil;
  };
  const std::vector<Bad> bad = {
      {"request_id", [](auto& r) { r.set_request_id(""); }},
      {"case", [](auto& r) { r.set_case_(""); }},
      {"case", [](auto& r) { r.set_case_("clients/hoa"); }},
      {"text", [](auto& r) { r.set_text(""); }},
      {"text", [](auto& r) { r.set_text(Repeat("ă", 5001)); }},
      {"note_date", [](auto& r) { r.set_note_date(""); }},
      {"note_date", [](auto& r) { r.set_note_date("2024-06-31"); }},
      {"note_date", [](auto& r) { r.set_note_date(kTomorrow); }},
      {"author", [](auto& r) { r.set_author(""); }},
      {"author", [](auto& r) { r.set_author(std::string(201, 'a')); }},
  };
  const std::vector<int64_t> before = Footprint();
  for (size_t i = 0; i < bad.size(); ++i) {
    v1::AddCaseNoteRequest request = Note(absl::StrCat("bad-", i), c.name());
    bad[i].spoil(request);
    SCOPED_TRACE(absl::StrCat("case ", i, " (", bad[i].field, ")"));
    const absl::Status status = cases_.AddCaseNote(ha_noi_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(ViolatedFields(status), ElementsAre(bad[i].field)) << status;
  }
  EXPECT_EQ(Footprint(), before);

  // Lines are allowed in a note, and 5000 characters.
  v1::AddCaseNoteRequest edges = Note("edges", c.name(), Repeat("ă\n", 2500));
  edges.set_note_date("2020-01-01");
  EXPECT_TRUE(cases_.AddCaseNote(ha_noi_, edges).ok());
}

TEST_F(CasesTest, PagesThroughTheNotesOfACaseOldestFirst) {
  const v1::Case c = MustOpen(Open("case-1"));
  const v1::Case other = MustOpen(Open("case-2", "clients/lan"));
  ASSERT_TRUE(cases_.AddCaseNote(ha_noi_, Note("elsewhere", other.name(), "của Lan")).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        cases_.AddCaseNote(ha_noi_, Note(absl::StrCat("n", i), c.name(), absl::StrCat("ghi ", i)))
            .ok());
    if (i % 2 == 1) clock_.Advance(absl::Seconds(1));
  }
  v1::ListCaseNotesRequest request;
  request.set_case_(c.name());
  request.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListCaseNotesResponse> listed = cases_.ListCaseNotes(ha_noi_, request);
    ASSERT_TRUE(listed.ok()) << listed.status();
    for (const std::string& text : TextsOf(*listed)) seen.push_back(text);
    if (listed->next_page_token().empty()) break;
    request.set_page_token(listed->next_page_token());
  }
  EXPECT_THAT(seen, ElementsAre("ghi 0", "ghi 1", "ghi 2", "ghi 3", "ghi 4"));

  v1::ListCaseNotesRequest other_case = request;
  other_case.set_case_(other.name());
  EXPECT_THAT(ViolatedFields(cases_.ListCaseNotes(ha_noi_, other_case).status()),
              ElementsAre("page_token"));
  v1::ListCaseNotesRequest bad_name;
  bad_name.set_case_("cases/");
  EXPECT_THAT(ViolatedFields(cases_.ListCaseNotes(ha_noi_, bad_name).status()),
              ElementsAre("case"));
}

// --- reviews ---

TEST_F(CasesTest, ARecordedReviewCountsKeepsItsSummaryAsASealedNoteAndIsAnnounced) {
  const v1::Case c = MustOpen(Open("case-1"));
  v1::ReviewCaseRequest request = Review(c.name());
  request.set_etag(c.etag());
  absl::StatusOr<v1::Case> reviewed = cases_.ReviewCase(ha_noi_, request);
  ASSERT_TRUE(reviewed.ok()) << reviewed.status();
  EXPECT_EQ(reviewed->reviews(), 1);
  EXPECT_EQ(reviewed->last_review_date(), kToday);
  EXPECT_EQ(reviewed->next_review_date(), "2024-12-03");
  EXPECT_EQ(reviewed->etag(), "v2");
  EXPECT_EQ(reviewed->plan(), kPlan);

  v1::ListCaseNotesRequest notes;
  notes.set_case_(c.name());
  absl::StatusOr<v1::ListCaseNotesResponse> listed = cases_.ListCaseNotes(ha_noi_, notes);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->notes_size(), 1);
  EXPECT_EQ(listed->notes(0).text(), kSummary);
  EXPECT_EQ(listed->notes(0).author(), "test-user");  // The caller's end user.
  EXPECT_EQ(listed->notes(0).note_date(), kToday);
  for (const std::string& sealed : Column("case_notes", "text")) {
    EXPECT_THAT(sealed, Not(HasSubstr("ổn định")));
  }

  // A second review by a system that states no end user, without a summary.
  clock_.Advance(absl::Hours(24));
  security::Access system = ha_noi_;
  system.caller.end_user.clear();
  v1::ReviewCaseRequest second = Review(c.name());
  second.set_review_date(kTomorrow);
  second.clear_next_review_date();
  reviewed = cases_.ReviewCase(system, second);
  ASSERT_TRUE(reviewed.ok()) << reviewed.status();
  EXPECT_EQ(reviewed->reviews(), 2);
  EXPECT_EQ(reviewed->last_review_date(), kTomorrow);
  EXPECT_EQ(reviewed->next_review_date(), "");
  listed = cases_.ListCaseNotes(ha_noi_, notes);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->notes_size(), 2);
  EXPECT_EQ(listed->notes(1).author(), "SLDTBXH-HN");

  second.clear_summary();
  second.set_name(MustOpen(Open("case-2", "clients/lan")).name());
  ASSERT_TRUE(cases_.ReviewCase(system, second).ok());
  EXPECT_EQ(CountRows("case_notes"), 2);

  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre(kOpened, kReviewed, kReviewed, kOpened, kReviewed));
  const std::vector<events::v1::EventEnvelope> envelopes = events::OutboxEnvelopes(*db_);
  ASSERT_EQ(envelopes.size(), 5u);
  events::v1::CaseReviewed event;
  ASSERT_TRUE(envelopes[1].payload().UnpackTo(&event));
  EXPECT_EQ(event.case_id(), c.name());
  EXPECT_EQ(event.client(), "clients/hoa");
  EXPECT_EQ(event.unit_code(), "268");
  EXPECT_EQ(event.review_date(), kToday);
  EXPECT_EQ(event.next_review_date(), "2024-12-03");
  EXPECT_EQ(envelopes[1].aggregate_id(), c.name());
  EXPECT_EQ(envelopes[2].sequence(), 3);
}

TEST_F(CasesTest, NamesEachBadFieldOfAReviewAndWritesNothing) {
  const v1::Case c = MustOpen(Open("case-1"));
  struct Bad {
    std::string field;
    std::function<void(v1::ReviewCaseRequest&)> spoil;
  };
  const std::vector<Bad> bad = {
      {"name", [](auto& r) { r.set_name("cases"); }},
      {"review_date", [](auto& r) { r.clear_review_date(); }},
      {"review_date", [](auto& r) { r.set_review_date(kTomorrow); }},
      {"review_date", [](auto& r) { r.set_review_date("2024-6-3"); }},
      {"summary", [](auto& r) { r.set_summary(Repeat("ở", 5001)); }},
      {"next_review_date", [](auto& r) { r.set_next_review_date(kToday); }},
      {"next_review_date", [](auto& r) { r.set_next_review_date(kYesterday); }},
      {"next_review_date", [](auto& r) { r.set_next_review_date(kPastAYear); }},
      {"next_review_date", [](auto& r) { r.set_next_review_date("tomorrow"); }},
      {"etag", [](auto& r) { r.set_etag(std::string(65, 'v')); }},
  };
  const std::vector<int64_t> before = Footprint();
  for (size_t i = 0; i < bad.size(); ++i) {
    v1::ReviewCaseRequest request = Review(c.name());
    bad[i].spoil(request);
    SCOPED_TRACE(absl::StrCat("case ", i, " (", bad[i].field, ")"));
    const absl::Status status = cases_.ReviewCase(ha_noi_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(ViolatedFields(status), ElementsAre(bad[i].field)) << status;
  }
  EXPECT_EQ(Footprint(), before);

  // A year ahead is the latest next review.
  v1::ReviewCaseRequest edge = Review(c.name());
  edge.set_next_review_date(kYearAhead);
  EXPECT_TRUE(cases_.ReviewCase(ha_noi_, edge).ok());
}

TEST_F(CasesTest, RefusesAReviewDatedBeforeTheLastOneAndAStaleEtag) {
  const v1::Case c = MustOpen(Open("case-1"));
  ASSERT_TRUE(cases_.ReviewCase(ha_noi_, Review(c.name())).ok());
  const std::vector<int64_t> before = Footprint();

  v1::ReviewCaseRequest earlier = Review(c.name());
  earlier.set_review_date(kYesterday);
  const absl::Status status = cases_.ReviewCase(ha_noi_, earlier).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(ViolatedFields(status), ElementsAre("review_date"));

  clock_.Advance(absl::Hours(24));
  v1::ReviewCaseRequest stale = Review(c.name());
  stale.set_review_date(kTomorrow);
  stale.set_etag(c.etag());
  EXPECT_EQ(cases_.ReviewCase(ha_noi_, stale).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Footprint(), before);
  EXPECT_EQ(MustGet(c.name()).reviews(), 1);
}

TEST_F(CasesTest, AnswersARetriedReviewOfTheSameDayWithoutCountingItTwice) {
  const v1::Case c = MustOpen(Open("case-1"));
  v1::ReviewCaseRequest request = Review(c.name());
  request.set_etag(c.etag());
  ASSERT_TRUE(cases_.ReviewCase(ha_noi_, request).ok());
  const std::vector<int64_t> before = Footprint();
  // The retry carries the etag read before the first attempt.
  absl::StatusOr<v1::Case> retry = cases_.ReviewCase(ha_noi_, request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->reviews(), 1);
  EXPECT_EQ(Footprint(), before);
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre(kOpened, kReviewed));
}

// --- closing ---

TEST_F(CasesTest, ClosesACaseWithItsReasonAndRefusesToCloseItAgainNamingTheState) {
  const v1::Case c = MustOpen(Open("case-1"));
  clock_.Advance(absl::Hours(3));
  v1::CloseCaseRequest request = Close(c.name());
  request.set_etag(c.etag());
  absl::StatusOr<v1::Case> closed = cases_.CloseCase(ha_noi_, request);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state(), v1::CASE_STATE_CLOSED);
  EXPECT_EQ(closed->close_reason(), v1::CLOSE_REASON_REINTEGRATED);
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(closed->close_time()),
            (kNowUnixSeconds + 3 * 3600) * 1000);
  EXPECT_EQ(closed->next_review_date(), "");
  EXPECT_EQ(closed->plan(), kPlan);
  EXPECT_EQ(MustGet(c.name()).SerializeAsString(), closed->SerializeAsString());

  const std::vector<int64_t> before = Footprint();
  v1::CloseCaseRequest again = Close(c.name());
  again.set_reason(v1::CLOSE_REASON_MOVED);
  const absl::Status status = cases_.CloseCase(ha_noi_, again).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("CASE_STATE_CLOSED"));
  EXPECT_EQ(Footprint(), before);
  EXPECT_EQ(MustGet(c.name()).close_reason(), v1::CLOSE_REASON_REINTEGRATED);

  const absl::Status review = cases_.ReviewCase(ha_noi_, Review(c.name())).status();
  EXPECT_EQ(review.code(), absl::StatusCode::kFailedPrecondition) << review;
}

TEST_F(CasesTest, NamesABadCloseReasonAndRefusesAStaleEtag) {
  const v1::Case c = MustOpen(Open("case-1"));
  const std::vector<int64_t> before = Footprint();
  for (int reason : {0, 42}) {
    v1::CloseCaseRequest request = Close(c.name());
    request.set_reason(static_cast<v1::CloseReason>(reason));
    const absl::Status status = cases_.CloseCase(ha_noi_, request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << reason;
    EXPECT_THAT(ViolatedFields(status), ElementsAre("reason")) << reason;
  }
  v1::CloseCaseRequest bad_name = Close("cases/");
  EXPECT_THAT(ViolatedFields(cases_.CloseCase(ha_noi_, bad_name).status()), ElementsAre("name"));
  v1::CloseCaseRequest stale = Close(c.name());
  stale.set_etag("v7");
  EXPECT_EQ(cases_.CloseCase(ha_noi_, stale).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Footprint(), before);
  EXPECT_EQ(MustGet(c.name()).state(), v1::CASE_STATE_OPEN);
}

// --- events ---

TEST_F(CasesTest, AnnouncesEachChangeOnceWithIdsCodesAndDatesButNoText) {
  const v1::Case c = MustOpen(Open("case-1"));
  MustOpen(Open("case-1"));  // A retry announces nothing.
  v1::UpdateCaseRequest update = Update(c.name(), {"plan"});
  update.mutable_case_()->set_plan(kNewPlan);
  ASSERT_TRUE(cases_.UpdateCase(ha_noi_, update).ok());
  ASSERT_TRUE(cases_.AddCaseNote(ha_noi_, Note("note-1", c.name())).ok());
  ASSERT_TRUE(cases_.ReviewCase(ha_noi_, Review(c.name())).ok());
  v1::CloseCaseRequest close = Close(c.name());
  close.set_reason(v1::CLOSE_REASON_TRANSFERRED);
  ASSERT_TRUE(cases_.CloseCase(ha_noi_, close).ok());
  EXPECT_FALSE(cases_.CloseCase(ha_noi_, close).ok());

  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre(kOpened, kReviewed, kClosed));
  const std::vector<events::v1::EventEnvelope> envelopes = events::OutboxEnvelopes(*db_);
  ASSERT_EQ(envelopes.size(), 3u);
  for (const events::v1::EventEnvelope& e : envelopes) {
    const std::string bytes = e.SerializeAsString();
    for (const char* text : {kPlan, kNewPlan, kNote, kSummary, "Hoa", "Nguyễn Thị Thu Hằng"}) {
      EXPECT_THAT(bytes, Not(HasSubstr(text))) << e.event_type();
    }
    EXPECT_EQ(e.producer(), "referrals");
    EXPECT_EQ(e.aggregate_type(), "case");
    EXPECT_EQ(e.aggregate_id(), c.name());
  }
  events::v1::CaseOpened opened;
  ASSERT_TRUE(envelopes[0].payload().UnpackTo(&opened));
  EXPECT_EQ(opened.case_id(), c.name());
  EXPECT_EQ(opened.client(), "clients/hoa");
  EXPECT_EQ(opened.unit_code(), "268");
  EXPECT_EQ(opened.agency_code(), "SLDTBXH-HN");
  events::v1::CaseClosed closed;
  ASSERT_TRUE(envelopes[2].payload().UnpackTo(&closed));
  EXPECT_EQ(closed.case_id(), c.name());
  EXPECT_EQ(closed.client(), "clients/hoa");
  EXPECT_EQ(closed.unit_code(), "268");
  EXPECT_EQ(closed.reason(), v1::CLOSE_REASON_TRANSFERRED);
  EXPECT_THAT(envelopes[2].sequence(), 3);
}

}  // namespace
}  // namespace pcmd::referrals
