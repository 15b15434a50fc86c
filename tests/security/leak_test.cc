// No leaks: known personal values pushed through every create RPC that takes them —
// a tip with its persons, place, description and reporter; an establishment with its
// owner; a break-glass reveal with its reason; a hand-over of the people found in a
// raid, with their needs; a client of social affairs with her identity, the note of
// her referral that the provider reads, her case plan, a case note and a review's
// summary — must appear nowhere but in answers to the callers entitled to them: not
// in the Redis streams, not in any log line, not in the SQLite files' raw bytes
// (database, write-ahead log, shared memory), not in the audit log. Real binaries
// with mutual TLS, a real Redis.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/redis_client.h"
#include "common/storage/sqlite_database.h"
#include "common/testing/redis_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pcmd/events/v1/admin.grpc.pb.h"
#include "pcmd/inspections/v1/inspections.grpc.pb.h"
#include "pcmd/intake/v1/intake.grpc.pb.h"
#include "pcmd/referrals/v1/referrals.grpc.pb.h"
#include "tests/integration/service_process.h"

namespace pcmd::integration {
namespace {

// Each value is distinctive, so a hit cannot be a coincidence.
const std::vector<std::string>& PersonalValues() {
  static const auto* values = new std::vector<std::string>{
      "Phạm Thị Lệ Kiểm Tra",                                // a victim's name
      "079199912345",                                        // her CCCD
      "0987 654 321",                                        // her phone
      "Nạn nhân bị ép bán dâm tại phòng 3",                  // her description
      "Số 77 ngõ Kiểm Rò, phường Bạch Mai",                  // the place (a home)
      "Chị H. khai bị giữ giấy tờ từ tháng 5",               // the tip's case notes
      "Lê Văn Báo Tin",                                      // the reporter
      "0901 222 333",                                        // the reporter's phone
      "baotin.kiemro@example.vn",                            // the reporter's email
      "Đỗ Minh Chủ Cơ Sở",                                   // the establishment's owner
      "001085067890",                                        // the owner's CCCD
      "0243 111 2222",                                       // the owner's phone
      "Cần xác minh lời khai để bảo vệ nhân chứng",          // the break-glass reason
      "Vũ Thị Bàn Giao Kiểm",                                // a woman handed over
      "036201098765",                                        // her CCCD
      "0968 555 444",                                        // her phone
      "Cần nơi ở tạm và học nghề, sợ bị chủ tìm",            // her needs
      "Trịnh Thị Gặp Kiểm",                                  // a woman met during an inspection
      "045203011223",                                        // her CCCD
      "Phòng 5 có hai nữ nhân viên khai bị giữ lương",       // the inspection's findings
      "Cần khám sức khỏe và tư vấn pháp lý",                 // her needs
      "Hoàng Thị Thân Chủ Kiểm",                             // a client of social affairs
      "027198806543",                                        // her CCCD
      "0977246810",                                          // her phone
      "Số 19 hẻm Thân Chủ, phường Hoàng Liệt",               // her address
      "Chị sợ chủ cũ tìm đến, chỉ gọi số riêng sau 18 giờ",  // the referral's note
      "Kế hoạch: tư vấn tâm lý hằng tuần, đưa chị về quê Yên Bái",   // her case plan
      "Buổi gặp thứ ba: chị kể chủ nợ đe dọa em trai ở Lục Yên",     // a case note
      "Rà soát: chị đã có chỗ ở ổn định tại nhà dì ruột ở Gia Lâm",  // a review's summary
  };
  return *values;
}

// States the end user and purpose of use, with a deadline so a hung service fails the
// test rather than stalling it.
void StateUseWithDeadline(grpc::ClientContext& ctx, const std::string& end_user,
                          const std::string& purpose) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  StateUse(ctx, end_user, purpose);
}

// Which of PersonalValues() occur in `haystack`.
std::vector<std::string> Hits(const std::string& haystack) {
  std::vector<std::string> hits;
  for (const std::string& value : PersonalValues()) {
    if (haystack.find(value) != std::string::npos) hits.push_back(value);
  }
  return hits;
}

// Every value held by Redis, by key, as the bytes Redis holds.
std::string EverythingInRedis(const std::string& address) {
  events::RedisClient redis(address);
  std::string all;
  auto flatten = [&all](const events::RedisReply& reply, auto& self) -> void {
    all += reply.str;
    all += '\n';
    for (const events::RedisReply& e : reply.elements) self(e, self);
  };
  auto keys = redis.Command({"KEYS", "*"});
  EXPECT_TRUE(keys.ok()) << keys.status();
  if (!keys.ok()) return all;
  for (const events::RedisReply& key : keys->elements) {
    auto type = redis.Command({"TYPE", key.str});
    if (!type.ok()) continue;
    std::vector<std::string> read;
    if (type->str == "stream") read = {"XRANGE", key.str, "-", "+"};
    if (type->str == "string") read = {"GET", key.str};
    if (type->str == "list") read = {"LRANGE", key.str, "0", "-1"};
    if (type->str == "hash") read = {"HGETALL", key.str};
    if (type->str == "set") read = {"SMEMBERS", key.str};
    if (type->str == "zset") read = {"ZRANGE", key.str, "0", "-1"};
    EXPECT_FALSE(read.empty()) << "key " << key.str << " of type " << type->str << " not read";
    if (read.empty()) continue;
    auto value = redis.Command(read);
    EXPECT_TRUE(value.ok()) << value.status();
    if (value.ok()) flatten(*value, flatten);
    all += key.str + '\n';
  }
  return all;
}

// The raw bytes of every file under `folder` (SQLite database, -wal, -shm).
std::string EveryFileUnder(const std::string& folder, int* files) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    all += testing::ReadFile(entry.path().string());
    ++*files;
  }
  return all;
}

