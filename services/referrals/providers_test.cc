// The provider directory: creation, search ignoring diacritics, paging, updates with
// field masks and etags, scope, and the events each change publishes.
#include "services/referrals/providers.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/events/outbox_testing.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "services/referrals/sqlite_provider_store.h"

namespace pcmd::referrals {
namespace {

using security::AgencyKind;
using security::Scope;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class ProvidersTest : public ::testing::Test {
 protected:
  ProvidersTest()
      : clock_(absl::FromUnixSeconds(1717400000)),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, ReferralsMigrations())),
        outbox_("referrals", clock_),
        store_(*db_, outbox_, clock_),
        units_(*db_),
        providers_(store_, clock_, units_) {
    EXPECT_TRUE(units::RememberUnits(*db_, {{"01", "VN"}, {"268", "01"}, {"33", "VN"}}).ok());
  }

  static v1::CreateProviderRequest HealthCentre(const std::string& request_id) {
    v1::CreateProviderRequest r;
    r.set_request_id(request_id);
    r.set_display_name("Trung tâm Y tế huyện Thanh Trì");
    r.set_kind(v1::PROVIDER_KIND_HEALTH_FACILITY);
    r.add_services(v1::SERVICE_TYPE_ARV_TREATMENT);
    r.add_services(v1::SERVICE_TYPE_HIV_STI_TESTING);
    r.set_unit_code("268");
    r.set_capacity(40);
    r.set_agency_code("YTE-TT");
    r.set_contact("Số 2 Ngọc Hồi, Văn Điển; ĐT 024 3861 2345");
    return r;
  }

  // A provider named `display_name` of `kind` in `unit` offering `service`.
  v1::Provider MustCreate(const std::string& request_id, const std::string& display_name,
                          v1::ProviderKind kind, const std::string& unit, v1::ServiceType service) {
    v1::CreateProviderRequest r = HealthCentre(request_id);
    r.set_display_name(display_name);
    r.set_kind(kind);
    r.set_unit_code(unit);
    r.clear_services();
    r.add_services(service);
    absl::StatusOr<v1::Provider> p = providers_.Create(national_, r);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.value_or(v1::Provider());
  }

  // The display names a listing returns, in order.
  std::vector<std::string> Names(const v1::ListProvidersRequest& request) {
    absl::StatusOr<v1::ListProvidersResponse> page = providers_.List(reader_, request);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> names;
    if (!page.ok()) return names;
    for (const v1::Provider& p : page->providers()) names.push_back(p.display_name());
    return names;
  }

  std::vector<std::string> Search(const std::string& query) {
    v1::ListProvidersRequest request;
    request.set_query(query);
    return Names(request);
  }

