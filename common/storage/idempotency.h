// Idempotent creates: every create RPC takes a client-chosen request_id, and a retry
// with the same id returns what the first call created instead of creating a second
// record. The key, a fingerprint of the request and the created resource's name are
// stored in the same transaction as the resource, so they commit or vanish together.
//
// Each service includes kIdempotencyMigrationSql in its migrations.
#ifndef PCMD_COMMON_STORAGE_IDEMPOTENCY_H_
#define PCMD_COMMON_STORAGE_IDEMPOTENCY_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/storage/sqlite_database.h"
#include "google/protobuf/message.h"

namespace pcmd::storage {

inline constexpr absl::string_view kIdempotencyMigrationSql =
    "CREATE TABLE idempotency_keys ("
    " scope TEXT NOT NULL,"  // The RPC, e.g. "SubmitTip".
    " request_id TEXT NOT NULL,"
    " fingerprint BLOB NOT NULL,"  // Hash of the request without its request_id.
    " resource_name TEXT NOT NULL,"
    " create_unix_ms INTEGER NOT NULL,"
    " PRIMARY KEY (scope, request_id)) WITHOUT ROWID;";

// A stable hash of `request` with its `request_id` field cleared (deterministic
// serialisation, BLAKE2b-256). Requests that carry personal data pass `key` (the
// deployment's index key, 32 bytes): an unkeyed hash of a request would let someone
// holding the file test guesses of an ID number or phone against it. Thread-safe.
std::string RequestFingerprint(const google::protobuf::Message& request,
                               absl::string_view key = {});

// Inside a write transaction: the resource name created earlier for (scope,
// request_id), or nullopt when the id is new. Errors: INVALID_ARGUMENT naming
// `request_id` when the id was used for a different request; storage errors.
absl::StatusOr<std::optional<std::string>> FindRequest(Transaction& tx, absl::string_view scope,
                                                       absl::string_view request_id,
                                                       absl::string_view fingerprint);

// Inside the same write transaction that created `resource_name`.
absl::Status RecordRequest(Transaction& tx, absl::string_view scope, absl::string_view request_id,
                           absl::string_view fingerprint, absl::string_view resource_name,
                           int64_t now_unix_ms);

// Inside a write transaction: creates a resource once per (scope, request_id). When
// the id is new, runs `insert` and records the key with `resource_name`, returning
// `resource_name`; when it was seen, runs nothing and returns the name created then.
// Errors: those of FindRequest, insert's error (the caller's transaction then rolls
// back), storage errors.
absl::StatusOr<std::string> CreateOnce(Transaction& tx, absl::string_view scope,
                                       absl::string_view request_id, absl::string_view fingerprint,
                                       absl::string_view resource_name, int64_t now_unix_ms,
                                       absl::FunctionRef<absl::Status()> insert);

}  // namespace pcmd::storage

#endif  // PCMD_COMMON_STORAGE_IDEMPOTENCY_H_
