#include "services/intake/tips.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox_testing.h"
#include "common/log/log.h"
#include "common/log/log_testing.h"
#include "common/status/status.h"
#include "common/storage/idempotency.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

using log::LogCapture;

class TipsTest : public ::testing::Test {
 protected:
  TipsTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2024, 6, 3, 9, 30, 0), absl::UTCTimeZone())),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, IntakeMigrations())),
        outbox_("intake", clock_),
        store_(*db_, outbox_, clock_, *keys_),
        units_(*db_),
        tips_(store_, clock_, units_, *keys_) {
    EXPECT_TRUE(units::RememberUnits(*db_, sample::Units()).ok());
    national_.caller.end_user = "officer-7";
    national_.caller.purpose = "tip-handling";
  }

  static v1::SubmitTipRequest ValidRequest(const std::string& request_id) {
    v1::SubmitTipRequest r = sample::MinimalRequest(request_id);
    r.set_establishment("establishments/0192f0aa-0000-7000-8000-000000000001");
    return r;
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

  FakeClock clock_;
  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  units::SqliteUnitTree units_;
  Tips tips_;
  // A national police department: every unit is within its reach.
  security::Access national_ = security::Access::For(security::AgencyKind::kPolice, "VN", "C06",
                                                     security::Scope::kOwnUnitSubtree);
};

TEST_F(TipsTest, RecordsANewTipAsReceivedAtTheClockTime) {
  auto tip = tips_.Submit(sample::Receiver(), ValidRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_THAT(tip->name(), StartsWith("tips/"));
  EXPECT_EQ(tip->state(), v1::TIP_STATE_RECEIVED);
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(tip->receive_time()),
            absl::ToUnixMillis(clock_.Now()));
  auto read = tips_.Get(national_, tip->name());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->SerializeAsString(), tip->SerializeAsString());
}

TEST_F(TipsTest, ReturnsTheSameTipWhenARequestIsRetried) {
  auto first = tips_.Submit(sample::Receiver(), ValidRequest("r-1"));
  clock_.Advance(absl::Minutes(5));
  auto retry = tips_.Submit(sample::Receiver(), ValidRequest("r-1"));
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(retry->name(), first->name());
  EXPECT_EQ(retry->receive_time().seconds(), first->receive_time().seconds());
  auto other = tips_.Submit(sample::Receiver(), ValidRequest("r-2"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->name(), first->name());
}

TEST_F(TipsTest, RefusesToReuseARequestIdForADifferentTip) {
  ASSERT_TRUE(tips_.Submit(sample::Receiver(), ValidRequest("r-1")).ok());
  v1::SubmitTipRequest changed = ValidRequest("r-1");
  changed.set_unit_code("001");
  const absl::Status s = tips_.Submit(sample::Receiver(), changed).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldViolationsOf(s), Contains(Field(&FieldViolation::field, "request_id")));
}

TEST_F(TipsTest, NamesEveryInvalidFieldAndStoresNothing) {
  v1::SubmitTipRequest bad;
  bad.set_channel(static_cast<v1::Channel>(42));
  bad.set_unit_code("Hà Nội");
  bad.set_establishment("shops/1");
  const absl::Status s = tips_.Submit(sample::Receiver(), bad).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& fv : FieldViolationsOf(s)) fields.push_back(fv.field);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("request_id", "channel", "legal_kind",
                                                      "category", "unit_code", "establishment"));
  int64_t rows = -1;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                   auto row = tx.QueryOne("SELECT COUNT(*) FROM tips");
                   rows = (*row)->Int(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(rows, 0);
}

