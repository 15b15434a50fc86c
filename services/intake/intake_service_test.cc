#include "services/intake/intake_service.h"

#include "common/server/guard_testing.h"
#include "common/server/server.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/access_rules.h"
#include "services/intake/sqlite_tip_store.h"

namespace pcmd::intake {
namespace {

using ::testing::Contains;
using ::testing::Field;

// The national police department for social-order crime (C06): it reaches every unit,
// so these tests are about the adapter; scope has its own tests (tips_test, units_test).
const std::string kPolice = "urn:pcmd:agency:police:VN:C06";

// The real adapter, logic and SQLite store behind an in-process channel.
class IntakeServiceTest : public ::testing::Test {
 protected:
  IntakeServiceTest()
      : db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, IntakeMigrations())),
        outbox_("intake", Clock::Real()),
        store_(*db_, outbox_, Clock::Real()),
        units_(*db_),
        tips_(store_, Clock::Real(), units_),
        policy_(IntakeAccessPolicy()),
        gatekeeper_(policy_, IdentityMode::kInsecureHeader, *db_, std::string(32, 'a'),
                    Clock::Real()),
        service_(Guard(gatekeeper_, v1::IntakeService::service_full_name()), tips_),
        server_(*StartServer({.insecure = true},
                             {{&service_, v1::IntakeService::service_full_name()}})),
        stub_(v1::IntakeService::NewStub(
            server_->server()->InProcessChannel(grpc::ChannelArguments()))) {}

  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  units::SqliteUnitTree units_;
  Tips tips_;
  const security::AccessPolicy policy_;
  Gatekeeper gatekeeper_;
  IntakeServiceImpl service_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
};

TEST_F(IntakeServiceTest, SubmitsAndReadsBackATipOverGrpc) {
  v1::SubmitTipRequest request;
  request.set_request_id("hotline-2024-0001");
  request.set_channel(v1::CHANNEL_HOTLINE);
  request.set_legal_kind(v1::LEGAL_KIND_DENUNCIATION);
  request.set_category(v1::CATEGORY_ESTABLISHMENT);
  request.set_unit_code("268");
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
  v1::SubmitTipRequest request;
  request.set_request_id("hotline-2024-0002");
  request.set_channel(v1::CHANNEL_HOTLINE);
  request.set_legal_kind(v1::LEGAL_KIND_DENUNCIATION);
  request.set_category(v1::CATEGORY_ESTABLISHMENT);
  request.set_unit_code("268");
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

}  // namespace
}  // namespace pcmd::intake
