// pcmd-audit, the operator's verify command, on a real database file.
#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/crypto/keyring.h"
#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd {
namespace {

using ::testing::HasSubstr;

constexpr storage::Migration kMigrations[] = {{1, "audit log", audit::kAuditMigrationSql}};

int Verify(const testing::TempDir& dir, std::string* out) {
  const std::string log = dir.File("verify.out");
  std::remove(log.c_str());
  testing::Subprocess tool(
      {PCMD_AUDIT_BIN, "verify", "--db=" + dir.File("svc.db"), "--keys=" + dir.File("keys")}, log);
  const int code = tool.Wait(absl::Seconds(30)).value_or(-1);
  *out = testing::ReadFile(log);
  return code;
}

TEST(PcmdAudit, SaysIntactForAnUntouchedLogAndTamperedAfterAnEdit) {
  testing::TempDir dir;
  ASSERT_TRUE(crypto::Keyring::Generate(dir.File("keys")).ok());
  {
    auto keys = *crypto::Keyring::Load(dir.File("keys"));
    auto db = *storage::SqliteDatabase::Open({.path = dir.File("svc.db")}, kMigrations);
    audit::AuditLog log(keys->audit_key(), Clock::Real());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(db->Write([&](storage::Transaction& tx) {
                      return log.Append(tx, {.agency = "CA-HN",
                                             .end_user = "u",
                                             .purpose = "p",
                                             .rpc = "/r",
                                             .records = {absl::StrCat("tips/", i)},
                                             .outcome = "OK"});
                    }).ok());
    }
  }
  std::string out;
  EXPECT_EQ(Verify(dir, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("intact: 3 records"));
  {
    auto db = *storage::SqliteDatabase::Open({.path = dir.File("svc.db")}, kMigrations);
    ASSERT_TRUE(db->Write([](storage::Transaction& tx) -> absl::Status {
                    absl::Status s = tx.Execute("DROP TRIGGER audit_log_no_update");
                    return s.ok() ? tx.Execute(
                                        "UPDATE audit_log SET outcome = 'PERMISSION_DENIED'"
                                        " WHERE seq = 2")
                                  : s;
                  }).ok());
  }
  EXPECT_EQ(Verify(dir, &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("TAMPERED: audit record 2 was altered"));
}

TEST(PcmdAudit, DoesNotCryTamperedForAFileWithoutAnAuditLog) {
  testing::TempDir dir;
  ASSERT_TRUE(crypto::Keyring::Generate(dir.File("keys")).ok());
  constexpr storage::Migration kOther[] = {{1, "other", "CREATE TABLE t (x INTEGER);"}};
  ASSERT_TRUE(storage::SqliteDatabase::Open({.path = dir.File("svc.db")}, kOther).ok());
  std::string out;
  EXPECT_EQ(Verify(dir, &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("cannot verify"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("TAMPERED")));
}

}  // namespace
}  // namespace pcmd
