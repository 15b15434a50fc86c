#include "services/intake/tips.h"

#include "common/events/outbox_testing.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/intake/sqlite_tip_store.h"

namespace pcmd::intake {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::StartsWith;

class TipsTest : public ::testing::Test {
 protected:
  TipsTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2024, 6, 3, 9, 30, 0), absl::UTCTimeZone())),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, IntakeMigrations())),
        outbox_("intake", clock_),
        store_(*db_, outbox_, clock_),
        units_(*db_),
        tips_(store_, clock_, units_) {}

  static v1::SubmitTipRequest ValidRequest(const std::string& request_id) {
    v1::SubmitTipRequest r;
    r.set_request_id(request_id);
    r.set_channel(v1::CHANNEL_HOTLINE);
    r.set_legal_kind(v1::LEGAL_KIND_DENUNCIATION);
    r.set_category(v1::CATEGORY_ESTABLISHMENT);
    r.set_unit_code("268");
    r.set_establishment("establishments/0192f0aa-0000-7000-8000-000000000001");
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  units::SqliteUnitTree units_;
  Tips tips_;
  // A national police department: every unit is within its reach.
  const security::Access national_ = security::Access::For(security::AgencyKind::kPolice, "VN",
                                                           "C06", security::Scope::kOwnUnitSubtree);
};

TEST_F(TipsTest, RecordsANewTipAsReceivedAtTheClockTime) {
  auto tip = tips_.Submit(ValidRequest("r-1"));
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
  auto first = tips_.Submit(ValidRequest("r-1"));
  clock_.Advance(absl::Minutes(5));
  auto retry = tips_.Submit(ValidRequest("r-1"));
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(retry->name(), first->name());
  EXPECT_EQ(retry->receive_time().seconds(), first->receive_time().seconds());
  auto other = tips_.Submit(ValidRequest("r-2"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->name(), first->name());
}

TEST_F(TipsTest, RefusesToReuseARequestIdForADifferentTip) {
  ASSERT_TRUE(tips_.Submit(ValidRequest("r-1")).ok());
  v1::SubmitTipRequest changed = ValidRequest("r-1");
  changed.set_unit_code("001");
  const absl::Status s = tips_.Submit(changed).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldViolationsOf(s), Contains(Field(&FieldViolation::field, "request_id")));
}

TEST_F(TipsTest, NamesEveryInvalidFieldAndStoresNothing) {
  v1::SubmitTipRequest bad;
  bad.set_channel(static_cast<v1::Channel>(42));
  bad.set_unit_code("Hà Nội");
  bad.set_establishment("shops/1");
  const absl::Status s = tips_.Submit(bad).status();
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
  auto tip = tips_.Submit(ValidRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  ASSERT_TRUE(tips_.Submit(ValidRequest("r-1")).ok());  // A retry adds no events.
  v1::SubmitTipRequest bad = ValidRequest("r-2");
  bad.set_unit_code("");
  ASSERT_FALSE(tips_.Submit(bad).ok());  // Nor does a refused request.
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
  auto tip = tips_.Submit(ValidRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  const auto hanoi = security::Access::For(security::AgencyKind::kPolice, "01", "CA-HN",
                                           security::Scope::kOwnUnitSubtree);
  EXPECT_EQ(tips_.Get(hanoi, tip->name()).status().code(), absl::StatusCode::kPermissionDenied);
  const auto hung_yen = security::Access::For(security::AgencyKind::kPolice, "33", "CA-HY",
                                              security::Scope::kOwnUnitSubtree);
  EXPECT_TRUE(tips_.Get(hung_yen, tip->name()).ok());
}

}  // namespace
}  // namespace pcmd::intake
