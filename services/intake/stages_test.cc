// The stages of a tip (tips.h): the state machine, who may act, idempotent retries,
// events, deadlines and on_time, on real SQLite with a fake clock.
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/crypto/keyring.h"
#include "common/events/outbox_testing.h"
#include "common/storage/sqlite_database.h"
#include "common/units/units.h"
#include "common/units/units_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/clocks.h"
#include "services/intake/sqlite_tip_store.h"
#include "services/intake/tips.h"
#include "services/intake/tips_testing.h"

namespace pcmd::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using K = security::AgencyKind;

security::Access AgencyAccess(K kind, const std::string& code) {
  security::Access a = security::Access::For(kind, "VN", code, security::Scope::kOwnUnitSubtree);
  a.caller.end_user = "officer-" + code;
  a.caller.purpose = "tip-handling";
  return a;
}

enum class Transition {
  kVerify,
  kClassify,
  kAssign,
  kTransfer,
  kAccept,
  kReject,
  kExtend,
  kResolve,
  kDuplicate
};

class StagesTest : public ::testing::Test {
 protected:
  StagesTest()
      // 09:30 on 3 June 2024 in Hà Nội.
      : clock_(absl::FromCivil(absl::CivilSecond(2024, 6, 3, 9, 30, 0), VietnamTime())),
        keys_(crypto::Keyring::ForTesting({{1, std::string(32, 'f')}}, std::string(32, 'i'))),
        db_(*storage::SqliteDatabase::Open({.path = ":memory:"}, IntakeMigrations())),
        outbox_("intake", clock_),
        store_(*db_, outbox_, clock_, *keys_),
        units_(*db_),
        tips_(store_, clock_, units_, *keys_) {
    EXPECT_TRUE(units::RememberUnits(*db_, sample::Units()).ok());
  }

  // A denunciation about an establishment received by the police (C06).
  std::string Submit(const std::string& request_id,
                     v1::Category category = v1::CATEGORY_ESTABLISHMENT,
                     v1::LegalKind kind = v1::LEGAL_KIND_DENUNCIATION) {
    v1::SubmitTipRequest r = sample::MinimalRequest(request_id);
    r.set_legal_kind(kind);
    r.set_category(category);
    r.set_description(sample::kDescription);
    auto tip = tips_.Submit(sample::Receiver(), r);
    EXPECT_TRUE(tip.ok()) << tip.status();
    return tip.ok() ? tip->name() : "";
  }

  // Makes `t` on `name` as the agency that may make it; `request_id` when given.
  absl::StatusOr<v1::Tip> Do(Transition t, const std::string& name,
                             const std::string& request_id = "") {
    const std::string id = request_id.empty() ? absl::StrCat("q-", ++counter_) : request_id;
    switch (t) {
      case Transition::kVerify: {
        v1::VerifyTipRequest r;
        r.set_name(name);
        r.set_request_id(request_id);
        return tips_.Verify(police_, r);
      }
      case Transition::kClassify: {
        v1::ClassifyTipRequest r;
        r.set_name(name);
        r.set_classification(v1::CLASSIFICATION_CRIMINAL);
        return tips_.Classify(police_, r);
      }
      case Transition::kAssign: {
        v1::AssignTipRequest r;
        r.set_name(name);
        r.set_agency_code("C06");
        r.set_unit_code("VN");
        return tips_.Assign(police_, r);
      }
      case Transition::kTransfer: {
        v1::TransferTipRequest r;
        r.set_name(name);
        r.set_request_id(id);
        r.set_to_agency("CUC-PCTNXH");
        r.set_to_unit("VN");
        return tips_.Transfer(police_, r);
      }
      case Transition::kAccept: {
        v1::AcceptTransferRequest r;
        r.set_name(name);
        return tips_.AcceptTransfer(social_affairs_, r);
      }
      case Transition::kReject: {
        v1::RejectTransferRequest r;
        r.set_name(name);
        r.set_reason(kRejectReason);
        return tips_.RejectTransfer(social_affairs_, r);
      }
      case Transition::kExtend: {
        v1::ExtendTipDeadlineRequest r;
        r.set_name(name);
        r.set_request_id(id);
        r.set_basis(v1::EXTENSION_BASIS_COMPLEX_CASE);
        return tips_.ExtendDeadline(police_, r);
      }
      case Transition::kResolve: {
        v1::ResolveTipRequest r;
        r.set_name(name);
        r.set_request_id(request_id);
        r.set_outcome(v1::OUTCOME_CRIMINAL_CASE_OPENED);
        r.add_references("123/QĐ-CSHS");
        r.set_note(kResolutionNote);
        return tips_.Resolve(police_, r);
      }
      case Transition::kDuplicate: {
        v1::MarkTipDuplicateRequest r;
        r.set_name(name);
        r.set_duplicate_of(original_);
        return tips_.MarkDuplicate(police_, r);
      }
    }
    return absl::InternalError("unknown transition");
  }

