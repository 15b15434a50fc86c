// Personal data at rest: the logic and the SQLite store on a real database file, its
// bytes examined directly.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFieldKey1(32, '1');
const std::string kFieldKey2(32, '2');
const std::string kIndexKey(32, 'i');

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The logic and store over one database file, with a given keyring; several may be made
// one after the other over the same file (a restart, e.g. after a key rotation).
struct Intake {
  Intake(storage::SqliteDatabase& db, const crypto::Keyring& keys)
      : outbox("intake", Clock::Real()),
        store(db, outbox, Clock::Real(), keys),
        units(db),
        tips(store, Clock::Real(), units, keys) {}
  events::Outbox outbox;
  SqliteTipStore store;
  units::SqliteUnitTree units;
  Tips tips;
};

class TipsAtRestTest : public ::testing::Test {
 protected:
  TipsAtRestTest()
      : path_(dir_.File("intake.db")),
        keys_(crypto::Keyring::ForTesting({{1, kFieldKey1}}, kIndexKey)),
        db_(*storage::SqliteDatabase::Open({.path = path_}, IntakeMigrations())),
        intake_(std::make_unique<Intake>(*db_, *keys_)) {
    EXPECT_TRUE(units::RememberUnits(*db_, sample::Units()).ok());
    police_.caller.end_user = "officer-7";
    police_.caller.purpose = "case-management";
  }

  // Runs one statement on the writer connection.
  absl::Status Execute(const std::string& sql) {
    return db_->Write([&](storage::Transaction& tx) { return tx.Execute(sql); });
  }

  std::string Text(const std::string& sql) {
    std::string value;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     auto row = tx.QueryOne(sql);
                     if (!row.ok()) return row.status();
                     if (row->has_value()) value = (*row)->Text(0);
                     return absl::OkStatus();
                   })
                    .ok())
        << sql;
    return value;
  }

  pcmd::testing::TempDir dir_;
  const std::string path_;
  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  std::unique_ptr<Intake> intake_;
  security::Access police_ = security::Access::For(security::AgencyKind::kPolice, "VN", "C06",
                                                   security::Scope::kOwnUnitSubtree);
};

TEST_F(TipsAtRestTest, RoundTripsEveryPersonalFieldWithItsVietnameseDiacritics) {
  const v1::SubmitTipRequest request = sample::FullRequest("r-1");
  auto submitted = intake_->tips.Submit(sample::Receiver(), request);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  auto tip = intake_->tips.Get(police_, submitted->name());
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_EQ(tip->SerializeAsString(), submitted->SerializeAsString());
  EXPECT_EQ(tip->description(), sample::kDescription);
  EXPECT_EQ(tip->place().SerializeAsString(), request.place().SerializeAsString());
  ASSERT_EQ(tip->persons_size(), 3);
  for (int i = 0; i < 3; ++i) {
    v1::NamedPerson expected = request.persons(i);
    expected.set_pseudonym(tip->persons(i).pseudonym());
    EXPECT_EQ(tip->persons(i).SerializeAsString(), expected.SerializeAsString()) << i;
  }
  EXPECT_EQ(tip->persons(1).full_name(), "Trần Thị Ánh Tuyết");
  ASSERT_EQ(tip->attachments_size(), 1);
  EXPECT_EQ(tip->attachments(0).SerializeAsString(), request.attachments(0).SerializeAsString());
  EXPECT_TRUE(tip->has_reporter());

  v1::RevealReporterRequest reveal;
  reveal.set_name(tip->name());
  reveal.set_reason(sample::kReason);
  auto reporter = intake_->tips.RevealReporter(police_, reveal);
  ASSERT_TRUE(reporter.ok()) << reporter.status();
  EXPECT_EQ(reporter->SerializeAsString(), request.reporter().SerializeAsString());
  EXPECT_EQ(reporter->full_name(), "Phạm Thị Hồng Nhung");
}

