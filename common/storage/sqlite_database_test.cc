#include "common/storage/sqlite_database.h"

#include <array>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"

namespace pcmd::storage {
namespace {

using ::pcmd::FieldViolationsOf;
using ::testing::HasSubstr;

constexpr Migration kMigrations[] = {
    {1, "create units", "CREATE TABLE units (code TEXT PRIMARY KEY, name TEXT NOT NULL);"},
    {2, "create tips",
     "CREATE TABLE tips (id TEXT PRIMARY KEY, unit_code TEXT NOT NULL REFERENCES units(code),"
     " note BLOB);"},
    {3, "index tips by unit", "CREATE INDEX tips_by_unit ON tips(unit_code);"},
};

absl::StatusOr<int64_t> CountRows(SqliteDatabase& db, absl::string_view table) {
  int64_t n = -1;
  PCMD_RETURN_IF_ERROR(db.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(auto row, tx.QueryOne(absl::StrCat("SELECT COUNT(*) FROM ", table)));
    n = row->Int(0);
    return absl::OkStatus();
  }));
  return n;
}

TEST(SqliteDatabase, AppliesMigrationsOnceAndInOrder) {
  testing::TempDir dir;
  const DatabaseOptions options{.path = dir.File("a.db")};
  {
    auto db = SqliteDatabase::Open(options, kMigrations);
    ASSERT_TRUE(db.ok()) << db.status();
    auto applied = (*db)->AppliedMigrations();
    ASSERT_TRUE(applied.ok());
    ASSERT_EQ(applied->size(), 3u);
    EXPECT_EQ((*applied)[0].version, 1);
    EXPECT_EQ((*applied)[2].name, "index tips by unit");
  }
  // Re-opening runs nothing again: a second CREATE TABLE would fail.
  auto again = SqliteDatabase::Open(options, kMigrations);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->AppliedMigrations()->size(), 3u);
}

TEST(SqliteDatabase, AppliesOnlyTheNewMigrationsToAnOlderFile) {
  testing::TempDir dir;
  const DatabaseOptions options{.path = dir.File("a.db")};
  ASSERT_TRUE(SqliteDatabase::Open(options, std::span(kMigrations).first(1)).ok());
  auto db = SqliteDatabase::Open(options, kMigrations);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->AppliedMigrations()->back().version, 3);
}

TEST(SqliteDatabase, RefusesAFileMigratedByANewerBuild) {
  testing::TempDir dir;
  const DatabaseOptions options{.path = dir.File("a.db")};
  ASSERT_TRUE(SqliteDatabase::Open(options, kMigrations).ok());
  auto old = SqliteDatabase::Open(options, std::span(kMigrations).first(2));
  EXPECT_EQ(old.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(old.status().message()), HasSubstr("schema version 3"));
}

TEST(SqliteDatabase, RejectsBadlyNumberedMigrations) {
  constexpr Migration gap[] = {{1, "a", "SELECT 1;"}, {3, "c", "SELECT 1;"}};
  EXPECT_EQ(SqliteDatabase::Open({.path = ":memory:"}, gap).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SqliteDatabase, LeavesTheFileAtTheLastGoodVersionWhenAMigrationFails) {
  testing::TempDir dir;
  constexpr Migration broken[] = {
      {1, "ok", "CREATE TABLE a (x INTEGER);"},
      {2, "half", "CREATE TABLE b (x INTEGER); CREATE TABLE a (x INTEGER);"},
  };
  auto db = SqliteDatabase::Open({.path = dir.File("a.db")}, broken);
  EXPECT_FALSE(db.ok());
  EXPECT_THAT(std::string(db.status().message()), HasSubstr("migration 2"));
  auto reopened = SqliteDatabase::Open({.path = dir.File("a.db")}, std::span(broken).first(1));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->AppliedMigrations()->size(), 1u);
  // Table b from the failed migration was rolled back with it.
  EXPECT_FALSE(CountRows(**reopened, "b").ok());
}