  // A new tip brought to `state` by the agencies that may do so.
  std::string TipIn(v1::TipState state, v1::Category category = v1::CATEGORY_ESTABLISHMENT) {
    if (original_.empty()) original_ = Submit("original");
    const std::string name = Submit(absl::StrCat("s-", ++counter_), category);
    std::vector<Transition> path;
    switch (state) {
      case v1::TIP_STATE_RESOLVED:
        path = {Transition::kVerify, Transition::kClassify, Transition::kAssign,
                Transition::kResolve};
        break;
      case v1::TIP_STATE_ASSIGNED:
        path = {Transition::kVerify, Transition::kClassify, Transition::kAssign};
        break;
      case v1::TIP_STATE_CLASSIFIED:
        path = {Transition::kVerify, Transition::kClassify};
        break;
      case v1::TIP_STATE_VERIFIED:
        path = {Transition::kVerify};
        break;
      case v1::TIP_STATE_TRANSFER_PENDING:
        path = {Transition::kTransfer};
        break;
      case v1::TIP_STATE_DUPLICATE:
        path = {Transition::kDuplicate};
        break;
      default:
        break;
    }
    for (Transition t : path) {
      auto tip = Do(t, name);
      EXPECT_TRUE(tip.ok()) << tip.status();
    }
    return name;
  }

  v1::Tip Get(const std::string& name) {
    auto tip = tips_.Get(police_, name);
    EXPECT_TRUE(tip.ok()) << tip.status();
    return tip.ok() ? *tip : v1::Tip();
  }

  static constexpr char kRejectReason[] =
      "Không thuộc thẩm quyền: bà Trần Thị Ánh Tuyết đã được Công an quận xử lý";
  static constexpr char kResolutionNote[] = "Đã khởi tố Nguyễn Văn Hùng về tội chứa mại dâm";

  FakeClock clock_;
  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<storage::SqliteDatabase> db_;
  events::Outbox outbox_;
  SqliteTipStore store_;
  units::SqliteUnitTree units_;
  Tips tips_;
  security::Access police_ = AgencyAccess(K::kPolice, "C06");
  security::Access social_affairs_ = AgencyAccess(K::kSocialAffairs, "CUC-PCTNXH");
  security::Access procuracy_ = AgencyAccess(K::kProcuracy, "VKSNDTC");
  std::string original_;
  int counter_ = 0;
};