  static v1::UpdateProviderRequest UpdateOf(const v1::Provider& p,
                                            const std::vector<std::string>& paths) {
    v1::UpdateProviderRequest r;
    *r.mutable_provider() = p;
    for (const std::string& path : paths) r.mutable_update_mask()->add_paths(path);
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteProviderStore store_;
  units::SqliteUnitTree units_;
  Providers providers_;
  const security::Access national_ =
      security::Access::For(AgencyKind::kSocialAffairs, "VN", "NATIONAL", Scope::kOwnUnitSubtree);
  // Hà Nội's social-affairs department: units 01 and 268.
  const security::Access hanoi_ =
      security::Access::For(AgencyKind::kSocialAffairs, "01", "SLDTBXH-HN", Scope::kOwnUnitSubtree);
  const security::Access hung_yen_ =
      security::Access::For(AgencyKind::kSocialAffairs, "33", "SLDTBXH-HY", Scope::kOwnUnitSubtree);
  // A police unit in Hưng Yên reading the directory, as the access rules let it.
  const security::Access reader_ =
      security::Access::For(AgencyKind::kPolice, "33", "CA-HY", Scope::kAll);
};

// ---------------------------------------------------------------------------------
// Create and Get

TEST_F(ProvidersTest, AddsAnActiveProviderWithItsAgencyContactAndServices) {
  absl::StatusOr<v1::Provider> p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<v1::Provider> read = providers_.Get(p->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->active());
  EXPECT_EQ(read->display_name(), "Trung tâm Y tế huyện Thanh Trì");
  EXPECT_THAT(read->services(),
              ElementsAre(v1::SERVICE_TYPE_HIV_STI_TESTING, v1::SERVICE_TYPE_ARV_TREATMENT));
  EXPECT_EQ(read->capacity(), 40);
  EXPECT_EQ(read->agency_code(), "YTE-TT");
  EXPECT_EQ(read->contact(), "Số 2 Ngọc Hồi, Văn Điển; ĐT 024 3861 2345");
  EXPECT_EQ(read->etag(), "1");
  EXPECT_EQ(read->update_time().seconds(), 1717400000);
}

TEST_F(ProvidersTest, ReturnsTheSameProviderWhenARequestIsRetried) {
  absl::StatusOr<v1::Provider> first = providers_.Create(national_, HealthCentre("p-1"));
  absl::StatusOr<v1::Provider> retry = providers_.Create(national_, HealthCentre("p-1"));
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
  EXPECT_THAT(ViolatedFields(s), UnorderedElementsAre("services[2]", "services[3]", "capacity"));
  EXPECT_TRUE(providers_.Create(national_, HealthCentre("p-2")).ok())
      << "the failed request must not have consumed its request_id";
}

TEST_F(ProvidersTest, PublishesProviderRegisteredOnceWithTheAgency) {
  ASSERT_TRUE(providers_.Create(national_, HealthCentre("p-1")).ok());
  ASSERT_TRUE(providers_.Create(national_, HealthCentre("p-1")).ok());
  const std::vector<events::v1::EventEnvelope> envs = events::OutboxEnvelopes(*db_);
  ASSERT_EQ(envs.size(), 1u);
  events::v1::ProviderRegistered registered;
  ASSERT_TRUE(envs[0].payload().UnpackTo(&registered));
  EXPECT_EQ(registered.agency_code(), "YTE-TT");
  EXPECT_EQ(registered.unit_code(), "268");
  EXPECT_EQ(registered.kind(), v1::PROVIDER_KIND_HEALTH_FACILITY);
  EXPECT_THAT(registered.services(),
              ElementsAre(v1::SERVICE_TYPE_HIV_STI_TESTING, v1::SERVICE_TYPE_ARV_TREATMENT));
}

TEST_F(ProvidersTest, RequiresAtLeastOneService) {
  v1::CreateProviderRequest none = HealthCentre("p-3");
  none.clear_services();
  EXPECT_THAT(ViolatedFields(providers_.Create(national_, none).status()), ElementsAre("services"));
}

TEST_F(ProvidersTest, RequiresAWellFormedAgencyCode) {
  v1::CreateProviderRequest missing = HealthCentre("p-4");
  missing.clear_agency_code();
  EXPECT_THAT(ViolatedFields(providers_.Create(national_, missing).status()),
              ElementsAre("agency_code"));
  v1::CreateProviderRequest spaced = HealthCentre("p-5");
  spaced.set_agency_code("YTE TT");
  EXPECT_THAT(ViolatedFields(providers_.Create(national_, spaced).status()),
              ElementsAre("agency_code"));
}

TEST_F(ProvidersTest, RefusesAContactLongerThan500Characters) {
  v1::CreateProviderRequest r = HealthCentre("p-6");
  r.set_contact(std::string(501, 'a'));
  EXPECT_THAT(ViolatedFields(providers_.Create(national_, r).status()), ElementsAre("contact"));
  r.set_contact(std::string(500, 'a'));
  EXPECT_TRUE(providers_.Create(national_, r).ok());
}

TEST_F(ProvidersTest, RefusesAUnitThatIsNotInTheDirectoryOfUnits) {
  v1::CreateProviderRequest r = HealthCentre("p-7");
  r.set_unit_code("99999");
  const absl::Status s = providers_.Create(national_, r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("unit_code"));
  EXPECT_THAT(events::OutboxEventTypes(*db_), IsEmpty());
}

TEST_F(ProvidersTest, RefusesToCreateOneInAUnitOutsideTheCallersUnits) {
  const absl::Status status = providers_.Create(hung_yen_, HealthCentre("r-scope")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

// ---------------------------------------------------------------------------------
// List

TEST_F(ProvidersTest, ListsTheProvidersOfAUnitAndOfTheUnitsUnderIt) {
  MustCreate("a", "Trung tâm Công tác xã hội Hà Nội", v1::PROVIDER_KIND_SOCIAL_WORK_CENTRE, "01",
             v1::SERVICE_TYPE_SHELTER);
  MustCreate("b", "Trung tâm Y tế huyện Thanh Trì", v1::PROVIDER_KIND_HEALTH_FACILITY, "268",
             v1::SERVICE_TYPE_ARV_TREATMENT);
  MustCreate("c", "Trung tâm Y tế Văn Lâm", v1::PROVIDER_KIND_HEALTH_FACILITY, "33",
             v1::SERVICE_TYPE_ARV_TREATMENT);
  v1::ListProvidersRequest hanoi;
  hanoi.set_unit_code("01");
  EXPECT_THAT(Names(hanoi),
              ElementsAre("Trung tâm Công tác xã hội Hà Nội", "Trung tâm Y tế huyện Thanh Trì"));
  v1::ListProvidersRequest thanh_tri;
  thanh_tri.set_unit_code("268");
  EXPECT_THAT(Names(thanh_tri), ElementsAre("Trung tâm Y tế huyện Thanh Trì"));
  EXPECT_THAT(Names(v1::ListProvidersRequest()),
              ElementsAre("Trung tâm Công tác xã hội Hà Nội", "Trung tâm Y tế huyện Thanh Trì",
                          "Trung tâm Y tế Văn Lâm"));
}

TEST_F(ProvidersTest, FindsAProviderByTheWordsOfItsNameIgnoringDiacritics) {
  MustCreate("a", "Trung tâm Y tế huyện Thanh Trì", v1::PROVIDER_KIND_HEALTH_FACILITY, "268",
             v1::SERVICE_TYPE_ARV_TREATMENT);
  MustCreate("b", "Phòng khám Đống Đa", v1::PROVIDER_KIND_HEALTH_FACILITY, "01",
             v1::SERVICE_TYPE_HIV_STI_TESTING);
  EXPECT_THAT(Search("trung tam y te thanh tri"), ElementsAre("Trung tâm Y tế huyện Thanh Trì"));
  EXPECT_THAT(Search("THANH TRÌ"), ElementsAre("Trung tâm Y tế huyện Thanh Trì"));
  EXPECT_THAT(Search("dong da"), ElementsAre("Phòng khám Đống Đa"));
  EXPECT_THAT(Search("đống"), ElementsAre("Phòng khám Đống Đa"));
}

TEST_F(ProvidersTest, MatchesOnlyWhenEveryWordIsAWholeWordOfTheName) {
  MustCreate("a", "Trung tâm Y tế huyện Thanh Trì", v1::PROVIDER_KIND_HEALTH_FACILITY, "268",
             v1::SERVICE_TYPE_ARV_TREATMENT);
  EXPECT_THAT(Search("thanh tri dong"), IsEmpty()) << "one word missing";
  EXPECT_THAT(Search("thanh tr"), IsEmpty()) << "a prefix is not a word";
  EXPECT_THAT(Search("ung"), IsEmpty()) << "nor is a part of one";
}

TEST_F(ProvidersTest, FiltersByServiceAndByKind) {
  MustCreate("a", "Trung tâm Y tế huyện Thanh Trì", v1::PROVIDER_KIND_HEALTH_FACILITY, "268",
             v1::SERVICE_TYPE_ARV_TREATMENT);
  MustCreate("b", "Trợ giúp pháp lý Hà Nội", v1::PROVIDER_KIND_LEGAL_AID, "01",
             v1::SERVICE_TYPE_LEGAL_COUNSELLING);
  MustCreate("c", "Nhóm tự lực Hoa Sen", v1::PROVIDER_KIND_SELF_HELP_GROUP, "01",
             v1::SERVICE_TYPE_LEGAL_COUNSELLING);
  v1::ListProvidersRequest legal;
  legal.set_service(v1::SERVICE_TYPE_LEGAL_COUNSELLING);
  EXPECT_THAT(Names(legal), ElementsAre("Nhóm tự lực Hoa Sen", "Trợ giúp pháp lý Hà Nội"));
  legal.set_kind(v1::PROVIDER_KIND_LEGAL_AID);
  EXPECT_THAT(Names(legal), ElementsAre("Trợ giúp pháp lý Hà Nội"));
}

TEST_F(ProvidersTest, LeavesOutInactiveProvidersUnlessAskedForThem) {
  const v1::Provider closed =
      MustCreate("a", "Phòng khám đã đóng", v1::PROVIDER_KIND_HEALTH_FACILITY, "268",
                 v1::SERVICE_TYPE_ARV_TREATMENT);
  MustCreate("b", "Trung tâm Y tế huyện Thanh Trì", v1::PROVIDER_KIND_HEALTH_FACILITY, "268",
             v1::SERVICE_TYPE_ARV_TREATMENT);
  v1::Provider off = closed;
  off.set_active(false);
  ASSERT_TRUE(providers_.Update(national_, UpdateOf(off, {"active"})).ok());
  v1::ListProvidersRequest request;
  EXPECT_THAT(Names(request), ElementsAre("Trung tâm Y tế huyện Thanh Trì"));
  request.set_include_inactive(true);
  EXPECT_THAT(Names(request), ElementsAre("Phòng khám đã đóng", "Trung tâm Y tế huyện Thanh Trì"));
}

TEST_F(ProvidersTest, OrdersByDisplayNameWithDiacriticsFolded) {
  // Compared as bytes, "Ân" and "Đ" would sort after "H".
  const std::vector<std::string> names = {"Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên",
                                          "Bệnh viện Bạch Mai", "Dạy nghề Thanh Trì", "Ân Phúc"};
  for (size_t i = 0; i < names.size(); ++i) {
    MustCreate(absl::StrCat("r", i), names[i], v1::PROVIDER_KIND_NGO, "01",
               v1::SERVICE_TYPE_REINTEGRATION);
  }
  EXPECT_THAT(Names(v1::ListProvidersRequest()),
              ElementsAre("Ân Phúc", "Bệnh viện Bạch Mai", "Dạy nghề Thanh Trì", "Đoàn Thanh niên",
                          "Hội Liên hiệp Phụ nữ"));
}

TEST_F(ProvidersTest, PagesThroughTheDirectoryWithoutRepeatsOrGaps) {
  for (int i = 0; i < 5; ++i) {
    MustCreate(absl::StrCat("p", i), absl::StrCat("Nhóm đồng đẳng số ", i),
               v1::PROVIDER_KIND_PEER_GROUP, "268", v1::SERVICE_TYPE_HIV_STI_TESTING);
  }
  v1::ListProvidersRequest request;
  request.set_page_size(2);
  std::vector<std::string> seen;
  int pages = 0;
  do {
    absl::StatusOr<v1::ListProvidersResponse> page = providers_.List(reader_, request);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->providers_size(), 2);
    for (const v1::Provider& p : page->providers()) seen.push_back(p.display_name());
    request.set_page_token(page->next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ElementsAre("Nhóm đồng đẳng số 0", "Nhóm đồng đẳng số 1", "Nhóm đồng đẳng số 2",
                                "Nhóm đồng đẳng số 3", "Nhóm đồng đẳng số 4"));
}

TEST_F(ProvidersTest, RefusesAPageTokenOfAnotherQueryOrAMadeUpOne) {
  for (int i = 0; i < 3; ++i) {
    MustCreate(absl::StrCat("p", i), absl::StrCat("Nhóm số ", i), v1::PROVIDER_KIND_PEER_GROUP,
               "268", v1::SERVICE_TYPE_HIV_STI_TESTING);
  }
  v1::ListProvidersRequest request;
  request.set_page_size(1);
  absl::StatusOr<v1::ListProvidersResponse> first = providers_.List(reader_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->next_page_token().empty());
  v1::ListProvidersRequest other = request;
  other.set_page_token(first->next_page_token());
  other.set_kind(v1::PROVIDER_KIND_PEER_GROUP);
  EXPECT_THAT(ViolatedFields(providers_.List(reader_, other).status()), ElementsAre("page_token"));
  request.set_page_token("bm90IGEgdG9rZW4");
  EXPECT_THAT(ViolatedFields(providers_.List(reader_, request).status()),
              ElementsAre("page_token"));
}

TEST_F(ProvidersTest, RefusesABadPageSizeAnUnknownUnitAndUnknownEnums) {
  v1::ListProvidersRequest request;
  request.set_page_size(201);
  request.set_unit_code("99999");
  request.set_service(static_cast<v1::ServiceType>(77));
  request.set_kind(static_cast<v1::ProviderKind>(77));
  const absl::Status s = providers_.List(reader_, request).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(s), UnorderedElementsAre("page_size", "unit_code", "service", "kind"));
}

// ---------------------------------------------------------------------------------
// Update

TEST_F(ProvidersTest, ChangesOnlyTheFieldsOfTheMaskAndGivesANewEtag) {
  absl::StatusOr<v1::Provider> p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  clock_.Advance(absl::Hours(1));
  v1::Provider changed = *p;
  changed.set_display_name("Trung tâm Kiểm soát bệnh tật Thanh Trì");
  changed.set_capacity(999);  // Not in the mask: left as stored.
  changed.set_contact("ĐT 024 3861 0000");
  changed.clear_services();
  changed.add_services(v1::SERVICE_TYPE_METHADONE);
  changed.add_services(v1::SERVICE_TYPE_HIV_STI_TESTING);
  changed.set_unit_code("33");  // Output of the record: never taken from the request.
  v1::UpdateProviderRequest request = UpdateOf(changed, {"display_name", "contact", "services"});
  request.set_etag(p->etag());
  absl::StatusOr<v1::Provider> updated = providers_.Update(national_, request);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->display_name(), "Trung tâm Kiểm soát bệnh tật Thanh Trì");
  EXPECT_EQ(updated->contact(), "ĐT 024 3861 0000");
  EXPECT_THAT(updated->services(),
              ElementsAre(v1::SERVICE_TYPE_HIV_STI_TESTING, v1::SERVICE_TYPE_METHADONE));
  EXPECT_EQ(updated->capacity(), 40);
  EXPECT_EQ(updated->unit_code(), "268");
  EXPECT_EQ(updated->etag(), "2");
  EXPECT_EQ(updated->update_time().seconds(), 1717400000 + 3600);
  EXPECT_EQ(updated->create_time().seconds(), 1717400000);
  EXPECT_THAT(Search("kiem soat benh tat"), ElementsAre("Trung tâm Kiểm soát bệnh tật Thanh Trì"));
  EXPECT_THAT(Search("trung tam y te"), IsEmpty()) << "the old name is no longer searched";
}

TEST_F(ProvidersTest, PublishesProviderUpdatedOnceWithTheNewServicesCapacityAndActivity) {
  absl::StatusOr<v1::Provider> p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  v1::Provider changed = *p;
  changed.set_capacity(10);
  changed.set_active(false);
  ASSERT_TRUE(providers_.Update(national_, UpdateOf(changed, {"capacity", "active"})).ok());
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.ProviderRegistered", "pcmd.events.v1.ProviderUpdated"));
  events::v1::ProviderUpdated updated;
  ASSERT_TRUE(events::OutboxEnvelopes(*db_).back().payload().UnpackTo(&updated));
  EXPECT_EQ(updated.provider(), p->name());
  EXPECT_EQ(updated.capacity(), 10);
  EXPECT_FALSE(updated.active());
  EXPECT_THAT(updated.services(),
              ElementsAre(v1::SERVICE_TYPE_HIV_STI_TESTING, v1::SERVICE_TYPE_ARV_TREATMENT));
}

TEST_F(ProvidersTest, NamesEachPathOfTheMaskThatCannotBeChangedAndWritesNothing) {
  absl::StatusOr<v1::Provider> p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  const absl::Status s = providers_
                             .Update(national_, UpdateOf(*p, {"capacity", "unit_code", "kind",
                                                              "agency_code", "provider.contact"}))
                             .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("update_mask.paths[1]", "update_mask.paths[2]",
                                             "update_mask.paths[3]", "update_mask.paths[4]"));
  EXPECT_EQ(providers_.Get(p->name())->etag(), "1");
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.ProviderRegistered"));
}

