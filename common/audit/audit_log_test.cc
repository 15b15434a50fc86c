#include "common/audit/audit_log.h"

#include "absl/strings/str_cat.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd::audit {
namespace {

using ::testing::HasSubstr;

constexpr storage::Migration kMigrations[] = {{1, "audit log", kAuditMigrationSql}};
const std::string kKey(32, 'k');

class AuditLogTest : public ::testing::Test {
 protected:
  AuditLogTest()
      : clock_(absl::FromUnixSeconds(1732406400)),
        db_(*storage::SqliteDatabase::Open({.path = dir_.File("audit.db")}, kMigrations)),
        log_(kKey, clock_) {
    for (int i = 1; i <= 5; ++i) {
      clock_.Advance(absl::Seconds(1));
      EXPECT_TRUE(db_->Write([&](storage::Transaction& tx) {
                       return log_.Append(tx, {.agency = "CA-HN-PC02",
                                               .end_user = absl::StrCat("officer-", i),
                                               .purpose = "tip-handling",
                                               .rpc = "/pcmd.intake.v1.IntakeService/GetTip",
                                               .records = {absl::StrCat("tips/", i)},
                                               .outcome = "OK"});
                     })
                      .ok());
    }
  }

  // What someone with write access to the file could do: drop the guards, then edit.
  void Tamper(const std::string& sql) {
    ASSERT_TRUE(db_->Write([&](storage::Transaction& tx) -> absl::Status {
                     absl::Status s = tx.Execute("DROP TRIGGER IF EXISTS audit_log_no_update");
                     if (s.ok()) s = tx.Execute("DROP TRIGGER IF EXISTS audit_log_no_delete");
                     if (s.ok()) s = tx.Execute("DROP TRIGGER IF EXISTS audit_log_only_next");
                     if (s.ok()) s = tx.Execute(sql);
                     return s;
                   })
                    .ok());
  }

  std::string VerifyError(const std::optional<AuditHead>& anchor = std::nullopt) {
    const auto result = AuditLog::Verify(*db_, kKey, anchor);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
    return std::string(result.status().message());
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  AuditLog log_;
};

TEST_F(AuditLogTest, VerifiesAnIntactChainAndReportsItsHead) {
  auto head = AuditLog::Verify(*db_, kKey);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->count, 5);
  EXPECT_EQ(head->hash_hex, AuditLog::Head(*db_)->hash_hex);
  EXPECT_THAT(head->hash_hex, ::testing::MatchesRegex("[0-9a-f]{64}"));
}

TEST_F(AuditLogTest, RefusesUpdatesAndDeletesThroughSql) {
  EXPECT_FALSE(db_->Write([](storage::Transaction& tx) {
                    return tx.Execute("UPDATE audit_log SET end_user = 'someone-else'");
                  })
                   .ok());
  EXPECT_FALSE(db_->Write([](storage::Transaction& tx) {
                    return tx.Execute("DELETE FROM audit_log WHERE seq = 2");
                  })
                   .ok());
  EXPECT_EQ(AuditLog::Verify(*db_, kKey)->count, 5);
}

TEST_F(AuditLogTest, RefusesAnInsertThatIsNotTheNextRecord) {
  EXPECT_FALSE(db_->Write([](storage::Transaction& tx) {
                    return tx.Execute(
                        "INSERT OR REPLACE INTO audit_log VALUES "
                        "(3, 0, 'a', 'b', 'c', 'd', 'e', 'OK', x'00', x'00')");
                  })
                   .ok());
  EXPECT_EQ(AuditLog::Verify(*db_, kKey)->count, 5);
}

TEST_F(AuditLogTest, DetectsAChainRewrittenWithoutTheKey) {
  // Someone with the file but not the key cuts records 3-5 and writes a consistent
  // chain of their own in their place.
  Tamper("DELETE FROM audit_log WHERE seq >= 3");
  AuditLog forger(std::string(32, 'x'), clock_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(db_->Write([&](storage::Transaction& tx) {
                     return forger.Append(tx, {.agency = "CA-HN-PC02",
                                               .end_user = "nobody",
                                               .purpose = "tip-handling",
                                               .rpc = "/x",
                                               .records = {},
                                               .outcome = "OK"});
                   })
                    .ok());
  }
  EXPECT_THAT(VerifyError(), HasSubstr("record 3 was altered"));
}

TEST_F(AuditLogTest, DetectsAnEditedRecord) {
  Tamper("UPDATE audit_log SET end_user = 'officer-9' WHERE seq = 3");
  EXPECT_THAT(VerifyError(), HasSubstr("record 3 was altered"));
}

TEST_F(AuditLogTest, DetectsARemovedRecord) {
  Tamper("DELETE FROM audit_log WHERE seq = 3");
  EXPECT_THAT(VerifyError(), HasSubstr("record 3 is missing"));
}

TEST_F(AuditLogTest, DetectsReorderedRecords) {
  // Swap the contents (everything but the position) of records 2 and 4.
  Tamper(
      "UPDATE audit_log SET time_unix_ms = (SELECT time_unix_ms FROM audit_log WHERE seq = 4),"
      " end_user = (SELECT end_user FROM audit_log WHERE seq = 4),"
      " records = (SELECT records FROM audit_log WHERE seq = 4),"
      " prev_hash = (SELECT prev_hash FROM audit_log WHERE seq = 4),"
      " hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE seq = 2");
  EXPECT_THAT(VerifyError(), HasSubstr("record 2"));
}

TEST_F(AuditLogTest, DetectsRecordsCutFromTheEndAgainstAnAnchor) {
  const AuditHead anchor = *AuditLog::Head(*db_);
  Tamper("DELETE FROM audit_log WHERE seq >= 4");
  // The shorter chain is consistent in itself...
  EXPECT_EQ(AuditLog::Verify(*db_, kKey)->count, 3);
  // ...but not with the head anchored before.
  EXPECT_THAT(VerifyError(anchor), HasSubstr("removed from its end"));
}

TEST_F(AuditLogTest, AcceptsAnAnchorThatTheChainHasGrownPast) {
  const AuditHead anchor = *AuditLog::Head(*db_);
  ASSERT_TRUE(db_->Write([&](storage::Transaction& tx) {
                   return log_.Append(tx, {.agency = "SOCIAL-HN",
                                           .end_user = "u",
                                           .purpose = "p",
                                           .rpc = "/x",
                                           .records = {},
                                           .outcome = "OK"});
                 })
                  .ok());
  auto head = AuditLog::Verify(*db_, kKey, anchor);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->count, 6);
}

}  // namespace
}  // namespace pcmd::audit