TEST(SqliteDatabase, ATransactionThatFailsLeavesNothingBehind) {
  testing::TempDir dir;
  auto db = *SqliteDatabase::Open({.path = dir.File("a.db")}, kMigrations);
  const absl::Status s = db->Write([](Transaction& tx) -> absl::Status {
    PCMD_RETURN_IF_ERROR(tx.Execute("INSERT INTO units VALUES (?1, ?2)",
                                    {std::string("01"), std::string("Hà Nội")}));
    PCMD_RETURN_IF_ERROR(tx.Execute("INSERT INTO tips(id, unit_code) VALUES (?1, ?2)",
                                    {std::string("t1"), std::string("01")}));
    return absl::FailedPreconditionError("validation failed after the inserts");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*CountRows(*db, "units"), 0);
  EXPECT_EQ(*CountRows(*db, "tips"), 0);
}

TEST(SqliteDatabase, CommitsDurablyAndKeepsVietnameseTextByteForByte) {
  testing::TempDir dir;
  const std::string name = "Thanh Trì — Hoàng Mai, Đống Đa";
  {
    auto db = *SqliteDatabase::Open({.path = dir.File("a.db")}, kMigrations);
    ASSERT_TRUE(
        db->Write([&](Transaction& tx) {
            return tx.Execute("INSERT INTO units VALUES (?1, ?2)", {std::string("268"), name});
          }).ok());
  }
  auto db = *SqliteDatabase::Open({.path = dir.File("a.db")}, kMigrations);
  std::string read_back;
  ASSERT_TRUE(db->Read([&](Transaction& tx) -> absl::Status {
                  PCMD_ASSIGN_OR_RETURN(
                      auto row,
                      tx.QueryOne("SELECT name FROM units WHERE code = ?1", {std::string("268")}));
                  read_back = row->Text(0);
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(read_back, name);
}

TEST(SqliteDatabase, UsesWalAndFullSynchronousWithForeignKeysEnforced) {
  testing::TempDir dir;
  auto db = *SqliteDatabase::Open({.path = dir.File("a.db")}, kMigrations);
  ASSERT_TRUE(db->Write([](Transaction& tx) -> absl::Status {
                  PCMD_ASSIGN_OR_RETURN(auto mode, tx.QueryOne("PRAGMA journal_mode"));
                  EXPECT_EQ(mode->Text(0), "wal");
                  PCMD_ASSIGN_OR_RETURN(auto sync, tx.QueryOne("PRAGMA synchronous"));
                  EXPECT_EQ(sync->Int(0), 2);  // FULL
                  return absl::OkStatus();
                }).ok());
  const absl::Status orphan = db->Write([](Transaction& tx) {
    return tx.Execute("INSERT INTO tips(id, unit_code) VALUES ('t', 'nowhere')");
  });
  EXPECT_EQ(orphan.code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SqliteDatabase, ReportsADuplicateKeyAsAlreadyExists) {
  auto db = *SqliteDatabase::Open({.path = ":memory:"}, kMigrations);
  auto insert = [](Transaction& tx) { return tx.Execute("INSERT INTO units VALUES ('01', 'x')"); };
  ASSERT_TRUE(db->Write(insert).ok());
  EXPECT_EQ(db->Write(insert).code(), absl::StatusCode::kAlreadyExists);
}

TEST(SqliteDatabase, BindsValuesSoQuotesInInputAreJustText) {
  auto db = *SqliteDatabase::Open({.path = ":memory:"}, kMigrations);
  const std::string hostile = "x'); DROP TABLE units; --";
  ASSERT_TRUE(
      db->Write([&](Transaction& tx) {
          return tx.Execute("INSERT INTO units VALUES (?1, ?2)", {std::string("01"), hostile});
        }).ok());
  EXPECT_EQ(*CountRows(*db, "units"), 1);
}

TEST(SqliteDatabase, StoresBlobsAndNulls) {
  auto db = *SqliteDatabase::Open({.path = ":memory:"}, kMigrations);
  const std::string bytes("\0\x01\xff", 3);
  ASSERT_TRUE(db->Write([&](Transaction& tx) -> absl::Status {
                  PCMD_RETURN_IF_ERROR(tx.Execute("INSERT INTO units VALUES ('01', 'x')"));
                  PCMD_RETURN_IF_ERROR(
                      tx.Execute("INSERT INTO tips VALUES ('a', '01', ?1)", {Blob{bytes}}));
                  return tx.Execute("INSERT INTO tips VALUES ('b', '01', ?1)", {std::monostate{}});
                }).ok());
  ASSERT_TRUE(db->Read([&](Transaction& tx) -> absl::Status {
                  PCMD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT note FROM tips ORDER BY id"));
                  EXPECT_EQ(rows[0].Text(0), bytes);
                  EXPECT_TRUE(rows[1].IsNull(0));
                  EXPECT_FALSE(rows[1].OptionalText(0).has_value());
                  return absl::OkStatus();
                }).ok());
}

TEST(SqliteDatabase, ReadersRefuseToWrite) {
  testing::TempDir dir;
  auto db = *SqliteDatabase::Open({.path = dir.File("a.db")}, kMigrations);
  const absl::Status s =
      db->Read([](Transaction& tx) { return tx.Execute("INSERT INTO units VALUES ('01', 'x')"); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*CountRows(*db, "units"), 0);
}

TEST(SqliteDatabase, SerialisesConcurrentWritersWithoutLosingAny) {
  testing::TempDir dir;
  auto db = *SqliteDatabase::Open({.path = dir.File("a.db")}, kMigrations);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const absl::Status s = db->Write([&](Transaction& tx) {
          return tx.Execute("INSERT INTO units VALUES (?1, 'x')", {absl::StrCat(t, "-", i)});
        });
        if (!s.ok()) ++failures;
        // Readers run alongside and always see a committed count.
        if (!CountRows(*db, "units").ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*CountRows(*db, "units"), 400);
}

constexpr Migration kIdempotency[] = {{1, "idempotency", kIdempotencyMigrationSql}};

TEST(Idempotency, ReturnsTheFirstResourceForARepeatedRequest) {
  auto db = *SqliteDatabase::Open({.path = ":memory:"}, kIdempotency);
  google::protobuf::Timestamp request;
  request.set_seconds(42);
  const std::string fp = RequestFingerprint(request);
  ASSERT_TRUE(db->Write([&](Transaction& tx) -> absl::Status {
                  PCMD_ASSIGN_OR_RETURN(auto found, FindRequest(tx, "Submit", "r1", fp));
                  EXPECT_FALSE(found.has_value());
                  return RecordRequest(tx, "Submit", "r1", fp, "tips/1", 0);
                }).ok());
  ASSERT_TRUE(db->Write([&](Transaction& tx) -> absl::Status {
                  PCMD_ASSIGN_OR_RETURN(auto found, FindRequest(tx, "Submit", "r1", fp));
                  EXPECT_EQ(found, std::optional<std::string>("tips/1"));
                  // The same id in another scope is a different key.
                  PCMD_ASSIGN_OR_RETURN(auto other, FindRequest(tx, "Create", "r1", fp));
                  EXPECT_FALSE(other.has_value());
                  return absl::OkStatus();
                }).ok());
}

TEST(Idempotency, RejectsAReusedIdForADifferentRequest) {
  auto db = *SqliteDatabase::Open({.path = ":memory:"}, kIdempotency);
  google::protobuf::Timestamp a, b;
  a.set_seconds(1);
  b.set_seconds(2);
  ASSERT_NE(RequestFingerprint(a), RequestFingerprint(b));
  ASSERT_TRUE(db->Write([&](Transaction& tx) {
                  return RecordRequest(tx, "Submit", "r1", RequestFingerprint(a), "tips/1", 0);
                }).ok());
  const absl::Status s = db->Write([&](Transaction& tx) {
    return FindRequest(tx, "Submit", "r1", RequestFingerprint(b)).status();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolationsOf(s).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "request_id");
}

}  // namespace
}  // namespace pcmd::storage
