// The directory of support providers (social-work centres, health facilities, legal
// aid, vocational schools, peer groups...): validation, ids, idempotent creation,
// search and updates. No gRPC, no SQL. Thread-safe when the store is.
//
// Anyone who refers a person needs to find providers, so reading the directory is not
// limited to the caller's units; adding and changing a provider is.
#ifndef PCMD_SERVICES_REFERRALS_PROVIDERS_H_
#define PCMD_SERVICES_REFERRALS_PROVIDERS_H_

#include "absl/status/statusor.h"
#include "common/ids/clock.h"
#include "common/ids/ids.h"
#include "common/security/scope.h"
#include "pcmd/referrals/v1/referrals.pb.h"
#include "services/referrals/provider_store.h"

namespace pcmd::referrals {

class Providers {
 public:
  // `store`, `clock` and `units` are not owned and must outlive this object.
  Providers(ProviderStore& store, const Clock& clock, const security::UnitTree& units)
      : store_(store), clock_(clock), units_(units), ids_(clock) {}

  // Adds an active provider. Returns the stored record (the earlier one for a repeated
  // request_id). Errors: INVALID_ARGUMENT with a violation per bad field (each bad
  // entry of `services` named by index; a unit_code not in the directory of units);
  // PERMISSION_DENIED when unit_code lies outside the caller's units; storage errors.
  absl::StatusOr<v1::Provider> Create(const security::Access& access,
                                      const v1::CreateProviderRequest& request);

  // Errors: INVALID_ARGUMENT for a malformed name; NOT_FOUND.
  absl::StatusOr<v1::Provider> Get(absl::string_view name);

  // Providers in unit_code's subtree (empty: the whole country), filtered by service,
  // kind and activity, every word of `query` a word of the name ignoring case and
  // diacritics; by display name (diacritics folded, so "Đ" sorts with "D"), then name.
  // Errors: INVALID_ARGUMENT naming page_size, unit_code (malformed or unknown),
  // service, kind, query or page_token (one of another query); PERMISSION_DENIED when
  // the caller's rule limits it to its units and unit_code lies outside them; storage
  // errors.
  absl::StatusOr<v1::ListProvidersResponse> List(const security::Access& access,
                                                 const v1::ListProvidersRequest& request);

  // Changes the fields named by update_mask (display_name, services, capacity, contact,
  // active), checked as Create checks them, and publishes ProviderUpdated; nothing is
  // written on any error. Errors: INVALID_ARGUMENT naming "provider.name", a bad field
  // ("provider.services[1]"), "update_mask.paths" when empty or
  // "update_mask.paths[i]" for a path that cannot be changed; NOT_FOUND;
  // PERMISSION_DENIED when the provider's unit lies outside the caller's units;
  // ABORTED when etag is given and is not the current one; storage errors.
  absl::StatusOr<v1::Provider> Update(const security::Access& access,
                                      const v1::UpdateProviderRequest& request);

 private:
  ProviderStore& store_;
  const Clock& clock_;
  const security::UnitTree& units_;
  IdGenerator ids_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_PROVIDERS_H_
