#include "services/intake/sqlite_tip_store.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/intake_events.pb.h"

namespace pcmd::intake {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr storage::Migration kMigrations[] = {
    {1, "idempotency keys", storage::kIdempotencyMigrationSql},
    {2, "tips",
     "CREATE TABLE tips ("
     " id TEXT PRIMARY KEY,"
     " channel INTEGER NOT NULL,"
     " legal_kind INTEGER NOT NULL,"
     " category INTEGER NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " establishment TEXT NOT NULL DEFAULT '',"
     " state INTEGER NOT NULL,"
     " receive_unix_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX tips_by_unit ON tips(unit_code, receive_unix_ms);"},
    {3, "event outbox", events::kOutboxMigrationSql},
    {4, "audit log", audit::kAuditMigrationSql},
    {5, "known units", units::kUnitsMigrationSql},
    {6, "event inbox", events::kInboxMigrationSql},
};

constexpr absl::string_view kColumns =
    "id, channel, legal_kind, category, unit_code, establishment, state, receive_unix_ms";

// Dates in events are calendar dates in Vietnam (UTC+7, no daylight saving), so a tip
// received at 23:30 on 30 June counts in June.
absl::TimeZone VietnamTime() { return absl::FixedTimeZone(7 * 3600); }

// "tips/{id}" → "{id}"; names reaching the store were validated by the logic.
std::string IdOf(absl::string_view name) { return std::string(name.substr(5)); }

v1::Tip FromRow(const Row& r) {
  v1::Tip tip;
  tip.set_name(absl::StrCat("tips/", r.Text(0)));
  tip.set_channel(static_cast<v1::Channel>(r.Int(1)));
  tip.set_legal_kind(static_cast<v1::LegalKind>(r.Int(2)));
  tip.set_category(static_cast<v1::Category>(r.Int(3)));
  tip.set_unit_code(r.Text(4));
  tip.set_establishment(r.Text(5));
  tip.set_state(static_cast<v1::TipState>(r.Int(6)));
  *tip.mutable_receive_time() = TimeUtil::MillisecondsToTimestamp(r.Int(7));
  return tip;
}

absl::StatusOr<std::optional<v1::Tip>> Find(Transaction& tx, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                        tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM tips WHERE id = ?1"),
                                    {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Tip>();
  return std::optional<v1::Tip>(FromRow(*row));
}

}  // namespace

absl::Status SqliteTipStore::InsertWithEvents(Transaction& tx, const v1::Tip& tip) {
  PCMD_RETURN_IF_ERROR(tx.Execute(
      absl::StrCat("INSERT INTO tips(", kColumns, ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
      {IdOf(tip.name()), int64_t{tip.channel()}, int64_t{tip.legal_kind()}, int64_t{tip.category()},
       tip.unit_code(), tip.establishment(), int64_t{tip.state()},
       TimeUtil::TimestampToMilliseconds(tip.receive_time())}));
  events::v1::TipReceived received;
  received.set_tip(tip.name());
  received.set_channel(tip.channel());
  received.set_legal_kind(tip.legal_kind());
  received.set_category(tip.category());
  received.set_unit_code(tip.unit_code());
  received.set_receive_date(absl::FormatTime(
      "%Y-%m-%d", absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(tip.receive_time())),
      VietnamTime()));
  PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", tip.name(), received).status());
  if (!tip.establishment().empty()) {
    events::v1::EstablishmentReported reported;
    reported.set_tip(tip.name());
    reported.set_establishment(tip.establishment());
    reported.set_category(tip.category());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "tip", tip.name(), reported).status());
  }
  return absl::OkStatus();
}

std::span<const storage::Migration> IntakeMigrations() { return kMigrations; }

absl::StatusOr<v1::Tip> SqliteTipStore::CreateTip(absl::string_view request_id,
                                                  absl::string_view fingerprint,
                                                  const v1::Tip& tip) {
  std::optional<v1::Tip> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "SubmitTip", request_id, fingerprint, tip.name(),
                                              absl::ToUnixMillis(clock_.Now()),
                                              [&] { return InsertWithEvents(tx, tip); }));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, IdOf(name)));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("created tip cannot be read back");
  return *std::move(result);
}

absl::StatusOr<v1::Tip> SqliteTipStore::GetTip(absl::string_view tip_id) {
  return storage::ReadOne<v1::Tip>(
      db_, [&](Transaction& tx) { return Find(tx, tip_id); },
      absl::StrCat("tip tips/", tip_id, " not found"));
}

}  // namespace pcmd::intake
