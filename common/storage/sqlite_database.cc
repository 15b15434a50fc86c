#include "common/storage/sqlite_database.h"

#include <sqlite3.h>

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"

namespace pcmd::storage {

// One sqlite3 handle and its prepared-statement cache. Used by one thread at a time
// (the SqliteDatabase hands it out under a lock).
class Connection {
 public:
  ~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only,
                                                          int busy_timeout_ms) {
    sqlite3* db = nullptr;
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      std::string message = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close_v2(db);
      return absl::UnavailableError(absl::StrCat("cannot open database ", path, ": ", message));
    }
    auto c = std::unique_ptr<Connection>(new Connection(db));
    sqlite3_busy_timeout(db, busy_timeout_ms);
    sqlite3_extended_result_codes(db, 1);
    // Pragmas are fixed strings, never user input.
    // A 16 MiB page cache per connection (SQLite's default is 2 MiB): counters and
    // indexes stay in memory instead of being re-read from the OS for every upsert.
    const char* pragmas = read_only ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON; "
                                      "PRAGMA cache_size=-16384;"
                                    : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                      "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384;";
    PCMD_RETURN_IF_ERROR(c->ExecScript(pragmas));
    if (!read_only && path != ":memory:" && !path.empty()) {
      // SQLite silently keeps another journal mode where WAL is impossible (some network
      // file systems); the read pool and durability settings assume WAL, so say so.
      PCMD_ASSIGN_OR_RETURN(std::vector<Row> mode, c->Run("PRAGMA journal_mode", {}, 1));
      if (mode.empty() || mode[0].Text(0) != "wal") {
        return absl::FailedPreconditionError(absl::StrCat(
            "database ", path, " cannot use WAL journaling (journal_mode is ",
            mode.empty() ? "unknown" : mode[0].Text(0), "); put it on a local file system"));
      }
    }
    return c;
  }

  absl::Status ExecScript(absl::string_view sql) {
    char* err = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      absl::Status s = ErrorStatus(rc, err ? err : sqlite3_errstr(rc));
      sqlite3_free(err);
      return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<Row>> Run(absl::string_view sql, const std::vector<Value>& params,
                                       size_t max_rows) {
    PCMD_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    // Reset even on early return so the statement never holds a read lock.
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt};
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return absl::InternalError(absl::StrCat("statement expects ",
                                              sqlite3_bind_parameter_count(stmt),
                                              " parameters, got ", params.size(), ": ", sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, idx, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        const Blob& b = std::get<Blob>(v);
        rc = sqlite3_bind_blob64(stmt, idx, b.bytes.data(), b.bytes.size(), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return ErrorStatus(rc, sqlite3_errmsg(db_));
    }
    std::vector<Row> rows;
    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return ErrorStatus(rc, sqlite3_errmsg(db_));
      if (rows.size() >= max_rows) break;
      const int n = sqlite3_column_count(stmt);
      std::vector<Value> values;
      values.reserve(n);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            values.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            values.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_BLOB: {
            const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
            values.emplace_back(Blob{std::string(p ? p : "", sqlite3_column_bytes(stmt, c))});
            break;
          }
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            values.emplace_back(std::string(p ? p : "", sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      rows.emplace_back(std::move(values));
    }
    return rows;
  }

  int64_t changes() const { return sqlite3_changes64(db_); }

  static absl::Status ErrorStatus(int rc, absl::string_view message) {
    const int primary = rc & 0xFF;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return absl::AlreadyExistsError(absl::StrCat("already exists: ", message));
    }
    if (primary == SQLITE_CONSTRAINT) {
      return absl::FailedPreconditionError(absl::StrCat("constraint failed: ", message));
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return absl::AbortedError(absl::StrCat("database busy, retry: ", message));
    }
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR) {
      return absl::UnavailableError(absl::StrCat("storage unavailable: ", message));
    }
    return absl::InternalError(absl::StrCat("sqlite error ", rc, ": ", message));
  }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  absl::StatusOr<sqlite3_stmt*> Prepare(absl::string_view sql) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return absl::InternalError(
          absl::StrCat("cannot prepare \"", sql, "\": ", sqlite3_errmsg(db_)));
    }
    statements_.emplace(std::move(key), stmt);
    return stmt;
  }

  sqlite3* db_;
  absl::flat_hash_map<std::string, sqlite3_stmt*> statements_;
};

bool Row::IsNull(int col) const { return std::holds_alternative<std::monostate>(values_.at(col)); }

int64_t Row::Int(int col) const {
  const Value& v = values_.at(col);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  return 0;
}

double Row::Real(int col) const {
  const Value& v = values_.at(col);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  return 0;
}

std::string Row::Text(int col) const {
  const Value& v = values_.at(col);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  if (const auto* n = std::get_if<int64_t>(&v)) return absl::StrCat(*n);
  return "";
}

std::optional<std::string> Row::OptionalText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

absl::Status Transaction::Execute(absl::string_view sql, const std::vector<Value>& params) {
  return connection_->Run(sql, params, 0).status();
}

absl::StatusOr<std::vector<Row>> Transaction::Query(absl::string_view sql,
                                                    const std::vector<Value>& params) {
  return connection_->Run(sql, params, SIZE_MAX);
}

absl::StatusOr<std::optional<Row>> Transaction::QueryOne(absl::string_view sql,
                                                         const std::vector<Value>& params) {
  PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_->Run(sql, params, 1));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

