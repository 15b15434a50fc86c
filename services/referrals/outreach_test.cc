// Outreach: tasks opened by intake's and inspections' events (through a real Redis and
// a real EventConsumer), listed, closed with their outcome; outreach contacts; and the
// events each step publishes.
#include "services/referrals/outreach.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/outbox_testing.h"
#include "common/events/relay.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/redis_server.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "services/referrals/sqlite_outreach_store.h"

namespace pcmd::referrals {
namespace {

using security::AgencyKind;
using security::Scope;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

events::v1::SupportOutreachRequested HandOver(const std::string& hand_over, int person_index,
                                              const std::string& pseudonym, bool minor,
                                              const std::string& unit = "268") {
  events::v1::SupportOutreachRequested e;
  e.set_hand_over(hand_over);
  e.set_person_index(person_index);
  e.set_pseudonym(pseudonym);
  e.set_unit_code(unit);
  e.set_minor(minor);
  e.set_from_agency("CA-HN-PC02");
  e.set_found_date("2024-06-01");
  e.set_tip("tips/t-77");
  return e;
}

events::v1::PersonMayNeedSupport MetAtInspection(const std::string& person_key,
                                                 const std::string& pseudonym) {
  events::v1::PersonMayNeedSupport e;
  e.set_inspection("inspections/i-1");
  e.set_pseudonym(pseudonym);
  e.set_person_key(person_key);
  e.set_unit_code("268");
  e.set_trafficking_victim(false);
  e.set_inspection_date("2024-06-02");
  return e;
}

// ---------------------------------------------------------------------------------
// From an event to a task: pure rules

TEST(OutreachDueDate, GivesMinorsAndTraffickingVictimsThreeDaysAndEveryoneElseSeven) {
  struct Case {
    bool minor;
    bool victim;
    absl::CivilDay due;
  };
  for (const Case& c : {Case{true, false, Day(2024, 6, 4)}, Case{false, true, Day(2024, 6, 4)},
                        Case{true, true, Day(2024, 6, 4)}, Case{false, false, Day(2024, 6, 8)}}) {
    EXPECT_EQ(OutreachDueDate(Day(2024, 6, 1), c.minor, c.victim), c.due)
        << "minor " << c.minor << ", victim " << c.victim;
  }
  EXPECT_EQ(OutreachDueDate(Day(2024, 12, 29), true, false), Day(2025, 1, 1)) << "across a year";
}

TEST(TaskForHandOver, NamesThePersonByTheHandOverAndTheirPosition) {
  absl::StatusOr<v1::OutreachTask> task =
      TaskForHandOver(HandOver("handovers/h-1", 2, "psn_a", true));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->source(), v1::OUTREACH_SOURCE_POLICE_HAND_OVER);
  EXPECT_EQ(task->source_ref(), "handovers/h-1#2");
  EXPECT_EQ(task->pseudonym(), "psn_a");
  EXPECT_EQ(task->unit_code(), "268");
  EXPECT_TRUE(task->minor());
  EXPECT_EQ(task->found_date(), "2024-06-01");
  EXPECT_EQ(task->due_date(), "2024-06-04");
  EXPECT_EQ(task->state(), v1::OUTREACH_TASK_STATE_OPEN);
}

TEST(TaskForHandOver, RefusesAMalformedEventNamingTheField) {
  struct Case {
    std::string field;
    void (*spoil)(events::v1::SupportOutreachRequested&);
  };
  const Case cases[] = {
      {"hand_over", [](auto& e) { e.set_hand_over("tips/t-1"); }},
      {"person_index", [](auto& e) { e.set_person_index(-1); }},
      {"unit_code", [](auto& e) { e.clear_unit_code(); }},
      {"found_date", [](auto& e) { e.set_found_date("2024-02-30"); }},
      {"found_date", [](auto& e) { e.clear_found_date(); }},
      {"pseudonym", [](auto& e) { e.set_pseudonym("psn a"); }},
  };
  for (const Case& c : cases) {
    events::v1::SupportOutreachRequested e = HandOver("handovers/h-1", 0, "psn_a", false);
    c.spoil(e);
    const absl::Status s = TaskForHandOver(e).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(ViolatedFields(s), ElementsAre(c.field));
  }
}

TEST(TaskForInspection, UsesThePersonKeyAndTheInspectionDate) {
  absl::StatusOr<v1::OutreachTask> task =
      TaskForInspection(MetAtInspection("inspections/i-1#3", ""));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->source(), v1::OUTREACH_SOURCE_INSPECTION);
  EXPECT_EQ(task->source_ref(), "inspections/i-1#3");
  EXPECT_EQ(task->found_date(), "2024-06-02");
  EXPECT_EQ(task->due_date(), "2024-06-09");
  events::v1::PersonMayNeedSupport keyless = MetAtInspection("", "");
  EXPECT_THAT(ViolatedFields(TaskForInspection(keyless).status()), ElementsAre("person_key"));
}