TEST_F(TipsAtRestTest, LeavesNoPersonalValueInPlaintextInTheDatabaseFiles) {
  auto tip = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  v1::RevealReporterRequest reveal;
  reveal.set_name(tip->name());
  reveal.set_reason(sample::kReason);
  ASSERT_TRUE(intake_->tips.RevealReporter(police_, reveal).ok());

  std::vector<std::string> needles = sample::PersonalValues();
  for (double degrees : {sample::kLatitude, sample::kLongitude}) {
    needles.emplace_back(reinterpret_cast<const char*>(&degrees), sizeof degrees);
  }
  // While the database is open its latest pages are in the write-ahead log.
  const std::string open_bytes = ReadFile(path_) + ReadFile(path_ + "-wal");
  // The scan sees the tip: it is not looking at an empty file.
  ASSERT_THAT(open_bytes, HasSubstr(tip->name().substr(5)));
  ASSERT_THAT(open_bytes, HasSubstr(sample::kPhotoSha256));
  for (const std::string& needle : needles) {
    EXPECT_THAT(open_bytes, Not(HasSubstr(needle))) << needle;
  }
  intake_.reset();
  db_.reset();  // Checkpoints the log into the file.
  const std::string closed_bytes = ReadFile(path_);
  ASSERT_THAT(closed_bytes, HasSubstr(tip->name().substr(5)));
  for (const std::string& needle : needles) {
    EXPECT_THAT(closed_bytes, Not(HasSubstr(needle))) << needle;
  }
}

TEST_F(TipsAtRestTest, AnswersInternalAndLogsWhereWhenASealedValueIsMovedToAnotherRow) {
  auto first = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  auto second = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-2"));
  ASSERT_TRUE(first.ok() && second.ok());
  const std::string first_id = first->name().substr(5);
  const std::string second_id = second->name().substr(5);
  ASSERT_TRUE(Execute(absl::StrCat("UPDATE tips SET description = (SELECT description FROM tips "
                                   "WHERE id = '",
                                   first_id, "') WHERE id = '", second_id, "'"))
                  .ok());
  std::vector<std::string> lines;
  absl::Mutex mu;
  log::SetSinkForTesting([&](absl::string_view line) {
    absl::MutexLock lock(&mu);
    lines.emplace_back(line);
  });
  const absl::Status moved = intake_->tips.Get(police_, second->name()).status();
  log::SetSinkForTesting(nullptr);
  EXPECT_EQ(moved.code(), absl::StatusCode::kInternal) << moved;
  EXPECT_THAT(moved.message(), HasSubstr(second->name()));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("sealed_field_unreadable"));
  EXPECT_THAT(lines[0], HasSubstr(second->name()));
  EXPECT_THAT(lines[0], HasSubstr("\"field\":\"description\""));
  for (const std::string& value : sample::PersonalValues()) {
    EXPECT_THAT(lines[0], Not(HasSubstr(value)));
    EXPECT_THAT(moved.message(), Not(HasSubstr(value)));
  }
  // The untouched tip still opens.
  EXPECT_TRUE(intake_->tips.Get(police_, first->name()).ok());
}

TEST_F(TipsAtRestTest, DoesNotOpenAPersonsValueMovedToAnotherFieldOrPosition) {
  auto tip = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  const std::string id = tip->name().substr(5);
  // The organiser's name put in the broker's row: same tip, another position.
  ASSERT_TRUE(
      Execute(absl::StrCat("UPDATE tip_persons SET full_name = (SELECT full_name FROM "
                           "tip_persons WHERE tip_id = '",
                           id, "' AND position = 0) WHERE tip_id = '", id, "' AND position = 2"))
          .ok());
  EXPECT_EQ(intake_->tips.Get(police_, tip->name()).status().code(), absl::StatusCode::kInternal);
  // The organiser's phone put in the organiser's ID number: same row, another field.
  auto other = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-2"));
  ASSERT_TRUE(other.ok()) << other.status();
  const std::string other_id = other->name().substr(5);
  ASSERT_TRUE(Execute(absl::StrCat("UPDATE tip_persons SET id_number = phone WHERE tip_id = '",
                                   other_id, "' AND position = 0"))
                  .ok());
  EXPECT_EQ(intake_->tips.Get(police_, other->name()).status().code(), absl::StatusCode::kInternal);
}