TEST_F(ProvidersTest, RefusesAnEmptyMask) {
  absl::StatusOr<v1::Provider> p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  const absl::Status s = providers_.Update(national_, UpdateOf(*p, {})).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("update_mask.paths"));
}

TEST_F(ProvidersTest, ChecksChangedFieldsAsCreateDoesAndWritesNothing) {
  absl::StatusOr<v1::Provider> p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  v1::Provider bad = *p;
  bad.set_display_name("");
  bad.add_services(v1::SERVICE_TYPE_ARV_TREATMENT);  // Already listed: services[2].
  bad.set_capacity(100001);
  bad.set_contact(std::string(501, 'x'));
  const absl::Status s =
      providers_
          .Update(national_, UpdateOf(bad, {"display_name", "services", "capacity", "contact"}))
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(s),
              UnorderedElementsAre("provider.display_name", "provider.services[2]",
                                   "provider.capacity", "provider.contact"));
  absl::StatusOr<v1::Provider> after = providers_.Get(p->name());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->SerializeAsString(), p->SerializeAsString());
}

TEST_F(ProvidersTest, AnswersAbortedForAStaleEtagAndWritesNothing) {
  absl::StatusOr<v1::Provider> p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  v1::Provider first = *p;
  first.set_capacity(50);
  v1::UpdateProviderRequest one = UpdateOf(first, {"capacity"});
  one.set_etag(p->etag());
  ASSERT_TRUE(providers_.Update(national_, one).ok());
  v1::Provider second = *p;
  second.set_capacity(60);
  v1::UpdateProviderRequest stale = UpdateOf(second, {"capacity"});
  stale.set_etag(p->etag());
  EXPECT_EQ(providers_.Update(national_, stale).status().code(), absl::StatusCode::kAborted);
  absl::StatusOr<v1::Provider> after = providers_.Get(p->name());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->capacity(), 50);
  EXPECT_EQ(after->etag(), "2");
  EXPECT_EQ(events::OutboxEventTypes(*db_).size(), 2u) << "registered and one update";
}