// ---------------------------------------------------------------------------------
// Through the bus

constexpr storage::Migration kUpstreamMigrations[] = {{1, "outbox", events::kOutboxMigrationSql}};

// A producing service as the referrals consumer sees it: its outbox and its relay.
struct Upstream {
  Upstream(const std::string& producer, const std::string& redis, const Clock& clock)
      : db(*storage::SqliteDatabase::Open({.path = ":memory:"}, kUpstreamMigrations)),
        outbox(producer, clock),
        relay({.producer = producer, .redis_address = redis}, *db, Clock::Real()) {}
  std::unique_ptr<storage::SqliteDatabase> db;
  events::Outbox outbox;
  events::OutboxRelay relay;
};

class OutreachTest : public ::testing::Test {
 protected:
  OutreachTest()
      // 2024-06-03, 14:33 in Vietnam.
      : clock_(absl::FromUnixSeconds(1717400000)),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, ReferralsMigrations())),
        outbox_("referrals", clock_),
        store_(*db_, outbox_, clock_),
        units_(*db_),
        outreach_(store_, clock_, units_),
        intake_("intake", redis_.address(), clock_),
        inspections_("inspections", redis_.address(), clock_),
        consumer_({.group = "referrals",
                   .consumer_name = "referrals-test",
                   .producers = {"intake", "inspections"},
                   .redis_address = redis_.address(),
                   .block = absl::Milliseconds(50),
                   .max_attempts = 1},
                  *db_, Clock::Real()) {
    EXPECT_TRUE(units::RememberUnits(*db_, {{"01", "VN"}, {"268", "01"}, {"33", "VN"}}).ok());
    RegisterOutreachHandlers(consumer_, outbox_, clock_);
  }

  // `from` publishes `events` about `aggregate`; the consumer applies `expected` of them.
  void Deliver(Upstream& from, const std::string& aggregate,
               const std::vector<const google::protobuf::Message*>& events, int expected) {
    ASSERT_TRUE(from.db
                    ->Write([&](storage::Transaction& tx) -> absl::Status {
                      for (const google::protobuf::Message* e : events) {
                        PCMD_RETURN_IF_ERROR(
                            from.outbox.Append(tx, "record", aggregate, *e).status());
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    absl::StatusOr<int> published = from.relay.PublishBatch();
    ASSERT_TRUE(published.ok()) << published.status();
    ASSERT_EQ(*published, static_cast<int>(events.size()));
    ASSERT_NO_FATAL_FAILURE(Apply(expected));
  }

  // Polls until the consumer has applied `expected` events.
  void Apply(int expected) {
    int applied = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (applied < expected && absl::Now() < deadline)
      applied += consumer_.PollOnce().value_or(0);
    ASSERT_EQ(applied, expected) << "the consumer did not apply every event";
  }

  void HandOverPeople(const std::vector<events::v1::SupportOutreachRequested>& people) {
    std::vector<const google::protobuf::Message*> events;
    for (const auto& p : people) events.push_back(&p);
    ASSERT_NO_FATAL_FAILURE(
        Deliver(intake_, people.front().hand_over(), events, static_cast<int>(events.size())));
  }

  // The one task whose source_ref is `ref`.
  v1::OutreachTask TaskOf(const std::string& ref) {
    v1::OutreachTask found;
    for (v1::OutreachTaskState state :
         {v1::OUTREACH_TASK_STATE_OPEN, v1::OUTREACH_TASK_STATE_CONTACTED,
          v1::OUTREACH_TASK_STATE_NOT_REACHED, v1::OUTREACH_TASK_STATE_DECLINED}) {
      v1::ListOutreachTasksRequest request;
      request.set_state(state);
      absl::StatusOr<v1::ListOutreachTasksResponse> page = outreach_.ListTasks(national_, request);
      if (!page.ok()) {
        ADD_FAILURE() << page.status();
        continue;
      }
      for (const v1::OutreachTask& t : page->tasks()) {
        if (t.source_ref() == ref) found = t;
      }
    }
    EXPECT_FALSE(found.name().empty()) << "no task for " << ref;
    return found;
  }

  std::vector<std::string> RefsListed(const security::Access& access,
                                      const v1::ListOutreachTasksRequest& request) {
    absl::StatusOr<v1::ListOutreachTasksResponse> page = outreach_.ListTasks(access, request);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> refs;
    if (!page.ok()) return refs;
    for (const v1::OutreachTask& t : page->tasks()) refs.push_back(t.source_ref());
    return refs;
  }

  // A client row as the clients store writes it (identity sealed: any bytes here).
  std::string AddClient(const std::string& id, const std::string& pseudonym,
                        const std::string& unit = "268") {
    EXPECT_TRUE(db_->Write([&](storage::Transaction& tx) {
                     return tx.Execute(
                         "INSERT INTO clients(id, pseudonym, unit_code, source, source_ref, minor, "
                         "trafficking_victim, identity, agency_code, create_unix_ms) "
                         "VALUES (?1, ?2, ?3, 1, '', 0, 0, ?4, 'SLDTBXH-HN', 1717400000000)",
                         {id, pseudonym, unit, storage::Blob{"sealed"}});
                   })
                    .ok());
    return absl::StrCat("clients/", id);
  }

  static v1::CloseOutreachTaskRequest Close(const v1::OutreachTask& task,
                                            v1::OutreachTaskState outcome,
                                            const std::string& client = "") {
    v1::CloseOutreachTaskRequest r;
    r.set_name(task.name());
    r.set_outcome(outcome);
    r.set_client(client);
    r.set_contact_date("2024-06-03");
    return r;
  }

  static v1::RecordOutreachContactRequest Contact(const std::string& request_id,
                                                  const std::string& client) {
    v1::RecordOutreachContactRequest r;
    r.set_request_id(request_id);
    r.set_client(client);
    r.set_contact_date("2024-06-02");
    r.set_channel(v1::CONTACT_CHANNEL_PEER_EDUCATOR);
    return r;
  }

  template <typename T>
  std::vector<T> Published() {
    std::vector<T> out;
    for (const events::v1::EventEnvelope& env : events::OutboxEnvelopes(*db_)) {
      T payload;
      if (env.payload().UnpackTo(&payload)) out.push_back(std::move(payload));
    }
    return out;
  }

  int64_t Count(const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     PCMD_ASSIGN_OR_RETURN(
                         std::optional<storage::Row> row,
                         tx.QueryOne(absl::StrCat("SELECT COUNT(*) FROM ", table)));
                     n = row.has_value() ? row->Int(0) : -1;
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }

  FakeClock clock_;
  testing::RedisServer redis_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteOutreachStore store_;
  units::SqliteUnitTree units_;
  Outreach outreach_;
  Upstream intake_;
  Upstream inspections_;
  events::EventConsumer consumer_;
  const security::Access national_ =
      security::Access::For(AgencyKind::kSocialAffairs, "VN", "CUC-BTXH", Scope::kOwnUnitSubtree);
  const security::Access hanoi_ =
      security::Access::For(AgencyKind::kSocialAffairs, "01", "SLDTBXH-HN", Scope::kOwnUnitSubtree);
  const security::Access hung_yen_ =
      security::Access::For(AgencyKind::kSocialAffairs, "33", "SLDTBXH-HY", Scope::kOwnUnitSubtree);
};

// ---------------------------------------------------------------------------------
// Opening tasks

TEST_F(OutreachTest, OpensOneOpenTaskPerPersonHandedOverAndPublishesEach) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople(
      {HandOver("handovers/h-1", 0, "psn_a", true), HandOver("handovers/h-1", 1, "", false)}));
  const v1::OutreachTask minor = TaskOf("handovers/h-1#0");
  const v1::OutreachTask adult = TaskOf("handovers/h-1#1");
  EXPECT_THAT(minor.name(), ::testing::StartsWith("outreachTasks/"));
  EXPECT_EQ(minor.state(), v1::OUTREACH_TASK_STATE_OPEN);
  EXPECT_EQ(minor.source(), v1::OUTREACH_SOURCE_POLICE_HAND_OVER);
  EXPECT_EQ(minor.pseudonym(), "psn_a");
  EXPECT_EQ(minor.unit_code(), "268");
  EXPECT_EQ(minor.found_date(), "2024-06-01");
  EXPECT_EQ(minor.create_time().seconds(), 1717400000);
  EXPECT_EQ(adult.pseudonym(), "");

  const std::vector<events::v1::OutreachTaskOpened> opened =
      Published<events::v1::OutreachTaskOpened>();
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_EQ(opened[0].task(), minor.name());
  EXPECT_EQ(opened[0].source(), v1::OUTREACH_SOURCE_POLICE_HAND_OVER);
  EXPECT_EQ(opened[0].unit_code(), "268");
  EXPECT_EQ(opened[0].pseudonym(), "psn_a");
  EXPECT_TRUE(opened[0].minor());
  EXPECT_EQ(opened[0].due_date(), "2024-06-04");
  EXPECT_EQ(opened[1].task(), adult.name());
}

TEST_F(OutreachTest, GivesAMinorHandedOverThreeDaysAndAnAdultSeven) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople(
      {HandOver("handovers/h-1", 0, "psn_a", true), HandOver("handovers/h-1", 1, "psn_b", false)}));
  EXPECT_EQ(TaskOf("handovers/h-1#0").due_date(), "2024-06-04");
  EXPECT_EQ(TaskOf("handovers/h-1#1").due_date(), "2024-06-08");
}

