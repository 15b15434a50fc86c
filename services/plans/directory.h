// The directory of administrative units and agencies: validation, creation, look-up
// by code, name (ignoring diacritics) and subtree, and "what is this unit today".
// Units and agencies are reference data that every service refers to by code. No
// gRPC, no SQL. Thread-safe when the store is.
#ifndef PCMD_SERVICES_PLANS_DIRECTORY_H_
#define PCMD_SERVICES_PLANS_DIRECTORY_H_

#include "absl/status/statusor.h"
#include "common/ids/clock.h"
#include "pcmd/plans/v1/directory.pb.h"
#include "services/plans/directory_store.h"

namespace pcmd::plans {

class Directory {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  Directory(DirectoryStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Adds a unit; creating the same unit again returns the stored one (the code is the
  // natural idempotency key). Errors: INVALID_ARGUMENT with field violations (a
  // national unit has no parent, every other level needs one; valid_to not before
  // valid_from; a malformed successor code); NOT_FOUND for an unknown parent or
  // successor; ALREADY_EXISTS for a code that holds a different unit; storage errors.
  absl::StatusOr<v1::Unit> CreateUnit(const v1::CreateUnitRequest& request);

  // Errors: INVALID_ARGUMENT for a malformed name; NOT_FOUND.
  absl::StatusOr<v1::Unit> GetUnit(absl::string_view name);

  // Errors: INVALID_ARGUMENT naming the field (codes, date, text, page).
  absl::StatusOr<v1::ListUnitsResponse> ListUnits(const v1::ListUnitsRequest& request);

  // The units valid on the date that hold the unit's area: the unit itself while it
  // is valid, else its successors followed until valid ones (each once). Errors:
  // INVALID_ARGUMENT; NOT_FOUND.
  absl::StatusOr<v1::ResolveUnitResponse> ResolveUnit(const v1::ResolveUnitRequest& request);

  // Errors as CreateUnit; NOT_FOUND naming unit_code, parent_code or successor_codes.
  absl::StatusOr<v1::Agency> CreateAgency(const v1::CreateAgencyRequest& request);
  absl::StatusOr<v1::Agency> GetAgency(absl::string_view name);
  absl::StatusOr<v1::ListAgenciesResponse> ListAgencies(const v1::ListAgenciesRequest& request);

  // Creates every unit and agency of `seed` that the directory does not hold yet
  // (one already there, even if different, is kept: the live directory wins over the
  // seed). Returns how many were created. Errors: the first entry's error, naming
  // it ("units[3].parent_code"); entries before it stay created (each is
  // independent reference data and a rerun continues).
  absl::StatusOr<int> LoadSeed(const v1::DirectorySeed& seed);

 private:
  DirectoryStore& store_;
  const Clock& clock_;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_DIRECTORY_H_
