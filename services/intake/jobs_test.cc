// The intake work that runs without a caller: the overdue scan and crime reports from
// inspections' CrimeSuspected events. On a real SQLite file (the scan and routing read
// the unit tree on their own connections, as in the service).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox_testing.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/intake/clocks.h"
#include "services/intake/crime_reports.h"
#include "services/intake/overdue.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::ElementsAre;

absl::TimeZone Vietnam() { return absl::FixedTimeZone(7 * 3600); }

class JobsTest : public ::testing::Test {
 protected:
  JobsTest()
      // 09:30 on Monday 3 June 2024 in Hà Nội.
      : clock_(absl::FromCivil(absl::CivilSecond(2024, 6, 3, 9, 30, 0), Vietnam())),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        db_(*storage::SqliteDatabase::Open({.path = dir_.File("intake.db")}, IntakeMigrations())),
        outbox_("intake", clock_),
        store_(*db_, outbox_, clock_, *keys_),
        units_(*db_),
        tips_(store_, clock_, units_, *keys_),
        scanner_(*db_, outbox_, units_, clock_) {
    // Hà Nội (01) → Thanh Trì (020) → Văn Điển (09964).
    EXPECT_TRUE(units::RememberUnits(*db_, {{"01", "VN"}, {"020", "01"}, {"09964", "020"}}).ok());
  }

  // A hotline denunciation received by the Thanh Trì district police.
  std::string Submit(const std::string& request_id) {
    v1::SubmitTipRequest r = sample::MinimalRequest(request_id);
    r.set_unit_code("09964");
    auto tip = tips_.Submit({.agency = {.kind = security::AgencyKind::kPolice,
                                        .unit_code = "020",
                                        .code = "CA-THANHTRI"},
                             .end_user = "officer-1",
                             .purpose = "tip-handling"},
                            r);
    EXPECT_TRUE(tip.ok()) << tip.status();
    return tip.ok() ? tip->name() : "";
  }

  // The TipOverdue events in the outbox, as (clock, deadline, escalated_to_unit).
  std::vector<std::string> OverdueEvents() {
    std::vector<std::string> out;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     auto rows = tx.Query(
                         "SELECT envelope FROM outbox WHERE event_type = "
                         "'pcmd.events.v1.TipOverdue' ORDER BY seq");
                     if (!rows.ok()) return rows.status();
                     for (const storage::Row& row : *rows) {
                       events::v1::EventEnvelope envelope;
                       events::v1::TipOverdue overdue;
                       if (!envelope.ParseFromString(row.Text(0)) ||
                           !envelope.payload().UnpackTo(&overdue)) {
                         return absl::InternalError("unreadable envelope");
                       }
                       out.push_back(absl::StrCat(overdue.clock(), " ", overdue.deadline(), " ",
                                                  overdue.escalated_to_unit()));
                     }
                     return absl::OkStatus();
                   })
                    .ok());
    return out;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     auto row = tx.QueryOne(sql);
                     if (!row.ok()) return row.status();
                     n = (*row)->Int(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }

  events::v1::EventEnvelope CrimeSuspected(const std::string& event_id, bool minor) {
    events::v1::CrimeSuspected event;
    event.set_inspection("inspections/0192a000-0000-7000-8000-000000000001");
    event.set_establishment("establishments/0192a000-0000-7000-8000-0000000000e1");
    event.set_unit_code("09964");
    event.set_team_agency("DOAN178-THANHTRI");
    event.set_minor_involved(minor);
    event.set_inspection_date("2024-06-02");
    events::v1::EventEnvelope envelope;
    envelope.set_event_id(event_id);
    envelope.mutable_payload()->PackFrom(event);
    return envelope;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  units::SqliteUnitTree units_;
  Tips tips_;
  OverdueScanner scanner_;
};