TEST_F(OutreachTest, OpensATaskForAPersonMetDuringAnInspection) {
  const events::v1::PersonMayNeedSupport met = MetAtInspection("inspections/i-1#2", "psn_c");
  ASSERT_NO_FATAL_FAILURE(Deliver(inspections_, "inspections/i-1", {&met}, 1));
  const v1::OutreachTask task = TaskOf("inspections/i-1#2");
  EXPECT_EQ(task.source(), v1::OUTREACH_SOURCE_INSPECTION);
  EXPECT_EQ(task.found_date(), "2024-06-02");
  EXPECT_EQ(task.due_date(), "2024-06-09");
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.OutreachTaskOpened"));
}

TEST_F(OutreachTest, OpensNoSecondTaskWhenTheSamePersonIsAnnouncedAgain) {
  const events::v1::SupportOutreachRequested person = HandOver("handovers/h-1", 0, "psn_a", true);
  // Two events (two event ids) about one person: the inbox cannot tell them apart.
  ASSERT_NO_FATAL_FAILURE(Deliver(intake_, "handovers/h-1", {&person, &person}, 2));
  EXPECT_EQ(Count("outreach_tasks"), 1);
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.OutreachTaskOpened"));
}

TEST_F(OutreachTest, KeepsTasksAndTheirOutcomeWhenEventsAreReplayedAfterAReset) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_a", true)}));
  const v1::OutreachTask task = TaskOf("handovers/h-1#0");
  ASSERT_TRUE(outreach_.CloseTask(hanoi_, Close(task, v1::OUTREACH_TASK_STATE_NOT_REACHED)).ok());
  const size_t published = events::OutboxEnvelopes(*db_).size();

  ASSERT_TRUE(consumer_.Reset().ok());
  ASSERT_NO_FATAL_FAILURE(Apply(1));

  EXPECT_EQ(Count("outreach_tasks"), 1);
  EXPECT_EQ(TaskOf("handovers/h-1#0").state(), v1::OUTREACH_TASK_STATE_NOT_REACHED);
  EXPECT_EQ(events::OutboxEnvelopes(*db_).size(), published) << "a replay publishes nothing";
}

