// Hand-overs from the police to social affairs: the logic over the real SQLite stores,
// in memory, and on a file whose bytes are examined directly.
#include "services/intake/handovers.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/events/outbox_testing.h"
#include "common/log/log.h"
#include "common/log/log_testing.h"
#include "common/status/status.h"
#include "common/storage/idempotency.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/envelope.pb.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/intake/sqlite_handover_store.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

// Three women found in a raid on a karaoke bar in Thanh Trì (unit 268, under Hà Nội, 01).
constexpr char kHongName[] = "Nguyễn Thị Hồng";
constexpr char kHongBirthDate[] = "2001-09-02";
constexpr char kHongIdNumber[] = "001301012345";
constexpr char kHongPhone[] = "0903 123 456";
constexpr char kHongNeeds[] =
    "Cần chỗ ở tạm và khám sức khỏe.\nMuốn học nghề may để có việc làm ổn định.";
constexpr char kMyName[] = "Lò Thị Mỷ";
constexpr char kMyBirthDate[] = "2008-03-15";
constexpr char kMyNeeds[] = "Muốn về với gia đình ở Sơn La";
constexpr char kHaName[] = "Đặng Thu Hà";
constexpr char kHaIdNumber[] = "038198007654";
constexpr char kHaPhone[] = "+84 97 111 2233";

// Every text value above that is personal data; none may be stored or sent in clear.
std::vector<std::string> PersonalValues() {
  return {kHongName,    kHongBirthDate, kHongIdNumber, kHongPhone,  kHongNeeds, kMyName,
          kMyBirthDate, kMyNeeds,       kHaName,       kHaIdNumber, kHaPhone};
}

// Hồng (every field), Mỷ (a minor, no ID number or phone), Hà (a trafficking victim,
// no birth date or needs), found on 2 June 2024 in Thanh Trì.
v1::CreateHandOverRequest ValidRequest(const std::string& request_id) {
  v1::CreateHandOverRequest r;
  r.set_request_id(request_id);
  v1::HandOver& h = *r.mutable_hand_over();
  h.set_unit_code("268");
  h.set_found_date("2024-06-02");
  v1::HandedOverPerson& hong = *h.add_persons();
  hong.set_full_name(kHongName);
  hong.set_birth_date(kHongBirthDate);
  hong.set_id_number(kHongIdNumber);
  hong.set_phone(kHongPhone);
  hong.set_needs(kHongNeeds);
  v1::HandedOverPerson& my = *h.add_persons();
  my.set_full_name(kMyName);
  my.set_birth_date(kMyBirthDate);
  my.set_minor(true);
  my.set_needs(kMyNeeds);
  v1::HandedOverPerson& ha = *h.add_persons();
  ha.set_full_name(kHaName);
  ha.set_id_number(kHaIdNumber);
  ha.set_phone(kHaPhone);
  ha.set_trafficking_victim(true);
  return r;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using log::LogCapture;

// The logic and the stores over one database.
struct Intake {
  Intake(storage::SqliteDatabase& db, const Clock& clock, const crypto::Keyring& keys)
      : outbox("intake", clock),
        tip_store(db, outbox, clock, keys),
        store(db, outbox, clock, keys),
        units(db),
        tips(tip_store, clock, units, keys),
        hand_overs(store, tip_store, clock, units, keys) {}
  events::Outbox outbox;
  SqliteTipStore tip_store;
  SqliteHandOverStore store;
  units::SqliteUnitTree units;
  Tips tips;
  HandOvers hand_overs;
};

class HandOversTest : public ::testing::Test {
 protected:
  // In memory, or `on_file` in a temporary folder.
  explicit HandOversTest(bool on_file = false)
      : path_(on_file ? dir_.File("intake.db") : ":memory:"),
        clock_(absl::FromCivil(absl::CivilSecond(2024, 6, 3, 9, 30, 0), absl::UTCTimeZone())),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        db_(*storage::SqliteDatabase::Open({.path = path_}, IntakeMigrations())),
        intake_(std::make_unique<Intake>(*db_, clock_, *keys_)) {
    EXPECT_TRUE(units::RememberUnits(*db_, {{"01", "VN"}, {"33", "VN"}, {"268", "01"}}).ok());
  }

  HandOvers& hand_overs() { return intake_->hand_overs; }

  int64_t Count(const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     auto row = tx.QueryOne(absl::StrCat("SELECT COUNT(*) FROM ", table));
                     if (!row.ok()) return row.status();
                     n = (*row)->Int(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }

  // Values of one column of `table` in row order, as bytes.
  std::vector<std::string> Column(const std::string& table, const std::string& column) {
    std::vector<std::string> values;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     auto rows = tx.Query(absl::StrCat("SELECT ", column, " FROM ", table));
                     if (!rows.ok()) return rows.status();
                     for (const auto& r : *rows) values.push_back(r.Text(0));
                     return absl::OkStatus();
                   })
                    .ok());
    return values;
  }

  absl::Status Execute(const std::string& sql) {
    return db_->Write([&](storage::Transaction& tx) { return tx.Execute(sql); });
  }

  // The SupportOutreachRequested events in the outbox, in order.
  std::vector<events::v1::SupportOutreachRequested> OutreachEvents() {
    std::vector<events::v1::SupportOutreachRequested> found;
    for (const std::string& bytes : Column("outbox", "envelope")) {
      events::v1::EventEnvelope envelope;
      EXPECT_TRUE(envelope.ParseFromString(bytes));
      events::v1::SupportOutreachRequested requested;
      if (envelope.payload().UnpackTo(&requested)) found.push_back(requested);
    }
    return found;
  }

  pcmd::testing::TempDir dir_;
  const std::string path_;
  FakeClock clock_;
  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  std::unique_ptr<Intake> intake_;
  // Hà Nội city police (unit 01), which raided the bar in its district Thanh Trì.
  const security::Access police_ = security::Access::For(
      security::AgencyKind::kPolice, "01", "CA-HN-PC02", security::Scope::kOwnUnitSubtree);
  // Thanh Trì's social-affairs office, which takes the women on.
  const security::Access social_affairs_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "268", "LDTBXH-TT", security::Scope::kOwnUnitSubtree);
  // Hưng Yên's (33): another province.
  const security::Access hung_yen_social_affairs_ = security::Access::For(
      security::AgencyKind::kSocialAffairs, "33", "SLDTBXH-HY", security::Scope::kOwnUnitSubtree);
  const security::Access hung_yen_police_ = security::Access::For(
      security::AgencyKind::kPolice, "33", "CA-HY-PC02", security::Scope::kOwnUnitSubtree);
};

