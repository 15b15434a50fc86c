// The tip change log and its watch (tip_feed.h): who receives which change, resuming
// from a cursor without loss or repeats, escalations, malformed and purged cursors.
// Watches run in their own thread against a SQLite file (as in production: readers
// beside the writer), polling every 5 ms; the tests wait on conditions with deadlines.
#include "services/intake/tip_feed.h"

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/temp_dir.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/intake/clocks.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using K = security::AgencyKind;

// How long a test waits for something that should happen within milliseconds.
constexpr absl::Duration kPatience = absl::Seconds(10);

security::Access AccessOf(K kind, const std::string& unit, const std::string& code) {
  security::Access a = security::Access::For(kind, unit, code, security::Scope::kOwnUnitSubtree);
  a.caller.end_user = "officer-" + code;
  a.caller.purpose = "tip-handling";
  return a;
}

v1::WatchTipsRequest WatchRequest(v1::WatchReach reach, const std::string& cursor = "") {
  v1::WatchTipsRequest r;
  r.set_reach(reach);
  r.set_cursor(cursor);
  return r;
}

// "tips/… Change" of a response.
std::string What(const v1::WatchTipsResponse& r) { return absl::StrCat(r.tip(), " ", r.change()); }

std::vector<std::string> WhatOf(const std::vector<v1::WatchTipsResponse>& responses) {
  std::vector<std::string> out;
  for (const v1::WatchTipsResponse& r : responses) out.push_back(What(r));
  return out;
}

// The sequence number of a cursor "c<seq>" (-1 when it is not one).
int64_t SeqOf(const std::string& cursor) {
  int64_t seq = -1;
  absl::string_view digits = cursor;
  if (!absl::ConsumePrefix(&digits, "c") || !absl::SimpleAtoi(digits, &seq)) return -1;
  return seq;
}

// One WatchTips call running in its own thread, collecting what it is sent.
class Watcher {
 public:
  Watcher(TipFeed& feed, security::Access access, v1::WatchTipsRequest request) {
    thread_ = std::thread([this, &feed, access = std::move(access), request = std::move(request)] {
      absl::Status status = feed.Watch(
          access, request,
          [this](const v1::WatchTipsResponse& change) {
            absl::MutexLock lock(&mu_);
            received_.push_back(change);
            return true;
          },
          [this] {
            absl::MutexLock lock(&mu_);
            ++polls_;
            return stop_;
          });
      absl::MutexLock lock(&mu_);
      status_ = status;
      done_ = true;
    });
  }
  ~Watcher() { (void)Stop(); }

  // Waits until the watch has checked for cancellation twice, i.e. it has taken its
  // starting position and polled at least once: changes made from now on reach it.
  // False when it did not get there in time (or ended).
  bool WaitUntilPolling() {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &Watcher::PollingOrDone), kPatience);
    return polls_ >= 2 && !done_;
  }

  // Waits until at least `n` changes arrived (or the watch ended, or time ran out) and
  // returns all received so far.
  std::vector<v1::WatchTipsResponse> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    wanted_ = n;
    mu_.AwaitWithTimeout(absl::Condition(this, &Watcher::HasWantedOrDone), kPatience);
    return received_;
  }

  // Cancels the watch, waits for it to end and returns its status and everything it
  // was sent.
  absl::Status Stop() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
    absl::MutexLock lock(&mu_);
    return status_;
  }
  std::vector<v1::WatchTipsResponse> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }

 private:
  bool PollingOrDone() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return polls_ >= 2 || done_; }
  bool HasWantedOrDone() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return received_.size() >= wanted_ || done_;
  }

  absl::Mutex mu_;
  std::vector<v1::WatchTipsResponse> received_ ABSL_GUARDED_BY(mu_);
  size_t wanted_ ABSL_GUARDED_BY(mu_) = 0;
  int polls_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// VN → "01" Hà Nội → "020" huyện Thanh Trì → "09964" thị trấn Văn Điển;