TEST_F(OutreachTest, LinksATaskToTheClientAlreadyHoldingItsPseudonym) {
  const std::string known = AddClient("c-1", "psn_known");
  AddClient("c-2", "");  // Without pseudonym: never matched by a person without one.
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_known", false),
                                          HandOver("handovers/h-1", 1, "psn_new", false),
                                          HandOver("handovers/h-1", 2, "", false)}));
  EXPECT_EQ(TaskOf("handovers/h-1#0").client(), known);
  EXPECT_EQ(TaskOf("handovers/h-1#0").state(), v1::OUTREACH_TASK_STATE_OPEN)
      << "a known client still needs reaching";
  EXPECT_EQ(TaskOf("handovers/h-1#1").client(), "");
  EXPECT_EQ(TaskOf("handovers/h-1#2").client(), "");
}

TEST_F(OutreachTest, DeadLettersAMalformedEventAndOpensNothing) {
  events::v1::SupportOutreachRequested bad = HandOver("handovers/h-1", 0, "psn_a", true);
  bad.set_found_date("01/06/2024");
  ASSERT_TRUE(intake_.db
                  ->Write([&](storage::Transaction& tx) {
                    return intake_.outbox.Append(tx, "record", "handovers/h-1", bad).status();
                  })
                  .ok());
  ASSERT_TRUE(intake_.relay.PublishBatch().ok());
  std::vector<events::DeadLetter> dead;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (dead.empty() && absl::Now() < deadline) {
    ASSERT_TRUE(consumer_.PollOnce().ok());
    dead = consumer_.ListDeadLetters().value_or(std::vector<events::DeadLetter>());
  }
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].event_type, "pcmd.events.v1.SupportOutreachRequested");
  EXPECT_THAT(dead[0].error, HasSubstr("found_date"));
  EXPECT_EQ(Count("outreach_tasks"), 0);
  EXPECT_THAT(events::OutboxEventTypes(*db_), IsEmpty());
}

// ---------------------------------------------------------------------------------
// Listing