TEST_F(HandOversTest, ReadsBackEveryPersonsFieldsWithTheirVietnameseDiacriticsIntact) {
  const v1::CreateHandOverRequest request = ValidRequest("raid-1");
  auto created = hand_overs().Create(police_, request);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_THAT(created->name(), StartsWith("handovers/"));
  EXPECT_EQ(created->unit_code(), "268");
  EXPECT_EQ(created->found_date(), "2024-06-02");
  EXPECT_EQ(created->from_agency(), "CA-HN-PC02");
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(created->create_time()),
            absl::ToUnixMillis(clock_.Now()));

  auto read = hand_overs().Get(social_affairs_, created->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->SerializeAsString(), created->SerializeAsString());
  ASSERT_EQ(read->persons_size(), 3);
  for (int i = 0; i < 3; ++i) {
    v1::HandedOverPerson expected = request.hand_over().persons(i);
    expected.set_pseudonym(read->persons(i).pseudonym());
    EXPECT_EQ(read->persons(i).SerializeAsString(), expected.SerializeAsString()) << i;
  }
  EXPECT_EQ(read->persons(0).full_name(), "Nguyễn Thị Hồng");
  EXPECT_EQ(read->persons(0).needs(), kHongNeeds);
  EXPECT_TRUE(read->persons(1).minor());
  EXPECT_TRUE(read->persons(2).trafficking_victim());
  EXPECT_FALSE(read->persons(0).minor() || read->persons(0).trafficking_victim());
}