// VN → "33" Hưng Yên → "323".
class TipFeedTest : public ::testing::Test {
 protected:
  TipFeedTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2024, 6, 3, 9, 30, 0), VietnamTime())),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        db_(*storage::SqliteDatabase::Open({.path = dir_.path() + "/intake.db"},
                                           IntakeMigrations())),
        outbox_("intake", clock_),
        store_(*db_, outbox_, clock_, *keys_),
        units_(*db_),
        tips_(store_, clock_, units_, *keys_),
        feed_(*db_, units_, clock_, {.poll_interval = absl::Milliseconds(5)}) {
    EXPECT_TRUE(
        units::RememberUnits(
            *db_, {{"01", "VN"}, {"020", "01"}, {"09964", "020"}, {"33", "VN"}, {"323", "33"}})
            .ok());
  }

  // A denunciation about an establishment in `unit`, received by `receiver`.
  std::string Submit(const security::Access& receiver, const std::string& unit) {
    v1::SubmitTipRequest r = sample::MinimalRequest(absl::StrCat("r-", ++requests_));
    r.set_unit_code(unit);
    absl::StatusOr<v1::Tip> tip = tips_.Submit(receiver.caller, r);
    EXPECT_TRUE(tip.ok()) << tip.status();
    return tip.ok() ? tip->name() : "";
  }
  void Verify(const security::Access& by, const std::string& name) {
    v1::VerifyTipRequest r;
    r.set_name(name);
    absl::StatusOr<v1::Tip> tip = tips_.Verify(by, r);
    EXPECT_TRUE(tip.ok()) << tip.status();
  }
  void Classify(const security::Access& by, const std::string& name) {
    v1::ClassifyTipRequest r;
    r.set_name(name);
    r.set_classification(v1::CLASSIFICATION_ADMINISTRATIVE);
    absl::StatusOr<v1::Tip> tip = tips_.Classify(by, r);
    EXPECT_TRUE(tip.ok()) << tip.status();
  }
  void Assign(const security::Access& by, const std::string& name, const security::Access& to) {
    v1::AssignTipRequest r;
    r.set_name(name);
    r.set_agency_code(to.caller.agency.code);
    r.set_unit_code(to.caller.agency.unit_code);
    absl::StatusOr<v1::Tip> tip = tips_.Assign(by, r);
    EXPECT_TRUE(tip.ok()) << tip.status();
  }
  void Transfer(const security::Access& by, const std::string& name, const security::Access& to) {
    v1::TransferTipRequest r;
    r.set_name(name);
    r.set_request_id(absl::StrCat("t-", ++requests_));
    r.set_to_agency(to.caller.agency.code);
    r.set_to_unit(to.caller.agency.unit_code);
    absl::StatusOr<v1::Tip> tip = tips_.Transfer(by, r);
    EXPECT_TRUE(tip.ok()) << tip.status();
  }
  void Accept(const security::Access& by, const std::string& name) {
    v1::AcceptTransferRequest r;
    r.set_name(name);
    absl::StatusOr<v1::Tip> tip = tips_.AcceptTransfer(by, r);
    EXPECT_TRUE(tip.ok()) << tip.status();
  }
  void Reject(const security::Access& by, const std::string& name) {
    v1::RejectTransferRequest r;
    r.set_name(name);
    r.set_reason("Không thuộc thẩm quyền của Phòng Lao động - Thương binh và Xã hội");
    absl::StatusOr<v1::Tip> tip = tips_.RejectTransfer(by, r);
    EXPECT_TRUE(tip.ok()) << tip.status();
  }
  void Resolve(const security::Access& by, const std::string& name) {
    v1::ResolveTipRequest r;
    r.set_name(name);
    r.set_outcome(v1::OUTCOME_ADMINISTRATIVE_SANCTION);
    r.add_references("45/QĐ-XPHC");
    absl::StatusOr<v1::Tip> tip = tips_.Resolve(by, r);
    EXPECT_TRUE(tip.ok()) << tip.status();
  }

  // Watch's answer when it ends at once (cancelled before its first poll).
  absl::Status WatchOnce(const security::Access& access, const v1::WatchTipsRequest& request) {
    return feed_.Watch(
        access, request, [](const v1::WatchTipsResponse&) { return true; }, [] { return true; });
  }

  pcmd::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  units::SqliteUnitTree units_;
  Tips tips_;
  TipFeed feed_;
  int requests_ = 0;

  // Văn Điển commune police, Thanh Trì district police and social affairs, Hà Nội
  // city police, Hưng Yên provincial police, the national police department.
  const security::Access van_dien_police_ = AccessOf(K::kPolice, "09964", "CA-VD");
  const security::Access thanh_tri_police_ = AccessOf(K::kPolice, "020", "CA-TT");
  const security::Access thanh_tri_social_ = AccessOf(K::kSocialAffairs, "020", "LDTBXH-TT");
  const security::Access hanoi_police_ = AccessOf(K::kPolice, "01", "CA-HN");
  const security::Access hung_yen_police_ = AccessOf(K::kPolice, "33", "CA-HY");
  const security::Access national_ = AccessOf(K::kPolice, "VN", "C06");
};