TEST_F(TipsTest, PublishesTipReceivedAndEstablishmentReportedOnceWithTheTip) {
  auto tip = tips_.Submit(sample::Receiver(), ValidRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  ASSERT_TRUE(
      tips_.Submit(sample::Receiver(), ValidRequest("r-1")).ok());  // A retry adds no events.
  v1::SubmitTipRequest bad = ValidRequest("r-2");
  bad.set_unit_code("");
  ASSERT_FALSE(tips_.Submit(sample::Receiver(), bad).ok());  // Nor does a refused request.
  EXPECT_THAT(
      events::OutboxEventTypes(*db_),
      ::testing::ElementsAre("pcmd.events.v1.TipReceived", "pcmd.events.v1.EstablishmentReported"));
}

TEST_F(TipsTest, AnswersNotFoundForAnUnknownTipAndInvalidArgumentForAMalformedName) {
  EXPECT_EQ(tips_.Get(national_, "tips/0192f0aa-0000-7000-8000-000000000009").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(tips_.Get(national_, "establishments/1").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TipsTest, RefusesATipOutsideTheCallersUnitsAndAllowsOneWithin) {
  ASSERT_TRUE(
      db_->Write([](storage::Transaction& tx) { return units::RememberUnit(tx, "268", "33"); })
          .ok());
  auto tip = tips_.Submit(sample::Receiver(), ValidRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  const auto hanoi = security::Access::For(security::AgencyKind::kPolice, "01", "CA-HN",
                                           security::Scope::kOwnUnitSubtree);
  EXPECT_EQ(tips_.Get(hanoi, tip->name()).status().code(), absl::StatusCode::kPermissionDenied);
  const auto hung_yen = security::Access::For(security::AgencyKind::kPolice, "33", "CA-HY",
                                              security::Scope::kOwnUnitSubtree);
  EXPECT_TRUE(tips_.Get(hung_yen, tip->name()).ok());
}

TEST_F(TipsTest, RefusesATipOrAListNamingAUnitTheDirectoryDoesNotHave) {
  v1::SubmitTipRequest request = ValidRequest("r-1");
  request.set_unit_code("99999");
  const absl::Status s = tips_.Submit(sample::Receiver(), request).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("unit_code"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("99999"));
  EXPECT_THAT(Column("tips", "id"), IsEmpty());

  v1::ListTipsRequest list;
  list.set_unit_code("99999");
  EXPECT_THAT(ViolatedFields(tips_.List(national_, list).status()), ElementsAre("unit_code"));
}

TEST_F(TipsTest, NamesTheExactPathOfEveryInvalidNestedFieldAndStoresNothing) {
  v1::SubmitTipRequest bad = sample::FullRequest("r-1");
  bad.set_description(std::string(8001, 'a'));
  bad.mutable_place()->mutable_coordinates()->set_latitude(91);
  bad.mutable_persons(0)->set_birth_date("2023-02-29");
  bad.mutable_persons(1)->set_role(v1::PERSON_ROLE_UNSPECIFIED);
  bad.mutable_persons(2)->set_id_number("001-079");
  bad.mutable_persons(2)->set_phone("call me");
  v1::NamedPerson* fourth = bad.add_persons();
  fourth->set_role(v1::PERSON_ROLE_VICTIM);
  fourth->set_full_name(std::string(201, 'x'));
  bad.mutable_attachments(0)->set_sha256("9F86D081");
  bad.mutable_attachments(0)->set_media_type("jpeg");
  bad.mutable_reporter()->set_email("nhung at example.vn");
  const absl::Status s = tips_.Submit(sample::Receiver(), bad).status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      ViolatedFields(s),
      UnorderedElementsAre("description", "place.coordinates.latitude", "persons[0].birth_date",
                           "persons[1].role", "persons[2].id_number", "persons[2].phone",
                           "persons[3].full_name", "attachments[0].sha256",
                           "attachments[0].media_type", "reporter.email"));
  EXPECT_THAT(Column("tips", "id"), IsEmpty());
  EXPECT_THAT(Column("tip_persons", "tip_id"), IsEmpty());
  EXPECT_THAT(Column("reporter_vault", "tip_id"), IsEmpty());
}

TEST_F(TipsTest, CountsNameLengthsInCharactersSoVietnameseDiacriticsAreNotPenalised) {
  std::string name;
  for (int i = 0; i < 200; ++i) name += "ễ";  // 3 bytes each: 600 bytes, 200 characters.
  v1::SubmitTipRequest request = sample::FullRequest("r-1");
  request.mutable_persons(0)->set_full_name(name);
  auto tip = tips_.Submit(sample::Receiver(), request);
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_EQ(tip->persons(0).full_name(), name);
  request = sample::FullRequest("r-2");
  request.mutable_persons(0)->set_full_name(name + "ễ");
  EXPECT_THAT(ViolatedFields(tips_.Submit(sample::Receiver(), request).status()),
              ElementsAre("persons[0].full_name"));
}

TEST_F(TipsTest, RefusesMalformedUtf8AndControlCharactersNamingTheField) {
  v1::SubmitTipRequest request = sample::FullRequest("r-1");
  request.mutable_persons(1)->set_description("Qu\xC3\x28 H\xE0 Giang");
  request.mutable_reporter()->set_full_name("Phạm\x01Nhung");
  EXPECT_THAT(ViolatedFields(tips_.Submit(sample::Receiver(), request).status()),
              UnorderedElementsAre("persons[1].description", "reporter.full_name"));
}

TEST_F(TipsTest, RefusesMoreThanFiftyPersonsOrTwentyAttachmentsWithOneViolationEach) {
  v1::SubmitTipRequest request = sample::FullRequest("r-1");
  while (request.persons_size() <= static_cast<int>(kMaxPersons)) {
    *request.add_persons() = request.persons(0);
  }
  request.mutable_persons(40)->set_full_name("");  // Not examined past the limit.
  while (request.attachments_size() <= static_cast<int>(kMaxAttachments)) {
    *request.add_attachments() = request.attachments(0);
  }
  EXPECT_THAT(ViolatedFields(tips_.Submit(sample::Receiver(), request).status()),
              UnorderedElementsAre("persons", "attachments"));
}

TEST_F(TipsTest, RefusesABirthDateInTheFutureAndAReporterWithNothingInIt) {
  v1::SubmitTipRequest request = sample::FullRequest("r-1");
  request.mutable_persons(1)->set_birth_date("2024-06-04");  // The clock says 3 June 2024.
  request.mutable_reporter()->Clear();
  EXPECT_THAT(ViolatedFields(tips_.Submit(sample::Receiver(), request).status()),
              UnorderedElementsAre("persons[1].birth_date", "reporter"));
}

TEST_F(TipsTest, AcceptsATipWithCoordinatesButNoAddressAndRefusesAnEmptyPlace) {
  v1::SubmitTipRequest request = ValidRequest("r-1");
  request.mutable_place()->mutable_coordinates()->set_latitude(-0.0);
  request.mutable_place()->mutable_coordinates()->set_longitude(180.0);
  auto tip = tips_.Submit(sample::Receiver(), request);
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_TRUE(tip->place().has_coordinates());
  EXPECT_EQ(tip->place().coordinates().longitude(), 180.0);
  request = ValidRequest("r-2");
  request.mutable_place();
  EXPECT_THAT(ViolatedFields(tips_.Submit(sample::Receiver(), request).status()),
              ElementsAre("place"));
}

TEST_F(TipsTest, GivesTheSameIdNumberTheSamePseudonymInEveryTipAndAnotherNumberAnother) {
  auto first = tips_.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  v1::SubmitTipRequest other = sample::FullRequest("r-2");
  other.mutable_persons(0)->set_full_name("Nguyễn V. Hùng");  // Same ID number.
  auto second = tips_.Submit(sample::Receiver(), other);
  ASSERT_TRUE(first.ok() && second.ok());
  const std::string organiser = first->persons(0).pseudonym();
  EXPECT_THAT(organiser, StartsWith("psn_"));
  EXPECT_EQ(organiser, crypto::BlindIndex(*keys_).Pseudonym(sample::kOrganiserIdNumber));
  EXPECT_EQ(second->persons(0).pseudonym(), organiser);
  EXPECT_NE(first->persons(2).pseudonym(), organiser);  // Another ID number.
  EXPECT_THAT(first->persons(2).pseudonym(), StartsWith("psn_"));
  EXPECT_EQ(first->persons(1).pseudonym(), "");  // No ID number, no pseudonym.
}

TEST_F(TipsTest, ReplacesAPseudonymSentByTheCaller) {
  v1::SubmitTipRequest request = sample::FullRequest("r-1");
  request.mutable_persons(0)->set_pseudonym("psn_forged");
  request.mutable_persons(1)->set_pseudonym("psn_forged");
  auto tip = tips_.Submit(sample::Receiver(), request);
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_EQ(tip->persons(0).pseudonym(),
            crypto::BlindIndex(*keys_).Pseudonym(sample::kOrganiserIdNumber));
  EXPECT_EQ(tip->persons(1).pseudonym(), "");
}

TEST_F(TipsTest, KeepsRetriesIdempotentWithAKeyedFingerprintThatCoversTheReporter) {
  const v1::SubmitTipRequest request = sample::FullRequest("r-1");
  auto first = tips_.Submit(sample::Receiver(), request);
  auto retry = tips_.Submit(sample::Receiver(), request);
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(Column("reporter_vault", "tip_id").size(), 1u);
  EXPECT_EQ(Column("tip_persons", "tip_id").size(), 3u);
  // The fingerprint is keyed with the index key: without it, nobody holding the file can
  // test guesses of the reporter's ID number against it.
  EXPECT_THAT(Column("idempotency_keys", "fingerprint"),
              ElementsAre(storage::RequestFingerprint(request, keys_->index_key())));
  EXPECT_NE(storage::RequestFingerprint(request, keys_->index_key()),
            storage::RequestFingerprint(request));
  v1::SubmitTipRequest other_reporter = request;
  other_reporter.mutable_reporter()->set_phone("0900 000 000");
  EXPECT_THAT(ViolatedFields(tips_.Submit(sample::Receiver(), other_reporter).status()),
              ElementsAre("request_id"));
}

TEST_F(TipsTest, PublishesOnlyTheCountAndPseudonymsOfThePersonsInTipReceived) {
  auto tip = tips_.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  const std::vector<std::string> envelopes = Column("outbox", "envelope");
  ASSERT_EQ(envelopes.size(), 1u);
  events::v1::EventEnvelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(envelopes[0]));
  events::v1::TipReceived received;
  ASSERT_TRUE(envelope.payload().UnpackTo(&received));
  EXPECT_EQ(received.person_count(), 3);
  EXPECT_THAT(received.person_pseudonyms(),
              ElementsAre(tip->persons(0).pseudonym(), tip->persons(2).pseudonym()));
  for (const std::string& value : sample::PersonalValues()) {
    EXPECT_THAT(envelopes[0], Not(HasSubstr(value)));
  }
}

TEST_F(TipsTest, RevealsTheReporterRecordingTheReasonSealedAndRaisingItToSupervisors) {
  auto tip = tips_.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_TRUE(tip->has_reporter());
  LogCapture logs;
  v1::RevealReporterRequest reveal;
  reveal.set_name(tip->name());
  reveal.set_reason(sample::kReason);
  auto reporter = tips_.RevealReporter(national_, reveal);
  ASSERT_TRUE(reporter.ok()) << reporter.status();
  EXPECT_EQ(reporter->SerializeAsString(),
            sample::FullRequest("r-1").reporter().SerializeAsString());

  EXPECT_THAT(Column("reveal_log", "tip_id || ' ' || agency_code || ' ' || end_user"),
              ElementsAre(absl::StrCat(tip->name().substr(5), " C06 officer-7")));
  const std::vector<std::string> reasons = Column("reveal_log", "reason");
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_THAT(reasons[0], Not(HasSubstr("123/CSHS")));
  EXPECT_EQ(crypto::FieldCipher::VersionOf(reasons[0]), 1);

  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.TipReceived", "pcmd.events.v1.ReporterRevealed"));
  const std::vector<std::string> envelopes = Column("outbox", "envelope");
  events::v1::EventEnvelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(envelopes.back()));
  events::v1::ReporterRevealed revealed;
  ASSERT_TRUE(envelope.payload().UnpackTo(&revealed));
  EXPECT_EQ(revealed.tip(), tip->name());
  EXPECT_EQ(revealed.agency_code(), "C06");
  EXPECT_EQ(revealed.end_user(), "officer-7");
  EXPECT_EQ(revealed.unit_code(), "268");
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(revealed.reveal_time()),
            absl::ToUnixMillis(clock_.Now()));
  for (const std::string& value : sample::PersonalValues()) {
    EXPECT_THAT(envelopes.back(), Not(HasSubstr(value)));
  }

  const std::vector<std::string> lines = logs.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("\"level\":\"warning\""));
  EXPECT_THAT(lines[0], HasSubstr("reporter_revealed"));
  EXPECT_THAT(lines[0], HasSubstr(tip->name()));
  EXPECT_THAT(lines[0], HasSubstr("C06"));
  for (const std::string& value : sample::PersonalValues()) {
    EXPECT_THAT(lines[0], Not(HasSubstr(value)));
  }
}

