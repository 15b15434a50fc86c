// TipStore on SQLite (common/storage). Thread-safe.
//
// Layout (migrations in sqlite_tip_store.cc):
//   tips            one row per tip; description and place sealed (BLOB), NULL when
//                   not given.
//   tip_persons     one row per named person: role, pseudonym and the blind index of
//                   the ID number in clear, every other field sealed.
//   tip_attachments content hash and media type per attachment (not personal).
//   reporter_vault  the reporter, one sealed value per tip.
//   reveal_log      every opening of the vault, append-only, its reason sealed.
//   tip_history     every stage change of a tip, append-only, its note sealed.
//   tip_terms       the keyed folded words of description and address (search).
//   tip_likely_duplicates  suggestions made at receipt, both ways.
//   tip_changes     the change log WatchTips reads (tip_feed.h).
// Each sealed value is bound to where it lives ("tips/<id>#persons/2.full_name"), so a
// value copied to another row or column does not open: GetTip then answers INTERNAL
// and logs sealed_field_unreadable with the record and field path (never the value).
#ifndef PCMD_SERVICES_INTAKE_SQLITE_TIP_STORE_H_
#define PCMD_SERVICES_INTAKE_SQLITE_TIP_STORE_H_

#include <span>
#include <string>

#include "common/crypto/keyring.h"
#include "common/events/outbox.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"
#include "services/intake/tip_store.h"

namespace pcmd::intake {

// The intake database's schema, in order (migrations.cc); passed to
// SqliteDatabase::Open.
std::span<const storage::Migration> IntakeMigrations();

class SqliteTipStore : public TipStore {
 public:
  // `db` (opened with IntakeMigrations), `outbox`, `clock` and `keys` are not owned and
  // must outlive the store. Every stored change appends its events to `outbox` in the
  // same transaction. New values are sealed with the keyring's current key version;
  // values sealed under older versions open as long as `keys` still holds them.
  SqliteTipStore(storage::SqliteDatabase& db, events::Outbox& outbox, const Clock& clock,
                 const crypto::Keyring& keys)
      : db_(db), outbox_(outbox), clock_(clock), cipher_(keys), index_(keys) {}

  absl::StatusOr<v1::Tip> CreateTip(absl::string_view request_id, absl::string_view fingerprint,
                                    const v1::Tip& tip, const v1::Reporter* reporter,
                                    const v1::StageChange& received) override;
  absl::StatusOr<v1::Tip> GetTip(absl::string_view tip_id) override;

  // CreateTip inside the caller's write transaction `tx` (an event handler's inbox
  // transaction, so that the event and the tip commit together). Returns the name of
  // the tip created, or of the one created earlier with `request_id`. Errors as
  // CreateTip.
  absl::StatusOr<std::string> CreateTipIn(storage::Transaction& tx, absl::string_view request_id,
                                          absl::string_view fingerprint, const v1::Tip& tip,
                                          const v1::Reporter* reporter,
                                          const v1::StageChange& received);
  absl::StatusOr<std::string> GetTipUnit(absl::string_view tip_id) override;
  absl::StatusOr<TipStage> GetTipStage(absl::string_view tip_id) override;
  absl::StatusOr<v1::Tip> ChangeStage(
      absl::string_view tip_id, const StageRequestKey& key,
      absl::FunctionRef<absl::StatusOr<StageUpdate>(const v1::Tip& current)> decide) override;
  absl::StatusOr<v1::Reporter> RevealReporter(absl::string_view tip_id,
                                              const RevealRecord& record) override;
  absl::StatusOr<std::vector<v1::Tip>> ListTips(const TipQuery& query) override;
  absl::StatusOr<std::vector<DuplicateCandidate>> ListLikelyDuplicates(
      absl::string_view tip_id) override;

 private:
  // Inserts the tip, its persons, attachments and reporter, and appends TipReceived
  // (and EstablishmentReported when it names an establishment) in `tx`.
  absl::Status InsertWithEvents(storage::Transaction& tx, const v1::Tip& tip,
                                const v1::Reporter* reporter, const v1::StageChange& received);
  // Records, both ways, the tips received within kDuplicateWindow before `tip` that
  // share its establishment, hotspot, one of `pseudonyms` or its address.
  absl::Status RecordLikelyDuplicates(storage::Transaction& tx, const std::string& id,
                                      const v1::Tip& tip,
                                      const std::vector<std::string>& pseudonyms);
  // Appends `change` to the tip's history in `tx`, its note sealed.
  absl::Status AppendHistory(storage::Transaction& tx, absl::string_view name,
                             const v1::StageChange& change);

  storage::SqliteDatabase& db_;
  events::Outbox& outbox_;
  const Clock& clock_;
  const crypto::FieldCipher cipher_;
  const crypto::BlindIndex index_;
};

}  // namespace pcmd::intake

#endif  // PCMD_SERVICES_INTAKE_SQLITE_TIP_STORE_H_