TEST_F(TipFeedTest, AWatcherWithoutACursorGetsOnlyChangesAfterItStarted) {
  const std::string before = Submit(thanh_tri_police_, "09964");
  Verify(thanh_tri_police_, before);
  Watcher watcher(feed_, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  ASSERT_TRUE(watcher.WaitUntilPolling());
  clock_.Advance(absl::Minutes(5));
  const std::string after = Submit(thanh_tri_police_, "09964");
  const std::vector<v1::WatchTipsResponse> got = watcher.WaitFor(1);
  EXPECT_TRUE(watcher.Stop().ok());
  ASSERT_THAT(WhatOf(got), ElementsAre(after + " TipReceived"));
  const v1::WatchTipsResponse& r = got[0];
  EXPECT_GT(SeqOf(r.cursor()), 0) << r.cursor();
  EXPECT_EQ(r.state(), v1::TIP_STATE_RECEIVED);
  EXPECT_EQ(r.unit_code(), "09964");
  EXPECT_EQ(r.responsible_agency(), "CA-TT");
  EXPECT_EQ(r.responsible_unit(), "020");
  EXPECT_EQ(r.transfer_to_agency(), "");
  EXPECT_EQ(r.escalated_to_unit(), "");
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(r.change_time()),
            absl::ToUnixMillis(clock_.Now()));
}

TEST_F(TipFeedTest, AnUnsetReachMeansChangesConcerningTheAgency) {
  // intake.proto: WATCH_REACH_CONCERNING_AGENCY is "the default".
  EXPECT_TRUE(WatchOnce(thanh_tri_police_, v1::WatchTipsRequest()).ok())
      << WatchOnce(thanh_tri_police_, v1::WatchTipsRequest());
}