TEST_F(HandOversTest, GivesAPersonThePseudonymATipNamingTheSameIdNumberGives) {
  v1::SubmitTipRequest tip_request = sample::MinimalRequest("tip-1");
  v1::NamedPerson& named = *tip_request.add_persons();
  named.set_role(v1::PERSON_ROLE_VICTIM);
  named.set_full_name("Nguyễn T. Hồng");
  named.set_id_number(kHongIdNumber);
  auto tip = intake_->tips.Submit(sample::Receiver(), tip_request);
  ASSERT_TRUE(tip.ok()) << tip.status();
  auto created = hand_overs().Create(police_, ValidRequest("raid-1"));
  ASSERT_TRUE(created.ok()) << created.status();

  EXPECT_THAT(created->persons(0).pseudonym(), StartsWith("psn_"));
  EXPECT_EQ(created->persons(0).pseudonym(), tip->persons(0).pseudonym());
  EXPECT_EQ(created->persons(0).pseudonym(), crypto::BlindIndex(*keys_).Pseudonym(kHongIdNumber));
  EXPECT_EQ(created->persons(1).pseudonym(), "");  // No ID number, no pseudonym.
  EXPECT_EQ(created->persons(2).pseudonym(), crypto::BlindIndex(*keys_).Pseudonym(kHaIdNumber));
  // The ID number is findable by its blind index alone.
  EXPECT_THAT(Column("handover_persons", "id_number_index"),
              ElementsAre(crypto::BlindIndex(*keys_).Hash("id_number", kHongIdNumber), "",
                          crypto::BlindIndex(*keys_).Hash("id_number", kHaIdNumber)));
}

TEST_F(HandOversTest, ReplacesThePseudonymFromAgencyAndNameTheCallerSent) {
  v1::CreateHandOverRequest request = ValidRequest("raid-1");
  request.mutable_hand_over()->set_name("handovers/mine");
  request.mutable_hand_over()->set_from_agency("C06");
  request.mutable_hand_over()->mutable_persons(0)->set_pseudonym("psn_forged");
  request.mutable_hand_over()->mutable_persons(1)->set_pseudonym("psn_forged");
  auto created = hand_overs().Create(police_, request);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_NE(created->name(), "handovers/mine");
  EXPECT_EQ(created->from_agency(), "CA-HN-PC02");
  EXPECT_EQ(created->persons(0).pseudonym(), crypto::BlindIndex(*keys_).Pseudonym(kHongIdNumber));
  EXPECT_EQ(created->persons(1).pseudonym(), "");
}

TEST_F(HandOversTest, ReturnsTheSameHandOverForARepeatedRequestIdAndAppendsNoSecondEvents) {
  const v1::CreateHandOverRequest request = ValidRequest("raid-1");
  auto first = hand_overs().Create(police_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Minutes(5));
  auto retry = hand_overs().Create(police_, request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(Count("handovers"), 1);
  EXPECT_EQ(Count("handover_persons"), 3);
  EXPECT_EQ(OutreachEvents().size(), 3u);
  // Keyed with the index key: nobody holding the file can test guesses of an ID number
  // against the fingerprint.
  EXPECT_THAT(Column("idempotency_keys", "scope || ' ' || request_id"),
              ElementsAre("CreateHandOver raid-1"));
  EXPECT_THAT(Column("idempotency_keys", "fingerprint"),
              ElementsAre(storage::RequestFingerprint(request, keys_->index_key())));

  auto other = hand_overs().Create(police_, ValidRequest("raid-2"));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->name(), first->name());
  EXPECT_EQ(OutreachEvents().size(), 6u);
}

TEST_F(HandOversTest, RefusesToReuseARequestIdForADifferentHandOverNamingRequestId) {
  ASSERT_TRUE(hand_overs().Create(police_, ValidRequest("raid-1")).ok());
  v1::CreateHandOverRequest changed = ValidRequest("raid-1");
  changed.mutable_hand_over()->mutable_persons(2)->set_phone("0900 000 000");
  const absl::Status s = hand_overs().Create(police_, changed).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolatedFields(s), ElementsAre("request_id"));
  EXPECT_EQ(Count("handovers"), 1);
  EXPECT_EQ(OutreachEvents().size(), 3u);
}