// The audit log's rows as text.
std::string AuditRows(const std::string& db_path) {
  auto db = storage::SqliteDatabase::Open({.path = db_path, .migrate = false}, {});
  EXPECT_TRUE(db.ok()) << db.status();
  std::string all;
  if (!db.ok()) return all;
  EXPECT_TRUE((*db)
                  ->Read([&](storage::Transaction& tx) -> absl::Status {
                    auto rows = tx.Query(
                        "SELECT agency || ' ' || end_user || ' ' || purpose || ' ' || rpc || ' ' "
                        "|| records || ' ' || outcome FROM audit_log");
                    if (!rows.ok()) return rows.status();
                    for (const storage::Row& row : *rows) all += row.Text(0) + '\n';
                    return absl::OkStatus();
                  })
                  .ok());
  return all;
}

TEST(NoLeaks, PersonalValuesReachNeitherTheBusNorLogsNorDatabaseBytesNorTheAuditLog) {
  testing::RedisServer redis;
  TempDir dir;
  const std::vector<std::string> bus = {"--redis=" + redis.address(), "--log-level=debug"};
  RunningBinary plans(kServices[0], dir, "127.0.0.1:0", bus);
  RunningBinary inspections(kServices[2], dir, "127.0.0.1:0", bus);
  std::vector<std::string> intake_flags = bus;
  intake_flags.push_back("--inspections=" + inspections.target());
  RunningBinary intake(kServices[1], dir, "127.0.0.1:0", intake_flags);
  RunningBinary referrals(kServices[3], dir, "127.0.0.1:0", bus);
  for (const RunningBinary* b : {&plans, &intake, &inspections, &referrals}) {
    ASSERT_GT(b->port(), 0) << b->log();
  }
  ASSERT_TRUE(
      RegisterTestUnits(plans.target(), intake.target(), inspections.target(), referrals.target()))
      << intake.log() << inspections.log() << referrals.log();
  const auto& v = PersonalValues();

  // An establishment with its owner, registered by the Hà Nội police (unit 01).
  auto establishments =
      inspections::v1::InspectionsService::NewStub(ChannelAs(inspections.target(), "police-hanoi"));
  inspections::v1::CreateEstablishmentRequest create;
  create.set_request_id("leak-est-1");
  create.set_display_name("Karaoke Hoàng Gia Kiểm Rò");
  create.set_business_type(inspections::v1::BUSINESS_TYPE_KARAOKE);
  create.set_address("Số 5 phố Giải Phóng, Hà Nội");
  create.set_unit_code("01");
  create.mutable_owner()->set_full_name(v[9]);
  create.mutable_owner()->set_id_number(v[10]);
  create.mutable_owner()->set_phone(v[11]);
  inspections::v1::CreateEstablishmentResponse created;
  {
    grpc::ClientContext ctx;
    StateUse(ctx, "officer-0042", "establishment-registry");
    const grpc::Status s = establishments->CreateEstablishment(&ctx, create, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A tip naming a victim, with its place, notes and reporter.
  auto tips = intake::v1::IntakeService::NewStub(ChannelAs(intake.target(), "police-hanoi"));
  intake::v1::SubmitTipRequest submit;
  submit.set_request_id("leak-tip-1");
  submit.set_channel(intake::v1::CHANNEL_HOTLINE);
  submit.set_legal_kind(intake::v1::LEGAL_KIND_DENUNCIATION);
  submit.set_category(intake::v1::CATEGORY_TRAFFICKING);
  submit.set_unit_code("01");
  submit.set_establishment(created.establishment().name());
  submit.set_description(v[5]);
  submit.mutable_place()->set_address(v[4]);
  intake::v1::NamedPerson* victim = submit.add_persons();
  victim->set_role(intake::v1::PERSON_ROLE_VICTIM);
  victim->set_full_name(v[0]);
  victim->set_id_number(v[1]);
  victim->set_phone(v[2]);
  victim->set_description(v[3]);
  submit.mutable_reporter()->set_full_name(v[6]);
  submit.mutable_reporter()->set_phone(v[7]);
  submit.mutable_reporter()->set_email(v[8]);
  intake::v1::SubmitTipResponse submitted;
  {
    grpc::ClientContext ctx;
    StateUse(ctx);
    const grpc::Status s = tips->SubmitTip(&ctx, submit, &submitted);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The entitled caller gets the values back: they really went through.
  intake::v1::GetTipRequest get;
  get.set_name(submitted.tip().name());
  intake::v1::GetTipResponse got;
  {
    grpc::ClientContext ctx;
    StateUse(ctx);
    const grpc::Status s = tips->GetTip(&ctx, get, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(got.tip().persons_size(), 1);
  EXPECT_EQ(got.tip().persons(0).full_name(), v[0]);
  EXPECT_EQ(got.tip().description(), v[5]);
  EXPECT_TRUE(got.tip().has_reporter());
  intake::v1::RevealReporterRequest reveal;
  reveal.set_name(submitted.tip().name());
  reveal.set_reason(v[12]);
  intake::v1::RevealReporterResponse revealed;
  {
    grpc::ClientContext ctx;
    StateUse(ctx, "officer-0042", "witness-protection");
    const grpc::Status s = tips->RevealReporter(&ctx, reveal, &revealed);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(revealed.reporter().full_name(), v[6]);

  // The police hand the victim and a woman found with her to social affairs, which reads
  // the hand-over back.
  intake::v1::CreateHandOverRequest hand_over;
  hand_over.set_request_id("leak-handover-1");
  hand_over.mutable_hand_over()->set_unit_code("01");
  hand_over.mutable_hand_over()->set_tip(submitted.tip().name());
  hand_over.mutable_hand_over()->set_found_date("2024-06-02");
  intake::v1::HandedOverPerson* handed = hand_over.mutable_hand_over()->add_persons();
  handed->set_full_name(v[13]);
  handed->set_id_number(v[14]);
  handed->set_phone(v[15]);
  handed->set_needs(v[16]);
  handed = hand_over.mutable_hand_over()->add_persons();
  handed->set_full_name(v[0]);
  handed->set_id_number(v[1]);
  handed->set_trafficking_victim(true);
  intake::v1::CreateHandOverResponse handed_over;
  {
    grpc::ClientContext ctx;
    StateUse(ctx, "officer-0042", "raid-follow-up");
    const grpc::Status s = tips->CreateHandOver(&ctx, hand_over, &handed_over);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto social_affairs =
      intake::v1::IntakeService::NewStub(ChannelAs(intake.target(), "social-affairs-hanoi"));
  intake::v1::GetHandOverRequest get_hand_over;
  get_hand_over.set_name(handed_over.hand_over().name());
  intake::v1::GetHandOverResponse got_hand_over;
  {
    grpc::ClientContext ctx;
    StateUse(ctx, "officer-0077", "support-outreach");
    const grpc::Status s = social_affairs->GetHandOver(&ctx, get_hand_over, &got_hand_over);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(got_hand_over.hand_over().persons_size(), 2);
  EXPECT_EQ(got_hand_over.hand_over().persons(0).full_name(), v[13]);
  EXPECT_EQ(got_hand_over.hand_over().persons(0).needs(), v[16]);
  EXPECT_EQ(got_hand_over.hand_over().persons(1).id_number(), v[1]);

  // A Team 178 inspects the karaoke and meets a woman who may need support.
  auto as = [&](const std::string& identity) {
    return inspections::v1::InspectionsService::NewStub(ChannelAs(inspections.target(), identity));
  };
  inspections::v1::CreateTeamRequest team;
  team.set_request_id("leak-team-1");
  team.mutable_team()->set_display_name("Đội kiểm tra liên ngành 178 thành phố");
  team.mutable_team()->set_level(inspections::v1::TEAM_LEVEL_PROVINCE);
  team.mutable_team()->set_unit_code("01");
  team.mutable_team()->set_agency_code("DKT178-TT");
  team.mutable_team()->set_decision("Quyết định số 12/QĐ-UBND");
  team.mutable_team()->set_active_from("2024-01-01");
  team.mutable_team()->set_monthly_capacity(10);
  inspections::v1::TeamMember* leader = team.mutable_team()->add_members();
  leader->set_display_name("Bà Trưởng Đoàn");
  leader->set_agency(inspections::v1::MEMBER_AGENCY_SOCIAL_AFFAIRS);
  leader->set_role(inspections::v1::MEMBER_ROLE_LEADER);
  inspections::v1::CreateTeamResponse created_team;
  {
    grpc::ClientContext ctx;
    StateUse(ctx, "officer-0077", "team-registry");
    const grpc::Status s = as("social-affairs-hanoi")->CreateTeam(&ctx, team, &created_team);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string today =
      absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600)));
  inspections::v1::ScheduleInspectionRequest schedule;
  schedule.set_request_id("leak-inspection-1");
  schedule.set_establishment(created.establishment().name());
  schedule.set_team(created_team.team().name());
  schedule.set_kind(inspections::v1::INSPECTION_KIND_SURPRISE);
  schedule.set_planned_date(today);
  inspections::v1::ScheduleInspectionResponse scheduled;
  {
    grpc::ClientContext ctx;
    StateUse(ctx, "officer-0042", "inspection-planning");
    const grpc::Status s = as("police-hanoi")->ScheduleInspection(&ctx, schedule, &scheduled);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  inspections::v1::RecordInspectionResultRequest record;
  record.set_name(scheduled.inspection().name());
  record.set_inspection_date(today);
  record.mutable_result()->set_findings(v[19]);
  record.mutable_result()->set_workers_informed(2);
  inspections::v1::PersonMet* met = record.mutable_result()->add_persons_met();
  met->set_full_name(v[17]);
  met->set_id_number(v[18]);
  met->set_needs(v[20]);
  inspections::v1::RecordInspectionResultResponse recorded;
  {
    grpc::ClientContext ctx;
    StateUse(ctx, "officer-0178", "inspection");
    const grpc::Status s = as("team178-thanhtri")->RecordInspectionResult(&ctx, record, &recorded);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(recorded.inspection().result().persons_met_size(), 1);
  EXPECT_EQ(recorded.inspection().result().persons_met(0).full_name(), v[17]);
  EXPECT_FALSE(recorded.inspection().result().persons_met(0).pseudonym().empty());

  // Referrals: the hand-over and the inspection reach social affairs as outreach tasks,
  // through the bus (pseudonyms and flags only).
  namespace rv1 = referrals::v1;
  auto worker =
      rv1::ReferralsService::NewStub(ChannelAs(referrals.target(), "social-affairs-hanoi"));
  std::vector<rv1::OutreachTask> tasks;
  ASSERT_TRUE(Eventually([&] {
    rv1::ListOutreachTasksRequest request;
    request.set_unit_code("01");
    rv1::ListOutreachTasksResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "outreach");
    if (!worker->ListOutreachTasks(&ctx, request, &response).ok()) return false;
    tasks.assign(response.tasks().begin(), response.tasks().end());
    return tasks.size() == 3;
  })) << referrals.log();
  std::vector<std::string> task_refs;
  for (const rv1::OutreachTask& task : tasks) task_refs.push_back(task.source_ref());
  EXPECT_THAT(task_refs, ::testing::UnorderedElementsAre(handed_over.hand_over().name() + "#0",
                                                         handed_over.hand_over().name() + "#1",
                                                         recorded.inspection().name() + "#0"));

  // The Hà Nội social-work centre, in the directory.
  const std::string centre_name = "Trung tâm Công tác xã hội Hà Nội Kiểm Rò";
  rv1::CreateProviderRequest create_provider;
  create_provider.set_request_id("leak-provider-1");
  create_provider.set_display_name(centre_name);
  create_provider.set_kind(rv1::PROVIDER_KIND_SOCIAL_WORK_CENTRE);
  create_provider.add_services(rv1::SERVICE_TYPE_PSYCHOLOGICAL_COUNSELLING);
  create_provider.set_unit_code("01");
  create_provider.set_agency_code("CTXH-HN");
  rv1::CreateProviderResponse provider;
  {
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "provider-directory");
    const grpc::Status s = worker->CreateProvider(&ctx, create_provider, &provider);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A woman registered as a client with her full identity, who consents to sharing her
  // name, phone and the note with the centre, and whose needs are assessed.
  rv1::RegisterClientRequest register_client;
  register_client.set_request_id("leak-client-1");
  register_client.set_unit_code("01");
  register_client.set_source(rv1::CLIENT_SOURCE_OUTREACH);
  register_client.mutable_identity()->set_full_name(v[21]);
  register_client.mutable_identity()->set_birth_date("1988-11-23");
  register_client.mutable_identity()->set_id_number(v[22]);
  register_client.mutable_identity()->set_phone(v[23]);
  register_client.mutable_identity()->set_address(v[24]);
  rv1::RegisterClientResponse client;
  {
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = worker->RegisterClient(&ctx, register_client, &client);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_THAT(client.client().pseudonym(), ::testing::StartsWith("psn_"));
  rv1::GiveConsentRequest consent;
  consent.set_request_id("leak-consent-1");
  consent.set_client(client.client().name());
  consent.set_basis(rv1::CONSENT_BASIS_CLIENT_CONSENT);
  consent.add_provider_kinds(rv1::PROVIDER_KIND_SOCIAL_WORK_CENTRE);
  consent.add_service_types(rv1::SERVICE_TYPE_PSYCHOLOGICAL_COUNSELLING);
  consent.add_shared_fields(rv1::SHARED_FIELD_FULL_NAME);
  consent.add_shared_fields(rv1::SHARED_FIELD_PHONE);
  consent.add_shared_fields(rv1::SHARED_FIELD_REFERRAL_NOTE);
  consent.set_given_date(today);
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600));
  consent.set_expire_date(absl::FormatCivilTime(day + 180));
  {
    rv1::GiveConsentResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = worker->GiveConsent(&ctx, consent, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  rv1::AssessNeedsRequest assess;
  assess.set_client(client.client().name());
  rv1::Need* need = assess.add_needs();
  need->set_service_type(rv1::SERVICE_TYPE_PSYCHOLOGICAL_COUNSELLING);
  need->set_priority(rv1::NEED_PRIORITY_HIGH);
  need->set_eligible(true);
  assess.set_assessed_date(today);
  {
    rv1::AssessNeedsResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = worker->AssessNeeds(&ctx, assess, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // She is referred to the centre with a note; the centre reads what it may and accepts.
  rv1::CreateReferralRequest refer;
  refer.set_request_id("leak-referral-1");
  refer.set_client(client.client().name());
  refer.set_provider(provider.provider().name());
  refer.set_service_type(rv1::SERVICE_TYPE_PSYCHOLOGICAL_COUNSELLING);
  refer.set_note(v[25]);
  rv1::CreateReferralResponse referred;
  {
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = worker->CreateReferral(&ctx, refer, &referred);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string referral = referred.referral().name();
  auto centre = rv1::ProviderInboxService::NewStub(ChannelAs(referrals.target(), "provider-hanoi"));
  rv1::GetInboxReferralRequest get_inbox;
  get_inbox.set_name(referral);
  rv1::GetInboxReferralResponse inbox;
  {
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "intake-desk", "referrals");
    const grpc::Status s = centre->GetInboxReferral(&ctx, get_inbox, &inbox);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_TRUE(inbox.referral().consent_in_force());
  EXPECT_EQ(inbox.referral().full_name(), v[21]);
  EXPECT_EQ(inbox.referral().phone(), v[23]);
  EXPECT_EQ(inbox.referral().note(), v[25]);
  EXPECT_EQ(inbox.referral().id_number(), "");
  EXPECT_EQ(inbox.referral().address(), "");
  rv1::AcceptReferralRequest accept;
  accept.set_name(referral);
  accept.set_etag(inbox.referral().etag());
  {
    rv1::AcceptReferralResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "intake-desk", "referrals");
    const grpc::Status s = centre->AcceptReferral(&ctx, accept, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.referral().state(), rv1::REFERRAL_STATE_ACCEPTED);
  }

  // A case with a plan, a note and a review.
  auto cases = rv1::CasesService::NewStub(ChannelAs(referrals.target(), "social-affairs-hanoi"));
  rv1::OpenCaseRequest open_case;
  open_case.set_request_id("leak-case-1");
  open_case.set_client(client.client().name());
  open_case.set_case_worker("officer-0077");
  open_case.set_plan(v[26]);
  rv1::OpenCaseResponse opened;
  {
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = cases->OpenCase(&ctx, open_case, &opened);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(opened.case_().plan(), v[26]);
  rv1::AddCaseNoteRequest add_note;
  add_note.set_request_id("leak-note-1");
  add_note.set_case_(opened.case_().name());
  add_note.set_text(v[27]);
  add_note.set_note_date(today);
  add_note.set_author("officer-0077");
  {
    rv1::AddCaseNoteResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = cases->AddCaseNote(&ctx, add_note, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  rv1::ReviewCaseRequest review;
  review.set_name(opened.case_().name());
  review.set_review_date(today);
  review.set_summary(v[28]);
  review.set_next_review_date(absl::FormatCivilTime(day + 30));
  {
    rv1::ReviewCaseResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = cases->ReviewCase(&ctx, review, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.case_().reviews(), 1);
  }
  // The values really went through: the entitled case worker reads them back.
  {
    rv1::GetClientRequest request;
    request.set_name(client.client().name());
    rv1::GetClientResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = worker->GetClient(&ctx, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.client().identity().address(), v[24]);
    EXPECT_EQ(response.client().identity().id_number(), v[22]);
  }
  {
    rv1::ListCaseNotesRequest request;
    request.set_case_(opened.case_().name());
    rv1::ListCaseNotesResponse response;
    grpc::ClientContext ctx;
    StateUseWithDeadline(ctx, "officer-0077", "case-work");
    const grpc::Status s = cases->ListCaseNotes(&ctx, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> texts;
    for (const rv1::CaseNote& note : response.notes()) texts.push_back(note.text());
    EXPECT_THAT(texts, ::testing::UnorderedElementsAre(v[27], v[28]));
  }

  // Let every event reach the bus and every consumer, so the streams hold them all.
  auto drained = [](const RunningBinary& b) {
    return Eventually([&] {
      auto admin = events::v1::EventAdminService::NewStub(ChannelAs(b.target(), "operator"));
      grpc::ClientContext ctx;
      events::v1::GetEventStatsResponse stats;
      return admin->GetEventStats(&ctx, {}, &stats).ok() && stats.outbox_backlog() == 0 &&
             stats.outbox_published() > 0;
    });
  };
  ASSERT_TRUE(drained(intake)) << intake.log();
  ASSERT_TRUE(drained(inspections)) << inspections.log();
  ASSERT_TRUE(drained(referrals)) << referrals.log();

  // The bus.
  const std::string bus_bytes = EverythingInRedis(redis.address());
  EXPECT_NE(bus_bytes.find(submitted.tip().name()), std::string::npos)
      << "the scan must see the tip's events to mean anything";
  EXPECT_NE(bus_bytes.find(handed_over.hand_over().name()), std::string::npos)
      << "the scan must see the hand-over's SupportOutreachRequested events";
  EXPECT_NE(bus_bytes.find(recorded.inspection().result().persons_met(0).pseudonym()),
            std::string::npos)
      << "the scan must see the inspection's PersonMayNeedSupport event";
  EXPECT_NE(bus_bytes.find(client.client().pseudonym()), std::string::npos)
      << "the scan must see referrals' events about the client";
  EXPECT_NE(bus_bytes.find(referral), std::string::npos)
      << "the scan must see referrals' events about the referral";
  EXPECT_NE(bus_bytes.find(opened.case_().name()), std::string::npos)
      << "the scan must see referrals' events about the case";
  EXPECT_THAT(Hits(bus_bytes), ::testing::IsEmpty()) << "on the Redis bus";

  // Stop the services so the logs and files are complete, then scan them.
  for (RunningBinary* b : {&plans, &intake, &inspections, &referrals}) {
    b->process().Signal(SIGTERM);
    EXPECT_EQ(b->process().Wait(absl::Seconds(15)), std::optional<int>(0)) << b->log();
  }
  for (const RunningBinary* b : {&plans, &intake, &inspections, &referrals}) {
    EXPECT_THAT(Hits(b->log()), ::testing::IsEmpty()) << "in a log:\n" << b->log();
  }
  EXPECT_NE(intake.log().find("reporter_revealed"), std::string::npos)
      << "the break-glass warning is logged (without personal data)";
  for (const Binary& b : kServices) {
    int files = 0;
    const std::string bytes = EveryFileUnder(dir.File(b.name), &files);
    EXPECT_GT(files, 0) << b.name;
    EXPECT_THAT(Hits(bytes), ::testing::IsEmpty()) << "in the raw files of " << b.name;
  }
  // The scan does find text that is not personal (the business's name, the centre's
  // name) in the files it reads: a personal value stored as plain text would be seen.
  int ignored = 0;
  EXPECT_NE(EveryFileUnder(dir.File("inspections"), &ignored).find("Karaoke Hoàng Gia Kiểm Rò"),
            std::string::npos);
  const std::string referrals_db = dir.File("referrals/referrals.db");
  ASSERT_TRUE(std::filesystem::exists(referrals_db)) << referrals_db;
  EXPECT_GT(std::filesystem::file_size(referrals_db), 0u) << referrals_db;
  int referrals_files = 0;
  const std::string referrals_bytes = EveryFileUnder(dir.File("referrals"), &referrals_files);
  EXPECT_GT(referrals_files, 0);
  EXPECT_NE(referrals_bytes.find(centre_name), std::string::npos);
  EXPECT_NE(referrals_bytes.find(referral.substr(referral.rfind('/') + 1)), std::string::npos);
  EXPECT_NE(referrals.log().find("\"event\":\"shutdown_complete\",\"service\":\"referrals\""),
            std::string::npos)
      << "the log scan reads referrals' whole log:\n"
      << referrals.log();
  const std::string audit = AuditRows(dir.File("intake/intake.db"));
  EXPECT_NE(audit.find(submitted.tip().name()), std::string::npos) << audit;
  EXPECT_NE(audit.find(handed_over.hand_over().name()), std::string::npos) << audit;
  const std::string referrals_audit = AuditRows(referrals_db);
  EXPECT_NE(referrals_audit.find(client.client().name()), std::string::npos) << referrals_audit;
  EXPECT_NE(referrals_audit.find(referral), std::string::npos) << referrals_audit;
  EXPECT_NE(referrals_audit.find(opened.case_().name()), std::string::npos) << referrals_audit;
  EXPECT_THAT(Hits(audit + AuditRows(dir.File("inspections/inspections.db")) + referrals_audit),
              ::testing::IsEmpty());
}

}  // namespace
}  // namespace pcmd::integration
