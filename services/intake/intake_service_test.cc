#include "services/intake/intake_service.h"

#include "common/server/server.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/sqlite_tip_store.h"

namespace pcmd::intake {
namespace {

using ::testing::Contains;
using ::testing::Field;

// The real adapter, logic and SQLite store behind an in-process channel.
class IntakeServiceTest : public ::testing::Test {
 protected:
  IntakeServiceTest()
      : db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, IntakeMigrations())),
        outbox_("intake", Clock::Real()),
        store_(*db_, outbox_, Clock::Real()),
        tips_(store_, Clock::Real()),
        service_(tips_),
        server_(*StartServer({}, {{&service_, v1::IntakeService::service_full_name()}})),
        stub_(v1::IntakeService::NewStub(
            server_->server()->InProcessChannel(grpc::ChannelArguments()))) {}

  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  Tips tips_;
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
  ASSERT_TRUE(stub_->SubmitTip(&submit_ctx, request, &submitted).ok());

  v1::GetTipRequest get;
  get.set_name(submitted.tip().name());
  v1::GetTipResponse got;
  grpc::ClientContext get_ctx;
  ASSERT_TRUE(stub_->GetTip(&get_ctx, get, &got).ok());
  EXPECT_EQ(got.tip().unit_code(), "268");
  EXPECT_EQ(got.tip().channel(), v1::CHANNEL_HOTLINE);
}

TEST_F(IntakeServiceTest, AnswersBadInputWithInvalidArgumentAndTheFieldDetails) {
  v1::SubmitTipRequest request;  // Everything missing.
  v1::SubmitTipResponse response;
  grpc::ClientContext ctx;
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
  EXPECT_EQ(stub_->GetTip(&ctx, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace pcmd::intake