TEST_F(OutreachTest, ListsOpenTasksOfTheCallersUnitsEarliestDueFirst) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_a", false),
                                          HandOver("handovers/h-1", 1, "psn_b", true),
                                          HandOver("handovers/h-1", 2, "psn_c", false, "33")}));
  EXPECT_THAT(RefsListed(hanoi_, v1::ListOutreachTasksRequest()),
              ElementsAre("handovers/h-1#1", "handovers/h-1#0"));
  EXPECT_THAT(RefsListed(hung_yen_, v1::ListOutreachTasksRequest()),
              ElementsAre("handovers/h-1#2"));
  EXPECT_THAT(RefsListed(national_, v1::ListOutreachTasksRequest()),
              ElementsAre("handovers/h-1#1", "handovers/h-1#0", "handovers/h-1#2"));
  v1::ListOutreachTasksRequest elsewhere;
  elsewhere.set_unit_code("33");
  EXPECT_EQ(outreach_.ListTasks(hanoi_, elsewhere).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(OutreachTest, ListsClosedTasksOnlyWhenTheirStateIsAskedFor) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_a", false),
                                          HandOver("handovers/h-1", 1, "psn_b", false)}));
  ASSERT_TRUE(
      outreach_
          .CloseTask(hanoi_, Close(TaskOf("handovers/h-1#0"), v1::OUTREACH_TASK_STATE_DECLINED))
          .ok());
  EXPECT_THAT(RefsListed(hanoi_, v1::ListOutreachTasksRequest()), ElementsAre("handovers/h-1#1"));
  v1::ListOutreachTasksRequest declined;
  declined.set_state(v1::OUTREACH_TASK_STATE_DECLINED);
  EXPECT_THAT(RefsListed(hanoi_, declined), ElementsAre("handovers/h-1#0"));
}

TEST_F(OutreachTest, PagesThroughTasksWithoutRepeatsOrGaps) {
  std::vector<events::v1::SupportOutreachRequested> people;
  for (int i = 0; i < 5; ++i) people.push_back(HandOver("handovers/h-1", i, "", i % 2 == 0));
  ASSERT_NO_FATAL_FAILURE(HandOverPeople(people));
  v1::ListOutreachTasksRequest request;
  request.set_page_size(2);
  std::vector<std::string> seen;
  int pages = 0;
  do {
    absl::StatusOr<v1::ListOutreachTasksResponse> page = outreach_.ListTasks(hanoi_, request);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::OutreachTask& t : page->tasks()) seen.push_back(t.source_ref());
    request.set_page_token(page->next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  // Minors (even positions) are due first; ties by name, which follows arrival.
  EXPECT_THAT(seen, ElementsAre("handovers/h-1#0", "handovers/h-1#2", "handovers/h-1#4",
                                "handovers/h-1#1", "handovers/h-1#3"));
}

TEST_F(OutreachTest, RefusesAPageTokenOfAnotherQueryAndBadFilters) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople(
      {HandOver("handovers/h-1", 0, "", false), HandOver("handovers/h-1", 1, "", false)}));
  v1::ListOutreachTasksRequest request;
  request.set_page_size(1);
  absl::StatusOr<v1::ListOutreachTasksResponse> first = outreach_.ListTasks(hanoi_, request);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->next_page_token().empty());
  request.set_page_token(first->next_page_token());
  request.set_state(v1::OUTREACH_TASK_STATE_DECLINED);
  EXPECT_THAT(ViolatedFields(outreach_.ListTasks(hanoi_, request).status()),
              ElementsAre("page_token"));

  v1::ListOutreachTasksRequest bad;
  bad.set_page_size(500);
  bad.set_unit_code("99999");
  bad.set_state(static_cast<v1::OutreachTaskState>(42));
  EXPECT_THAT(ViolatedFields(outreach_.ListTasks(hanoi_, bad).status()),
              ::testing::UnorderedElementsAre("page_size", "unit_code", "state"));
}

// ---------------------------------------------------------------------------------
// Closing tasks

TEST_F(OutreachTest, ClosesAsContactedLinkingTheClientAndRecordingAHandOverContact) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_a", true)}));
  const std::string client = AddClient("c-1", "psn_a");  // Registered after the task opened.
  const v1::OutreachTask task = TaskOf("handovers/h-1#0");
  clock_.Advance(absl::Hours(2));
  absl::StatusOr<v1::OutreachTask> closed =
      outreach_.CloseTask(hanoi_, Close(task, v1::OUTREACH_TASK_STATE_CONTACTED, client));
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state(), v1::OUTREACH_TASK_STATE_CONTACTED);
  EXPECT_EQ(closed->client(), client);
  EXPECT_EQ(closed->close_time().seconds(), 1717400000 + 7200);

  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.OutreachTaskOpened", "pcmd.events.v1.OutreachTaskClosed",
                          "pcmd.events.v1.OutreachContactRecorded"));
  const events::v1::OutreachTaskClosed event = Published<events::v1::OutreachTaskClosed>().at(0);
  EXPECT_EQ(event.task(), task.name());
  EXPECT_EQ(event.outcome(), v1::OUTREACH_TASK_STATE_CONTACTED);
  EXPECT_EQ(event.client(), client);
  EXPECT_EQ(event.unit_code(), "268");
  EXPECT_EQ(event.contact_date(), "2024-06-03");
  const events::v1::OutreachContactRecorded contact =
      Published<events::v1::OutreachContactRecorded>().at(0);
  EXPECT_THAT(contact.contact(), ::testing::StartsWith(client + "/contacts/"));
  EXPECT_EQ(contact.client(), client);
  EXPECT_EQ(contact.channel(), v1::CONTACT_CHANNEL_HAND_OVER);
  EXPECT_EQ(contact.agency_code(), "SLDTBXH-HN");
  EXPECT_EQ(contact.unit_code(), "268");
  EXPECT_EQ(contact.contact_date(), "2024-06-03");
  EXPECT_EQ(contact.outreach_task(), task.name());
  EXPECT_EQ(Count("outreach_contacts"), 1);
}