TEST_F(TipFeedTest, AnAgencyGetsTheChangesOfTipsItReceivedHoldsOrIsOfferedAndNoOthers) {
  Watcher social(feed_, thanh_tri_social_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  Watcher police(feed_, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  Watcher hung_yen(feed_, hung_yen_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  ASSERT_TRUE(social.WaitUntilPolling());
  ASSERT_TRUE(police.WaitUntilPolling());
  ASSERT_TRUE(hung_yen.WaitUntilPolling());

  const std::string a = Submit(thanh_tri_police_, "09964");
  const std::string c = Submit(hung_yen_police_, "323");
  Transfer(thanh_tri_police_, a, thanh_tri_social_);
  Verify(hung_yen_police_, c);
  Accept(thanh_tri_social_, a);
  const std::string b = Submit(thanh_tri_social_, "020");
  Resolve(thanh_tri_social_, a);

  const std::vector<v1::WatchTipsResponse> to_social = social.WaitFor(4);
  const std::vector<v1::WatchTipsResponse> to_police = police.WaitFor(4);
  const std::vector<v1::WatchTipsResponse> to_hung_yen = hung_yen.WaitFor(2);
  EXPECT_TRUE(social.Stop().ok());
  EXPECT_TRUE(police.Stop().ok());
  EXPECT_TRUE(hung_yen.Stop().ok());

  EXPECT_THAT(WhatOf(to_social), ElementsAre(a + " TipTransferred", a + " TipTransferAccepted",
                                             b + " TipReceived", a + " TipResolved"));
  EXPECT_THAT(WhatOf(to_police), ElementsAre(a + " TipReceived", a + " TipTransferred",
                                             a + " TipTransferAccepted", a + " TipResolved"));
  EXPECT_THAT(WhatOf(to_hung_yen), ElementsAre(c + " TipReceived", c + " TipVerified"));

  ASSERT_EQ(to_social.size(), 4u);
  EXPECT_EQ(to_social[0].state(), v1::TIP_STATE_TRANSFER_PENDING);
  EXPECT_EQ(to_social[0].transfer_to_agency(), "LDTBXH-TT");
  EXPECT_EQ(to_social[0].responsible_agency(), "CA-TT");
  EXPECT_EQ(to_social[1].state(), v1::TIP_STATE_ASSIGNED);
  EXPECT_EQ(to_social[1].responsible_agency(), "LDTBXH-TT");
  EXPECT_EQ(to_social[1].responsible_unit(), "020");
  EXPECT_EQ(to_social[1].transfer_to_agency(), "");
  EXPECT_EQ(to_social[3].state(), v1::TIP_STATE_RESOLVED);
  // The same change carries the same cursor for every watcher, in log order.
  ASSERT_EQ(to_police.size(), 4u);
  EXPECT_EQ(to_police[1].cursor(), to_social[0].cursor());
  for (size_t i = 1; i < to_social.size(); ++i) {
    EXPECT_LT(SeqOf(to_social[i - 1].cursor()), SeqOf(to_social[i].cursor()));
  }
}

TEST_F(TipFeedTest, AnAgencyGetsTheChangeThatAssignsItATipAndTheOneThatTakesItAway) {
  Watcher police(feed_, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  ASSERT_TRUE(police.WaitUntilPolling());
  // Received by the Hà Nội police, assigned to Thanh Trì, which passes it on.
  const std::string tip = Submit(hanoi_police_, "09964");
  Verify(hanoi_police_, tip);
  Classify(hanoi_police_, tip);
  Assign(hanoi_police_, tip, thanh_tri_police_);
  Transfer(thanh_tri_police_, tip, thanh_tri_social_);
  Accept(thanh_tri_social_, tip);
  const std::vector<v1::WatchTipsResponse> got = police.WaitFor(3);
  EXPECT_TRUE(police.Stop().ok());
  EXPECT_THAT(WhatOf(got), ElementsAre(tip + " TipAssigned", tip + " TipTransferred",
                                       tip + " TipTransferAccepted"));
}

TEST_F(TipFeedTest, AnAgencyOfferedATransferGetsTheOfferAndItsRejectionButNotLaterChanges) {
  Watcher social(feed_, thanh_tri_social_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  ASSERT_TRUE(social.WaitUntilPolling());
  const std::string tip = Submit(thanh_tri_police_, "09964");
  Transfer(thanh_tri_police_, tip, thanh_tri_social_);
  Reject(thanh_tri_social_, tip);
  Verify(thanh_tri_police_, tip);
  // Its own receipt comes after the verification in the log.
  const std::string own = Submit(thanh_tri_social_, "020");
  const std::vector<v1::WatchTipsResponse> got = social.WaitFor(3);
  EXPECT_TRUE(social.Stop().ok());
  EXPECT_THAT(WhatOf(got), ElementsAre(tip + " TipTransferred", tip + " TipTransferRejected",
                                       own + " TipReceived"));
}

TEST_F(TipFeedTest, AUnitSubtreeWatcherGetsEveryChangeWithinItsUnitsOnly) {
  Watcher thanh_tri(feed_, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_UNIT_SUBTREE));
  Watcher everywhere(feed_, national_, WatchRequest(v1::WATCH_REACH_UNIT_SUBTREE));
  ASSERT_TRUE(thanh_tri.WaitUntilPolling());
  ASSERT_TRUE(everywhere.WaitUntilPolling());

  const std::string van_dien = Submit(hanoi_police_, "09964");
  const std::string hung_yen = Submit(hung_yen_police_, "323");
  // Received by Thanh Trì, but the facts are in Hưng Yên.
  const std::string held_elsewhere = Submit(thanh_tri_police_, "323");
  const std::string hanoi = Submit(hanoi_police_, "01");
  Verify(hanoi_police_, van_dien);
  const std::string district = Submit(national_, "020");

  const std::vector<v1::WatchTipsResponse> to_thanh_tri = thanh_tri.WaitFor(3);
  const std::vector<v1::WatchTipsResponse> to_everywhere = everywhere.WaitFor(6);
  EXPECT_TRUE(thanh_tri.Stop().ok());
  EXPECT_TRUE(everywhere.Stop().ok());
  EXPECT_THAT(
      WhatOf(to_thanh_tri),
      ElementsAre(van_dien + " TipReceived", van_dien + " TipVerified", district + " TipReceived"));
  EXPECT_THAT(WhatOf(to_everywhere),
              ElementsAre(van_dien + " TipReceived", hung_yen + " TipReceived",
                          held_elsewhere + " TipReceived", hanoi + " TipReceived",
                          van_dien + " TipVerified", district + " TipReceived"));
}

TEST_F(TipFeedTest, AUnitSubtreeWatcherSkipsWholeBatchesOfOtherUnitsChanges) {
  TipFeed small_batches(*db_, units_, clock_, {.poll_interval = absl::Milliseconds(5), .batch = 2});
  Watcher thanh_tri(small_batches, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_UNIT_SUBTREE));
  ASSERT_TRUE(thanh_tri.WaitUntilPolling());
  for (int i = 0; i < 5; ++i) Submit(hung_yen_police_, "323");
  const std::string van_dien = Submit(hung_yen_police_, "09964");
  const std::vector<v1::WatchTipsResponse> got = thanh_tri.WaitFor(1);
  EXPECT_TRUE(thanh_tri.Stop().ok());
  EXPECT_THAT(WhatOf(got), ElementsAre(van_dien + " TipReceived"));
}

TEST_F(TipFeedTest, ResumingFromTheCursorOfTheKthChangeYieldsExactlyTheChangesAfterIt) {
  Watcher first(feed_, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  ASSERT_TRUE(first.WaitUntilPolling());
  const std::string a = Submit(thanh_tri_police_, "09964");
  Verify(thanh_tri_police_, a);
  const std::string b = Submit(thanh_tri_police_, "020");
  const std::vector<v1::WatchTipsResponse> seen = first.WaitFor(3);
  EXPECT_TRUE(first.Stop().ok());
  ASSERT_THAT(WhatOf(seen),
              ElementsAre(a + " TipReceived", a + " TipVerified", b + " TipReceived"));

  // While no one watches.
  Submit(hung_yen_police_, "323");
  Classify(thanh_tri_police_, a);
  const std::string c = Submit(thanh_tri_police_, "09964");
  Transfer(thanh_tri_police_, a, thanh_tri_social_);

  // Resume after the 2nd change.
  Watcher from_second(feed_, thanh_tri_police_,
                      WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, seen[1].cursor()));
  const std::vector<v1::WatchTipsResponse> after_second = from_second.WaitFor(4);
  // Resume after the 3rd, the last seen.
  Watcher from_third(feed_, thanh_tri_police_,
                     WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, seen[2].cursor()));
  const std::vector<v1::WatchTipsResponse> after_third = from_third.WaitFor(3);
  EXPECT_THAT(WhatOf(after_second), ElementsAre(b + " TipReceived", a + " TipClassified",
                                                c + " TipReceived", a + " TipTransferred"));
  EXPECT_THAT(WhatOf(after_third),
              ElementsAre(a + " TipClassified", c + " TipReceived", a + " TipTransferred"));
  ASSERT_EQ(after_second.size(), 4u);
  EXPECT_EQ(after_second[0].cursor(), seen[2].cursor());

  // Both keep watching: a new change reaches each once.
  const std::string d = Submit(thanh_tri_police_, "09964");
  const std::vector<v1::WatchTipsResponse> more_second = from_second.WaitFor(5);
  const std::vector<v1::WatchTipsResponse> more_third = from_third.WaitFor(4);
  EXPECT_TRUE(from_second.Stop().ok());
  EXPECT_TRUE(from_third.Stop().ok());
  ASSERT_EQ(more_second.size(), 5u);
  ASSERT_EQ(more_third.size(), 4u);
  EXPECT_EQ(What(more_second[4]), d + " TipReceived");
  EXPECT_EQ(What(more_third[3]), d + " TipReceived");
  EXPECT_EQ(more_second[4].cursor(), more_third[3].cursor());

  // Resuming from the newest cursor yields nothing until something changes.
  Watcher from_newest(feed_, thanh_tri_police_,
                      WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, more_second[4].cursor()));
  ASSERT_TRUE(from_newest.WaitUntilPolling());
  EXPECT_THAT(from_newest.received(), IsEmpty());
  const std::string e = Submit(thanh_tri_police_, "020");
  EXPECT_THAT(WhatOf(from_newest.WaitFor(1)), ElementsAre(e + " TipReceived"));
  EXPECT_TRUE(from_newest.Stop().ok());
}

TEST_F(TipFeedTest, AnEscalationReachesTheAgenciesOfTheUnitItIsEscalatedTo) {
  const std::string tip = Submit(van_dien_police_, "09964");
  Watcher thanh_tri(feed_, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  Watcher hanoi(feed_, hanoi_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  Watcher hung_yen(feed_, hung_yen_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  ASSERT_TRUE(thanh_tri.WaitUntilPolling());
  ASSERT_TRUE(hanoi.WaitUntilPolling());
  ASSERT_TRUE(hung_yen.WaitUntilPolling());

  clock_.Advance(absl::Hours(24 * 4));
  ASSERT_TRUE(db_->Write([&](storage::Transaction& tx) {
                   return RecordTipChange(tx,
                                          {.tip_id = std::string(absl::StripPrefix(tip, "tips/")),
                                           .change = "TipOverdue",
                                           .state = v1::TIP_STATE_RECEIVED,
                                           .unit_code = "09964",
                                           .responsible_agency = "CA-VD",
                                           .responsible_unit = "09964",
                                           .escalated_to_unit = "020",
                                           .time = clock_.Now(),
                                           .agencies = {"CA-VD", ""}});
                 })
                  .ok());
  // Later changes that concern the other two watchers.
  const std::string in_hanoi = Submit(hanoi_police_, "01");
  const std::string in_hung_yen = Submit(hung_yen_police_, "323");

  const std::vector<v1::WatchTipsResponse> to_thanh_tri = thanh_tri.WaitFor(1);
  const std::vector<v1::WatchTipsResponse> to_hanoi = hanoi.WaitFor(1);
  const std::vector<v1::WatchTipsResponse> to_hung_yen = hung_yen.WaitFor(1);
  EXPECT_TRUE(thanh_tri.Stop().ok());
  EXPECT_TRUE(hanoi.Stop().ok());
  EXPECT_TRUE(hung_yen.Stop().ok());
  ASSERT_THAT(WhatOf(to_thanh_tri), ElementsAre(tip + " TipOverdue"));
  EXPECT_EQ(to_thanh_tri[0].escalated_to_unit(), "020");
  EXPECT_EQ(to_thanh_tri[0].responsible_agency(), "CA-VD");
  EXPECT_EQ(to_thanh_tri[0].unit_code(), "09964");
  // Escalated to the district, not to the province above it.
  EXPECT_THAT(WhatOf(to_hanoi), ElementsAre(in_hanoi + " TipReceived"));
  EXPECT_THAT(WhatOf(to_hung_yen), ElementsAre(in_hung_yen + " TipReceived"));
}

TEST_F(TipFeedTest, RefusesAMalformedCursorNamingCursor) {
  Submit(thanh_tri_police_, "09964");
  for (const char* cursor : {"abc", "c-1", "c", "1", "cx", "c1.5", "C1"}) {
    const absl::Status s =
        WatchOnce(thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, cursor));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << cursor;
    EXPECT_THAT(ViolatedFields(s), ElementsAre("cursor")) << cursor;
  }
}

TEST_F(TipFeedTest, RefusesACursorWithASignOrSpacesAsNoResponseCarriesOne) {
  Submit(thanh_tri_police_, "09964");
  for (const char* cursor : {"c+1", "c 1", "c1 "}) {
    const absl::Status s =
        WatchOnce(thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, cursor));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << "\"" << cursor << "\"";
    EXPECT_THAT(ViolatedFields(s), ElementsAre("cursor")) << "\"" << cursor << "\"";
  }
}

TEST_F(TipFeedTest, RefusesACursorAheadOfTheLogAndAnUnknownReach) {
  Submit(thanh_tri_police_, "09964");
  const absl::Status ahead =
      WatchOnce(thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, "c999999"));
  EXPECT_EQ(ahead.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ahead.message()), HasSubstr("cursor"));
  const absl::Status reach =
      WatchOnce(thanh_tri_police_, WatchRequest(static_cast<v1::WatchReach>(9)));
  EXPECT_EQ(reach.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(reach), ElementsAre("reach"));
}

