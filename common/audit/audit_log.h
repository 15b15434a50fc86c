// The audit log: who read or changed personal data, as whom, for what purpose, through
// which RPC, on which records, with what outcome. One append-only, hash-chained table
// per service, in the service's own database.
//
// Each record's hash is BLAKE2b-256, keyed with the deployment's audit key (kept out of
// the database, see common/crypto/keyring.h), over its sequence number, its fields and
// the hash of the record before it (32 zero bytes for the first). Without the key,
// nobody who edits the file can recompute a consistent chain. Verify() recomputes the chain:
// an edited record breaks its own hash, a removed record leaves a gap in the sequence,
// and a reordered one breaks the links. Removing records from the end leaves a valid
// shorter chain; Head() gives (count, hash) to anchor elsewhere (log lines, another
// system) and Verify() checks the chain against such an anchor.
//
// Records hold no plaintext personal data: record names and pseudonyms only. SQLite
// triggers refuse UPDATE, DELETE and any INSERT that is not the next record (which
// also stops INSERT OR REPLACE), so only someone editing the file by hand can change
// it — and Verify finds that.
#ifndef PCMD_COMMON_AUDIT_AUDIT_LOG_H_
#define PCMD_COMMON_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ids/clock.h"
#include "common/storage/sqlite_database.h"

namespace pcmd::audit {

inline constexpr absl::string_view kAuditMigrationSql =
    "CREATE TABLE audit_log ("
    " seq INTEGER PRIMARY KEY,"
    " time_unix_ms INTEGER NOT NULL,"
    " agency TEXT NOT NULL,"
    " end_user TEXT NOT NULL,"
    " purpose TEXT NOT NULL,"
    " rpc TEXT NOT NULL,"
    " records TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_only_next BEFORE INSERT ON audit_log "
    "WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log) "
    "BEGIN SELECT RAISE(ABORT, 'the audit log only grows at its end'); END;";

struct AuditRecord {
  std::string agency;                // The caller's agency URI (urn:pcmd:agency:…).
  std::string end_user;              // The person at the agency, as the caller states it.
  std::string purpose;               // The stated purpose of use.
  std::string rpc;                   // "/pcmd.intake.v1.IntakeService/GetTip".
  std::vector<std::string> records;  // Resource names touched ("tips/0192…").
  std::string outcome;               // "OK" or the status code name.
};

struct AuditHead {
  int64_t count = 0;
  std::string hash_hex;  // 64 hex characters; all zeros for an empty log.
};

class AuditLog {
 public:
  // `key` is the audit key (32 bytes). `clock` must outlive the log. Thread-safe (the
  // transaction belongs to the caller).
  AuditLog(std::string key, const Clock& clock) : key_(std::move(key)), clock_(clock) {}

  // Appends `record` inside the caller's write transaction, chained to the last one.
  // Errors: INVALID_ARGUMENT when a field holds the unit separator (0x1f) that frames
  // the hashed fields; storage errors.
  absl::Status Append(storage::Transaction& tx, const AuditRecord& record);

  // Recomputes the whole chain under `key`. Returns the head when it is intact.
  // Errors: DATA_LOSS naming the first broken record and how it is broken, or naming
  // the anchor the chain falls short of or disagrees with; storage errors (INTERNAL
  // when the file has no audit log at all).
  static absl::StatusOr<AuditHead> Verify(storage::SqliteDatabase& db, absl::string_view key,
                                          const std::optional<AuditHead>& anchor = std::nullopt);

  // The last record's position and hash, to anchor elsewhere. Errors: storage errors.
  static absl::StatusOr<AuditHead> Head(storage::SqliteDatabase& db);

 private:
  std::string key_;
  const Clock& clock_;
};

}  // namespace pcmd::audit

#endif  // PCMD_COMMON_AUDIT_AUDIT_LOG_H_
