#include "services/referrals/sqlite_client_store.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/referrals_events.pb.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kColumns =
    "id, pseudonym, unit_code, source, source_ref, minor, trafficking_victim, agency_code, "
    "needs_assessed_date, create_unix_ms, identity";

// "[1,4,7]" ⇄ repeated enum numbers.
std::string IntArray(const google::protobuf::RepeatedField<int>& values) {
  std::string out = "[";
  for (int i = 0; i < values.size(); ++i) absl::StrAppend(&out, i ? "," : "", values[i]);
  return absl::StrCat(out, "]");
}

std::vector<int> ParseIntArray(absl::string_view json) {
  std::vector<int> out;
  json = absl::StripPrefix(absl::StripSuffix(json, "]"), "[");
  for (absl::string_view part : absl::StrSplit(json, ',', absl::SkipEmpty())) {
    int v = 0;
    if (absl::SimpleAtoi(part, &v)) out.push_back(v);
  }
  return out;
}

v1::Client ClientOf(const Row& row) {
  v1::Client c;
  c.set_name(absl::StrCat("clients/", row.Text(0)));
  c.set_pseudonym(row.Text(1));
  c.set_unit_code(row.Text(2));
  c.set_source(static_cast<v1::ClientSource>(row.Int(3)));
  c.set_source_ref(row.Text(4));
  c.set_minor(row.Int(5) != 0);
  c.set_trafficking_victim(row.Int(6) != 0);
  c.set_agency_code(row.Text(7));
  c.set_needs_assessed_date(row.Text(8));
  *c.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(row.Int(9));
  return c;
}

absl::Status ReadNeeds(Transaction& tx, absl::string_view id, v1::Client& c) {
  PCMD_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        tx.Query("SELECT service_type, priority, eligible FROM client_needs "
                                 "WHERE client_id = ?1 ORDER BY priority, service_type",
                                 {std::string(id)}));
  for (const Row& r : rows) {
    v1::Need* n = c.add_needs();
    n->set_service_type(static_cast<v1::ServiceType>(r.Int(0)));
    n->set_priority(static_cast<v1::NeedPriority>(r.Int(1)));
    n->set_eligible(r.Int(2) != 0);
  }
  return absl::OkStatus();
}

v1::Consent ConsentOf(const Row& row) {
  v1::Consent c;
  c.set_name(absl::StrCat("clients/", row.Text(1), "/consents/", row.Text(0)));
  c.set_basis(static_cast<v1::ConsentBasis>(row.Int(2)));
  for (int k : ParseIntArray(row.Text(3))) c.add_provider_kinds(static_cast<v1::ProviderKind>(k));
  for (int s : ParseIntArray(row.Text(4))) c.add_service_types(static_cast<v1::ServiceType>(s));
  for (int f : ParseIntArray(row.Text(5))) c.add_shared_fields(static_cast<v1::SharedField>(f));
  c.set_given_date(row.Text(6));
  c.set_expire_date(row.Text(7));
  c.set_legal_basis(row.Text(8));
  c.set_withdrawn_date(row.Text(9));
  c.set_withdrawn(!row.Text(9).empty());
  *c.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(row.Int(10));
  return c;
}

}  // namespace

std::string IdentityContext(absl::string_view client_id) {
  return absl::StrCat("clients/", client_id, "#identity");
}

absl::StatusOr<std::vector<v1::Consent>> ReadConsents(Transaction& tx,
                                                      absl::string_view client_id) {
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT id, client_id, basis, provider_kinds, service_types, shared_fields, "
               "given_date, expire_date, legal_basis, withdrawn_date, create_unix_ms "
               "FROM consents WHERE client_id = ?1 ORDER BY given_date DESC, id DESC",
               {std::string(client_id)}));
  std::vector<v1::Consent> out;
  for (const Row& r : rows) out.push_back(ConsentOf(r));
  return out;
}