// One bad field per case: each is named by its path in the request, alone, and nothing
// is written.
TEST_F(HandOversTest, NamesEachInvalidFieldByItsPathAndWritesNothing) {
  using Spoil = std::function<void(v1::CreateHandOverRequest&)>;
  auto person = [](v1::CreateHandOverRequest& r, int i) {
    return r.mutable_hand_over()->mutable_persons(i);
  };
  const std::vector<std::pair<std::string, Spoil>> cases = {
      {"request_id", [](auto& r) { r.clear_request_id(); }},
      {"request_id", [](auto& r) { r.set_request_id("raid 1"); }},
      {"hand_over.unit_code", [](auto& r) { r.mutable_hand_over()->clear_unit_code(); }},
      {"hand_over.unit_code", [](auto& r) { r.mutable_hand_over()->set_unit_code("Hà Nội"); }},
      // Well-formed, but not a unit of the directory.
      {"hand_over.unit_code", [](auto& r) { r.mutable_hand_over()->set_unit_code("99999"); }},
      {"hand_over.tip", [](auto& r) { r.mutable_hand_over()->set_tip("establishments/1"); }},
      {"hand_over.found_date", [](auto& r) { r.mutable_hand_over()->clear_found_date(); }},
      {"hand_over.found_date", [](auto& r) { r.mutable_hand_over()->set_found_date("2/6/2024"); }},
      // The clock says 3 June 2024, 16:30 in Vietnam.
      {"hand_over.found_date",
       [](auto& r) { r.mutable_hand_over()->set_found_date("2024-06-04"); }},
      {"hand_over.persons", [](auto& r) { r.mutable_hand_over()->clear_persons(); }},
      {"hand_over.persons",
       [](auto& r) {
         while (r.hand_over().persons_size() <= static_cast<int>(kMaxHandedOverPersons)) {
           *r.mutable_hand_over()->add_persons() = r.hand_over().persons(0);
         }
         // Not examined past the limit.
         r.mutable_hand_over()->mutable_persons(40)->clear_full_name();
       }},
      {"hand_over.persons[1].full_name", [&](auto& r) { person(r, 1)->clear_full_name(); }},
      {"hand_over.persons[1].full_name",
       [&](auto& r) { person(r, 1)->set_full_name(std::string(201, 'x')); }},
      {"hand_over.persons[1].full_name", [&](auto& r) { person(r, 1)->set_full_name("Lò\x01Mỷ"); }},
      {"hand_over.persons[0].birth_date",
       [&](auto& r) { person(r, 0)->set_birth_date("2024-06-04"); }},
      {"hand_over.persons[0].birth_date",
       [&](auto& r) { person(r, 0)->set_birth_date("2023-02-29"); }},
      {"hand_over.persons[0].birth_date",
       [&](auto& r) { person(r, 0)->set_birth_date("1899-12-31"); }},
      {"hand_over.persons[0].id_number",
       [&](auto& r) { person(r, 0)->set_id_number("001-301-012345"); }},
      {"hand_over.persons[2].phone", [&](auto& r) { person(r, 2)->set_phone("gọi sau 22h"); }},
      {"hand_over.persons[2].needs",
       [&](auto& r) { person(r, 2)->set_needs(std::string(kMaxNeedsChars + 1, 'a')); }},
      {"hand_over.persons[2].needs", [&](auto& r) { person(r, 2)->set_needs("Qu\xC3\x28"); }},
  };
  for (const auto& [path, spoil] : cases) {
    v1::CreateHandOverRequest request = ValidRequest("raid-1");
    spoil(request);
    const absl::Status s = hand_overs().Create(police_, request).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << path << ": " << s;
    EXPECT_THAT(ViolatedFields(s), ElementsAre(path)) << s;
  }
  for (const char* table : {"handovers", "handover_persons", "outbox", "idempotency_keys"}) {
    EXPECT_EQ(Count(table), 0) << table;
  }
}

TEST_F(HandOversTest, AcceptsFiftyPersonsAndCountsNamesInCharactersNotBytes) {
  v1::CreateHandOverRequest request = ValidRequest("raid-1");
  std::string name;
  for (int i = 0; i < 200; ++i) name += "ễ";  // 600 bytes, 200 characters.
  request.mutable_hand_over()->mutable_persons(1)->set_full_name(name);
  while (request.hand_over().persons_size() < static_cast<int>(kMaxHandedOverPersons)) {
    *request.mutable_hand_over()->add_persons() = request.hand_over().persons(1);
  }
  auto created = hand_overs().Create(police_, request);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->persons_size(), 50);
  EXPECT_EQ(created->persons(1).full_name(), name);
  EXPECT_EQ(OutreachEvents().size(), 50u);
}

