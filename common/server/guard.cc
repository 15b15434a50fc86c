#include "common/server/guard.h"

#include "absl/strings/ascii.h"
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

// End users are account ids ("officer-0042", "nguyen.van.a@ca.gov.vn"), purposes are
// short codes ("tip-handling"): both go into audit records and some events, so free
// text (which could hold a name) is refused.
bool IsAccountId(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' &&
        c != '@') {
      return false;
    }
  }
  return true;
}

bool IsPurposeCode(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

// What the audit log can hold from a caller-chosen string: no separators, bounded.
std::string AuditSafe(absl::string_view s, size_t max_bytes) {
  std::string out(s.substr(0, max_bytes));
  for (char& c : out) {
    if (c == '\x1f' || c == ',') c = '?';
  }
  return out;
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
  security::Caller& who = call.access_.caller;
  std::vector<FieldViolation> bad;
  if (!who.end_user.empty() && !IsAccountId(who.end_user)) {
    bad.push_back({std::string(security::kEndUserHeader),
                   "must be the user's account id: 1-64 of A-Z a-z 0-9 . _ - @"});
    who.end_user = "(malformed)";  // It may be free text: none of it is kept.
  }
  if (!who.purpose.empty() && !IsPurposeCode(who.purpose)) {
    bad.push_back({std::string(security::kPurposeHeader),
                   "must be a purpose code: 1-64 of a-z 0-9 - (e.g. tip-handling)"});
    who.purpose = "(malformed)";
  }
  if (!bad.empty()) return InvalidArgumentWithFields("malformed call metadata", bad);
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
  // Record names may come from the request before it was validated: bound them so a
  // bad call can neither break the record nor bloat the append-only log.
  std::vector<std::string> records;
  for (const std::string& name : call.records()) {
    if (records.size() == 20) break;
    records.push_back(AuditSafe(name, 200));
  }
  const audit::AuditRecord record{
      .agency = AuditSafe(security::AgencyUri(caller.agency), 300),
      .end_user = AuditSafe(caller.end_user, 64),
      .purpose = AuditSafe(caller.purpose, 64),
      .rpc = std::string(method),
      .records = std::move(records),
      .outcome = outcome.ok() ? "OK" : std::string(absl::StatusCodeToString(outcome.code()))};
  const absl::Status written =
      audit_db_.Write([&](storage::Transaction& tx) { return audit_.Append(tx, record); });
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