absl::StatusOr<v1::Client> SqliteClientStore::RegisterClient(absl::string_view request_id,
                                                             absl::string_view fingerprint,
                                                             const v1::Client& client,
                                                             v1::Client* holder) {
  const std::string id(absl::StripPrefix(client.name(), "clients/"));
  std::string name;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        name,
        storage::CreateOnce(
            tx, "RegisterClient", request_id, fingerprint, client.name(),
            absl::ToUnixMillis(clock_.Now()), [&]() -> absl::Status {
              if (!client.pseudonym().empty()) {
                PCMD_ASSIGN_OR_RETURN(
                    std::optional<Row> found,
                    tx.QueryOne("SELECT id, unit_code FROM clients WHERE pseudonym = ?1",
                                {client.pseudonym()}));
                if (found.has_value()) {
                  holder->set_name(absl::StrCat("clients/", found->Text(0)));
                  holder->set_unit_code(found->Text(1));
                  return absl::AlreadyExistsError("this person is already a client");
                }
              }
              PCMD_RETURN_IF_ERROR(tx.Execute(
                  "INSERT INTO clients(id, pseudonym, unit_code, source, source_ref, "
                  "minor, trafficking_victim, identity, agency_code, create_unix_ms) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                  {id, client.pseudonym(), client.unit_code(), int64_t{client.source()},
                   client.source_ref(), int64_t{client.minor()},
                   int64_t{client.trafficking_victim()},
                   storage::Blob{
                       cipher_.Seal(client.identity().SerializeAsString(), IdentityContext(id))},
                   client.agency_code(), TimeUtil::TimestampToMilliseconds(client.create_time())}));
              events::v1::ClientRegistered e;
              e.set_client(client.name());
              e.set_pseudonym(client.pseudonym());
              e.set_unit_code(client.unit_code());
              e.set_source(client.source());
              e.set_minor(client.minor());
              e.set_trafficking_victim(client.trafficking_victim());
              e.set_agency_code(client.agency_code());
              if (absl::StartsWith(client.source_ref(), "outreachTasks/")) {
                e.set_outreach_task(client.source_ref());
              }
              return outbox_.Append(tx, "client", client.name(), e).status();
            }));
    return absl::OkStatus();
  }));
  return GetClient(absl::StripPrefix(name, "clients/"), true);
}

absl::StatusOr<v1::Client> SqliteClientStore::GetClient(absl::string_view id, bool with_identity) {
  std::optional<v1::Client> found;
  std::string sealed;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> row,
        tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM clients WHERE id = ?1"),
                    {std::string(id)}));
    if (!row.has_value()) return absl::OkStatus();
    found = ClientOf(*row);
    sealed = row->Text(10);
    return ReadNeeds(tx, id, *found);
  }));
  if (!found.has_value())
    return absl::NotFoundError(absl::StrCat("client clients/", id, " not found"));
  if (with_identity) {
    absl::StatusOr<std::string> plain = cipher_.Open(sealed, IdentityContext(id));
    if (!plain.ok() || !found->mutable_identity()->ParseFromString(*plain)) {
      return absl::DataLossError(absl::StrCat("the identity of clients/", id, " cannot be opened"));
    }
  }
  return *std::move(found);
}

