#include "services/intake/intake_service.h"

#include <set>

#include "common/crypto/keyring.h"
#include "common/events/outbox_testing.h"
#include "common/server/guard_testing.h"
#include "common/server/server.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/access_rules.h"
#include "services/intake/sqlite_handover_store.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;

// The national police department for social-order crime (C06): it reaches every unit,
// so these tests are about the adapter; scope has its own tests (tips_test, units_test).
const std::string kPolice = "urn:pcmd:agency:police:VN:C06";
// The supreme procuracy, which supervises how denunciations are settled.
const std::string kProcuracy = "urn:pcmd:agency:procuracy:VN:VKSNDTC";
// The national social-affairs department: it may read tips but not open reporters.
const std::string kSocialAffairs = "urn:pcmd:agency:social_affairs:VN:CUC-PCTNXH";

// The real adapter, logic and SQLite store behind an in-process channel.
// The inspections registry, faked: it knows the names it is given, and can be down.
class FakeRegistry : public EstablishmentRegistry {
 public:
  absl::Status CheckExists(const security::Caller& on_behalf_of, const std::string& name) override {
    asked_for = on_behalf_of.end_user;
    if (down) return absl::UnavailableError("registry down");
    if (known.count(name) == 0) {
      return StatusWithFields(absl::StatusCode::kNotFound, "unknown",
                              {{"establishment", "names no registered establishment"}});
    }
    return absl::OkStatus();
  }
  std::set<std::string> known;
  bool down = false;
  std::string asked_for;
};