TEST_F(TipFeedTest, AfterPurgeAnOldCursorIsOutOfRangeWhileTheNewestStillWorks) {
  Watcher first(feed_, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  ASSERT_TRUE(first.WaitUntilPolling());
  const std::string a = Submit(thanh_tri_police_, "09964");
  Verify(thanh_tri_police_, a);
  Submit(thanh_tri_police_, "020");
  const std::vector<v1::WatchTipsResponse> old = first.WaitFor(3);
  EXPECT_TRUE(first.Stop().ok());
  ASSERT_EQ(old.size(), 3u);

  // Nothing is old enough yet.
  absl::StatusOr<int64_t> none = feed_.Purge();
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, 0);

  clock_.Advance(absl::Hours(24 * 31));
  const std::string fresh = Submit(thanh_tri_police_, "09964");
  absl::StatusOr<int64_t> purged = feed_.Purge();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 3);

  for (int k : {0, 1}) {
    const absl::Status s = WatchOnce(
        thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, old[k].cursor()));
    EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange) << old[k].cursor() << ": " << s;
  }
  // Nothing after the last old cursor was purged: it resumes.
  Watcher from_last_old(feed_, thanh_tri_police_,
                        WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, old[2].cursor()));
  const std::vector<v1::WatchTipsResponse> resumed = from_last_old.WaitFor(1);
  EXPECT_TRUE(from_last_old.Stop().ok());
  ASSERT_THAT(WhatOf(resumed), ElementsAre(fresh + " TipReceived"));

  Watcher from_newest(feed_, thanh_tri_police_,
                      WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, resumed[0].cursor()));
  ASSERT_TRUE(from_newest.WaitUntilPolling());
  const std::string next = Submit(thanh_tri_police_, "020");
  EXPECT_THAT(WhatOf(from_newest.WaitFor(1)), ElementsAre(next + " TipReceived"));
  EXPECT_TRUE(from_newest.Stop().ok());
}

