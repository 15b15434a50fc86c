#include "common/status/status.h"

#include <optional>

#include "absl/strings/cord.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace pcmd {
namespace {

// The numeric values of the two enums are both the canonical google.rpc.Code values;
// a cast is correct only while that holds, so every code is checked at compile time.
#define PCMD_CHECK_CODE(name)                                              \
  static_assert(static_cast<int>(absl::StatusCode::k##name) ==             \
                    static_cast<int>(grpc::StatusCode::PCMD_UPPER_##name), \
                "absl and gRPC disagree on " #name)
#define PCMD_UPPER_Ok OK
#define PCMD_UPPER_Cancelled CANCELLED
#define PCMD_UPPER_Unknown UNKNOWN
#define PCMD_UPPER_InvalidArgument INVALID_ARGUMENT
#define PCMD_UPPER_DeadlineExceeded DEADLINE_EXCEEDED
#define PCMD_UPPER_NotFound NOT_FOUND
#define PCMD_UPPER_AlreadyExists ALREADY_EXISTS
#define PCMD_UPPER_PermissionDenied PERMISSION_DENIED
#define PCMD_UPPER_ResourceExhausted RESOURCE_EXHAUSTED
#define PCMD_UPPER_FailedPrecondition FAILED_PRECONDITION
#define PCMD_UPPER_Aborted ABORTED
#define PCMD_UPPER_OutOfRange OUT_OF_RANGE
#define PCMD_UPPER_Unimplemented UNIMPLEMENTED
#define PCMD_UPPER_Internal INTERNAL
#define PCMD_UPPER_Unavailable UNAVAILABLE
#define PCMD_UPPER_DataLoss DATA_LOSS
#define PCMD_UPPER_Unauthenticated UNAUTHENTICATED
PCMD_CHECK_CODE(Ok);
PCMD_CHECK_CODE(Cancelled);
PCMD_CHECK_CODE(Unknown);
PCMD_CHECK_CODE(InvalidArgument);
PCMD_CHECK_CODE(DeadlineExceeded);
PCMD_CHECK_CODE(NotFound);
PCMD_CHECK_CODE(AlreadyExists);
PCMD_CHECK_CODE(PermissionDenied);
PCMD_CHECK_CODE(ResourceExhausted);
PCMD_CHECK_CODE(FailedPrecondition);
PCMD_CHECK_CODE(Aborted);
PCMD_CHECK_CODE(OutOfRange);
PCMD_CHECK_CODE(Unimplemented);
PCMD_CHECK_CODE(Internal);
PCMD_CHECK_CODE(Unavailable);
PCMD_CHECK_CODE(DataLoss);
PCMD_CHECK_CODE(Unauthenticated);

constexpr int kMaxCode = static_cast<int>(absl::StatusCode::kUnauthenticated);

}  // namespace

absl::Status InvalidArgumentWithFields(absl::string_view message,
                                       const std::vector<FieldViolation>& violations) {
  absl::Status status(absl::StatusCode::kInvalidArgument, message);
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status StatusWithFields(absl::StatusCode code, absl::string_view message,
                              const std::vector<FieldViolation>& violations) {
  absl::Status with_fields = InvalidArgumentWithFields(message, violations);
  absl::Status out(code, message);
  if (auto payload = with_fields.GetPayload(kBadRequestTypeUrl)) {
    out.SetPayload(kBadRequestTypeUrl, *payload);
  }
  return out;
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return out;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return out;
  for (const auto& fv : bad_request.field_violations()) {
    out.push_back({fv.field(), fv.description()});
  }
  return out;
}

std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& fv : FieldViolationsOf(status)) fields.push_back(fv.field);
  return fields;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  status.ForEachPayload([&details](absl::string_view type_url, const absl::Cord& value) {
    google::protobuf::Any* any = details.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(value));
  });
  if (details.details().empty()) return grpc::Status(code, std::string(status.message()));
  return grpc::Status(code, std::string(status.message()), details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  int raw = static_cast<int>(status.error_code());
  // A peer could send any number; anything outside the canonical range is UNKNOWN.
  const absl::StatusCode code = (raw > 0 && raw <= kMaxCode) ? static_cast<absl::StatusCode>(raw)
                                                             : absl::StatusCode::kUnknown;
  absl::Status out(code, status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : details.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

}  // namespace pcmd