TEST_F(OutreachTest, RecordsAnEstablishmentContactWhenClosingATaskFromAnInspection) {
  const events::v1::PersonMayNeedSupport met = MetAtInspection("inspections/i-1#0", "");
  ASSERT_NO_FATAL_FAILURE(Deliver(inspections_, "inspections/i-1", {&met}, 1));
  const std::string client = AddClient("c-1", "psn_other");
  ASSERT_TRUE(outreach_
                  .CloseTask(hanoi_, Close(TaskOf("inspections/i-1#0"),
                                           v1::OUTREACH_TASK_STATE_CONTACTED, client))
                  .ok());
  const std::vector<events::v1::OutreachContactRecorded> contacts =
      Published<events::v1::OutreachContactRecorded>();
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].channel(), v1::CONTACT_CHANNEL_ESTABLISHMENT);
}

TEST_F(OutreachTest, ClosesAsNotReachedOrDeclinedWithoutAContact) {
  const std::string known = AddClient("c-1", "psn_a");
  ASSERT_NO_FATAL_FAILURE(HandOverPeople(
      {HandOver("handovers/h-1", 0, "psn_a", false), HandOver("handovers/h-1", 1, "", false)}));
  absl::StatusOr<v1::OutreachTask> declined = outreach_.CloseTask(
      hanoi_, Close(TaskOf("handovers/h-1#0"), v1::OUTREACH_TASK_STATE_DECLINED));
  ASSERT_TRUE(declined.ok()) << declined.status();
  EXPECT_EQ(declined->state(), v1::OUTREACH_TASK_STATE_DECLINED);
  EXPECT_EQ(declined->client(), known) << "the link by pseudonym stays";
  absl::StatusOr<v1::OutreachTask> lost = outreach_.CloseTask(
      hanoi_, Close(TaskOf("handovers/h-1#1"), v1::OUTREACH_TASK_STATE_NOT_REACHED));
  ASSERT_TRUE(lost.ok()) << lost.status();
  EXPECT_EQ(lost->state(), v1::OUTREACH_TASK_STATE_NOT_REACHED);
  EXPECT_EQ(Count("outreach_contacts"), 0);
  const std::vector<events::v1::OutreachTaskClosed> closed =
      Published<events::v1::OutreachTaskClosed>();
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].outcome(), v1::OUTREACH_TASK_STATE_DECLINED);
  EXPECT_EQ(closed[1].outcome(), v1::OUTREACH_TASK_STATE_NOT_REACHED);
  EXPECT_EQ(closed[1].client(), "");
}

TEST_F(OutreachTest, RefusesToCloseATaskTwiceNamingItsStateAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_a", false)}));
  const v1::OutreachTask task = TaskOf("handovers/h-1#0");
  ASSERT_TRUE(outreach_.CloseTask(hanoi_, Close(task, v1::OUTREACH_TASK_STATE_DECLINED)).ok());
  const size_t published = events::OutboxEnvelopes(*db_).size();
  const absl::Status again =
      outreach_.CloseTask(hanoi_, Close(task, v1::OUTREACH_TASK_STATE_NOT_REACHED)).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("OUTREACH_TASK_STATE_DECLINED"));
  EXPECT_EQ(TaskOf("handovers/h-1#0").state(), v1::OUTREACH_TASK_STATE_DECLINED);
  EXPECT_EQ(events::OutboxEnvelopes(*db_).size(), published);
}

