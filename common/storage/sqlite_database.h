// SQLite storage shared by every service: one file per service, WAL mode,
// synchronous=FULL (a committed transaction survives power loss), foreign keys on, a
// busy timeout, prepared statements only, numbered migrations applied at open.
//
// Store interface decision: service logic never sees this class. Each service defines
// its own store interface in domain terms (TipStore, EstablishmentStore, ...) and
// implements it in sqlite_<name>_store.cc on top of SqliteDatabase. A PostgreSQL
// implementation is then another class behind the same service interface, and the
// logic and its tests do not change.
//
// Concurrency: one writer. Write() serialises write transactions on a single
// connection (BEGIN IMMEDIATE), so a service never sees SQLITE_BUSY from itself.
// Read() runs on a pool of read-only connections that see the last committed state
// (WAL snapshot isolation) and do not block the writer. SqliteDatabase is thread-safe.
#ifndef PCMD_COMMON_STORAGE_SQLITE_DATABASE_H_
#define PCMD_COMMON_STORAGE_SQLITE_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

struct sqlite3;

namespace pcmd::storage {

// A BLOB value, distinct from TEXT so that bytes are bound as bytes.
struct Blob {
  std::string bytes;
};

// A bound parameter or a column value. std::monostate is SQL NULL.
using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;

// One result row. Column accessors take the 0-based column index; they return a
// neutral value (0, "") for NULL so that callers test IsNull when NULL is meaningful.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;  // TEXT or BLOB bytes.
  std::optional<std::string> OptionalText(int col) const;
  size_t size() const { return values_.size(); }

 private:
  std::vector<Value> values_;
};

class Connection;

// A transaction in progress, handed to the function given to Write() or Read(). Valid
// only during that call. Parameters bind to ?1, ?2, ... in order.
//
// Errors from Execute/Query: ALREADY_EXISTS for a UNIQUE or PRIMARY KEY conflict,
// FAILED_PRECONDITION for another constraint (foreign key, CHECK, NOT NULL), ABORTED
// when the database stayed busy past the timeout (retry the transaction), INTERNAL
// for SQL that does not compile or any other failure (a bug).
class Transaction {
 public:
  absl::Status Execute(absl::string_view sql, const std::vector<Value>& params = {});
  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                         const std::vector<Value>& params = {});
  // At most one row; nullopt when there is none.
  absl::StatusOr<std::optional<Row>> QueryOne(absl::string_view sql,
                                              const std::vector<Value>& params = {});
  // Rows changed by the last Execute.
  int64_t changes() const;

 private:
  friend class SqliteDatabase;
  explicit Transaction(Connection* c) : connection_(c) {}
  Connection* connection_;
};

// One numbered schema step. Versions start at 1 and increase by 1; a migration runs
// once, in its own transaction with its record in schema_migrations, so a failure
// leaves the database at the previous version.
struct Migration {
  int version;
  absl::string_view name;
  absl::string_view sql;  // One or more statements.
};

struct AppliedMigration {
  int version;
  std::string name;
  int64_t applied_unix_ms;
};

struct DatabaseOptions {
  // A file path, or ":memory:" for a private in-memory database (unit tests: reads
  // then share the writer connection).
  std::string path;
  int busy_timeout_ms = 5000;
  int max_readers = 4;
  // False opens the file as it is, without checking or applying migrations (tools
  // that inspect a service's file, such as pcmd-audit).
  bool migrate = true;
};

class SqliteDatabase {
 public:
  // Opens (creating if needed) and migrates. Errors: FAILED_PRECONDITION when the file
  // cannot be put in WAL mode; INVALID_ARGUMENT for badly
  // numbered migrations; FAILED_PRECONDITION when the file was migrated by a newer
  // build (a version this build does not know), so an old binary never runs on a
  // newer schema; UNAVAILABLE when the file cannot be opened; the migration's error
  // when one fails (the file then stays at the last good version).
  static absl::StatusOr<std::unique_ptr<SqliteDatabase>> Open(
      const DatabaseOptions& options, std::span<const Migration> migrations);

  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Runs `fn` in one write transaction. Commits when fn returns OK — when Write
  // returns OK the change is on disk (synchronous=FULL) — and rolls back everything
  // otherwise, returning fn's error. Serialised with other writes.
  absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> fn);

  // Runs `fn` in a read transaction over one consistent snapshot. Returns fn's status.
  // On a file, any write `fn` tries fails; on ":memory:" (unit tests) it shares the
  // writer connection and its writes are rolled back. Neither Read nor Write may be
  // called from inside `fn` (it would wait for itself).
  absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> fn);

  // The migrations recorded in this file, in version order.
  absl::StatusOr<std::vector<AppliedMigration>> AppliedMigrations();

  const std::string& path() const { return options_.path; }

 private:
  explicit SqliteDatabase(DatabaseOptions options);
  absl::Status Migrate(std::span<const Migration> migrations);
  absl::StatusOr<std::unique_ptr<Connection>> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> reader);

  const DatabaseOptions options_;
  absl::Mutex write_mu_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);
  int open_readers_ ABSL_GUARDED_BY(readers_mu_) = 0;
};

// Reads one record: runs `find` (Transaction& → absl::StatusOr<std::optional<T>>) in
// a read transaction and returns what it found. Errors: NOT_FOUND with `not_found`
// as the message when it finds nothing; find's and storage errors.
template <typename T, typename Find>
absl::StatusOr<T> ReadOne(SqliteDatabase& db, Find find, absl::string_view not_found) {
  std::optional<T> found;
  absl::Status status = db.Read([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::optional<T>> result = find(tx);
    if (!result.ok()) return result.status();
    found = *std::move(result);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found.has_value()) return absl::NotFoundError(not_found);
  return *std::move(found);
}

// A JSON array of strings, for "x IN (SELECT value FROM json_each(?1))": one
// parameter however long the list (a province has hundreds of units).
std::string JsonArray(const std::vector<std::string>& values);

}  // namespace pcmd::storage

#endif  // PCMD_COMMON_STORAGE_SQLITE_DATABASE_H_