int64_t Transaction::changes() const { return connection_->changes(); }

absl::StatusOr<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(
    const DatabaseOptions& options, std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return absl::InvalidArgumentError(absl::StrCat("migration #", i, " has version ",
                                                     migrations[i].version, "; expected ", i + 1));
    }
  }
  auto db = std::unique_ptr<SqliteDatabase>(new SqliteDatabase(options));
  PCMD_ASSIGN_OR_RETURN(
      auto writer, Connection::Open(options.path, /*read_only=*/false, options.busy_timeout_ms));
  {
    absl::MutexLock lock(&db->write_mu_);
    db->writer_ = std::move(writer);
  }
  if (options.migrate) PCMD_RETURN_IF_ERROR(db->Migrate(migrations));
  return db;
}

SqliteDatabase::SqliteDatabase(DatabaseOptions options) : options_(std::move(options)) {}

SqliteDatabase::~SqliteDatabase() = default;

absl::Status SqliteDatabase::Migrate(std::span<const Migration> migrations) {
  absl::MutexLock lock(&write_mu_);
  PCMD_RETURN_IF_ERROR(writer_->ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_unix_ms INTEGER NOT NULL)"));
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      writer_->Run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}, 1));
  const int64_t current = rows.empty() ? 0 : rows[0].Int(0);
  if (current > static_cast<int64_t>(migrations.size())) {
    return absl::FailedPreconditionError(
        absl::StrCat("database ", options_.path, " is at schema version ", current,
                     " but this build knows only up to ", migrations.size(),
                     "; run a newer build or restore a backup"));
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    PCMD_RETURN_IF_ERROR(writer_->ExecScript("BEGIN IMMEDIATE"));
    absl::Status s = writer_->ExecScript(m.sql);
    if (s.ok()) {
      s = writer_
              ->Run(
                  "INSERT INTO schema_migrations(version, name, applied_unix_ms) VALUES (?1, ?2, "
                  "?3)",
                  {int64_t{m.version}, std::string(m.name), absl::ToUnixMillis(absl::Now())}, 0)
              .status();
    }
    if (s.ok()) s = writer_->ExecScript("COMMIT");
    if (!s.ok()) {
      (void)writer_->ExecScript("ROLLBACK");
      return absl::Status(
          s.code(), absl::StrCat("migration ", m.version, " (", m.name, ") failed: ", s.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AppliedMigration>> SqliteDatabase::AppliedMigrations() {
  std::vector<AppliedMigration> out;
  PCMD_RETURN_IF_ERROR(Read([&out](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT version, name, applied_unix_ms FROM schema_migrations ORDER BY version"));
    for (const Row& r : rows) out.push_back({static_cast<int>(r.Int(0)), r.Text(1), r.Int(2)});
    return absl::OkStatus();
  }));
  return out;
}

absl::Status SqliteDatabase::Write(absl::FunctionRef<absl::Status(Transaction&)> fn) {
  absl::MutexLock lock(&write_mu_);
  PCMD_RETURN_IF_ERROR(writer_->ExecScript("BEGIN IMMEDIATE"));
  Transaction tx(writer_.get());
  absl::Status s = fn(tx);
  if (s.ok()) {
    s = writer_->ExecScript("COMMIT");
    if (s.ok()) return s;
  }
  // A failed COMMIT may already have rolled back; ROLLBACK then reports an error we
  // do not need, since the first error is the one the caller must see.
  (void)writer_->ExecScript("ROLLBACK");
  return s;
}

absl::StatusOr<std::unique_ptr<Connection>> SqliteDatabase::AcquireReader() {
  absl::MutexLock lock(&readers_mu_);
  auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(readers_mu_) {
    return !idle_readers_.empty() || open_readers_ < options_.max_readers;
  };
  readers_mu_.Await(absl::Condition(&available));
  if (!idle_readers_.empty()) {
    auto c = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    return c;
  }
  ++open_readers_;
  auto c = Connection::Open(options_.path, /*read_only=*/true, options_.busy_timeout_ms);
  if (!c.ok()) --open_readers_;
  return c;
}

void SqliteDatabase::ReleaseReader(std::unique_ptr<Connection> reader) {
  absl::MutexLock lock(&readers_mu_);
  idle_readers_.push_back(std::move(reader));
}

absl::Status SqliteDatabase::Read(absl::FunctionRef<absl::Status(Transaction&)> fn) {
  if (options_.path == ":memory:" || options_.path.empty()) {
    // A private in-memory database exists only on the writer connection.
    absl::MutexLock lock(&write_mu_);
    PCMD_RETURN_IF_ERROR(writer_->ExecScript("BEGIN DEFERRED"));
    Transaction tx(writer_.get());
    absl::Status s = fn(tx);
    (void)writer_->ExecScript("ROLLBACK");
    return s;
  }
  PCMD_ASSIGN_OR_RETURN(std::unique_ptr<Connection> reader, AcquireReader());
  absl::Status s = reader->ExecScript("BEGIN DEFERRED");
  if (s.ok()) {
    Transaction tx(reader.get());
    s = fn(tx);
    (void)reader->ExecScript("ROLLBACK");
  }
  ReleaseReader(std::move(reader));
  return s;
}

std::string JsonArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back(']');
  return out;
}

}  // namespace pcmd::storage
