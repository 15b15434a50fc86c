#include "services/referrals/sqlite_provider_store.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/text/text.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/referrals_events.pb.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kPrefix = "providers/";
constexpr absl::string_view kColumns =
    "id, display_name, kind, unit_code, capacity, active, create_unix_ms, agency_code, contact, "
    "update_unix_ms, version";

std::string Id(absl::string_view name) { return std::string(name.substr(kPrefix.size())); }

// The stored columns of `row` (kColumns), without services.
v1::Provider FromRow(const Row& row) {
  v1::Provider p;
  p.set_name(absl::StrCat(kPrefix, row.Text(0)));
  p.set_display_name(row.Text(1));
  p.set_kind(static_cast<v1::ProviderKind>(row.Int(2)));
  p.set_unit_code(row.Text(3));
  p.set_capacity(static_cast<int32_t>(row.Int(4)));
  p.set_active(row.Int(5) != 0);
  *p.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(row.Int(6));
  p.set_agency_code(row.Text(7));
  p.set_contact(row.Text(8));
  // Providers stored before migration 7 have no update time: they changed when created.
  *p.mutable_update_time() =
      TimeUtil::MillisecondsToTimestamp(row.Int(9) > 0 ? row.Int(9) : row.Int(6));
  p.set_etag(absl::StrCat(row.Int(10)));
  return p;
}

// " w1 w2 … ": the folded words of the name, padded so that " word " finds a whole word
// (the search_words format of schema.h).
std::string SearchWords(absl::string_view display_name) {
  return absl::StrCat(" ", absl::StrJoin(text::Words(display_name), " "), " ");
}

absl::StatusOr<std::optional<v1::Provider>> Find(Transaction& tx, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM providers WHERE id = ?1"),
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Provider>();
  v1::Provider p = FromRow(*row);
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> services,
      tx.Query("SELECT service FROM provider_services WHERE provider_id = ?1 ORDER BY service",
               {std::string(id)}));
  for (const Row& s : services) p.add_services(static_cast<v1::ServiceType>(s.Int(0)));
  return std::optional<v1::Provider>(std::move(p));
}

absl::Status WriteServices(Transaction& tx, const std::string& id, const v1::Provider& p) {
  PCMD_RETURN_IF_ERROR(tx.Execute("DELETE FROM provider_services WHERE provider_id = ?1", {id}));
  for (int service : p.services()) {
    PCMD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO provider_services(provider_id, service) VALUES (?1, ?2)",
                   {id, int64_t{service}}));
  }
  return absl::OkStatus();
}

absl::Status Insert(Transaction& tx, events::Outbox& outbox, const v1::Provider& p) {
  const std::string id = Id(p.name());
  const int64_t created = TimeUtil::TimestampToMilliseconds(p.create_time());
  PCMD_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO providers(id, display_name, kind, unit_code, capacity, active, "
                 "create_unix_ms, agency_code, contact, search_words, update_unix_ms, version) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?7, 1)",
                 {id, p.display_name(), int64_t{p.kind()}, p.unit_code(), int64_t{p.capacity()},
                  int64_t{p.active() ? 1 : 0}, created, p.agency_code(), p.contact(),
                  SearchWords(p.display_name())}));
  PCMD_RETURN_IF_ERROR(WriteServices(tx, id, p));
  events::v1::ProviderRegistered registered;
  registered.set_provider(p.name());
  registered.set_kind(p.kind());
  registered.set_unit_code(p.unit_code());
  for (int service : p.services()) registered.add_services(service);
  registered.set_agency_code(p.agency_code());
  return outbox.Append(tx, "provider", p.name(), registered).status();
}

}  // namespace

absl::StatusOr<v1::Provider> SqliteProviderStore::CreateProvider(absl::string_view request_id,
                                                                 absl::string_view fingerprint,
                                                                 const v1::Provider& provider) {
  std::optional<v1::Provider> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "CreateProvider", request_id, fingerprint,
                                              provider.name(), absl::ToUnixMillis(clock_.Now()),
                                              [&] { return Insert(tx, outbox_, provider); }));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, Id(name)));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("created provider cannot be read back");
  return *std::move(result);
}