TEST_F(StagesTest, AllowsExactlyTheTransitionsOfTheStateMachineAndNamesTheStateOtherwise) {
  using S = v1::TipState;
  const std::map<Transition, std::pair<const char*, std::vector<S>>> allowed = {
      {Transition::kVerify, {"VerifyTip", {v1::TIP_STATE_RECEIVED}}},
      {Transition::kClassify, {"ClassifyTip", {v1::TIP_STATE_VERIFIED}}},
      {Transition::kAssign, {"AssignTip", {v1::TIP_STATE_CLASSIFIED}}},
      {Transition::kTransfer,
       {"TransferTip",
        {v1::TIP_STATE_RECEIVED, v1::TIP_STATE_VERIFIED, v1::TIP_STATE_CLASSIFIED,
         v1::TIP_STATE_ASSIGNED}}},
      {Transition::kAccept, {"AcceptTransfer", {v1::TIP_STATE_TRANSFER_PENDING}}},
      {Transition::kReject, {"RejectTransfer", {v1::TIP_STATE_TRANSFER_PENDING}}},
      {Transition::kExtend,
       {"ExtendTipDeadline",
        {v1::TIP_STATE_RECEIVED, v1::TIP_STATE_VERIFIED, v1::TIP_STATE_CLASSIFIED,
         v1::TIP_STATE_ASSIGNED, v1::TIP_STATE_TRANSFER_PENDING}}},
      {Transition::kResolve, {"ResolveTip", {v1::TIP_STATE_ASSIGNED}}},
      {Transition::kDuplicate,
       {"MarkTipDuplicate",
        {v1::TIP_STATE_RECEIVED, v1::TIP_STATE_VERIFIED, v1::TIP_STATE_CLASSIFIED,
         v1::TIP_STATE_ASSIGNED, v1::TIP_STATE_TRANSFER_PENDING}}},
  };
  const std::map<Transition, S> leads_to = {
      {Transition::kVerify, v1::TIP_STATE_VERIFIED},
      {Transition::kClassify, v1::TIP_STATE_CLASSIFIED},
      {Transition::kAssign, v1::TIP_STATE_ASSIGNED},
      {Transition::kTransfer, v1::TIP_STATE_TRANSFER_PENDING},
      {Transition::kAccept, v1::TIP_STATE_ASSIGNED},
      {Transition::kReject, v1::TIP_STATE_RECEIVED},  // Transferred from RECEIVED.
      {Transition::kResolve, v1::TIP_STATE_RESOLVED},
      {Transition::kDuplicate, v1::TIP_STATE_DUPLICATE},
  };
  for (int s = v1::TIP_STATE_RECEIVED; s <= v1::TIP_STATE_DUPLICATE; ++s) {
    const S state = static_cast<S>(s);
    std::string state_name = v1::TipState_Name(state).substr(std::string("TIP_STATE_").size());
    for (const auto& [t, rule] : allowed) {
      const std::string name = TipIn(state);
      ASSERT_EQ(Get(name).state(), state);
      auto tip = Do(t, name);
      const bool ok = std::find(rule.second.begin(), rule.second.end(), state) != rule.second.end();
      const std::string what = absl::StrCat(rule.first, " from ", state_name);
      if (ok) {
        ASSERT_TRUE(tip.ok()) << what << ": " << tip.status();
        EXPECT_EQ(tip->state(), leads_to.count(t) ? leads_to.at(t) : state) << what;
        EXPECT_EQ(Get(name).state(), tip->state()) << what;
      } else {
        EXPECT_EQ(tip.status().code(), absl::StatusCode::kFailedPrecondition) << what;
        EXPECT_THAT(tip.status().message(),
                    HasSubstr(absl::StrCat(name, " is ", state_name, "; ", rule.first, " needs ")))
            << what;
        EXPECT_EQ(Get(name).state(), state) << what;
      }
    }
  }
}

TEST_F(StagesTest, RecordsTheReceivingAgencyAsResponsibleWithDeadlinesAndAFirstHistoryEntry) {
  const v1::Tip tip = Get(Submit("r-1"));
  EXPECT_EQ(tip.receiving_agency(), "C06");
  EXPECT_EQ(tip.responsible_agency(), "C06");
  EXPECT_EQ(tip.responsible_unit(), "VN");
  EXPECT_EQ(tip.legal_deadline(), "2024-06-23");
  EXPECT_EQ(tip.stage_deadline(), "2024-06-06");
  ASSERT_EQ(tip.history_size(), 1);
  EXPECT_EQ(tip.history(0).to_state(), v1::TIP_STATE_RECEIVED);
  EXPECT_EQ(tip.history(0).agency_code(), "C06");
  EXPECT_EQ(tip.history(0).end_user(), "officer-7");
}

TEST_F(StagesTest, GivesUrgentCategoriesAShorterStageDeadline) {
  const v1::Tip tip = Get(TipIn(v1::TIP_STATE_RECEIVED, v1::CATEGORY_TRAFFICKING));
  EXPECT_EQ(tip.stage_deadline(), "2024-06-04");
}