class IntakeServiceTest : public ::testing::Test {
 protected:
  IntakeServiceTest()
      : keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, IntakeMigrations())),
        outbox_("intake", Clock::Real()),
        store_(*db_, outbox_, Clock::Real(), *keys_),
        units_(*db_),
        tips_(store_, Clock::Real(), units_, *keys_),
        policy_(IntakeAccessPolicy()),
        gatekeeper_(policy_, IdentityMode::kInsecureHeader, *db_, std::string(32, 'a'),
                    Clock::Real()),
        feed_(*db_, units_, Clock::Real(), {.poll_interval = absl::Milliseconds(20)}),
        handover_store_(*db_, outbox_, Clock::Real(), *keys_),
        hand_overs_(handover_store_, store_, Clock::Real(), units_, *keys_),
        service_(Guard(gatekeeper_, v1::IntakeService::service_full_name()), tips_, registry_,
                 feed_, hand_overs_),
        server_(*StartServer({.insecure = true},
                             {{&service_, v1::IntakeService::service_full_name()}})),
        stub_(v1::IntakeService::NewStub(
            server_->server()->InProcessChannel(grpc::ChannelArguments()))) {
    EXPECT_TRUE(units::RememberUnits(*db_, sample::Units()).ok());
  }

  // Submits the full sample tip (with a reporter) as the police; returns its name.
  std::string SubmitFullTip(const std::string& request_id) {
    v1::SubmitTipResponse submitted;
    grpc::ClientContext ctx;
    testing::ActAs(ctx, kPolice);
    const grpc::Status status = stub_->SubmitTip(&ctx, sample::FullRequest(request_id), &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return submitted.tip().name();
  }

  grpc::Status Reveal(const std::string& agency, const std::string& name, const std::string& reason,
                      v1::RevealReporterResponse* response) {
    v1::RevealReporterRequest request;
    request.set_name(name);
    request.set_reason(reason);
    grpc::ClientContext ctx;
    testing::ActAs(ctx, agency, "officer-0042", "case-management");
    return stub_->RevealReporter(&ctx, request, response);
  }

  int64_t AuditCount() {
    auto head = audit::AuditLog::Verify(*db_, std::string(32, 'a'));
    EXPECT_TRUE(head.ok()) << head.status();
    return head.ok() ? head->count : -1;
  }

  // rpc, records and outcome of the last audit record.
  std::string LastAuditRecord() {
    std::string record;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     auto row = tx.QueryOne(
                         "SELECT rpc || ' ' || records || ' ' || outcome || ' ' || end_user "
                         "FROM audit_log ORDER BY seq DESC LIMIT 1");
                     if (!row.ok()) return row.status();
                     if (row->has_value()) record = (*row)->Text(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return record;
  }

  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  units::SqliteUnitTree units_;
  Tips tips_;
  const security::AccessPolicy policy_;
  Gatekeeper gatekeeper_;
  FakeRegistry registry_;
  TipFeed feed_;
  SqliteHandOverStore handover_store_;
  HandOvers hand_overs_;
  IntakeServiceImpl service_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
};

TEST_F(IntakeServiceTest, SubmitsAndReadsBackATipOverGrpc) {
  v1::SubmitTipRequest request = sample::MinimalRequest("hotline-2024-0001");
  v1::SubmitTipResponse submitted;
  grpc::ClientContext submit_ctx;
  testing::ActAs(submit_ctx, kPolice);
  ASSERT_TRUE(stub_->SubmitTip(&submit_ctx, request, &submitted).ok());

  v1::GetTipRequest get;
  get.set_name(submitted.tip().name());
  v1::GetTipResponse got;
  grpc::ClientContext get_ctx;
  testing::ActAs(get_ctx, kPolice);
  ASSERT_TRUE(stub_->GetTip(&get_ctx, get, &got).ok());
  EXPECT_EQ(got.tip().unit_code(), "268");
  EXPECT_EQ(got.tip().channel(), v1::CHANNEL_HOTLINE);
}

TEST_F(IntakeServiceTest, AnswersBadInputWithInvalidArgumentAndTheFieldDetails) {
  v1::SubmitTipRequest request;  // Everything missing.
  v1::SubmitTipResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  const grpc::Status status = stub_->SubmitTip(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldViolationsOf(FromGrpcStatus(status)),
              Contains(Field(&FieldViolation::field, "unit_code")));
}

TEST_F(IntakeServiceTest, AnswersNotFoundForAnUnknownTip) {
  v1::GetTipRequest get;
  get.set_name("tips/does-not-exist");
  v1::GetTipResponse got;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  EXPECT_EQ(stub_->GetTip(&ctx, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(IntakeServiceTest, RefusesACallerThatNamesNoAgency) {
  v1::GetTipRequest get;
  get.set_name("tips/0192f0aa-0000-7000-8000-000000000001");
  v1::GetTipResponse got;
  grpc::ClientContext ctx;
  EXPECT_EQ(stub_->GetTip(&ctx, get, &got).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IntakeServiceTest, RefusesAnAgencyKindWithoutARuleAndAuditsTheAttempt) {
  v1::GetTipRequest get;
  get.set_name("tips/0192f0aa-0000-7000-8000-000000000001");
  v1::GetTipResponse got;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, "urn:pcmd:agency:provider:01:CTXH-HN");
  const grpc::Status status = stub_->GetTip(&ctx, get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("provider"), std::string::npos);
  auto head = audit::AuditLog::Verify(*db_, std::string(32, 'a'));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->count, 1);
}

TEST_F(IntakeServiceTest, RefusesToReadATipWithoutAStatedPurpose) {
  v1::GetTipRequest get;
  get.set_name("tips/0192f0aa-0000-7000-8000-000000000001");
  v1::GetTipResponse got;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice, "officer-0001", "");
  const grpc::Status status = stub_->GetTip(&ctx, get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(status.error_message().find("x-pcmd-purpose"), std::string::npos);
}

TEST_F(IntakeServiceTest, WritesOneAuditRecordPerCallNamingTheTip) {
  v1::SubmitTipRequest request = sample::MinimalRequest("hotline-2024-0002");
  v1::SubmitTipResponse submitted;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  ASSERT_TRUE(stub_->SubmitTip(&ctx, request, &submitted).ok());
  auto head = audit::AuditLog::Verify(*db_, std::string(32, 'a'));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->count, 1);
  std::string records;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                   auto row = tx.QueryOne(
                       "SELECT records || ' ' || outcome || ' ' || agency "
                       "FROM audit_log WHERE seq = 1");
                   if (!row.ok()) return row.status();
                   records = (*row)->Text(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_NE(records.find(submitted.tip().name()), std::string::npos) << records;
  EXPECT_NE(records.find("OK"), std::string::npos) << records;
  EXPECT_NE(records.find("C06"), std::string::npos) << records;
}

TEST_F(IntakeServiceTest, RevealsTheReporterToThePoliceAuditedAndRaisedToSupervisors) {
  const std::string name = SubmitFullTip("hotline-2024-0003");
  const int64_t audited = AuditCount();
  v1::RevealReporterResponse response;
  const grpc::Status status = Reveal(kPolice, name, sample::kReason, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.reporter().full_name(), sample::kReporterName);
  EXPECT_EQ(response.reporter().email(), sample::kReporterEmail);
  EXPECT_EQ(AuditCount(), audited + 1);
  const std::string record = LastAuditRecord();
  EXPECT_THAT(record, HasSubstr("/pcmd.intake.v1.IntakeService/RevealReporter"));
  EXPECT_THAT(record, HasSubstr(name));
  EXPECT_THAT(record, HasSubstr("OK"));
  EXPECT_THAT(record, HasSubstr("officer-0042"));
  EXPECT_THAT(record, Not(HasSubstr("CSHS")));  // The reason stays out of the audit log.
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.TipReceived", "pcmd.events.v1.ReporterRevealed"));
}

TEST_F(IntakeServiceTest, RevealsTheReporterToTheProcuracy) {
  const std::string name = SubmitFullTip("hotline-2024-0004");
  v1::RevealReporterResponse response;
  const grpc::Status status = Reveal(kProcuracy, name, sample::kReason, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.reporter().id_number(), sample::kReporterIdNumber);
}

TEST_F(IntakeServiceTest, RefusesToRevealWithoutAReasonNamingTheFieldAndAuditsTheAttempt) {
  const std::string name = SubmitFullTip("hotline-2024-0005");
  const int64_t audited = AuditCount();
  v1::RevealReporterResponse response;
  const grpc::Status status = Reveal(kPolice, name, "", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldViolationsOf(FromGrpcStatus(status)),
              ElementsAre(Field(&FieldViolation::field, "reason")));
  EXPECT_FALSE(response.has_reporter());
  EXPECT_EQ(AuditCount(), audited + 1);
  EXPECT_THAT(LastAuditRecord(), HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.TipReceived"));
}

TEST_F(IntakeServiceTest, RefusesToRevealToAnAgencyKindWithoutTheRuleAndAuditsTheAttempt) {
  const std::string name = SubmitFullTip("hotline-2024-0006");
  // Social affairs may read the tip...
  v1::GetTipRequest get;
  get.set_name(name);
  v1::GetTipResponse got;
  grpc::ClientContext get_ctx;
  testing::ActAs(get_ctx, kSocialAffairs);
  ASSERT_TRUE(stub_->GetTip(&get_ctx, get, &got).ok());
  // ...but not open its reporter.
  const int64_t audited = AuditCount();
  v1::RevealReporterResponse response;
  const grpc::Status status = Reveal(kSocialAffairs, name, sample::kReason, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("social_affairs"));
  EXPECT_FALSE(response.has_reporter());
  EXPECT_EQ(AuditCount(), audited + 1);
  EXPECT_THAT(LastAuditRecord(), HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(events::OutboxEventTypes(*db_), ElementsAre("pcmd.events.v1.TipReceived"));
}

TEST_F(IntakeServiceTest, AnswersNotFoundWhenRevealingATipWithoutAReporter) {
  v1::SubmitTipRequest request = sample::FullRequest("hotline-2024-0007");
  request.clear_reporter();
  v1::SubmitTipResponse submitted;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  ASSERT_TRUE(stub_->SubmitTip(&ctx, request, &submitted).ok());
  EXPECT_FALSE(submitted.tip().has_reporter());
  v1::RevealReporterResponse response;
  EXPECT_EQ(Reveal(kPolice, submitted.tip().name(), sample::kReason, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(IntakeServiceTest, ReturnsEveryPersonalFieldButNeverTheReporterFromSubmitOrGetTip) {
  v1::SubmitTipResponse submitted;
  grpc::ClientContext submit_ctx;
  testing::ActAs(submit_ctx, kPolice);
  ASSERT_TRUE(
      stub_->SubmitTip(&submit_ctx, sample::FullRequest("hotline-2024-0008"), &submitted).ok());
  v1::GetTipRequest get;
  get.set_name(submitted.tip().name());
  v1::GetTipResponse got;
  grpc::ClientContext get_ctx;
  testing::ActAs(get_ctx, kPolice);
  ASSERT_TRUE(stub_->GetTip(&get_ctx, get, &got).ok());
  EXPECT_EQ(got.tip().description(), sample::kDescription);
  EXPECT_EQ(got.tip().place().address(), sample::kAddress);
  ASSERT_EQ(got.tip().persons_size(), 3);
  EXPECT_EQ(got.tip().persons(1).full_name(), sample::kMinorName);
  EXPECT_TRUE(got.tip().has_reporter());
  for (const std::string& bytes : {submitted.SerializeAsString(), got.SerializeAsString()}) {
    for (const char* value :
         {sample::kReporterName, sample::kReporterPhone, sample::kReporterIdNumber,
          sample::kReporterAddress, sample::kReporterEmail}) {
      EXPECT_THAT(bytes, Not(HasSubstr(value)));
    }
  }
}

TEST_F(IntakeServiceTest, AcceptsATipNamingARegisteredEstablishmentAskingOnBehalfOfTheOfficer) {
  const std::string name = "establishments/0192f0aa-0000-7000-8000-00000000e001";
  registry_.known.insert(name);
  v1::SubmitTipRequest request = sample::MinimalRequest("est-known");
  request.set_establishment(name);
  v1::SubmitTipResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice, "officer-0777");
  const grpc::Status status = stub_->SubmitTip(&ctx, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.tip().establishment(), name);
  EXPECT_EQ(registry_.asked_for, "officer-0777");
}

TEST_F(IntakeServiceTest, RefusesATipNamingAnUnknownEstablishmentNamingTheFieldAndStoresNothing) {
  v1::SubmitTipRequest request = sample::MinimalRequest("est-unknown");
  request.set_establishment("establishments/0192f0aa-0000-7000-8000-00000000e404");
  v1::SubmitTipResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  const grpc::Status status = stub_->SubmitTip(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(FieldViolationsOf(FromGrpcStatus(status)),
              Contains(Field(&FieldViolation::field, "establishment")));
  EXPECT_TRUE(events::OutboxEventTypes(*db_).empty());
}

TEST_F(IntakeServiceTest, AnswersUnavailableWhileTheRegistryIsDownSoTheOfficerRetries) {
  registry_.down = true;
  v1::SubmitTipRequest request = sample::MinimalRequest("est-down");
  request.set_establishment("establishments/0192f0aa-0000-7000-8000-00000000e001");
  v1::SubmitTipResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  EXPECT_EQ(stub_->SubmitTip(&ctx, request, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(IntakeServiceTest, RefusesAnEndUserThatIsNotAnAccountIdNamingTheHeader) {
  v1::GetTipRequest get;
  get.set_name("tips/0192f0aa-0000-7000-8000-000000000001");
  v1::GetTipResponse got;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice, "Nguyen Van A", "tip-handling");
  const grpc::Status status = stub_->GetTip(&ctx, get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldViolationsOf(FromGrpcStatus(status)),
              Contains(Field(&FieldViolation::field, "x-pcmd-end-user")));
  std::string end_users;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                   auto rows = tx.Query("SELECT end_user FROM audit_log");
                   if (!rows.ok()) return rows.status();
                   for (const auto& row : *rows) end_users += row.Text(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_THAT(end_users, Not(HasSubstr("Nguyen")));
}

TEST_F(IntakeServiceTest, AuditsACallWithAHugeMalformedNameBoundedAndKeepsTheChainIntact) {
  v1::GetTipRequest get;
  get.set_name("tips/a,b\x1f" + std::string(100000, 'x'));
  v1::GetTipResponse got;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  EXPECT_EQ(stub_->GetTip(&ctx, get, &got).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto head = audit::AuditLog::Verify(*db_, std::string(32, 'a'));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->count, 1);
  int64_t longest = 0;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                   auto row = tx.QueryOne("SELECT MAX(LENGTH(records)) FROM audit_log");
                   if (!row.ok()) return row.status();
                   longest = (*row)->Int(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_LE(longest, 200);
}

TEST_F(IntakeServiceTest, VerifiesAndTransfersATipOverGrpcUntilTheReceiverAcceptsIt) {
  const std::string name = SubmitFullTip("r-stage");
  v1::VerifyTipRequest verify;
  verify.set_name(name);
  v1::VerifyTipResponse verified;
  grpc::ClientContext verify_ctx;
  testing::ActAs(verify_ctx, kPolice);
  const grpc::Status v = stub_->VerifyTip(&verify_ctx, verify, &verified);
  ASSERT_TRUE(v.ok()) << v.error_message();
  EXPECT_EQ(verified.tip().state(), v1::TIP_STATE_VERIFIED);
  EXPECT_EQ(verified.tip().responsible_agency(), "C06");

  v1::TransferTipRequest transfer;
  transfer.set_name(name);
  transfer.set_request_id("t-1");
  transfer.set_etag(verified.tip().etag());
  transfer.set_to_agency("CUC-PCTNXH");
  transfer.set_to_unit("VN");
  v1::TransferTipResponse transferred;
  grpc::ClientContext transfer_ctx;
  testing::ActAs(transfer_ctx, kPolice);
  const grpc::Status t = stub_->TransferTip(&transfer_ctx, transfer, &transferred);
  ASSERT_TRUE(t.ok()) << t.error_message();
  EXPECT_EQ(transferred.tip().state(), v1::TIP_STATE_TRANSFER_PENDING);

  v1::AcceptTransferRequest accept;
  accept.set_name(name);
  v1::AcceptTransferResponse accepted;
  grpc::ClientContext accept_ctx;
  testing::ActAs(accept_ctx, kSocialAffairs, "officer-0042");
  const grpc::Status a = stub_->AcceptTransfer(&accept_ctx, accept, &accepted);
  ASSERT_TRUE(a.ok()) << a.error_message();
  EXPECT_EQ(accepted.tip().state(), v1::TIP_STATE_ASSIGNED);
  EXPECT_EQ(accepted.tip().responsible_agency(), "CUC-PCTNXH");
  EXPECT_EQ(accepted.tip().history().rbegin()->end_user(), "officer-0042");
  EXPECT_THAT(LastAuditRecord(), HasSubstr("AcceptTransfer"));
  EXPECT_THAT(events::OutboxEventTypes(*db_), Contains("pcmd.events.v1.TipTransferAccepted"));
}

TEST_F(IntakeServiceTest, RefusesAStageChangeByAnAgencyNotResponsibleNamingTheResponsibleOne) {
  const std::string name = SubmitFullTip("r-other");
  v1::VerifyTipRequest verify;
  verify.set_name(name);
  v1::VerifyTipResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kSocialAffairs);
  const grpc::Status status = stub_->VerifyTip(&ctx, verify, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("C06"));
}

TEST_F(IntakeServiceTest, AnswersFailedPreconditionNamingTheStateOverGrpc) {
  const std::string name = SubmitFullTip("r-early");
  v1::ResolveTipRequest resolve;
  resolve.set_name(name);
  resolve.set_outcome(v1::OUTCOME_NO_VIOLATION);
  resolve.add_references("12/QĐ");
  v1::ResolveTipResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  const grpc::Status status = stub_->ResolveTip(&ctx, resolve, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("is RECEIVED; ResolveTip needs ASSIGNED"));
}

TEST_F(IntakeServiceTest, AnswersAnEmptyStageRequestWithInvalidArgument) {
  v1::ExtendTipDeadlineResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kProcuracy);
  const grpc::Status status =
      stub_->ExtendTipDeadline(&ctx, v1::ExtendTipDeadlineRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// A woman found in a raid in Thanh Trì (268), handed over by the police.
v1::CreateHandOverRequest HandOverRequest(const std::string& request_id) {
  v1::CreateHandOverRequest request;
  request.set_request_id(request_id);
  request.mutable_hand_over()->set_unit_code("268");
  request.mutable_hand_over()->set_found_date("2024-06-02");
  v1::HandedOverPerson& person = *request.mutable_hand_over()->add_persons();
  person.set_full_name("Nguyễn Thị Hồng");
  person.set_id_number("001301012345");
  person.set_phone("0903 123 456");
  person.set_needs("Cần chỗ ở tạm");
  return request;
}

TEST_F(IntakeServiceTest, HandsOverAPersonAuditingTheHandOverAndPseudonymButNotTheName) {
  v1::CreateHandOverResponse created;
  grpc::ClientContext create_ctx;
  testing::ActAs(create_ctx, kPolice, "officer-0042", "raid-follow-up");
  const grpc::Status create =
      stub_->CreateHandOver(&create_ctx, HandOverRequest("raid-1"), &created);
  ASSERT_TRUE(create.ok()) << create.error_message();
  EXPECT_EQ(created.hand_over().from_agency(), "C06");
  const std::string pseudonym = created.hand_over().persons(0).pseudonym();
  ASSERT_FALSE(pseudonym.empty());
  std::string record = LastAuditRecord();
  EXPECT_THAT(record, HasSubstr("/pcmd.intake.v1.IntakeService/CreateHandOver"));
  EXPECT_THAT(record, HasSubstr(created.hand_over().name()));
  EXPECT_THAT(record, HasSubstr(pseudonym));
  EXPECT_THAT(record, Not(HasSubstr("Hồng")));
  EXPECT_THAT(record, Not(HasSubstr("001301012345")));
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.SupportOutreachRequested"));

  v1::GetHandOverRequest get;
  get.set_name(created.hand_over().name());
  v1::GetHandOverResponse got;
  grpc::ClientContext get_ctx;
  testing::ActAs(get_ctx, kSocialAffairs, "officer-0077", "support-outreach");
  const grpc::Status read = stub_->GetHandOver(&get_ctx, get, &got);
  ASSERT_TRUE(read.ok()) << read.error_message();
  EXPECT_EQ(got.hand_over().persons(0).full_name(), "Nguyễn Thị Hồng");
  record = LastAuditRecord();
  EXPECT_THAT(record, HasSubstr("/pcmd.intake.v1.IntakeService/GetHandOver"));
  EXPECT_THAT(record, HasSubstr(pseudonym));
  EXPECT_THAT(record, HasSubstr("officer-0077"));
  EXPECT_THAT(record, Not(HasSubstr("Hồng")));
}

TEST_F(IntakeServiceTest, RefusesAHandOverToSocialAffairsOutsideItsUnitAndAuditsTheAttempt) {
  v1::CreateHandOverResponse created;
  grpc::ClientContext create_ctx;
  testing::ActAs(create_ctx, kPolice);
  ASSERT_TRUE(stub_->CreateHandOver(&create_ctx, HandOverRequest("raid-1"), &created).ok());
  v1::GetHandOverRequest get;
  get.set_name(created.hand_over().name());
  v1::GetHandOverResponse got;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, "urn:pcmd:agency:social_affairs:33:SLDTBXH-HY");
  const grpc::Status status = stub_->GetHandOver(&ctx, get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("SLDTBXH-HY"));
  EXPECT_FALSE(got.has_hand_over());
  EXPECT_THAT(LastAuditRecord(), HasSubstr("PERMISSION_DENIED"));
}

TEST_F(IntakeServiceTest, RefusesAHandOverMadeBySocialAffairsNamingItsKind) {
  v1::CreateHandOverResponse created;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kSocialAffairs);
  const grpc::Status status = stub_->CreateHandOver(&ctx, HandOverRequest("raid-1"), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("social_affairs"));
  EXPECT_TRUE(events::OutboxEventTypes(*db_).empty());
}

TEST_F(IntakeServiceTest, AnswersAnInvalidHandOverWithInvalidArgumentAndTheFieldPaths) {
  v1::CreateHandOverRequest request = HandOverRequest("raid-1");
  request.mutable_hand_over()->mutable_persons(0)->clear_full_name();
  request.mutable_hand_over()->mutable_persons(0)->set_birth_date("02/09/2001");
  request.mutable_hand_over()->set_tip("tips/");
  v1::CreateHandOverResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  const grpc::Status status = stub_->CreateHandOver(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const FieldViolation& fv : FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(fv.field);
  }
  EXPECT_THAT(fields,
              ::testing::UnorderedElementsAre("hand_over.tip", "hand_over.persons[0].full_name",
                                              "hand_over.persons[0].birth_date"));
  EXPECT_TRUE(events::OutboxEventTypes(*db_).empty());
}

TEST_F(IntakeServiceTest, AnswersNotFoundNamingTheTipForAHandOverAfterAnUnknownTip) {
  v1::CreateHandOverRequest request = HandOverRequest("raid-1");
  request.mutable_hand_over()->set_tip("tips/0192f0aa-0000-7000-8000-000000000009");
  v1::CreateHandOverResponse response;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kPolice);
  const grpc::Status status = stub_->CreateHandOver(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(FieldViolationsOf(FromGrpcStatus(status)),
              ElementsAre(Field(&FieldViolation::field, "hand_over.tip")));
}

}  // namespace
}  // namespace pcmd::intake
