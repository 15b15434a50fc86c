// Status conversion between Abseil and gRPC, and invalid-argument errors that carry
// google.rpc.BadRequest field violations.
//
// The domain logic of every service returns absl::Status; only the thin gRPC adapters
// convert, with ToGrpcStatus on the way out and FromGrpcStatus on the way in (for calls
// to other services). Every one of the 17 codes survives both directions unchanged, and
// so do the field violations: a caller always learns which field was wrong.
//
// All functions are thread-safe (they touch no shared state).
#ifndef PCMD_COMMON_STATUS_STATUS_H_
#define PCMD_COMMON_STATUS_STATUS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace pcmd {

// One offending field of a request. `field` is a path in the request message as an
// API caller sees it ("tip.persons[2].role"), `description` says what is wrong in a
// sentence a person can act on.
struct FieldViolation {
  std::string field;
  std::string description;

  friend bool operator==(const FieldViolation&, const FieldViolation&) = default;
};

// The type URL under which field violations travel, both as an absl::Status payload
// and as a google.protobuf.Any inside google.rpc.Status.details.
inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";

// Returns INVALID_ARGUMENT with `message` and the violations attached as a
// google.rpc.BadRequest payload. An empty `violations` still gives INVALID_ARGUMENT.
absl::Status InvalidArgumentWithFields(absl::string_view message,
                                       const std::vector<FieldViolation>& violations);

// Returns a status of `code` (NOT_FOUND, FAILED_PRECONDITION...) that also names the
// fields it is about, as google.rpc.BadRequest violations.
absl::Status StatusWithFields(absl::StatusCode code, absl::string_view message,
                              const std::vector<FieldViolation>& violations);

// Returns the field violations attached to `status`; empty when there are none or the
// payload cannot be parsed.
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// The fields FieldViolationsOf(status) names, in order (for callers, and tests, that
// only need to know which fields were refused).
std::vector<std::string> ViolatedFields(const absl::Status& status);

// Converts for the wire. The code and message are kept; every absl payload whose type
// URL names a protobuf type becomes one google.rpc.Status detail (serialised into
// grpc::Status::error_details, the grpc-status-details-bin trailer).
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts an answer from another service. Details that arrived as google.rpc.Status
// become payloads again, so FieldViolationsOf works on the result.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace pcmd

#endif  // PCMD_COMMON_STATUS_STATUS_H_
