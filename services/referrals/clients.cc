#include "services/referrals/clients.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/ids/calendar.h"
#include "common/paging/paging.h"
#include "common/status/status.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "common/validation/person_fields.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/time_util.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kMaxPageSize = 200;

// A repeated enum field: between min and max items, each a defined non-zero value,
// none twice; each bad entry named by index.
template <typename Repeated>
void EnumList(Validator& v, absl::string_view field, const Repeated& values, size_t min, size_t max,
              bool (*is_valid)(int)) {
  v.Count(field, values.size(), min, max);
  std::set<int> seen;
  for (int i = 0; i < values.size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "]");
    v.Enum(at, values[i], is_valid);
    if (!seen.insert(values[i]).second) v.Add(at, "is listed twice");
  }
}

// "handovers/{id}", "inspections/{id}", "tips/{id}" or "outreachTasks/{id}", each
// optionally followed by "#{position}", at most 200 characters.
bool IsSourceRef(absl::string_view ref) {
  if (ref.size() > 200) return false;
  const size_t hash = ref.find('#');
  const absl::string_view name = ref.substr(0, hash);
  if (hash != absl::string_view::npos) {
    const absl::string_view position = ref.substr(hash + 1);
    if (position.empty() || !std::all_of(position.begin(), position.end(),
                                         [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
  }
  for (absl::string_view collection : {"handovers", "inspections", "tips", "outreachTasks"}) {
    if (ParseResourceName("source_ref", name, collection).ok()) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::pair<std::string, std::string>> ParseConsentName(absl::string_view field,
                                                                     absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() == 4 && parts[0] == "clients" && parts[2] == "consents") {
    absl::StatusOr<std::string> client =
        ParseResourceName(field, absl::StrCat("clients/", parts[1]), "clients");
    absl::StatusOr<std::string> consent =
        ParseResourceName(field, absl::StrCat("consents/", parts[3]), "consents");
    if (client.ok() && consent.ok()) return std::make_pair(*client, *consent);
  }
  Validator v;
  v.Add(field, "must be clients/{client_id}/consents/{consent_id}");
  return v.ToStatus("invalid consent name");
}

absl::StatusOr<v1::Client> Clients::Reachable(const security::Access& access,
                                              absl::string_view field, absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(std::string id, ParseResourceName(field, name, "clients"));
  absl::StatusOr<v1::Client> client = store_.GetClient(id, false);
  if (absl::IsNotFound(client.status())) {
    return StatusWithFields(absl::StatusCode::kNotFound,
                            absl::StrCat(field, ": client ", name, " not found"),
                            {{std::string(field), "names no client"}});
  }
  if (!client.ok()) return client.status();
  PCMD_RETURN_IF_ERROR(security::CheckScope(
      access, {.name = client->name(), .unit_code = client->unit_code()}, units_));
  return *std::move(client);
}

absl::StatusOr<v1::Client> Clients::Register(const security::Access& access,
                                             const v1::RegisterClientRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.Code("unit_code", request.unit_code());
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  v.Enum("source", request.source(), v1::ClientSource_IsValid);
  // A reference, never free text: it is kept in a plain column.
  if (!request.source_ref().empty() && !IsSourceRef(request.source_ref())) {
    v.Add("source_ref",
          "must name a record: handovers/{id}, inspections/{id}, tips/{id} or outreachTasks/{id}, "
          "optionally followed by #{position}");
  }
  const v1::ClientIdentity& id = request.identity();
  v.Text("identity.full_name", id.full_name(), {.required = true, .max_chars = 200});
  ValidateBirthDate(v, "identity.birth_date", id.birth_date(), today);
  ValidateIdNumber(v, "identity.id_number", id.id_number());
  ValidatePhone(v, "identity.phone", id.phone());
  v.Text("identity.address", id.address(), {.max_chars = 500});
  std::optional<std::string> task_id;
  if (!request.outreach_task().empty()) {
    absl::StatusOr<std::string> parsed =
        ParseResourceName("outreach_task", request.outreach_task(), "outreachTasks");
    if (parsed.ok()) task_id = *parsed;
    v.AddFrom(parsed.status());
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid RegisterClientRequest"));
  PCMD_RETURN_IF_ERROR(
      security::CheckScope(access,
                           {.name = absl::StrCat("a new client in unit ", request.unit_code()),
                            .unit_code = request.unit_code()},
                           units_));

  v1::Client c;
  c.set_name(absl::StrCat("clients/", ids_.Next()));
  c.set_unit_code(request.unit_code());
  c.set_source(request.source());
  c.set_source_ref(request.source_ref());
  c.set_minor(request.minor());
  c.set_trafficking_victim(request.trafficking_victim());
  *c.mutable_identity() = id;
  c.set_agency_code(access.caller.agency.code);
  *c.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  if (!id.id_number().empty()) c.set_pseudonym(index_.Pseudonym(id.id_number()));
  if (task_id.has_value()) {
    absl::StatusOr<v1::OutreachTask> task = store_.GetOutreachTask(*task_id);
    if (absl::IsNotFound(task.status())) {
      return StatusWithFields(
          absl::StatusCode::kNotFound,
          absl::StrCat("outreach_task: ", request.outreach_task(), " not found"),
          {{"outreach_task", "names no outreach task"}});
    }
    if (!task.ok()) return task.status();
    PCMD_RETURN_IF_ERROR(security::CheckScope(
        access, {.name = task->name(), .unit_code = task->unit_code()}, units_));
    if (c.pseudonym().empty()) c.set_pseudonym(task->pseudonym());
    c.set_minor(c.minor() || task->minor());
    c.set_trafficking_victim(c.trafficking_victim() || task->trafficking_victim());
    if (c.source_ref().empty()) c.set_source_ref(task->name());
  }
  // The fingerprint holds the identity: keyed, so the stored hash cannot test guesses.
  v1::Client holder;
  absl::StatusOr<v1::Client> registered = store_.RegisterClient(
      request.request_id(), storage::RequestFingerprint(request, keys_.index_key()), c, &holder);
  if (!absl::IsAlreadyExists(registered.status())) return registered;
  // Who holds the person is told only to a caller who may see that client: that someone
  // is a client at all is sensitive.
  if (security::CheckScope(access, {.name = holder.name(), .unit_code = holder.unit_code()}, units_)
          .ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat("this person is already client ", holder.name(), " (same pseudonym)"));
  }
  return absl::AlreadyExistsError(
      "this person is already a client of another unit; ask its social-affairs authority to "
      "transfer the case");
}

absl::StatusOr<v1::Client> Clients::Get(const security::Access& access, absl::string_view name) {
  PCMD_ASSIGN_OR_RETURN(v1::Client client, Reachable(access, "name", name));
  return store_.GetClient(absl::StripPrefix(client.name(), "clients/"), true);
}

absl::StatusOr<v1::ListClientsResponse> Clients::List(const security::Access& access,
                                                      const v1::ListClientsRequest& request) {
  Validator v;
  v.Code("unit_code", request.unit_code(), /*required=*/false);
  v.Text("pseudonym", request.pseudonym(), {.max_chars = 100});
  PCMD_RETURN_IF_ERROR(units::CheckKnownUnit(v, "unit_code", request.unit_code(), units_));
  v.Range("page_size", request.page_size(), 0, kMaxPageSize);
  const std::string fingerprint = QueryFingerprint(request);
  std::optional<std::string> after;
  if (!request.page_token().empty()) {
    after = ReadPageToken(request.page_token(), fingerprint);
    if (!after.has_value()) v.Add("page_token", "is not a token of this listing");
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid ListClientsRequest"));
  PCMD_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> units,
                        units::UnitsInReach(access, request.unit_code(), units_));
  PCMD_ASSIGN_OR_RETURN(
      ClientPage page,
      store_.ListClients({.units = std::move(units),
                          .pseudonym = request.pseudonym(),
                          .after = after.value_or(""),
                          .limit = request.page_size() == 0 ? 50 : request.page_size()}));
  v1::ListClientsResponse response;
  for (v1::Client& c : page.clients) *response.add_clients() = std::move(c);
  if (!page.next.empty()) response.set_next_page_token(MakePageToken(page.next, fingerprint));
  return response;
}

absl::StatusOr<v1::Consent> Clients::GiveConsent(const security::Access& access,
                                                 const v1::GiveConsentRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.RequestId("request_id", request.request_id());
  v.AddFrom(ParseResourceName("client", request.client(), "clients").status());
  v.Enum("basis", request.basis(), v1::ConsentBasis_IsValid);
  EnumList(v, "provider_kinds", request.provider_kinds(), 1, 10, v1::ProviderKind_IsValid);
  EnumList(v, "service_types", request.service_types(), 1, 10, v1::ServiceType_IsValid);
  EnumList(v, "shared_fields", request.shared_fields(), 0, 8, v1::SharedField_IsValid);
  v.DateNotAfter("given_date", request.given_date(), today, /*required=*/true);
  v.Date("expire_date", request.expire_date(), /*required=*/true);
  const std::optional<absl::CivilDay> given = ParseIsoDate(request.given_date());
  const std::optional<absl::CivilDay> expires = ParseIsoDate(request.expire_date());
  if (given.has_value() && expires.has_value() && (*expires < *given || *expires > *given + 731)) {
    v.Add("expire_date", "must be on or after given_date and at most two years after it");
  }
  const bool protective = request.basis() == v1::CONSENT_BASIS_PROTECTIVE;
  v.Text("legal_basis", request.legal_basis(), {.required = protective, .max_chars = 300});
  if (!protective && !request.legal_basis().empty()) {
    v.Add("legal_basis", "is only for CONSENT_BASIS_PROTECTIVE");
  }
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid GiveConsentRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Client client, Reachable(access, "client", request.client()));
  if (protective && !client.minor() && !client.trafficking_victim()) {
    return absl::FailedPreconditionError(
        absl::StrCat("client ", client.name(),
                     " is neither a minor nor a trafficking victim; a protective basis does not "
                     "stand in for their consent"));
  }
  const std::string client_id(absl::StripPrefix(client.name(), "clients/"));
  v1::Consent c;
  c.set_name(absl::StrCat(client.name(), "/consents/", ids_.Next()));
  c.set_basis(request.basis());
  // Stored sorted, so that the same choice reads the same however it was listed.
  for (int k : std::set<int>(request.provider_kinds().begin(), request.provider_kinds().end())) {
    c.add_provider_kinds(static_cast<v1::ProviderKind>(k));
  }
  for (int s : std::set<int>(request.service_types().begin(), request.service_types().end())) {
    c.add_service_types(static_cast<v1::ServiceType>(s));
  }
  for (int f : std::set<int>(request.shared_fields().begin(), request.shared_fields().end())) {
    c.add_shared_fields(static_cast<v1::SharedField>(f));
  }
  c.set_given_date(request.given_date());
  c.set_expire_date(request.expire_date());
  c.set_legal_basis(request.legal_basis());
  *c.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(clock_.Now()));
  return store_.GiveConsent(request.request_id(), storage::RequestFingerprint(request), client_id,
                            client.unit_code(), c);
}

absl::StatusOr<v1::ListConsentsResponse> Clients::ListConsents(
    const security::Access& access, const v1::ListConsentsRequest& request) {
  PCMD_ASSIGN_OR_RETURN(v1::Client client, Reachable(access, "client", request.client()));
  PCMD_ASSIGN_OR_RETURN(std::vector<v1::Consent> consents,
                        store_.ListConsents(absl::StripPrefix(client.name(), "clients/")));
  v1::ListConsentsResponse response;
  for (v1::Consent& c : consents) *response.add_consents() = std::move(c);
  return response;
}

absl::StatusOr<v1::Client> Clients::AssessNeeds(const security::Access& access,
                                                const v1::AssessNeedsRequest& request) {
  const absl::CivilDay today = VietnamDay(clock_.Now());
  Validator v;
  v.AddFrom(ParseResourceName("client", request.client(), "clients").status());
  v.Count("needs", request.needs_size(), 0, 10);
  std::set<int> seen;
  for (int i = 0; i < request.needs_size(); ++i) {
    const std::string at = absl::StrCat("needs[", i, "]");
    v.Enum(absl::StrCat(at, ".service_type"), request.needs(i).service_type(),
           v1::ServiceType_IsValid);
    if (!seen.insert(request.needs(i).service_type()).second) {
      v.Add(absl::StrCat(at, ".service_type"), "is assessed twice");
    }
    v.Enum(absl::StrCat(at, ".priority"), request.needs(i).priority(), v1::NeedPriority_IsValid);
  }
  v.DateNotAfter("assessed_date", request.assessed_date(), today, /*required=*/true);
  PCMD_RETURN_IF_ERROR(v.ToStatus("invalid AssessNeedsRequest"));
  PCMD_ASSIGN_OR_RETURN(v1::Client client, Reachable(access, "client", request.client()));
  return store_.AssessNeeds(absl::StripPrefix(client.name(), "clients/"),
                            {request.needs().begin(), request.needs().end()},
                            request.assessed_date());
}

}  // namespace pcmd::referrals