TEST_F(JobsTest, RaisesAPassedStageDeadlineOnceAndEscalatesToTheParentUnit) {
  const std::string name = Submit("t-1");
  ASSERT_FALSE(name.empty());
  EXPECT_EQ(*scanner_.Scan(), 0) << "nothing has passed on the day of receipt";

  // The 3-day verification limit ends on 6 June; on 7 June it has passed.
  clock_.Advance(absl::Hours(24 * 4));
  EXPECT_EQ(*scanner_.Scan(), 1);
  EXPECT_EQ(*scanner_.Scan(), 0) << "raised once, not at every scan";
  // The police of Thanh Trì (020) hold it; Hà Nội (01) is told.
  EXPECT_THAT(OverdueEvents(), ElementsAre("stage 2024-06-06 01"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tip_change_parties WHERE party = 'unit:01'"), 1);
  auto tip = tips_.Get(security::Access::For(security::AgencyKind::kPolice, "020", "CA-THANHTRI",
                                             security::Scope::kOwnUnitSubtree),
                       name);
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_TRUE(tip->overdue());
}

TEST_F(JobsTest, RaisesTheLegalDeadlineWhenItPassesToo) {
  ASSERT_FALSE(Submit("t-1").empty());
  // 20 days from 3 June (Criminal Procedure Code Art. 147): 23 June.
  clock_.Set(absl::FromCivil(absl::CivilSecond(2024, 6, 24, 8, 0, 0), Vietnam()));
  EXPECT_EQ(*scanner_.Scan(), 2);
  EXPECT_THAT(OverdueEvents(), ElementsAre("stage 2024-06-06 01", "legal 2024-06-23 01"));
}

TEST_F(JobsTest, DoesNotRaiseAClosedTip) {
  const std::string name = Submit("t-1");
  v1::MarkTipDuplicateRequest duplicate;
  duplicate.set_name(name);
  duplicate.set_duplicate_of(Submit("t-2"));
  ASSERT_TRUE(
      tips_
          .MarkDuplicate(security::Access::For(security::AgencyKind::kPolice, "020", "CA-THANHTRI",
                                               security::Scope::kOwnUnitSubtree),
                         duplicate)
          .ok());
  clock_.Advance(absl::Hours(24 * 4));
  EXPECT_EQ(*scanner_.Scan(), 1) << "only the open one";
}

TEST_F(JobsTest, ACrimeSuspectedDuringAnInspectionBecomesACrimeReportForThePoliceOnce) {
  const events::v1::EventEnvelope envelope =
      CrimeSuspected("0192a000-0000-7000-8000-00000000c001", false);
  for (int delivery = 0; delivery < 2; ++delivery) {
    ASSERT_TRUE(db_->Write([&](storage::Transaction& tx) {
                     return RecordCrimeReport(tx, tips_, store_, envelope);
                   })
                    .ok());
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tips"), 1) << "a redelivered event makes no second tip";
  auto listed = tips_.List(security::Access::For(security::AgencyKind::kPolice, "01", "CA-HANOI",
                                                 security::Scope::kOwnUnitSubtree),
                           {});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->tips_size(), 1);
  const v1::Tip& tip = listed->tips(0);
  EXPECT_EQ(tip.channel(), v1::CHANNEL_TEAM_178);
  EXPECT_EQ(tip.legal_kind(), v1::LEGAL_KIND_CRIME_REPORT);
  EXPECT_EQ(tip.category(), v1::CATEGORY_ESTABLISHMENT);
  EXPECT_EQ(tip.establishment(), "establishments/0192a000-0000-7000-8000-0000000000e1");
  EXPECT_EQ(tip.receiving_agency(), "DOAN178-THANHTRI");
  EXPECT_EQ(tip.proposed_route().agency_kind(), "police");
  EXPECT_EQ(tip.proposed_route().unit_code(), "09964");
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.TipReceived", "pcmd.events.v1.EstablishmentReported"));
}

TEST_F(JobsTest, ACrimeInvolvingAMinorGoesToTheProvincialPolice) {
  ASSERT_TRUE(db_->Write([&](storage::Transaction& tx) {
                   return RecordCrimeReport(tx, tips_, store_,
                                            CrimeSuspected("0192a000-0000-7000-8000-00000000c002",
                                                           /*minor=*/true));
                 })
                  .ok());
  auto listed = tips_.List(security::Access::For(security::AgencyKind::kPolice, "01", "CA-HANOI",
                                                 security::Scope::kOwnUnitSubtree),
                           {});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->tips_size(), 1);
  EXPECT_EQ(listed->tips(0).category(), v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION);
  EXPECT_EQ(listed->tips(0).proposed_route().unit_code(), "01");
}

TEST_F(JobsTest, ACrimeSuspectedInAUnitIntakeHasNotLearntYetStillBecomesATip) {
  events::v1::EventEnvelope envelope =
      CrimeSuspected("0192a000-0000-7000-8000-00000000c004", false);
  events::v1::CrimeSuspected event;
  ASSERT_TRUE(envelope.payload().UnpackTo(&event));
  event.set_unit_code("10201");  // Not in this intake's copy of the directory.
  envelope.mutable_payload()->PackFrom(event);
  const absl::Status status = db_->Write(
      [&](storage::Transaction& tx) { return RecordCrimeReport(tx, tips_, store_, envelope); });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tips WHERE unit_code = '10201'"), 1);
}

TEST_F(JobsTest, ACrimeSuspectedWithoutAUnitIsRefusedAndWritesNothing) {
  events::v1::EventEnvelope envelope =
      CrimeSuspected("0192a000-0000-7000-8000-00000000c003", false);
  events::v1::CrimeSuspected event;
  ASSERT_TRUE(envelope.payload().UnpackTo(&event));
  event.clear_unit_code();
  envelope.mutable_payload()->PackFrom(event);
  const absl::Status status = db_->Write(
      [&](storage::Transaction& tx) { return RecordCrimeReport(tx, tips_, store_, envelope); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tips"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 0);
}

}  // namespace
}  // namespace pcmd::intake
