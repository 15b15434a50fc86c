// Access control and audit around every RPC. Each gRPC method body is one guarded
// call:
//
//   grpc::Status IntakeServiceImpl::GetTip(grpc::ServerContext* ctx,
//                                          const v1::GetTipRequest* req,
//                                          v1::GetTipResponse* resp) {
//     return guard_.Run(ctx, "GetTip", [&](Call& call) -> absl::Status {
//       call.Touch(req->name());
//       PCMD_ASSIGN_OR_RETURN(*resp->mutable_tip(), tips_.Get(call.access(), req->name()));
//       return absl::OkStatus();
//     });
//   }
//
// Run, in order:
//   1. refuses calls the client already cancelled (CANCELLED);
//   2. identifies the caller: its verified client certificate (see
//      common/security/identity.h) or, only in --insecure mode, the
//      x-pcmd-insecure-agency header (UNAUTHENTICATED when neither names an agency);
//   3. checks the stated end user (an account id) and purpose (a code) when present
//      (INVALID_ARGUMENT naming the header: free text could hold a name), and applies
//      the service's AccessPolicy: the method's rule, the caller's kind, the end user
//      and purpose for personal data (PERMISSION_DENIED / UNAUTHENTICATED);
//   4. runs the body with the caller and the rule's scope (Call);
//   5. for every rule that touches personal data, appends an audit record (agency,
//      end user, purpose, method, the records the body touched — bounded, outcome) to
//      the service's hash-chained audit log, also for calls refused once the caller
//      is identified (an unidentified caller is only logged). When the record cannot
//      be written the call answers UNAVAILABLE, so no personal data is returned
//      unaudited; a change the body already committed stays (its retry with the same
//      request_id is then audited).
// Refusals are logged (method, agency, reason); the body's personal data never is.
#ifndef PCMD_COMMON_SERVER_GUARD_H_
#define PCMD_COMMON_SERVER_GUARD_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/audit/audit_log.h"
#include "common/security/access_policy.h"
#include "common/security/scope.h"
#include "common/status/status.h"
#include "common/storage/sqlite_database.h"
#include "grpcpp/server_context.h"

namespace pcmd {

enum class IdentityMode {
  // The verified TLS client certificate. The default, and the only mode deploy/run.sh
  // and the access tests use.
  kCertificate,
  // --insecure (local debugging only): the caller names its agency URI in the
  // x-pcmd-insecure-agency header. Anyone can claim anything.
  kInsecureHeader,
};

inline constexpr absl::string_view kInsecureAgencyHeader = "x-pcmd-insecure-agency";

// One admitted call, as the body sees it. Not thread-safe (one per call).
class Call {
 public:
  const security::Access& access() const { return access_; }
  const security::Caller& caller() const { return access_.caller; }
  // Names a record the call reads or changes ("tips/0192…"), for the audit record.
  // Only resource names and pseudonyms: never personal data.
  void Touch(std::string record) { records_.push_back(std::move(record)); }
  const std::vector<std::string>& records() const { return records_; }

 private:
  friend class Gatekeeper;
  security::Access access_;
  std::vector<std::string> records_;
};

// The process-wide part: identity, policy and audit log. Thread-safe; everything
// given to it must outlive it.
class Gatekeeper {
 public:
  // `audit_db` holds the audit log (audit::kAuditMigrationSql applied); `audit_key` is
  // the deployment's audit key (crypto::Keyring::audit_key).
  Gatekeeper(const security::AccessPolicy& policy, IdentityMode mode,
             storage::SqliteDatabase& audit_db, std::string audit_key, const Clock& clock)
      : policy_(policy), mode_(mode), audit_db_(audit_db), audit_(std::move(audit_key), clock) {}

  // Steps 2 and 3 of Run. Fills `call` and returns OK, or the refusal.
  absl::Status Admit(const grpc::ServerContext& context, absl::string_view method, Call& call,
                     bool& identified) const;
  // Step 5: audits when the method's rule touches personal data and the caller was
  // identified. Returns `outcome`, or UNAVAILABLE when the audit record could not be
  // written.
  absl::Status Finish(absl::string_view method, const Call& call, bool identified,
                      absl::Status outcome);

  IdentityMode mode() const { return mode_; }
  const security::AccessPolicy& policy() const { return policy_; }

 private:
  const security::AccessPolicy& policy_;
  const IdentityMode mode_;
  storage::SqliteDatabase& audit_db_;
  audit::AuditLog audit_;
};

// The guard of one gRPC service: a Gatekeeper and the service's full name. Cheap to
// copy; thread-safe.
class Guard {
 public:
  Guard(Gatekeeper& gatekeeper, absl::string_view service_full_name)
      : gatekeeper_(&gatekeeper), prefix_(absl::StrCat("/", service_full_name, "/")) {}

  // `rpc` is the method's short name ("GetTip"). `body` is absl::Status(Call&).
  template <typename Body>
  grpc::Status Run(grpc::ServerContext* context, absl::string_view rpc, Body&& body) const {
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled by the client");
    }
    const std::string method = absl::StrCat(prefix_, rpc);
    Call call;
    bool identified = false;
    absl::Status status = gatekeeper_->Admit(*context, method, call, identified);
    if (status.ok()) status = std::forward<Body>(body)(call);
    return ToGrpcStatus(gatekeeper_->Finish(method, call, identified, std::move(status)));
  }

 private:
  Gatekeeper* gatekeeper_;
  std::string prefix_;
};

}  // namespace pcmd

#endif  // PCMD_COMMON_SERVER_GUARD_H_
