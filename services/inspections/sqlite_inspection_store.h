// InspectionStore on SQLite (common/storage), in the inspections database
// (InspectionsMigrations). Thread-safe.
#ifndef PCMD_SERVICES_INSPECTIONS_SQLITE_INSPECTION_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_SQLITE_INSPECTION_STORE_H_

#include <optional>
#include <vector>

#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/inspections/inspection_store.h"
#include "services/inspections/legal.h"

namespace pcmd::inspections {

class SqliteInspectionStore : public InspectionStore {
 public:
  // `db`, `outbox`, `clock` and `keys` are not owned and must outlive the store. The
  // result of an inspection is stored only sealed with `keys` (findings, descriptions
  // and persons met are personal data); codes and counts beside it are plain.
  // `catalogue` gives each violation's severity.
  SqliteInspectionStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock,
                        const crypto::Keyring& keys, const LegalCatalogue& catalogue)
      : db_(db),
        outbox_(outbox),
        clock_(clock),
        cipher_(keys),
        index_(keys),
        catalogue_(catalogue) {}

  absl::StatusOr<v1::Inspection> ScheduleInspection(absl::string_view request_id,
                                                    absl::string_view fingerprint,
                                                    const v1::Inspection& inspection) override;
  absl::StatusOr<std::optional<v1::Inspection>> FindScheduled(
      absl::string_view request_id, absl::string_view fingerprint) override;
  absl::StatusOr<v1::Inspection> GetInspection(absl::string_view id, bool with_result) override;
  absl::StatusOr<std::vector<v1::Inspection>> ListInspections(
      const InspectionQuery& query) override;
  absl::StatusOr<v1::Inspection> CompleteInspection(
      absl::string_view id, absl::string_view request_id, absl::string_view fingerprint,
      const std::function<absl::Status(v1::Inspection&)>& complete) override;
  absl::StatusOr<v1::Inspection> CancelInspection(
      absl::string_view id, const std::function<absl::Status(v1::Inspection&)>& cancel) override;

 private:
  // The inspection with its result opened when `with_result`. Errors: INTERNAL for a
  // sealed result that does not open; storage errors.
  absl::StatusOr<std::optional<v1::Inspection>> Find(storage::Transaction& tx, absl::string_view id,
                                                     bool with_result) const;
  // Appends the events of a completed inspection; `hotspot` is the establishment's
  // ("hotspots/{code}" or ""), carried by each ViolationRecorded for plans' relapse check.
  absl::Status AppendCompletionEvents(storage::Transaction& tx, const v1::Inspection& done,
                                      v1::BusinessType business_type, bool complex,
                                      absl::string_view hotspot);

  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
  const crypto::FieldCipher cipher_;
  const crypto::BlindIndex index_;
  const LegalCatalogue& catalogue_;
};

}  // namespace pcmd::inspections

#endif  // PCMD_SERVICES_INSPECTIONS_SQLITE_INSPECTION_STORE_H_
