// Clients of the referrals service — people who sell sex and victims of trafficking who
// take up support — with their consent and needs: validation, pseudonyms, scope.
// No gRPC, no SQL. Thread-safe when the store is.
//
// A client is pseudonymised with the deployment-wide pseudonym of the ID number (the
// same person has the same pseudonym in intake, inspections and referrals), so one
// person is one client; identity and contact are sealed by the store.
//
// Consent is given for named provider kinds and service types until an expiry date.
// For a minor or a trafficking victim a protective legal basis may stand in for it.
// Referrals (referrals.h) check it; withdrawal is there too, since it revokes referrals.
#ifndef PCMD_SERVICES_REFERRALS_CLIENTS_H_
#define PCMD_SERVICES_REFERRALS_CLIENTS_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "common/crypto/keyring.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/referrals/client_store.h"

namespace pcmd::referrals {

// Parses "clients/{client_id}/consents/{consent_id}" into its two ids. Errors:
// INVALID_ARGUMENT with a violation on `field`.
absl::StatusOr<std::pair<std::string, std::string>> ParseConsentName(absl::string_view field,
                                                                     absl::string_view name);

class Clients {
 public:
  // `store`, `clock`, `units` and `keys` are not owned and must outlive this object.
  Clients(ClientStore& store, const Clock& clock, const security::UnitTree& units,
          const crypto::Keyring& keys)
      : store_(store), clock_(clock), units_(units), index_(keys), keys_(keys), ids_(clock) {}

  // Errors: see ReferralsService.RegisterClient in referrals.proto.
  absl::StatusOr<v1::Client> Register(const security::Access& access,
                                      const v1::RegisterClientRequest& request);
  // The client with identity opened. Errors: INVALID_ARGUMENT naming "name";
  // NOT_FOUND; PERMISSION_DENIED outside the caller's units.
  absl::StatusOr<v1::Client> Get(const security::Access& access, absl::string_view name);
  absl::StatusOr<v1::ListClientsResponse> List(const security::Access& access,
                                               const v1::ListClientsRequest& request);
  absl::StatusOr<v1::Consent> GiveConsent(const security::Access& access,
                                          const v1::GiveConsentRequest& request);
  absl::StatusOr<v1::ListConsentsResponse> ListConsents(const security::Access& access,
                                                        const v1::ListConsentsRequest& request);
  absl::StatusOr<v1::Client> AssessNeeds(const security::Access& access,
                                         const v1::AssessNeedsRequest& request);

  // The client `name` names ("clients/…", validated as `field`) when `access` reaches
  // it, without identity. Errors: INVALID_ARGUMENT naming `field`; NOT_FOUND;
  // PERMISSION_DENIED.
  absl::StatusOr<v1::Client> Reachable(const security::Access& access, absl::string_view field,
                                       absl::string_view name);

 private:
  ClientStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  const crypto::BlindIndex index_;
  const crypto::Keyring& keys_;
  IdGenerator ids_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_CLIENTS_H_
