#include "services/intake/tips.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::intake {

absl::StatusOr<v1::Tip> Tips::Submit(const v1::SubmitTipRequest& request) {
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Enum("channel", request.channel(), v1::Channel_IsValid);
  v.Enum("legal_kind", request.legal_kind(), v1::LegalKind_IsValid);
  v.Enum("category", request.category(), v1::Category_IsValid);
  v.Code("unit_code", request.unit_code());
  if (!request.establishment().empty()) {
    if (absl::Status s =
            ParseResourceName("establishment", request.establishment(), "establishments").status();
        !s.ok()) {
      for (const FieldViolation& fv : FieldViolationsOf(s)) v.Add(fv.field, fv.description);
    }
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid SubmitTipRequest"));

  v1::Tip tip;
  tip.set_name(absl::StrCat("tips/", ids_.Next()));
  tip.set_channel(request.channel());
  tip.set_legal_kind(request.legal_kind());
  tip.set_category(request.category());
  tip.set_unit_code(request.unit_code());
  tip.set_establishment(request.establishment());
  tip.set_state(v1::TIP_STATE_RECEIVED);
  *tip.mutable_receive_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return store_.CreateTip(request.request_id(), storage::RequestFingerprint(request), tip);
}

absl::StatusOr<v1::Tip> Tips::Get(const security::Access& access, absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "tips"));
  PCMD_ASSIGN_OR_RETURN(v1::Tip tip, store_.GetTip(id));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access, {.name = tip.name(), .unit_code = tip.unit_code()}, units_));
  return tip;
}

}  // namespace pcmd::intake
