// The CasesService adapter behind an in-process channel, with the real guard, the
// service's access rules, logic and SQLite store: what a calling system sees (codes,
// field details, the case) and what the audit log records. The rules of cases
// themselves are tested in cases_test.cc.
#include "services/referrals/cases_service.h"

#include <memory>
#include <string>

#include "common/audit/audit_log.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/server/guard_testing.h"
#include "common/server/server.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/referrals/access_rules.h"
#include "services/referrals/schema.h"
#include "services/referrals/sqlite_case_store.h"

namespace pcmd::referrals {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The social-affairs departments of Hà Nội and Hưng Yên, and Hà Nội city police.
const std::string kHaNoi = "urn:pcmd:agency:social_affairs:01:SLDTBXH-HN";
const std::string kHungYen = "urn:pcmd:agency:social_affairs:33:SLDTBXH-HY";
const std::string kPolice = "urn:pcmd:agency:police:01:CA-HN-PC02";

constexpr const char* kPlan = "Hỗ trợ tâm lý hằng tuần; học nghề may từ tháng 9.";

class CasesServiceTest : public ::testing::Test {
 protected:
  CasesServiceTest()
      : keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, ReferralsMigrations())),
        outbox_("referrals", Clock::Real()),
        store_(*db_, outbox_, Clock::Real(), *keys_),
        units_(*db_),
        cases_(store_, Clock::Real(), units_),
        policy_(ReferralsAccessPolicy()),
        gatekeeper_(policy_, IdentityMode::kInsecureHeader, *db_, std::string(32, 'a'),
                    Clock::Real()),
        service_(Guard(gatekeeper_, v1::CasesService::service_full_name()), cases_),
        server_(
            *StartServer({.insecure = true}, {{&service_, v1::CasesService::service_full_name()}})),
        stub_(v1::CasesService::NewStub(
            server_->server()->InProcessChannel(grpc::ChannelArguments()))) {
    EXPECT_TRUE(units::RememberUnits(*db_, {{"01", "VN"}, {"268", "01"}, {"33", "VN"}}).ok());
    EXPECT_TRUE(db_->Write([](storage::Transaction& tx) {
                     return tx.Execute(
                         "INSERT INTO clients(id, pseudonym, unit_code, source, source_ref, "
                         "minor, trafficking_victim, identity, agency_code, create_unix_ms) "
                         "VALUES ('hoa', 'psn_hoa', '268', 1, '', 0, 0, x'', 'SLDTBXH-HN', 0)");
                   })
                    .ok());
  }

  grpc::Status OpenCase(const std::string& agency, const v1::OpenCaseRequest& request,
                        v1::OpenCaseResponse* response) {
    grpc::ClientContext ctx;
    testing::ActAs(ctx, agency, "cw-0042", "case-management");
    return stub_->OpenCase(&ctx, request, response);
  }

  // Opens a case for clients/hoa as Hà Nội; returns its name.
  std::string MustOpen() {
    v1::OpenCaseRequest request;
    request.set_request_id("case-1");
    request.set_client("clients/hoa");
    request.set_case_worker("CTXH-HN-0042");
    request.set_plan(kPlan);
    v1::OpenCaseResponse response;
    const grpc::Status status = OpenCase(kHaNoi, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_().name();
  }

  grpc::Status GetCase(const std::string& agency, const std::string& name,
                       v1::GetCaseResponse* response) {
    v1::GetCaseRequest request;
    request.set_name(name);
    grpc::ClientContext ctx;
    testing::ActAs(ctx, agency, "cw-0042", "case-management");
    return stub_->GetCase(&ctx, request, response);
  }

  // rpc, records and outcome of the last audit record.
  std::string LastAuditRecord() {
    std::string record;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                     auto row = tx.QueryOne(
                         "SELECT rpc || ' ' || records || ' ' || outcome FROM audit_log "
                         "ORDER BY seq DESC LIMIT 1");
                     if (!row.ok()) return row.status();
                     if (row->has_value()) record = (*row)->Text(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return record;
  }

  int64_t AuditCount() {
    auto head = audit::AuditLog::Verify(*db_, std::string(32, 'a'));
    EXPECT_TRUE(head.ok()) << head.status();
    return head.ok() ? head->count : -1;
  }

  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteCaseStore store_;
  units::SqliteUnitTree units_;
  Cases cases_;
  const security::AccessPolicy policy_;
  Gatekeeper gatekeeper_;
  CasesServiceImpl service_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<v1::CasesService::Stub> stub_;
};

TEST_F(CasesServiceTest, OpensAndReadsACaseOverGrpcAndAuditsTheRecordsItTouched) {
  const std::string name = MustOpen();
  ASSERT_THAT(name, ::testing::StartsWith("cases/"));
  EXPECT_THAT(LastAuditRecord(), HasSubstr(name));
  EXPECT_THAT(LastAuditRecord(), HasSubstr("clients/hoa"));

  v1::GetCaseResponse got;
  const grpc::Status status = GetCase(kHaNoi, name, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.case_().plan(), kPlan);
  EXPECT_EQ(got.case_().unit_code(), "268");
  EXPECT_EQ(got.case_().agency_code(), "SLDTBXH-HN");
  EXPECT_THAT(LastAuditRecord(), HasSubstr(name));
  EXPECT_THAT(LastAuditRecord(), Not(HasSubstr("học nghề")));
}

TEST_F(CasesServiceTest, CarriesEveryBadFieldToTheCaller) {
  v1::OpenCaseRequest request;  // Everything missing.
  v1::OpenCaseResponse response;
  const grpc::Status status = OpenCase(kHaNoi, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(FromGrpcStatus(status)),
              ::testing::UnorderedElementsAre("request_id", "client", "case_worker"));
}

TEST_F(CasesServiceTest, KeepsTheCodeOfEachRefusal) {
  const std::string name = MustOpen();
  v1::OpenCaseRequest second;
  second.set_request_id("case-2");
  second.set_client("clients/hoa");
  second.set_case_worker("CTXH-HN-0042");
  v1::OpenCaseResponse opened;
  const grpc::Status exists = OpenCase(kHaNoi, second, &opened);
  EXPECT_EQ(exists.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(exists.error_message(), HasSubstr(name));

  second.set_client("clients/nobody");
  const grpc::Status missing = OpenCase(kHaNoi, second, &opened);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(ViolatedFields(FromGrpcStatus(missing)), ElementsAre("client"));

  v1::CloseCaseRequest close;
  close.set_name(name);
  close.set_reason(v1::CLOSE_REASON_MOVED);
  close.set_etag("v9");
  v1::CloseCaseResponse closed;
  grpc::ClientContext ctx;
  testing::ActAs(ctx, kHaNoi, "cw-0042", "case-management");
  EXPECT_EQ(stub_->CloseCase(&ctx, close, &closed).error_code(), grpc::StatusCode::ABORTED);
}

TEST_F(CasesServiceTest, RefusesAnotherProvinceAndAuditsTheCaseItAskedFor) {
  const std::string name = MustOpen();
  const int64_t audited = AuditCount();
  v1::GetCaseResponse got;
  const grpc::Status status = GetCase(kHungYen, name, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(got.case_().plan(), "");
  EXPECT_EQ(AuditCount(), audited + 1);
  EXPECT_THAT(LastAuditRecord(), HasSubstr(name));
}

TEST_F(CasesServiceTest, RefusesThePoliceWhoHaveNoRuleForCases) {
  const std::string name = MustOpen();
  v1::GetCaseResponse got;
  EXPECT_EQ(GetCase(kPolice, name, &got).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CasesServiceTest, AddsAndListsNotesOverGrpc) {
  const std::string name = MustOpen();
  v1::AddCaseNoteRequest add;
  add.set_request_id("note-1");
  add.set_case_(name);
  add.set_text("Đã gặp chị tại nhà.");
  add.set_note_date("2024-06-03");
  add.set_author("CTXH-HN-0042");
  v1::AddCaseNoteResponse added;
  grpc::ClientContext add_ctx;
  testing::ActAs(add_ctx, kHaNoi, "cw-0042", "case-management");
  const grpc::Status status = stub_->AddCaseNote(&add_ctx, add, &added);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(LastAuditRecord(), HasSubstr(added.note().name()));

  v1::ListCaseNotesRequest list;
  list.set_case_(name);
  v1::ListCaseNotesResponse listed;
  grpc::ClientContext list_ctx;
  testing::ActAs(list_ctx, kHaNoi, "cw-0042", "case-management");
  ASSERT_TRUE(stub_->ListCaseNotes(&list_ctx, list, &listed).ok());
  ASSERT_EQ(listed.notes_size(), 1);
  EXPECT_EQ(listed.notes(0).text(), "Đã gặp chị tại nhà.");
}

}  // namespace
}  // namespace pcmd::referrals