TEST_F(ProvidersTest, RefusesAnUpdateOutsideTheCallersUnitsAndWritesNothing) {
  absl::StatusOr<v1::Provider> p = providers_.Create(hanoi_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  v1::Provider changed = *p;
  changed.set_active(false);
  EXPECT_EQ(providers_.Update(hung_yen_, UpdateOf(changed, {"active"})).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(providers_.Get(p->name())->active());
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.ProviderRegistered"));
  EXPECT_TRUE(providers_.Update(hanoi_, UpdateOf(changed, {"active"})).ok())
      << "the unit above the provider's reaches it";
}

TEST_F(ProvidersTest, AnswersNotFoundForAProviderThatDoesNotExist) {
  v1::Provider ghost;
  ghost.set_name("providers/nope");
  ghost.set_capacity(1);
  EXPECT_EQ(providers_.Update(national_, UpdateOf(ghost, {"capacity"})).status().code(),
            absl::StatusCode::kNotFound);
  ghost.set_name("clients/nope");
  EXPECT_THAT(ViolatedFields(providers_.Update(national_, UpdateOf(ghost, {"capacity"})).status()),
              ElementsAre("provider.name"));
}

// ---------------------------------------------------------------------------------
// Events

// Every payload parses as the type its envelope names with no field beyond those the
// event defines, and none holds the provider's name or contact.
TEST_F(ProvidersTest, EventsCarryOnlyTheFieldsTheyDefineAndNeitherNameNorContact) {
  absl::StatusOr<v1::Provider> p = providers_.Create(national_, HealthCentre("p-1"));
  ASSERT_TRUE(p.ok()) << p.status();
  v1::Provider changed = *p;
  changed.set_contact("Số 9 Phan Trọng Tuệ; ĐT 024 3688 7777");
  changed.set_display_name("Bệnh viện đa khoa Thanh Trì");
  ASSERT_TRUE(providers_.Update(national_, UpdateOf(changed, {"contact", "display_name"})).ok());
  const std::vector<events::v1::EventEnvelope> envs = events::OutboxEnvelopes(*db_);
  ASSERT_EQ(envs.size(), 2u);
  for (const events::v1::EventEnvelope& env : envs) {
    const google::protobuf::Descriptor* type =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(env.event_type());
    ASSERT_NE(type, nullptr) << env.event_type();
    std::unique_ptr<google::protobuf::Message> payload(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
    ASSERT_TRUE(payload->ParseFromString(env.payload().value()));
    EXPECT_EQ(payload->GetReflection()->GetUnknownFields(*payload).field_count(), 0);
    const std::string bytes = env.SerializeAsString();
    for (absl::string_view secret : {"3861", "3688", "Ngọc Hồi", "Thanh Trì"}) {
      EXPECT_FALSE(absl::StrContains(bytes, secret)) << env.event_type() << " holds " << secret;
    }
  }
}

}  // namespace
}  // namespace pcmd::referrals
