#include "services/intake/establishment_registry.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace pcmd::intake {

absl::Status GrpcEstablishmentRegistry::CheckExists(const security::Caller& on_behalf_of,
                                                    const std::string& name) {
  inspections::v1::GetEstablishmentRequest request;
  request.set_name(name);
  inspections::v1::GetEstablishmentResponse response;
  grpc::ClientContext context;
  peer_.Prepare(context, on_behalf_of, absl::Seconds(5));
  const grpc::Status status = stub_->GetEstablishment(&context, request, &response);
  if (status.ok()) return absl::OkStatus();
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return StatusWithFields(absl::StatusCode::kNotFound,
                            absl::StrCat("establishment ", name, " is not in the registry"),
                            {{"establishment", "names no registered establishment"}});
  }
  log::Warning("establishment_check_failed", {{"establishment", name},
                                              {"code", static_cast<int>(status.error_code())},
                                              {"error", status.error_message()}});
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
      status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
    // Refused or misconfigured (certificates, rules): retrying will not help.
    return absl::InternalError(
        absl::StrCat("intake could not check ", name, " with the establishment registry"));
  }
  return absl::UnavailableError(absl::StrCat(
      "the establishment registry cannot confirm ", name,
      " now; retry with the same request_id, or submit the tip without the establishment"));
}

}  // namespace pcmd::intake
