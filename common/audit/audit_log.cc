#include "common/audit/audit_log.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"

namespace pcmd::audit {
namespace {

using storage::Row;
using storage::Transaction;

constexpr char kSeparator = '\x1f';

std::string Hash(absl::string_view key, int64_t seq, int64_t time_ms, const std::string& agency,
                 const std::string& end_user, const std::string& purpose, const std::string& rpc,
                 const std::string& records, const std::string& outcome,
                 const std::string& prev_hash) {
  const std::string input = absl::StrJoin({absl::StrCat(seq), absl::StrCat(time_ms), agency,
                                           end_user, purpose, rpc, records, outcome, prev_hash},
                                          std::string(1, kSeparator));
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string Hex(const std::string& bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  hex.pop_back();
  return hex;
}

const std::string& Genesis() {
  static const std::string* zeros = new std::string(32, '\0');
  return *zeros;
}

}  // namespace

absl::Status AuditLog::Append(Transaction& tx, const AuditRecord& r) {
  for (const std::string* field : {&r.agency, &r.end_user, &r.purpose, &r.rpc, &r.outcome}) {
    if (field->find(kSeparator) != std::string::npos) {
      return absl::InvalidArgumentError("audit fields must not contain the unit separator");
    }
  }
  for (const std::string& id : r.records) {
    if (id.find(kSeparator) != std::string::npos || id.find(',') != std::string::npos) {
      return absl::InvalidArgumentError("audit record names must not contain ',' or 0x1f");
    }
  }
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> last,
                        tx.QueryOne("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  const int64_t seq = last.has_value() ? last->Int(0) + 1 : 1;
  const std::string prev = last.has_value() ? last->Text(1) : Genesis();
  const int64_t now = absl::ToUnixMillis(clock_.Now());
  const std::string records = absl::StrJoin(r.records, ",");
  const std::string hash =
      Hash(key_, seq, now, r.agency, r.end_user, r.purpose, r.rpc, records, r.outcome, prev);
  return tx.Execute(
      "INSERT INTO audit_log(seq, time_unix_ms, agency, end_user, purpose, rpc, records, "
      "outcome, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
      {seq, now, r.agency, r.end_user, r.purpose, r.rpc, records, r.outcome, storage::Blob{prev},
       storage::Blob{hash}});
}

absl::StatusOr<AuditHead> AuditLog::Verify(storage::SqliteDatabase& db, absl::string_view key,
                                           const std::optional<AuditHead>& anchor) {
  AuditHead head{0, Hex(Genesis())};
  PCMD_RETURN_IF_ERROR(db.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT seq, time_unix_ms, agency, end_user, purpose, rpc, records, outcome, "
                 "prev_hash, hash FROM audit_log ORDER BY seq"));
    std::string prev = Genesis();
    int64_t expected = 1;
    for (const Row& row : rows) {
      const int64_t seq = row.Int(0);
      if (seq != expected) {
        return absl::DataLossError(absl::StrCat("audit record ", expected, " is missing"));
      }
      if (row.Text(8) != prev) {
        return absl::DataLossError(
            absl::StrCat("audit record ", seq, " does not follow record ", seq - 1));
      }
      const std::string hash = Hash(key, seq, row.Int(1), row.Text(2), row.Text(3), row.Text(4),
                                    row.Text(5), row.Text(6), row.Text(7), row.Text(8));
      if (hash != row.Text(9)) {
        return absl::DataLossError(absl::StrCat("audit record ", seq, " was altered"));
      }
      prev = hash;
      ++expected;
    }
    head = {expected - 1, Hex(prev)};
    return absl::OkStatus();
  }));
  if (anchor.has_value()) {
    if (head.count < anchor->count) {
      return absl::DataLossError(absl::StrCat("the audit log has ", head.count,
                                              " records but was anchored at ", anchor->count,
                                              ": records were removed from its end"));
    }
    // The anchored record must still carry the anchored hash.
    std::string at_anchor;
    PCMD_RETURN_IF_ERROR(db.Read([&](Transaction& tx) -> absl::Status {
      PCMD_ASSIGN_OR_RETURN(
          std::optional<Row> row,
          tx.QueryOne("SELECT hash FROM audit_log WHERE seq = ?1", {anchor->count}));
      at_anchor = row.has_value() ? Hex(row->Text(0)) : Hex(Genesis());
      return absl::OkStatus();
    }));
    if (at_anchor != anchor->hash_hex) {
      return absl::DataLossError(
          absl::StrCat("audit record ", anchor->count, " differs from its anchor"));
    }
  }
  return head;
}

absl::StatusOr<AuditHead> AuditLog::Head(storage::SqliteDatabase& db) {
  AuditHead head{0, Hex(Genesis())};
  PCMD_RETURN_IF_ERROR(db.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    if (row.has_value()) head = {row->Int(0), Hex(row->Text(1))};
    return absl::OkStatus();
  }));
  return head;
}

}  // namespace pcmd::audit