TEST_F(HandOversTest, AnswersNotFoundNamingTipForAnUnknownTipAndWritesNothing) {
  v1::CreateHandOverRequest request = ValidRequest("raid-1");
  request.mutable_hand_over()->set_tip("tips/0192f0aa-0000-7000-8000-000000000009");
  const absl::Status s = hand_overs().Create(police_, request).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_THAT(s.message(), HasSubstr("tip tips/0192f0aa-0000-7000-8000-000000000009"));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("hand_over.tip"));
  for (const char* table : {"handovers", "handover_persons", "outbox", "idempotency_keys"}) {
    EXPECT_EQ(Count(table), 0) << table;
  }
}

TEST_F(HandOversTest, KeepsTheTipItFollowedAndNamesItInTheEvents) {
  auto tip = intake_->tips.Submit(sample::Receiver(), sample::MinimalRequest("tip-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  v1::CreateHandOverRequest request = ValidRequest("raid-1");
  request.mutable_hand_over()->set_tip(tip->name());
  auto created = hand_overs().Create(police_, request);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->tip(), tip->name());
  auto read = hand_overs().Get(police_, created->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->tip(), tip->name());
  for (const auto& e : OutreachEvents()) EXPECT_EQ(e.tip(), tip->name());
}

TEST_F(HandOversTest, PublishesOneSupportOutreachRequestedPerPersonWithoutPersonalValues) {
  auto created = hand_overs().Create(police_, ValidRequest("raid-1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.SupportOutreachRequested",
                          "pcmd.events.v1.SupportOutreachRequested",
                          "pcmd.events.v1.SupportOutreachRequested"));
  const std::vector<events::v1::SupportOutreachRequested> outreach = OutreachEvents();
  ASSERT_EQ(outreach.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const events::v1::SupportOutreachRequested& e = outreach[i];
    EXPECT_EQ(e.hand_over(), created->name());
    EXPECT_EQ(e.person_index(), i);
    EXPECT_EQ(e.pseudonym(), created->persons(i).pseudonym());
    EXPECT_EQ(e.unit_code(), "268");
    EXPECT_EQ(e.minor(), i == 1);
    EXPECT_EQ(e.trafficking_victim(), i == 2);
    EXPECT_EQ(e.from_agency(), "CA-HN-PC02");
    EXPECT_EQ(e.found_date(), "2024-06-02");
    EXPECT_EQ(e.tip(), "");
  }
  EXPECT_THAT(Column("outbox", "envelope"), SizeIs(3));
  for (const std::string& envelope : Column("outbox", "envelope")) {
    events::v1::EventEnvelope parsed;
    ASSERT_TRUE(parsed.ParseFromString(envelope));
    EXPECT_EQ(parsed.aggregate_type(), "handover");
    EXPECT_EQ(parsed.aggregate_id(), created->name());
    for (const std::string& value : PersonalValues()) {
      EXPECT_THAT(envelope, Not(HasSubstr(value))) << value;
    }
  }
}

TEST_F(HandOversTest, RefusesToCreateAHandOverOutsideThePolicesUnitsAndWritesNothing) {
  const absl::Status s = hand_overs().Create(hung_yen_police_, ValidRequest("raid-1")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_THAT(s.message(), HasSubstr("CA-HY-PC02"));
  for (const std::string& value : PersonalValues()) {
    EXPECT_THAT(s.message(), Not(HasSubstr(value)));
  }
  for (const char* table : {"handovers", "handover_persons", "outbox", "idempotency_keys"}) {
    EXPECT_EQ(Count(table), 0) << table;
  }
}

TEST_F(HandOversTest, RefusesAHandOverOutOfScopeWithoutOpeningAnything) {
  auto created = hand_overs().Create(police_, ValidRequest("raid-1"));
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string id = created->name().substr(std::string("handovers/").size());
  // Hồng's sealed name put in Mỷ's row: opening the persons now fails, and says so.
  ASSERT_TRUE(Execute(absl::StrCat("UPDATE handover_persons SET full_name = (SELECT full_name FROM "
                                   "handover_persons WHERE handover_id = '",
                                   id, "' AND position = 0) WHERE handover_id = '", id,
                                   "' AND position = 1"))
                  .ok());
  LogCapture logs;
  for (const security::Access& outside : {hung_yen_social_affairs_, hung_yen_police_}) {
    const absl::Status s = hand_overs().Get(outside, created->name()).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
    EXPECT_THAT(s.message(), HasSubstr(created->name()));
  }
  EXPECT_THAT(logs.lines(), IsEmpty()) << "nothing was opened";
  // Within scope the same read opens the persons, and finds the moved value.
  EXPECT_EQ(hand_overs().Get(social_affairs_, created->name()).status().code(),
            absl::StatusCode::kInternal);
  ASSERT_THAT(logs.lines(), SizeIs(1));
  EXPECT_THAT(logs.lines()[0], HasSubstr("sealed_field_unreadable"));
  EXPECT_THAT(logs.lines()[0], HasSubstr("persons/1.full_name"));
  EXPECT_THAT(logs.lines()[0], Not(HasSubstr(kHongName)));
}

TEST_F(HandOversTest, LetsThePoliceThatMadeItAndTheUnitsAboveReadItButNotAnotherProvince) {
  auto created = hand_overs().Create(police_, ValidRequest("raid-1"));
  ASSERT_TRUE(created.ok()) << created.status();
  const security::Access hanoi_social_affairs = security::Access::For(
      security::AgencyKind::kSocialAffairs, "01", "SLDTBXH-HN", security::Scope::kOwnUnitSubtree);
  EXPECT_TRUE(hand_overs().Get(hanoi_social_affairs, created->name()).ok());
  EXPECT_TRUE(hand_overs().Get(social_affairs_, created->name()).ok());
  EXPECT_EQ(hand_overs().Get(hung_yen_social_affairs_, created->name()).status().code(),
            absl::StatusCode::kPermissionDenied);
  // The agency that handed them over keeps sight of them, whatever unit it is seen at.
  const security::Access same_police_elsewhere = security::Access::For(
      security::AgencyKind::kPolice, "33", "CA-HN-PC02", security::Scope::kOwnUnitSubtree);
  EXPECT_TRUE(hand_overs().Get(same_police_elsewhere, created->name()).ok());
}

TEST_F(HandOversTest, AnswersNotFoundForAnUnknownHandOverAndInvalidArgumentForAMalformedName) {
  EXPECT_EQ(
      hand_overs().Get(police_, "handovers/0192f0aa-0000-7000-8000-000000000009").status().code(),
      absl::StatusCode::kNotFound);
  const absl::Status malformed = hand_overs().Get(police_, "tips/1").status();
  EXPECT_EQ(malformed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(malformed), ElementsAre("name"));
}

// On a file: what lies on disk.
class HandOversAtRestTest : public HandOversTest {
 protected:
  HandOversAtRestTest() : HandOversTest(/*on_file=*/true) {}
};

TEST_F(HandOversAtRestTest, LeavesNoNamePhoneIdNumberOrNeedInPlaintextInTheDatabaseFiles) {
  auto created = hand_overs().Create(police_, ValidRequest("raid-1"));
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string id = created->name().substr(std::string("handovers/").size());
  // While the database is open its latest pages are in the write-ahead log.
  const std::string open_bytes = ReadFile(path_) + ReadFile(path_ + "-wal");
  // The scan sees the hand-over: it is not looking at an empty file.
  ASSERT_THAT(open_bytes, HasSubstr(id));
  ASSERT_THAT(open_bytes, HasSubstr(created->persons(0).pseudonym()));
  for (const std::string& value : PersonalValues()) {
    EXPECT_THAT(open_bytes, Not(HasSubstr(value))) << value;
  }
  EXPECT_EQ(crypto::FieldCipher::VersionOf(Column("handover_persons", "full_name")[0]), 1);
  intake_.reset();
  db_.reset();  // Checkpoints the log into the file.
  const std::string closed_bytes = ReadFile(path_);
  ASSERT_THAT(closed_bytes, HasSubstr(id));
  for (const std::string& value : PersonalValues()) {
    EXPECT_THAT(closed_bytes, Not(HasSubstr(value))) << value;
  }
}

TEST_F(HandOversAtRestTest, DoesNotOpenAValueMovedToAnotherFieldOfTheSameRow) {
  auto created = hand_overs().Create(police_, ValidRequest("raid-1"));
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string id = created->name().substr(std::string("handovers/").size());
  ASSERT_TRUE(Execute(absl::StrCat("UPDATE handover_persons SET id_number = phone WHERE "
                                   "handover_id = '",
                                   id, "' AND position = 0"))
                  .ok());
  const absl::Status s = hand_overs().Get(police_, created->name()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_THAT(s.message(), Not(HasSubstr(kHongPhone)));
}

}  // namespace
}  // namespace pcmd::intake