TEST_F(TipsTest, RefusesToRevealWithoutAReasonOfTwentyCharactersAndRecordsNothing) {
  auto tip = tips_.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  v1::RevealReporterRequest reveal;
  reveal.set_name(tip->name());
  EXPECT_THAT(ViolatedFields(tips_.RevealReporter(national_, reveal).status()),
              ElementsAre("reason"));
  reveal.set_reason("  cần xác minh      ");  // 12 characters once trimmed.
  EXPECT_THAT(ViolatedFields(tips_.RevealReporter(national_, reveal).status()),
              ElementsAre("reason"));
  reveal.set_reason(std::string(1001, 'a'));
  EXPECT_THAT(ViolatedFields(tips_.RevealReporter(national_, reveal).status()),
              ElementsAre("reason"));
  reveal.set_name("establishments/1");
  reveal.set_reason(sample::kReason);
  EXPECT_THAT(ViolatedFields(tips_.RevealReporter(national_, reveal).status()),
              ElementsAre("name"));
  EXPECT_THAT(Column("reveal_log", "id"), IsEmpty());
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.TipReceived"));
}

TEST_F(TipsTest, AnswersNotFoundWhenTheTipHasNoReporterAndDeniesACallerOutOfScope) {
  auto anonymous = tips_.Submit(sample::Receiver(), ValidRequest("r-1"));
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_FALSE(anonymous->has_reporter());
  v1::RevealReporterRequest reveal;
  reveal.set_name(anonymous->name());
  reveal.set_reason(sample::kReason);
  EXPECT_EQ(tips_.RevealReporter(national_, reveal).status().code(), absl::StatusCode::kNotFound);
  reveal.set_name("tips/0192f0aa-0000-7000-8000-000000000009");
  EXPECT_EQ(tips_.RevealReporter(national_, reveal).status().code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(
      db_->Write([](storage::Transaction& tx) { return units::RememberUnit(tx, "268", "33"); })
          .ok());
  auto tip = tips_.Submit(sample::Receiver(), sample::FullRequest("r-2"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  reveal.set_name(tip->name());
  const auto hanoi = security::Access::For(security::AgencyKind::kPolice, "01", "CA-HN",
                                           security::Scope::kOwnUnitSubtree);
  EXPECT_EQ(tips_.RevealReporter(hanoi, reveal).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Column("reveal_log", "id"), IsEmpty());
}

}  // namespace
}  // namespace pcmd::intake
