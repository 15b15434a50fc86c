// The directory of administrative units: validation and creation. Units are reference
// data that every service refers to by code. No gRPC, no SQL. Thread-safe when the
// store is.
#ifndef PCMD_SERVICES_PLANS_DIRECTORY_H_
#define PCMD_SERVICES_PLANS_DIRECTORY_H_

#include "absl/status/statusor.h"
#include "pcmd/plans/v1/directory.pb.h"
#include "services/plans/unit_store.h"

namespace pcmd::plans {

class Directory {
 public:
  // `store` is not owned and must outlive this object.
  explicit Directory(UnitStore& store) : store_(store) {}

  // Adds a unit; creating the same unit again returns the stored one (the code is the
  // natural idempotency key). Errors: INVALID_ARGUMENT with field violations (a
  // national unit has no parent, every other level needs one; valid_to not before
  // valid_from); NOT_FOUND for an unknown parent; ALREADY_EXISTS for a code that holds
  // a different unit; storage errors.
  absl::StatusOr<v1::Unit> CreateUnit(const v1::CreateUnitRequest& request);

  // Errors: INVALID_ARGUMENT for a malformed name; NOT_FOUND.
  absl::StatusOr<v1::Unit> GetUnit(absl::string_view name);

 private:
  UnitStore& store_;
};

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_DIRECTORY_H_
