#include "common/server/guard.h"

#include "absl/strings/str_join.h"
#include "common/log/log.h"
#include "common/security/grpc_identity.h"

namespace pcmd {
namespace {

// The insecure mode's stand-in for a certificate: the agency URI in a header, plus the
// end user and purpose headers as usual.
absl::StatusOr<security::Caller> CallerFromHeader(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto header = [&](absl::string_view name) {
    auto it = metadata.find(std::string(name));
    return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
  };
  const std::string uri = header(kInsecureAgencyHeader);
  if (uri.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("this server runs --insecure: name the calling agency in the ",
                     kInsecureAgencyHeader, " header (urn:pcmd:agency:<kind>:<unit>:<code>)"));
  }
  absl::StatusOr<security::Agency> agency = security::ParseAgencyUri(uri);
  if (!agency.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat(kInsecureAgencyHeader, ": ", agency.status().message()));
  }
  return security::Caller{*std::move(agency), header(security::kEndUserHeader),
                          header(security::kPurposeHeader)};
}

}  // namespace

absl::Status Gatekeeper::Admit(const grpc::ServerContext& context, absl::string_view method,
                               Call& call, bool& identified) const {
  absl::StatusOr<security::Caller> caller = mode_ == IdentityMode::kCertificate
                                                ? security::CallerFromContext(context)
                                                : CallerFromHeader(context);
  if (!caller.ok()) {
    log::Warning("call_refused", {{"method", method}, {"reason", caller.status()}});
    return caller.status();
  }
  identified = true;
  call.access_.caller = *std::move(caller);
  absl::StatusOr<security::AccessRule> rule = policy_.Check(method, call.access_.caller);
  if (!rule.ok()) {
    log::Warning("call_refused", {{"method", method},
                                  {"agency", security::AgencyUri(call.access_.caller.agency)},
                                  {"reason", rule.status()}});
    return rule.status();
  }
  call.access_.scope = rule->scope;
  return absl::OkStatus();
}

absl::Status Gatekeeper::Finish(absl::string_view method, const Call& call, bool identified,
                                absl::Status outcome) {
  auto rule = policy_.rules().find(std::string(method));
  if (!identified || rule == policy_.rules().end() || !rule->second.personal_data) {
    return outcome;
  }
  const security::Caller& caller = call.caller();
  const audit::AuditRecord record{
      .agency = security::AgencyUri(caller.agency),
      .end_user = caller.end_user,
      .purpose = caller.purpose,
      .rpc = std::string(method),
      .records = call.records(),
      .outcome = outcome.ok() ? "OK" : std::string(absl::StatusCodeToString(outcome.code()))};
  absl::Status written =
      audit_db_.Write([&](storage::Transaction& tx) { return audit_.Append(tx, record); });
  if (written.code() == absl::StatusCode::kInvalidArgument) {
    // A header carried the audit log's field separator: keep the record, without it.
    audit::AuditRecord cleaned = record;
    for (std::string* field : {&cleaned.end_user, &cleaned.purpose}) {
      std::replace(field->begin(), field->end(), '\x1f', '?');
    }
    written = audit_db_.Write([&](storage::Transaction& tx) { return audit_.Append(tx, cleaned); });
  }
  if (!written.ok()) {
    log::Error("audit_write_failed", {{"method", method}, {"error", written}});
    if (outcome.ok()) {
      return absl::UnavailableError(
          "the call could not be audited, so its result is withheld; retry later");
    }
  }
  return outcome;
}

}  // namespace pcmd
