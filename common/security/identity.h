// Who is calling: an agency system identified by its TLS client certificate, and the
// end user and purpose of use it states with each call.
//
// Certificate encoding (document for integrators; deploy/certs.sh issues these):
//   a URI subject alternative name  urn:pcmd:agency:<kind>:<unit>:<code>
//   e.g. urn:pcmd:agency:police:01:CA-HN-PC02  (Hà Nội city police, unit 01)
//   <kind>  one of the AgencyKind names below (police, social_affairs, ...)
//   <unit>  the administrative unit code the agency belongs to
//   <code>  the agency's code in the directory
// The certificate's CN repeats the code for people reading it; only the URI counts.
//
// Call metadata (gRPC headers) the calling system sends with every call:
//   x-pcmd-end-user   the person at the agency on whose behalf the call is made
//   x-pcmd-purpose    the purpose of use (e.g. "tip-handling", "case-management")
// Calls that read or change personal data without both are refused.
#ifndef PCMD_COMMON_SECURITY_IDENTITY_H_
#define PCMD_COMMON_SECURITY_IDENTITY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pcmd::security {

enum class AgencyKind {
  kPolice,
  kSocialAffairs,
  kInspectionTeam,
  kProvider,
  kProcuracy,
  kCourt,
  kCulture,
  kHealth,
  kMinistry,  // Another ministry's system.
  kService,   // One of pcmd's own services calling another.
  kOperator,  // A person operating pcmd (event administration, directory upkeep).
};

// "police", "social_affairs", "inspection_team", "provider", "procuracy", "court",
// "culture", "health", "ministry", "service", "operator".
absl::string_view KindName(AgencyKind kind);
std::optional<AgencyKind> KindFromName(absl::string_view name);
// Every kind, in declaration order (for tables and tests).
const std::vector<AgencyKind>& AllKinds();

struct Agency {
  AgencyKind kind;
  std::string unit_code;
  std::string code;
};

// Parses "urn:pcmd:agency:<kind>:<unit>:<code>". Errors: INVALID_ARGUMENT saying
// which part is wrong.
absl::StatusOr<Agency> ParseAgencyUri(absl::string_view uri);
std::string AgencyUri(const Agency& agency);

inline constexpr absl::string_view kEndUserHeader = "x-pcmd-end-user";
inline constexpr absl::string_view kPurposeHeader = "x-pcmd-purpose";

struct Caller {
  Agency agency;
  std::string end_user;  // Empty when not stated.
  std::string purpose;   // Empty when not stated.
};

}  // namespace pcmd::security

#endif  // PCMD_COMMON_SECURITY_IDENTITY_H_