TEST_F(TipFeedTest, PurgeKeepsTheNewestRecordSoTheLogPositionSurvivesAQuietMonth) {
  Watcher first(feed_, thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY));
  ASSERT_TRUE(first.WaitUntilPolling());
  for (int i = 0; i < 3; ++i) Submit(thanh_tri_police_, "09964");
  const std::vector<v1::WatchTipsResponse> old = first.WaitFor(3);
  EXPECT_TRUE(first.Stop().ok());
  ASSERT_EQ(old.size(), 3u);

  clock_.Advance(absl::Hours(24 * 45));
  absl::StatusOr<int64_t> purged = feed_.Purge();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(
      WatchOnce(thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, old[0].cursor()))
          .code(),
      absl::StatusCode::kOutOfRange);
  Watcher from_newest(feed_, thanh_tri_police_,
                      WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY, old[2].cursor()));
  ASSERT_TRUE(from_newest.WaitUntilPolling());
  const std::string next = Submit(thanh_tri_police_, "020");
  EXPECT_THAT(WhatOf(from_newest.WaitFor(1)), ElementsAre(next + " TipReceived"));
  EXPECT_TRUE(from_newest.Stop().ok());
}

TEST_F(TipFeedTest, SendReturningFalseEndsTheWatchWithOk) {
  absl::Mutex mu;
  int polls = 0;
  std::vector<v1::WatchTipsResponse> sent;
  bool gave_up = false;
  absl::Status status;
  const absl::Time deadline = absl::Now() + kPatience;
  std::thread thread([&] {
    absl::Status s = feed_.Watch(
        thanh_tri_police_, WatchRequest(v1::WATCH_REACH_CONCERNING_AGENCY),
        [&](const v1::WatchTipsResponse& change) {
          absl::MutexLock lock(&mu);
          sent.push_back(change);
          return false;
        },
        [&] {
          absl::MutexLock lock(&mu);
          ++polls;
          // Only if send's false were ignored.
          if (absl::Now() > deadline) gave_up = true;
          return gave_up;
        });
    absl::MutexLock lock(&mu);
    status = s;
  });
  {
    absl::MutexLock lock(&mu);
    mu.AwaitWithTimeout(absl::Condition(
                            +[](int* p) { return *p >= 2; }, &polls),
                        kPatience);
  }
  const std::string a = Submit(thanh_tri_police_, "09964");
  Submit(thanh_tri_police_, "09964");
  thread.join();
  absl::MutexLock lock(&mu);
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_FALSE(gave_up);
  EXPECT_THAT(WhatOf(sent), ElementsAre(a + " TipReceived"));
}

}  // namespace
}  // namespace pcmd::intake