TEST_F(OutreachTest, NamesEachMalformedFieldOfAClosure) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "", false)}));
  const v1::OutreachTask task = TaskOf("handovers/h-1#0");
  const std::string client = AddClient("c-1", "");
  struct Case {
    std::string field;
    v1::CloseOutreachTaskRequest request;
  };
  auto with = [&](v1::OutreachTaskState outcome, const std::string& c, const std::string& date) {
    v1::CloseOutreachTaskRequest r = Close(task, outcome, c);
    r.set_contact_date(date);
    return r;
  };
  v1::CloseOutreachTaskRequest misnamed = Close(task, v1::OUTREACH_TASK_STATE_DECLINED);
  misnamed.set_name("tasks/x");
  const Case cases[] = {
      {"client", with(v1::OUTREACH_TASK_STATE_CONTACTED, "", "2024-06-03")},
      {"client", with(v1::OUTREACH_TASK_STATE_CONTACTED, "providers/p-1", "2024-06-03")},
      {"client", with(v1::OUTREACH_TASK_STATE_NOT_REACHED, client, "2024-06-03")},
      {"outcome", with(v1::OUTREACH_TASK_STATE_OPEN, "", "2024-06-03")},
      {"outcome", with(v1::OUTREACH_TASK_STATE_UNSPECIFIED, "", "2024-06-03")},
      {"contact_date", with(v1::OUTREACH_TASK_STATE_DECLINED, "", "")},
      {"contact_date", with(v1::OUTREACH_TASK_STATE_DECLINED, "", "2024-06-04")},  // Tomorrow.
      {"contact_date", with(v1::OUTREACH_TASK_STATE_DECLINED, "", "2024-05-31")},  // Before found.
      {"name", misnamed},
  };
  for (const Case& c : cases) {
    const absl::Status s = outreach_.CloseTask(hanoi_, c.request).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field << ": " << s;
    EXPECT_THAT(ViolatedFields(s), ElementsAre(c.field)) << s;
  }
  EXPECT_EQ(TaskOf("handovers/h-1#0").state(), v1::OUTREACH_TASK_STATE_OPEN);
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.OutreachTaskOpened"));
}

TEST_F(OutreachTest, AnswersNotFoundNamingAnUnknownTaskOrClient) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "", false)}));
  v1::OutreachTask ghost;
  ghost.set_name("outreachTasks/nope");
  const absl::Status no_task =
      outreach_.CloseTask(hanoi_, Close(ghost, v1::OUTREACH_TASK_STATE_DECLINED)).status();
  EXPECT_EQ(no_task.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ViolatedFields(no_task), ElementsAre("name"));
  const absl::Status no_client =
      outreach_
          .CloseTask(hanoi_, Close(TaskOf("handovers/h-1#0"), v1::OUTREACH_TASK_STATE_CONTACTED,
                                   "clients/nope"))
          .status();
  EXPECT_EQ(no_client.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ViolatedFields(no_client), ElementsAre("client"));
  EXPECT_EQ(TaskOf("handovers/h-1#0").state(), v1::OUTREACH_TASK_STATE_OPEN);
}

TEST_F(OutreachTest, RefusesAClientWhoIsNotTheTasksPerson) {
  const std::string known = AddClient("c-1", "psn_a");
  const std::string other = AddClient("c-2", "psn_b");
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_a", false)}));
  const v1::OutreachTask task = TaskOf("handovers/h-1#0");
  const absl::Status s =
      outreach_.CloseTask(hanoi_, Close(task, v1::OUTREACH_TASK_STATE_CONTACTED, other)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("client"));
  EXPECT_TRUE(
      outreach_.CloseTask(hanoi_, Close(task, v1::OUTREACH_TASK_STATE_CONTACTED, known)).ok());
}

TEST_F(OutreachTest, RefusesToCloseATaskOutsideTheCallersUnitsAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "", false)}));
  const v1::OutreachTask task = TaskOf("handovers/h-1#0");
  EXPECT_EQ(
      outreach_.CloseTask(hung_yen_, Close(task, v1::OUTREACH_TASK_STATE_DECLINED)).status().code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(TaskOf("handovers/h-1#0").state(), v1::OUTREACH_TASK_STATE_OPEN);
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.OutreachTaskOpened"));
}

TEST_F(OutreachTest, RefusesToLinkATaskToAClientOutsideTheCallersUnitsBeforeComparingThem) {
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_a", false)}));
  // Another pseudonym: were the client compared first, the answer would say so.
  const std::string elsewhere = AddClient("c-hy", "psn_b", "33");
  const v1::OutreachTask task = TaskOf("handovers/h-1#0");
  EXPECT_EQ(outreach_.CloseTask(hanoi_, Close(task, v1::OUTREACH_TASK_STATE_CONTACTED, elsewhere))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(TaskOf("handovers/h-1#0").state(), v1::OUTREACH_TASK_STATE_OPEN);
  EXPECT_EQ(Count("outreach_contacts"), 0);
}

// ---------------------------------------------------------------------------------
// Recording contacts

TEST_F(OutreachTest, RecordsAContactInTheClientsUnitByTheCallersAgency) {
  const std::string client = AddClient("c-1", "psn_a");
  absl::StatusOr<v1::OutreachContact> contact =
      outreach_.RecordContact(hanoi_, Contact("k-1", client));
  ASSERT_TRUE(contact.ok()) << contact.status();
  EXPECT_THAT(contact->name(), ::testing::StartsWith(client + "/contacts/"));
  EXPECT_EQ(contact->client(), client);
  EXPECT_EQ(contact->contact_date(), "2024-06-02");
  EXPECT_EQ(contact->channel(), v1::CONTACT_CHANNEL_PEER_EDUCATOR);
  EXPECT_EQ(contact->agency_code(), "SLDTBXH-HN");
  EXPECT_EQ(contact->unit_code(), "268");
  EXPECT_EQ(contact->outreach_task(), "");
  const std::vector<events::v1::OutreachContactRecorded> recorded =
      Published<events::v1::OutreachContactRecorded>();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].contact(), contact->name());
  EXPECT_EQ(recorded[0].channel(), v1::CONTACT_CHANNEL_PEER_EDUCATOR);
  EXPECT_EQ(recorded[0].agency_code(), "SLDTBXH-HN");
  EXPECT_EQ(recorded[0].unit_code(), "268");
}

