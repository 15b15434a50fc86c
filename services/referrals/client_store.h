// Where clients, their consents and needs are kept. The logic (clients.h) depends only
// on this interface; sqlite_client_store.h implements it on SQLite.
#ifndef PCMD_SERVICES_REFERRALS_CLIENT_STORE_H_
#define PCMD_SERVICES_REFERRALS_CLIENT_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pcmd/referrals/v1/referrals.pb.h"

namespace pcmd::referrals {

// A page of clients, newest first.
struct ClientQuery {
  // nullopt: every unit.
  std::optional<std::vector<std::string>> units;
  std::string pseudonym;  // "" for any.
  // Where the page starts (from a page token; "" for the first page).
  std::string after;
  int limit = 50;
};

struct ClientPage {
  std::vector<v1::Client> clients;  // Without identity.
  std::string next;                 // Position after the last one; "" at the end.
};

// Implementations are thread-safe.
class ClientStore {
 public:
  virtual ~ClientStore() = default;

  // Stores `client` (identity sealed) with ClientRegistered, unless `request_id` was
  // seen: then the client registered first. When another client already holds
  // `client.pseudonym()`, stores nothing, sets `*holder` to that client (name and unit
  // only) and returns ALREADY_EXISTS. Errors: INVALID_ARGUMENT naming request_id when it
  // was used for a different request; ALREADY_EXISTS; storage errors.
  virtual absl::StatusOr<v1::Client> RegisterClient(absl::string_view request_id,
                                                    absl::string_view fingerprint,
                                                    const v1::Client& client,
                                                    v1::Client* holder) = 0;

  // The client with needs, and with identity opened when `with_identity`. Errors:
  // NOT_FOUND; DATA_LOSS when the identity cannot be opened; storage errors.
  virtual absl::StatusOr<v1::Client> GetClient(absl::string_view id, bool with_identity) = 0;

  // One page of `query`. Errors: storage errors.
  virtual absl::StatusOr<ClientPage> ListClients(const ClientQuery& query) = 0;

  // The outreach task `id` (pseudonym, unit, flags and state). Errors: NOT_FOUND.
  virtual absl::StatusOr<v1::OutreachTask> GetOutreachTask(absl::string_view id) = 0;

  // Stores `consent` for `client_id` with ConsentGiven, once per request_id (as
  // RegisterClient). Errors: as RegisterClient but no ALREADY_EXISTS.
  virtual absl::StatusOr<v1::Consent> GiveConsent(absl::string_view request_id,
                                                  absl::string_view fingerprint,
                                                  absl::string_view client_id,
                                                  absl::string_view unit_code,
                                                  const v1::Consent& consent) = 0;

  // Every consent of the client, newest first. Errors: storage errors.
  virtual absl::StatusOr<std::vector<v1::Consent>> ListConsents(absl::string_view client_id) = 0;

  // Replaces the client's needs, with NeedsAssessed. Errors: NOT_FOUND; storage errors.
  virtual absl::StatusOr<v1::Client> AssessNeeds(absl::string_view client_id,
                                                 const std::vector<v1::Need>& needs,
                                                 absl::string_view assessed_date) = 0;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_CLIENT_STORE_H_