TEST_F(StagesTest, RefusesAnAgencyThatIsNotResponsibleNamingTheResponsibleAgency) {
  const std::string name = TipIn(v1::TIP_STATE_RECEIVED);
  const size_t events_before = events::OutboxEventTypes(*db_).size();
  v1::VerifyTipRequest r;
  r.set_name(name);
  auto tip = tips_.Verify(social_affairs_, r);
  EXPECT_EQ(tip.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(tip.status().message(), HasSubstr("responsibility of agency C06"));
  EXPECT_EQ(Get(name).state(), v1::TIP_STATE_RECEIVED);
  EXPECT_EQ(events::OutboxEventTypes(*db_).size(), events_before);
}

TEST_F(StagesTest, LetsOnlyTheReceiverAnswerATransferWhileTheSenderStaysResponsible) {
  const std::string name = TipIn(v1::TIP_STATE_TRANSFER_PENDING);
  EXPECT_EQ(Get(name).responsible_agency(), "C06");
  v1::AcceptTransferRequest accept;
  accept.set_name(name);
  auto by_sender = tips_.AcceptTransfer(police_, accept);
  EXPECT_EQ(by_sender.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(by_sender.status().message(), HasSubstr("transferred to agency CUC-PCTNXH"));
  auto accepted = tips_.AcceptTransfer(social_affairs_, accept);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->state(), v1::TIP_STATE_ASSIGNED);
  EXPECT_EQ(accepted->responsible_agency(), "CUC-PCTNXH");
  EXPECT_FALSE(accepted->has_pending_transfer());
  // Now the police may no longer work it.
  v1::ResolveTipRequest resolve;
  resolve.set_name(name);
  resolve.set_outcome(v1::OUTCOME_NO_VIOLATION);
  resolve.add_references("45/QĐ-XPHC");
  EXPECT_EQ(tips_.Resolve(police_, resolve).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(tips_.Resolve(social_affairs_, resolve).ok());
}

TEST_F(StagesTest, ReturnsARejectedTransferToTheSendersStageWithTheReasonSealed) {
  const std::string name = TipIn(v1::TIP_STATE_CLASSIFIED);
  ASSERT_TRUE(Do(Transition::kTransfer, name).ok());
  auto tip = Do(Transition::kReject, name);
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_EQ(tip->state(), v1::TIP_STATE_CLASSIFIED);
  EXPECT_EQ(tip->responsible_agency(), "C06");
  ASSERT_GE(tip->history_size(), 1);
  const v1::StageChange& last = *tip->history().rbegin();
  EXPECT_EQ(last.from_state(), v1::TIP_STATE_TRANSFER_PENDING);
  EXPECT_EQ(last.to_state(), v1::TIP_STATE_CLASSIFIED);
  EXPECT_EQ(last.agency_code(), "CUC-PCTNXH");
  EXPECT_EQ(last.note(), kRejectReason);
  // Neither the history table nor the outbox holds the reason in plaintext.
  bool found = false;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& tx) -> absl::Status {
                   for (const char* sql : {"SELECT note FROM tip_history WHERE note IS NOT NULL",
                                           "SELECT envelope FROM outbox"}) {
                     auto rows = tx.Query(sql);
                     if (!rows.ok()) return rows.status();
                     for (const auto& r : *rows) {
                       if (r.Text(0).find("Ánh Tuyết") != std::string::npos) found = true;
                     }
                   }
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_FALSE(found);
}

TEST_F(StagesTest, EmitsOneEventPerTransitionInTheSameTransaction) {
  const std::string name = Submit("r-1");
  ASSERT_TRUE(Do(Transition::kVerify, name).ok());
  ASSERT_TRUE(Do(Transition::kClassify, name).ok());
  ASSERT_TRUE(Do(Transition::kTransfer, name).ok());
  ASSERT_TRUE(Do(Transition::kReject, name).ok());
  ASSERT_TRUE(Do(Transition::kTransfer, name).ok());
  ASSERT_TRUE(Do(Transition::kAccept, name).ok());
  v1::ExtendTipDeadlineRequest extend;
  extend.set_name(name);
  extend.set_request_id("ext-1");
  extend.set_basis(v1::EXTENSION_BASIS_COMPLEX_CASE);
  ASSERT_TRUE(tips_.ExtendDeadline(social_affairs_, extend).ok());
  const std::string other = Submit("r-2");
  original_ = name;
  ASSERT_TRUE(Do(Transition::kDuplicate, other).ok());
  v1::ResolveTipRequest resolve;
  resolve.set_name(name);
  resolve.set_outcome(v1::OUTCOME_ADMINISTRATIVE_SANCTION);
  resolve.add_references("45/QĐ-XPHC");
  ASSERT_TRUE(tips_.Resolve(social_affairs_, resolve).ok());
  EXPECT_THAT(events::OutboxEventTypes(*db_),
              ElementsAre("pcmd.events.v1.TipReceived", "pcmd.events.v1.TipVerified",
                          "pcmd.events.v1.TipClassified", "pcmd.events.v1.TipTransferred",
                          "pcmd.events.v1.TipTransferRejected", "pcmd.events.v1.TipTransferred",
                          "pcmd.events.v1.TipTransferAccepted",
                          "pcmd.events.v1.TipDeadlineExtended", "pcmd.events.v1.TipReceived",
                          "pcmd.events.v1.TipMarkedDuplicate", "pcmd.events.v1.TipResolved"));
}

TEST_F(StagesTest, AppliesARetriedTransitionOnceAndAnswersTheSameTip) {
  const std::string name = TipIn(v1::TIP_STATE_ASSIGNED);
  auto first = Do(Transition::kTransfer, name, "transfer-1");
  ASSERT_TRUE(first.ok()) << first.status();
  auto retry = Do(Transition::kTransfer, name, "transfer-1");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->etag(), first->etag());
  EXPECT_EQ(retry->state(), v1::TIP_STATE_TRANSFER_PENDING);
  const auto types = events::OutboxEventTypes(*db_);
  EXPECT_EQ(std::count(types.begin(), types.end(), "pcmd.events.v1.TipTransferred"), 1);

  const std::string other = TipIn(v1::TIP_STATE_RECEIVED);
  ASSERT_TRUE(Do(Transition::kVerify, other, "verify-1").ok());
  auto verify_retry = Do(Transition::kVerify, other, "verify-1");
  ASSERT_TRUE(verify_retry.ok()) << verify_retry.status();
  EXPECT_EQ(verify_retry->state(), v1::TIP_STATE_VERIFIED);
}

TEST_F(StagesTest, WritesNothingWhenATransitionFails) {
  const std::string name = TipIn(v1::TIP_STATE_VERIFIED);
  const v1::Tip before = Get(name);
  const auto events_before = events::OutboxEventTypes(*db_);
  // Wrong state, stale etag, bad input, wrong agency.
  EXPECT_FALSE(Do(Transition::kResolve, name).ok());
  v1::ClassifyTipRequest stale;
  stale.set_name(name);
  stale.set_etag("r999");
  stale.set_classification(v1::CLASSIFICATION_ADMINISTRATIVE);
  EXPECT_EQ(tips_.Classify(police_, stale).status().code(), absl::StatusCode::kAborted);
  v1::ClassifyTipRequest unclassified;
  unclassified.set_name(name);
  EXPECT_EQ(tips_.Classify(police_, unclassified).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::ClassifyTipRequest classify;
  classify.set_name(name);
  classify.set_classification(v1::CLASSIFICATION_ADMINISTRATIVE);
  EXPECT_EQ(tips_.Classify(social_affairs_, classify).status().code(),
            absl::StatusCode::kPermissionDenied);
  const v1::Tip after = Get(name);
  EXPECT_EQ(after.SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(events::OutboxEventTypes(*db_), events_before);
  // The current etag works.
  classify.set_etag(after.etag());
  EXPECT_TRUE(tips_.Classify(police_, classify).ok());
}

TEST_F(StagesTest, RefusesToAssignOrTransferToAUnitTheDirectoryDoesNotHaveChangingNothing) {
  const std::string name = TipIn(v1::TIP_STATE_CLASSIFIED);
  const v1::Tip before = Get(name);
  const auto events_before = events::OutboxEventTypes(*db_);
  v1::AssignTipRequest assign;
  assign.set_name(name);
  assign.set_agency_code("CA-HN");
  assign.set_unit_code("99999");
  const absl::Status assigned = tips_.Assign(police_, assign).status();
  ASSERT_EQ(assigned.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldViolationsOf(assigned), ElementsAre(Field(&FieldViolation::field, "unit_code")));
  EXPECT_THAT(std::string(assigned.message()), HasSubstr("99999"));
  v1::TransferTipRequest transfer;
  transfer.set_name(name);
  transfer.set_request_id("t-1");
  transfer.set_to_agency("SLDTBXH-HN");
  transfer.set_to_unit("99999");
  const absl::Status transferred = tips_.Transfer(police_, transfer).status();
  ASSERT_EQ(transferred.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldViolationsOf(transferred),
              ElementsAre(Field(&FieldViolation::field, "to_unit")));
  EXPECT_EQ(Get(name).SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(events::OutboxEventTypes(*db_), events_before);
  // The same requests with a unit of the directory go through.
  assign.set_unit_code("020");
  EXPECT_TRUE(tips_.Assign(police_, assign).ok());
}

TEST_F(StagesTest, ResolvesOnTimeOnTheLastDayOfTheLegalDeadline) {
  const std::string name = TipIn(v1::TIP_STATE_ASSIGNED);
  // Received 3 June: 20 days end 23 June. 23:59 on 23 June in Hà Nội.
  clock_.Set(absl::FromCivil(absl::CivilSecond(2024, 6, 23, 23, 59, 0), VietnamTime()));
  auto tip = Do(Transition::kResolve, name);
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_TRUE(tip->resolution().on_time());
  EXPECT_EQ(tip->stage_deadline(), "");
  EXPECT_EQ(tip->history().rbegin()->note(), kResolutionNote);
}

TEST_F(StagesTest, ResolvesLateTheDayAfterTheLegalDeadline) {
  const std::string name = TipIn(v1::TIP_STATE_ASSIGNED);
  // 00:10 on 24 June in Hà Nội is still 23 June in UTC: the Vietnam date counts.
  clock_.Set(absl::FromCivil(absl::CivilSecond(2024, 6, 24, 0, 10, 0), VietnamTime()));
  auto tip = Do(Transition::kResolve, name);
  ASSERT_TRUE(tip.ok()) << tip.status();
  EXPECT_FALSE(tip->resolution().on_time());
}

TEST_F(StagesTest, ExtendsACriminalTipOnceByTheProcuracyAfterTheComplexCaseExtension) {
  const std::string name = TipIn(v1::TIP_STATE_ASSIGNED);
  v1::ExtendTipDeadlineRequest procuracy;
  procuracy.set_name(name);
  procuracy.set_request_id("ext-p");
  procuracy.set_basis(v1::EXTENSION_BASIS_PROCURACY_EXTENSION);
  EXPECT_EQ(tips_.ExtendDeadline(procuracy_, procuracy).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto complex = Do(Transition::kExtend, name);
  ASSERT_TRUE(complex.ok()) << complex.status();
  EXPECT_EQ(complex->legal_deadline(), "2024-08-03");
  EXPECT_EQ(complex->stage_deadline(), "2024-08-03");
  EXPECT_EQ(complex->state(), v1::TIP_STATE_ASSIGNED);
  // The police cannot grant the procuracy's extension, nor the procuracy a complex case.
  EXPECT_EQ(tips_.ExtendDeadline(police_, procuracy).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::ExtendTipDeadlineRequest complex_again;
  complex_again.set_name(name);
  complex_again.set_request_id("ext-c");
  complex_again.set_basis(v1::EXTENSION_BASIS_COMPLEX_CASE);
  EXPECT_EQ(tips_.ExtendDeadline(procuracy_, complex_again).status().code(),
            absl::StatusCode::kPermissionDenied);
  auto extended = tips_.ExtendDeadline(procuracy_, procuracy);
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(extended->legal_deadline(), "2024-10-03");
  ASSERT_EQ(extended->extensions_size(), 2);
  EXPECT_EQ(extended->extensions(1).agency_code(), "VKSNDTC");
  procuracy.set_request_id("ext-p2");
  auto twice = tips_.ExtendDeadline(procuracy_, procuracy);
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.status().message(), HasSubstr("already granted"));
}

TEST_F(StagesTest, AnswersInvalidArgumentNamingTheNameForAnEmptyRequest) {
  auto tip = tips_.Verify(police_, v1::VerifyTipRequest());
  EXPECT_EQ(tip.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(tip.status().message(), HasSubstr("name"));
  EXPECT_EQ(tips_.MarkDuplicate(police_, v1::MarkTipDuplicateRequest()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tips_.ExtendDeadline(procuracy_, v1::ExtendTipDeadlineRequest()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StagesTest, RefusesToMarkATipADuplicateOfAnUnknownTipOrOfItself) {
  const std::string name = TipIn(v1::TIP_STATE_RECEIVED);
  v1::MarkTipDuplicateRequest r;
  r.set_name(name);
  r.set_duplicate_of("tips/unknown");
  EXPECT_EQ(tips_.MarkDuplicate(police_, r).status().code(), absl::StatusCode::kNotFound);
  r.set_duplicate_of(name);
  EXPECT_EQ(tips_.MarkDuplicate(police_, r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Get(name).state(), v1::TIP_STATE_RECEIVED);
}

}  // namespace
}  // namespace pcmd::intake