TEST_F(OutreachTest, ReturnsTheFirstContactWhenARequestIsRetried) {
  const std::string client = AddClient("c-1", "psn_a");
  absl::StatusOr<v1::OutreachContact> first =
      outreach_.RecordContact(hanoi_, Contact("k-1", client));
  absl::StatusOr<v1::OutreachContact> retry =
      outreach_.RecordContact(hanoi_, Contact("k-1", client));
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(first->name(), retry->name());
  EXPECT_EQ(Count("outreach_contacts"), 1);
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.OutreachContactRecorded"));
  v1::RecordOutreachContactRequest other = Contact("k-1", client);
  other.set_channel(v1::CONTACT_CHANNEL_STREET);
  EXPECT_THAT(ViolatedFields(outreach_.RecordContact(hanoi_, other).status()),
              ElementsAre("request_id"));
}

TEST_F(OutreachTest, RefusesAContactWithAnUnknownClientOrOneOutsideTheCallersUnits) {
  const std::string client = AddClient("c-1", "psn_a");
  const absl::Status unknown =
      outreach_.RecordContact(hanoi_, Contact("k-1", "clients/nope")).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ViolatedFields(unknown), ElementsAre("client"));
  EXPECT_EQ(outreach_.RecordContact(hung_yen_, Contact("k-2", client)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Count("outreach_contacts"), 0);
  EXPECT_THAT(events::OutboxEventTypes(*db_), IsEmpty());
}

TEST_F(OutreachTest, NamesEachMalformedFieldOfAContact) {
  const std::string client = AddClient("c-1", "psn_a");
  v1::RecordOutreachContactRequest bad = Contact("k 1", "clients/");
  bad.set_contact_date("2024-06-04");
  bad.set_channel(v1::CONTACT_CHANNEL_UNSPECIFIED);
  EXPECT_THAT(ViolatedFields(outreach_.RecordContact(hanoi_, bad).status()),
              ::testing::UnorderedElementsAre("request_id", "client", "contact_date", "channel"));
  v1::RecordOutreachContactRequest undated = Contact("k-2", client);
  undated.clear_contact_date();
  EXPECT_THAT(ViolatedFields(outreach_.RecordContact(hanoi_, undated).status()),
              ElementsAre("contact_date"));
}

// ---------------------------------------------------------------------------------
// What leaves the service

// The referrals outbox holds ids, codes, pseudonyms and dates only: every payload parses
// as the type its envelope names with no field beyond those the event defines, and
// what intake said that referrals does not repeat (the police agency, the tip) is not
// in any of them.
TEST_F(OutreachTest, EventsCarryOnlyTheFieldsTheyDefine) {
  const std::string client = AddClient("c-1", "psn_a");
  ASSERT_NO_FATAL_FAILURE(HandOverPeople({HandOver("handovers/h-1", 0, "psn_a", true)}));
  ASSERT_TRUE(outreach_
                  .CloseTask(hanoi_, Close(TaskOf("handovers/h-1#0"),
                                           v1::OUTREACH_TASK_STATE_CONTACTED, client))
                  .ok());
  ASSERT_TRUE(outreach_.RecordContact(hanoi_, Contact("k-1", client)).ok());
  const std::vector<events::v1::EventEnvelope> envs = events::OutboxEnvelopes(*db_);
  ASSERT_EQ(envs.size(), 4u);
  for (const events::v1::EventEnvelope& env : envs) {
    const google::protobuf::Descriptor* type =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(env.event_type());
    ASSERT_NE(type, nullptr) << env.event_type();
    std::unique_ptr<google::protobuf::Message> payload(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
    ASSERT_TRUE(payload->ParseFromString(env.payload().value()));
    EXPECT_EQ(payload->GetReflection()->GetUnknownFields(*payload).field_count(), 0);
    const std::string bytes = env.SerializeAsString();
    for (absl::string_view not_ours : {"CA-HN-PC02", "tips/t-77", "sealed"}) {
      EXPECT_FALSE(absl::StrContains(bytes, not_ours)) << env.event_type() << " holds " << not_ours;
    }
  }
}

}  // namespace
}  // namespace pcmd::referrals