absl::StatusOr<v1::Provider> SqliteProviderStore::GetProvider(absl::string_view id) {
  return storage::ReadOne<v1::Provider>(
      db_, [&](Transaction& tx) { return Find(tx, id); },
      absl::StrCat("provider ", kPrefix, id, " not found"));
}

absl::StatusOr<std::vector<v1::Provider>> SqliteProviderStore::ListProviders(
    const ProviderQuery& query) {
  std::vector<std::string> where = {"1 = 1"};
  std::vector<storage::Value> params;
  if (query.units.has_value()) {
    params.push_back(storage::JsonArray(*query.units));
    where.push_back(
        absl::StrCat("unit_code IN (SELECT value FROM json_each(?", params.size(), "))"));
  }
  if (query.kind != v1::PROVIDER_KIND_UNSPECIFIED) {
    params.push_back(int64_t{query.kind});
    where.push_back(absl::StrCat("kind = ?", params.size()));
  }
  if (!query.include_inactive) where.push_back("active = 1");
  if (query.service != v1::SERVICE_TYPE_UNSPECIFIED) {
    params.push_back(int64_t{query.service});
    where.push_back(absl::StrCat(
        "id IN (SELECT provider_id FROM provider_services WHERE service = ?", params.size(), ")"));
  }
  for (const std::string& word : query.words) {
    params.push_back(absl::StrCat(" ", word, " "));
    where.push_back(absl::StrCat("instr(search_words, ?", params.size(), ") > 0"));
  }
  const std::string filter = absl::StrJoin(where, " AND ");
  std::vector<v1::Provider> providers;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query(absl::StrCat("SELECT ", kColumns, " FROM providers WHERE ", filter), params));
    std::map<std::string, size_t> index;
    for (const Row& row : rows) {
      index[row.Text(0)] = providers.size();
      providers.push_back(FromRow(row));
    }
    // The services of all of them in one read, not one per provider.
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> services,
        tx.Query(absl::StrCat("SELECT provider_id, service FROM provider_services WHERE "
                              "provider_id IN (SELECT id FROM providers WHERE ",
                              filter, ") ORDER BY provider_id, service"),
                 params));
    for (const Row& s : services) {
      auto at = index.find(s.Text(0));
      if (at != index.end()) {
        providers[at->second].add_services(static_cast<v1::ServiceType>(s.Int(1)));
      }
    }
    return absl::OkStatus();
  }));
  return providers;
}

absl::StatusOr<v1::Provider> SqliteProviderStore::UpdateProvider(
    absl::string_view id, const std::function<absl::Status(v1::Provider&)>& change) {
  std::optional<v1::Provider> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<v1::Provider> current, Find(tx, id));
    if (!current.has_value()) {
      return absl::NotFoundError(absl::StrCat("provider ", kPrefix, id, " not found"));
    }
    v1::Provider next = *current;
    PCMD_RETURN_IF_ERROR(change(next));
    const std::string key(id);
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE providers SET display_name = ?2, capacity = ?3, contact = ?4, active = ?5, "
        "search_words = ?6, update_unix_ms = ?7, version = version + 1 WHERE id = ?1",
        {key, next.display_name(), int64_t{next.capacity()}, next.contact(),
         int64_t{next.active() ? 1 : 0}, SearchWords(next.display_name()),
         absl::ToUnixMillis(clock_.Now())}));
    PCMD_RETURN_IF_ERROR(WriteServices(tx, key, next));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, id));
    events::v1::ProviderUpdated updated;
    updated.set_provider(result->name());
    for (int service : result->services()) updated.add_services(service);
    updated.set_capacity(result->capacity());
    updated.set_active(result->active());
    return outbox_.Append(tx, "provider", result->name(), updated).status();
  }));
  return *std::move(result);
}

}  // namespace pcmd::referrals
