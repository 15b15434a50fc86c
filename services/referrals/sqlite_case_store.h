// CaseStore on SQLite (common/storage), in the referrals database
// (ReferralsMigrations: the tables `cases` and `case_notes`, read-only use of
// `clients`). Thread-safe.
#ifndef PCMD_SERVICES_REFERRALS_SQLITE_CASE_STORE_H_
#define PCMD_SERVICES_REFERRALS_SQLITE_CASE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/referrals/case_store.h"

namespace pcmd::referrals {

class SqliteCaseStore : public CaseStore {
 public:
  // `db`, `outbox`, `clock` and `keys` are not owned and must outlive the store. `db`
  // must have been migrated with ReferralsMigrations(). Plans and notes are stored
  // only sealed with `keys`; request fingerprints are keyed with its index key.
  // Every change appends its event to `outbox` in the same transaction.
  SqliteCaseStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock,
                  const crypto::Keyring& keys)
      : db_(db), outbox_(outbox), clock_(clock), keys_(keys), cipher_(keys) {}

  absl::StatusOr<std::string> ClientUnit(absl::string_view client_id) override;
  absl::StatusOr<std::optional<v1::Case>> FindOpenedCase(
      const v1::OpenCaseRequest& request) override;
  absl::StatusOr<v1::Case> OpenCase(const v1::OpenCaseRequest& request,
                                    const v1::Case& new_case) override;
  absl::StatusOr<v1::Case> GetCase(absl::string_view id, bool with_plan) override;
  absl::StatusOr<std::vector<v1::Case>> ListCases(const CaseQuery& query) override;
  absl::StatusOr<v1::Case> UpdateCase(
      absl::string_view id, const std::function<absl::Status(v1::Case&)>& change) override;
  absl::StatusOr<v1::CaseNote> AddCaseNote(const v1::AddCaseNoteRequest& request,
                                           const v1::CaseNote& note,
                                           const CaseCheck& check) override;
  absl::StatusOr<std::vector<v1::CaseNote>> ListCaseNotes(const NoteQuery& query) override;
  absl::StatusOr<v1::Case> ReviewCase(absl::string_view id, const CaseReview& review,
                                      const CaseCheck& check) override;
  absl::StatusOr<v1::Case> CloseCase(absl::string_view id, v1::CloseReason reason,
                                     const CaseCheck& check) override;

 private:
  // Case `id`, its plan opened when `with_plan`; nullopt when there is none. Errors:
  // INTERNAL for a sealed plan that does not open; storage errors.
  absl::StatusOr<std::optional<v1::Case>> Find(storage::Transaction& tx, absl::string_view id,
                                               bool with_plan) const;
  // As Find, NOT_FOUND when there is none.
  absl::StatusOr<v1::Case> Require(storage::Transaction& tx, absl::string_view id,
                                   bool with_plan) const;
  // Note `id` of case `case_id`, text opened; nullopt when there is none.
  absl::StatusOr<std::optional<v1::CaseNote>> FindNote(storage::Transaction& tx,
                                                       absl::string_view case_id,
                                                       absl::string_view id) const;
  // Inserts `note` (of case `case_id`) with its text sealed.
  absl::Status InsertNote(storage::Transaction& tx, absl::string_view case_id,
                          const v1::CaseNote& note) const;
  // The note of a case_notes row (case_id, id, text, note_date, author,
  // create_unix_ms), text opened.
  absl::StatusOr<v1::CaseNote> NoteFromRow(const storage::Row& row) const;
  // A fingerprint of `request` keyed with the index key: requests carry plans and
  // notes, which an unkeyed hash would let someone test guesses against.
  std::string Fingerprint(const google::protobuf::Message& request) const;
  int64_t NowMillis() const { return absl::ToUnixMillis(clock_.Now()); }

  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  const crypto::FieldCipher cipher_;
};

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_SQLITE_CASE_STORE_H_