TEST_F(TipsAtRestTest, OpensOldTipsAfterAKeyRotationAndSealsNewOnesWithTheNewKey) {
  auto old_tip = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  ASSERT_TRUE(old_tip.ok()) << old_tip.status();
  const std::string old_id = old_tip->name().substr(5);

  // Restart with field-1 and field-2, as after `pcmd-keys rotate`.
  intake_.reset();
  keys_ = crypto::Keyring::ForTesting({{1, kFieldKey1}, {2, kFieldKey2}}, kIndexKey);
  intake_ = std::make_unique<Intake>(*db_, *keys_);

  auto reopened = intake_->tips.Get(police_, old_tip->name());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(reopened->SerializeAsString(), old_tip->SerializeAsString());
  auto new_tip = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-2"));
  ASSERT_TRUE(new_tip.ok()) << new_tip.status();
  const std::string new_id = new_tip->name().substr(5);
  // The pseudonym depends on the index key only: rotation leaves it as it was.
  EXPECT_EQ(new_tip->persons(0).pseudonym(), old_tip->persons(0).pseudonym());

  const auto version = [&](const std::string& sql) {
    return crypto::FieldCipher::VersionOf(Text(sql));
  };
  for (const auto& [id, expected] : {std::pair{old_id, 1}, std::pair{new_id, 2}}) {
    EXPECT_EQ(version(absl::StrCat("SELECT description FROM tips WHERE id = '", id, "'")),
              expected);
    EXPECT_EQ(version(absl::StrCat("SELECT full_name FROM tip_persons WHERE tip_id = '", id,
                                   "' AND position = 1")),
              expected);
    EXPECT_EQ(
        version(absl::StrCat("SELECT reporter FROM reporter_vault WHERE tip_id = '", id, "'")),
        expected);
  }
  v1::RevealReporterRequest reveal;
  reveal.set_name(old_tip->name());
  reveal.set_reason(sample::kReason);
  auto reporter = intake_->tips.RevealReporter(police_, reveal);
  ASSERT_TRUE(reporter.ok()) << reporter.status();
  EXPECT_EQ(reporter->full_name(), sample::kReporterName);
}

TEST_F(TipsAtRestTest, AnswersInternalForATipSealedUnderAKeyTheKeyringNoLongerHolds) {
  auto tip = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  ASSERT_TRUE(tip.ok()) << tip.status();
  intake_.reset();
  keys_ = crypto::Keyring::ForTesting({{2, kFieldKey2}}, kIndexKey);
  intake_ = std::make_unique<Intake>(*db_, *keys_);
  EXPECT_EQ(intake_->tips.Get(police_, tip->name()).status().code(), absl::StatusCode::kInternal);
}

TEST_F(TipsAtRestTest, FindsEveryTipNamingAnIdNumberThroughItsBlindIndexAlone) {
  auto first = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-1"));
  v1::SubmitTipRequest other = sample::FullRequest("r-2");
  other.mutable_persons(0)->set_id_number("999999999999");
  auto second = intake_->tips.Submit(sample::Receiver(), other);
  auto third = intake_->tips.Submit(sample::Receiver(), sample::FullRequest("r-3"));
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  const crypto::BlindIndex index(*keys_);
  EXPECT_EQ(
      Text(absl::StrCat("SELECT group_concat(tip_id, ' ') FROM (SELECT tip_id FROM "
                        "tip_persons WHERE id_number_index = '",
                        index.Hash("id_number", sample::kOrganiserIdNumber), "' ORDER BY tip_id)")),
      absl::StrCat(first->name().substr(5), " ", third->name().substr(5)));
  // The minor has no ID number: no index, no pseudonym.
  EXPECT_EQ(Text(absl::StrCat("SELECT COUNT(*) FROM tip_persons WHERE position = 1 AND "
                              "id_number_index IS NULL AND pseudonym IS NULL")),
            "3");
}

}  // namespace
}  // namespace pcmd::intake