absl::StatusOr<ClientPage> SqliteClientStore::ListClients(const ClientQuery& query) {
  ClientPage page;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    // Position "<create_unix_ms>:<id>", newest first.
    int64_t after_ms = INT64_MAX;
    std::string after_id;
    if (!query.after.empty()) {
      std::pair<std::string, std::string> parts =
          absl::StrSplit(query.after, absl::MaxSplits(':', 1));
      if (!absl::SimpleAtoi(parts.first, &after_ms)) after_ms = INT64_MAX;
      after_id = parts.second;
    }
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query(
            absl::StrCat("SELECT ", kColumns,
                         " FROM clients WHERE (?1 = 0 OR unit_code IN "
                         "(SELECT value FROM json_each(?2))) AND (?3 = '' OR pseudonym = ?3) "
                         "AND (?4 = '' OR create_unix_ms < ?5 OR "
                         "(create_unix_ms = ?5 AND id < ?4)) "
                         "ORDER BY create_unix_ms DESC, id DESC LIMIT ?6"),
            {int64_t{query.units.has_value()},
             storage::JsonArray(query.units.value_or(std::vector<std::string>{})), query.pseudonym,
             query.after.empty() ? std::string() : after_id, after_ms, int64_t{query.limit} + 1}));
    for (const Row& r : rows) {
      if (static_cast<int>(page.clients.size()) == query.limit) {
        const v1::Client& last = page.clients.back();
        page.next = absl::StrCat(TimeUtil::TimestampToMilliseconds(last.create_time()), ":",
                                 absl::StripPrefix(last.name(), "clients/"));
        break;
      }
      page.clients.push_back(ClientOf(r));
    }
    for (v1::Client& c : page.clients) {
      PCMD_RETURN_IF_ERROR(ReadNeeds(tx, absl::StripPrefix(c.name(), "clients/"), c));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<v1::OutreachTask> SqliteClientStore::GetOutreachTask(absl::string_view id) {
  return storage::ReadOne<v1::OutreachTask>(
      db_,
      [&](Transaction& tx) -> absl::StatusOr<std::optional<v1::OutreachTask>> {
        PCMD_ASSIGN_OR_RETURN(
            std::optional<Row> row,
            tx.QueryOne("SELECT pseudonym, unit_code, minor, trafficking_victim, state, client_id "
                        "FROM outreach_tasks WHERE id = ?1",
                        {std::string(id)}));
        if (!row.has_value()) return std::optional<v1::OutreachTask>();
        v1::OutreachTask t;
        t.set_name(absl::StrCat("outreachTasks/", id));
        t.set_pseudonym(row->Text(0));
        t.set_unit_code(row->Text(1));
        t.set_minor(row->Int(2) != 0);
        t.set_trafficking_victim(row->Int(3) != 0);
        t.set_state(static_cast<v1::OutreachTaskState>(row->Int(4)));
        if (!row->Text(5).empty()) t.set_client(absl::StrCat("clients/", row->Text(5)));
        return std::optional<v1::OutreachTask>(std::move(t));
      },
      absl::StrCat("outreach task outreachTasks/", id, " not found"));
}

absl::StatusOr<v1::Consent> SqliteClientStore::GiveConsent(absl::string_view request_id,
                                                           absl::string_view fingerprint,
                                                           absl::string_view client_id,
                                                           absl::string_view unit_code,
                                                           const v1::Consent& consent) {
  const std::string prefix = absl::StrCat("clients/", client_id, "/consents/");
  const std::string id(absl::StripPrefix(consent.name(), prefix));
  std::optional<v1::Consent> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::string name,
        storage::CreateOnce(
            tx, "GiveConsent", request_id, fingerprint, consent.name(),
            absl::ToUnixMillis(clock_.Now()), [&]() -> absl::Status {
              PCMD_RETURN_IF_ERROR(tx.Execute(
                  "INSERT INTO consents(id, client_id, basis, provider_kinds, service_types, "
                  "shared_fields, given_date, expire_date, legal_basis, create_unix_ms) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                  {id, std::string(client_id), int64_t{consent.basis()},
                   IntArray(consent.provider_kinds()), IntArray(consent.service_types()),
                   IntArray(consent.shared_fields()), consent.given_date(), consent.expire_date(),
                   consent.legal_basis(),
                   TimeUtil::TimestampToMilliseconds(consent.create_time())}));
              events::v1::ConsentGiven e;
              e.set_consent(consent.name());
              e.set_client(absl::StrCat("clients/", client_id));
              e.set_unit_code(std::string(unit_code));
              e.set_basis(consent.basis());
              for (int k : consent.provider_kinds()) e.add_provider_kinds(k);
              for (int s : consent.service_types()) e.add_service_types(s);
              e.set_given_date(consent.given_date());
              e.set_expire_date(consent.expire_date());
              return outbox_.Append(tx, "client", e.client(), e).status();
            }));
    PCMD_ASSIGN_OR_RETURN(std::vector<v1::Consent> all, ReadConsents(tx, client_id));
    for (v1::Consent& c : all) {
      if (c.name() == name) result = std::move(c);
    }
    return absl::OkStatus();
  }));
  // The fingerprint holds the client, so a request_id first used for another client's
  // consent was refused by CreateOnce: the consent named is this client's.
  if (!result.has_value()) return absl::InternalError("a given consent cannot be read back");
  return *std::move(result);
}

absl::StatusOr<std::vector<v1::Consent>> SqliteClientStore::ListConsents(
    absl::string_view client_id) {
  std::vector<v1::Consent> out;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(out, ReadConsents(tx, client_id));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Client> SqliteClientStore::AssessNeeds(absl::string_view client_id,
                                                          const std::vector<v1::Need>& needs,
                                                          absl::string_view assessed_date) {
  const std::string id(client_id);
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT unit_code FROM clients WHERE id = ?1", {id}));
    if (!row.has_value())
      return absl::NotFoundError(absl::StrCat("client clients/", id, " not found"));
    PCMD_RETURN_IF_ERROR(tx.Execute("DELETE FROM client_needs WHERE client_id = ?1", {id}));
    events::v1::NeedsAssessed e;
    e.set_client(absl::StrCat("clients/", id));
    e.set_unit_code(row->Text(0));
    e.set_assessed_date(std::string(assessed_date));
    for (const v1::Need& n : needs) {
      PCMD_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO client_needs(client_id, service_type, priority, eligible) "
          "VALUES (?1, ?2, ?3, ?4)",
          {id, int64_t{n.service_type()}, int64_t{n.priority()}, int64_t{n.eligible()}}));
      e.add_needs(n.service_type());
      if (n.eligible()) e.add_eligible(n.service_type());
    }
    PCMD_RETURN_IF_ERROR(tx.Execute("UPDATE clients SET needs_assessed_date = ?2 WHERE id = ?1",
                                    {id, std::string(assessed_date)}));
    return outbox_.Append(tx, "client", e.client(), e).status();
  }));
  return GetClient(id, false);
}

}  // namespace pcmd::referrals
