#include "services/referrals/sqlite_referral_store.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/ids/calendar.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/referrals_events.pb.h"
#include "services/referrals/sqlite_client_store.h"

namespace pcmd::referrals {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kPrefix = "referrals/";

constexpr absl::string_view kColumns =
    "id, client_id, provider_id, provider_agency, service_type, state, consent_id, unit_code, "
    "sender_agency, note, response_due_date, follow_up_date, overdue, follow_up_raised, "
    "decline_reason, outcome, revoke_reason, deliveries, last_delivery_date, create_unix_ms, "
    "respond_unix_ms, complete_unix_ms, end_unix_ms, version";

std::string IdOf(absl::string_view name, absl::string_view prefix) {
  return std::string(absl::StripPrefix(name, prefix));
}

std::string NoteContext(absl::string_view id) { return absl::StrCat("referrals/", id, "#note"); }

void SetTime(int64_t ms, google::protobuf::Timestamp* t) {
  if (ms != 0) *t = TimeUtil::MillisecondsToTimestamp(ms);
}

int64_t Ms(const v1::Referral& r, const google::protobuf::Timestamp& (v1::Referral::*get)() const,
           bool (v1::Referral::*has)() const) {
  return (r.*has)() ? TimeUtil::TimestampToMilliseconds((r.*get)()) : 0;
}

// The referral of `row` (columns kColumns), its note still sealed in column 9.
v1::Referral ReferralOf(const Row& row) {
  v1::Referral r;
  r.set_name(absl::StrCat(kPrefix, row.Text(0)));
  r.set_client(absl::StrCat("clients/", row.Text(1)));
  r.set_provider(absl::StrCat("providers/", row.Text(2)));
  r.set_provider_agency(row.Text(3));
  r.set_service_type(static_cast<v1::ServiceType>(row.Int(4)));
  r.set_state(static_cast<v1::ReferralState>(row.Int(5)));
  r.set_consent(absl::StrCat("clients/", row.Text(1), "/consents/", row.Text(6)));
  r.set_unit_code(row.Text(7));
  r.set_sender_agency(row.Text(8));
  r.set_response_due_date(row.Text(10));
  r.set_follow_up_date(row.Text(11));
  r.set_overdue(row.Int(12) != 0);
  r.set_decline_reason(static_cast<v1::DeclineReason>(row.Int(14)));
  r.set_outcome(static_cast<v1::Outcome>(row.Int(15)));
  r.set_revoke_reason(static_cast<v1::RevokeReason>(row.Int(16)));
  r.set_deliveries(static_cast<int32_t>(row.Int(17)));
  r.set_last_delivery_date(row.Text(18));
  SetTime(row.Int(19), r.mutable_create_time());
  if (row.Int(20) != 0) SetTime(row.Int(20), r.mutable_respond_time());
  if (row.Int(21) != 0) SetTime(row.Int(21), r.mutable_complete_time());
  if (row.Int(22) != 0) SetTime(row.Int(22), r.mutable_end_time());
  r.set_etag(absl::StrCat(row.Int(23)));
  return r;
}

absl::StatusOr<std::optional<Row>> FindRow(Transaction& tx, absl::string_view id) {
  return tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM referrals WHERE id = ?1"),
                     {std::string(id)});
}

absl::StatusOr<std::optional<v1::Provider>> ReadProvider(Transaction& tx, absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT kind, unit_code, active, agency_code FROM providers WHERE id = ?1",
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::Provider>();
  v1::Provider p;
  p.set_name(absl::StrCat("providers/", id));
  p.set_kind(static_cast<v1::ProviderKind>(row->Int(0)));
  p.set_unit_code(row->Text(1));
  p.set_active(row->Int(2) != 0);
  p.set_agency_code(row->Text(3));
  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> services,
      tx.Query("SELECT service FROM provider_services WHERE provider_id = ?1 ORDER BY service",
               {std::string(id)}));
  for (const Row& s : services) p.add_services(static_cast<v1::ServiceType>(s.Int(0)));
  return std::optional<v1::Provider>(std::move(p));
}

// Appends one change of `r` to the provider's log.
absl::Status LogChange(Transaction& tx, const v1::Referral& r, absl::string_view change,
                       int64_t now_ms) {
  return tx.Execute(
      "INSERT INTO referral_changes(referral_id, provider_agency, change, state, service_type, "
      "unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      {IdOf(r.name(), kPrefix), r.provider_agency(), std::string(change), int64_t{r.state()},
       int64_t{r.service_type()}, now_ms});
}

// The event a step publishes, and the change name the provider's watch shows ("" when
// the step does not concern the provider).
struct Published {
  std::unique_ptr<google::protobuf::Message> event;
  std::string change;
};

template <typename E>
std::unique_ptr<E> Common(const v1::Referral& r) {
  auto e = std::make_unique<E>();
  e->set_referral(r.name());
  e->set_client(r.client());
  e->set_provider(r.provider());
  e->set_service_type(r.service_type());
  e->set_unit_code(r.unit_code());
  return e;
}

Published EventOf(const v1::Referral& r, ReferralStep step) {
  switch (step) {
    case ReferralStep::kAccept:
      return {Common<events::v1::ReferralAccepted>(r), "ReferralAccepted"};
    case ReferralStep::kDecline: {
      auto e = Common<events::v1::ReferralDeclined>(r);
      e->set_reason(r.decline_reason());
      return {std::move(e), "ReferralDeclined"};
    }
    case ReferralStep::kRecordDelivery: {
      auto e = Common<events::v1::ServiceDelivered>(r);
      e->set_delivery_date(r.last_delivery_date());
      e->set_session(r.deliveries());
      return {std::move(e), "ServiceDelivered"};
    }
    case ReferralStep::kComplete: {
      auto e = Common<events::v1::ReferralCompleted>(r);
      e->set_outcome(r.outcome());
      return {std::move(e), "ReferralCompleted"};
    }
    case ReferralStep::kRevoke:
    case ReferralStep::kWithdrawConsent: {
      auto e = Common<events::v1::ReferralRevoked>(r);
      e->set_reason(r.revoke_reason());
      return {std::move(e), "ReferralRevoked"};
    }
    case ReferralStep::kExpire: {
      auto e = Common<events::v1::ReferralOverdue>(r);
      e->set_kind("response");
      e->set_due_date(r.response_due_date());
      e->set_state(r.state());
      return {std::move(e), "ReferralExpired"};
    }
    case ReferralStep::kScheduleFollowUp:
      return {nullptr, ""};
  }
  return {nullptr, ""};
}

// "<create_unix_ms>:<id>" ⇄ a position, newest first.
std::pair<int64_t, std::string> ParsePosition(absl::string_view position) {
  std::pair<std::string, std::string> parts = absl::StrSplit(position, absl::MaxSplits(':', 1));
  int64_t ms = INT64_MAX;
  if (!absl::SimpleAtoi(parts.first, &ms)) ms = INT64_MAX;
  return {ms, parts.second};
}

}  // namespace

absl::Status SqliteReferralStore::Write(Transaction& tx, const v1::Referral& after,
                                        ReferralStep step) {
  const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
  PCMD_RETURN_IF_ERROR(tx.Execute(
      "UPDATE referrals SET state = ?2, follow_up_date = ?3, overdue = ?4, decline_reason = ?5, "
      "outcome = ?6, revoke_reason = ?7, deliveries = ?8, last_delivery_date = ?9, "
      "respond_unix_ms = ?10, complete_unix_ms = ?11, end_unix_ms = ?12, version = version + 1 "
      "WHERE id = ?1",
      {IdOf(after.name(), kPrefix), int64_t{after.state()}, after.follow_up_date(),
       int64_t{after.overdue()}, int64_t{after.decline_reason()}, int64_t{after.outcome()},
       int64_t{after.revoke_reason()}, int64_t{after.deliveries()}, after.last_delivery_date(),
       Ms(after, &v1::Referral::respond_time, &v1::Referral::has_respond_time),
       Ms(after, &v1::Referral::complete_time, &v1::Referral::has_complete_time),
       Ms(after, &v1::Referral::end_time, &v1::Referral::has_end_time)}));
  Published published = EventOf(after, step);
  if (published.event != nullptr) {
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "referral", after.name(), *published.event).status());
  }
  if (!published.change.empty()) {
    PCMD_RETURN_IF_ERROR(LogChange(tx, after, published.change, now_ms));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Referral> SqliteReferralStore::CreateReferral(
    absl::string_view request_id, absl::string_view fingerprint, const v1::Referral& referral,
    absl::FunctionRef<absl::Status(const ReferralFacts&, v1::Referral&)> decide) {
  std::string name;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
    PCMD_ASSIGN_OR_RETURN(
        name, storage::CreateOnce(
                  tx, "CreateReferral", request_id, fingerprint, referral.name(), now_ms,
                  [&]() -> absl::Status {
                    const std::string client_id = IdOf(referral.client(), "clients/");
                    PCMD_ASSIGN_OR_RETURN(
                        std::optional<Row> client,
                        tx.QueryOne("SELECT unit_code, minor, trafficking_victim FROM clients "
                                    "WHERE id = ?1",
                                    {client_id}));
                    if (!client.has_value()) {
                      return absl::NotFoundError(
                          absl::StrCat("client ", referral.client(), " not found"));
                    }
                    ReferralFacts facts;
                    facts.client.set_name(referral.client());
                    facts.client.set_unit_code(client->Text(0));
                    facts.client.set_minor(client->Int(1) != 0);
                    facts.client.set_trafficking_victim(client->Int(2) != 0);
                    PCMD_ASSIGN_OR_RETURN(
                        facts.provider, ReadProvider(tx, IdOf(referral.provider(), "providers/")));
                    PCMD_ASSIGN_OR_RETURN(facts.consents, ReadConsents(tx, client_id));
                    PCMD_ASSIGN_OR_RETURN(
                        std::optional<Row> open,
                        tx.QueryOne("SELECT id FROM referrals WHERE client_id = ?1 AND "
                                    "service_type = ?2 AND state IN (1, 2, 4) LIMIT 1",
                                    {client_id, int64_t{referral.service_type()}}));
                    if (open.has_value())
                      facts.open_referral = absl::StrCat(kPrefix, open->Text(0));
                    v1::Referral r = referral;
                    PCMD_RETURN_IF_ERROR(decide(facts, r));
                    const std::string id = IdOf(r.name(), kPrefix);
                    PCMD_RETURN_IF_ERROR(tx.Execute(
                        "INSERT INTO referrals(id, client_id, provider_id, provider_agency, "
                        "service_type, state, consent_id, unit_code, sender_agency, note, "
                        "response_due_date, follow_up_date, create_unix_ms) VALUES (?1, ?2, ?3, "
                        "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                        {id, client_id, IdOf(r.provider(), "providers/"), r.provider_agency(),
                         int64_t{r.service_type()}, int64_t{r.state()},
                         IdOf(r.consent(), absl::StrCat(r.client(), "/consents/")), r.unit_code(),
                         r.sender_agency(),
                         storage::Blob{r.note().empty() ? std::string()
                                                        : cipher_.Seal(r.note(), NoteContext(id))},
                         r.response_due_date(), r.follow_up_date(),
                         TimeUtil::TimestampToMilliseconds(r.create_time())}));
                    events::v1::ReferralSent sent;
                    sent.set_referral(r.name());
                    sent.set_client(r.client());
                    sent.set_provider(r.provider());
                    sent.set_provider_agency(r.provider_agency());
                    sent.set_service_type(r.service_type());
                    sent.set_unit_code(r.unit_code());
                    sent.set_sender_agency(r.sender_agency());
                    sent.set_response_due_date(r.response_due_date());
                    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "referral", r.name(), sent).status());
                    return LogChange(tx, r, "ReferralSent", now_ms);
                  }));
    return absl::OkStatus();
  }));
  return GetReferral(IdOf(name, kPrefix), true);
}

absl::StatusOr<v1::Referral> SqliteReferralStore::GetReferral(absl::string_view id,
                                                              bool with_note) {
  std::optional<Row> row;
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(row, FindRow(tx, id));
    return absl::OkStatus();
  }));
  if (!row.has_value()) {
    return absl::NotFoundError(absl::StrCat("referral ", kPrefix, id, " not found"));
  }
  v1::Referral r = ReferralOf(*row);
  if (with_note && !row->Text(9).empty()) {
    absl::StatusOr<std::string> note = cipher_.Open(row->Text(9), NoteContext(id));
    if (!note.ok()) {
      return absl::DataLossError(absl::StrCat("the note of ", r.name(), " cannot be opened"));
    }
    r.set_note(*note);
  }
  return r;
}

absl::StatusOr<ReferralPage> SqliteReferralStore::ListReferrals(const ReferralQuery& q) {
  ReferralPage page;
  const auto [after_ms, after_id] = ParsePosition(q.after);
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query(
            absl::StrCat(
                "SELECT ", kColumns,
                " FROM referrals WHERE (?1 = 0 OR unit_code IN (SELECT value FROM json_each(?2)))"
                " AND (?3 = '' OR provider_agency = ?3) AND (?4 = '' OR client_id = ?4)"
                " AND (?5 = '' OR provider_id = ?5) AND (?6 = 0 OR state = ?6)"
                " AND (?7 = 0 OR state = 7 OR (overdue = 1 AND state IN (1, 2, 4)))"
                " AND (?8 = '' OR create_unix_ms < ?9 OR (create_unix_ms = ?9 AND id < ?8))"
                " ORDER BY create_unix_ms DESC, id DESC LIMIT ?10"),
            {int64_t{q.units.has_value()},
             storage::JsonArray(q.units.value_or(std::vector<std::string>{})), q.provider_agency,
             q.client_id, q.provider_id, int64_t{q.state}, int64_t{q.overdue_only},
             q.after.empty() ? std::string() : after_id, after_ms, int64_t{q.limit} + 1}));
    for (const Row& row : rows) {
      if (static_cast<int>(page.referrals.size()) == q.limit) {
        const v1::Referral& last = page.referrals.back();
        page.next = absl::StrCat(TimeUtil::TimestampToMilliseconds(last.create_time()), ":",
                                 IdOf(last.name(), kPrefix));
        break;
      }
      page.referrals.push_back(ReferralOf(row));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<v1::Referral> SqliteReferralStore::UpdateReferral(
    absl::string_view id,
    absl::FunctionRef<absl::StatusOr<ReferralChange>(const v1::Referral&)> change) {
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::optional<Row> row, FindRow(tx, id));
    if (!row.has_value()) {
      return absl::NotFoundError(absl::StrCat("referral ", kPrefix, id, " not found"));
    }
    PCMD_ASSIGN_OR_RETURN(ReferralChange decided, change(ReferralOf(*row)));
    if (decided.step == ReferralStep::kRecordDelivery) {
      PCMD_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO referral_deliveries(referral_id, delivery_date) VALUES (?1, ?2) "
                     "ON CONFLICT DO NOTHING",
                     {std::string(id), decided.delivery_date}));
      // That day was recorded already: a retry, which changes nothing.
      if (tx.changes() == 0) return absl::OkStatus();
    }
    return Write(tx, decided.after, decided.step);
  }));
  return GetReferral(id, false);
}

absl::StatusOr<std::pair<v1::Consent, std::vector<std::string>>>
SqliteReferralStore::WithdrawConsent(absl::string_view client_id, absl::string_view consent_id,
                                     absl::string_view date,
                                     absl::FunctionRef<absl::Status(const v1::Consent&)> check) {
  std::pair<v1::Consent, std::vector<std::string>> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
    PCMD_ASSIGN_OR_RETURN(std::vector<v1::Consent> consents, ReadConsents(tx, client_id));
    const std::string name = absl::StrCat("clients/", client_id, "/consents/", consent_id);
    const v1::Consent* found = nullptr;
    for (const v1::Consent& c : consents) {
      if (c.name() == name) found = &c;
    }
    if (found == nullptr) return absl::NotFoundError(absl::StrCat("consent ", name, " not found"));
    PCMD_RETURN_IF_ERROR(check(*found));
    PCMD_RETURN_IF_ERROR(tx.Execute("UPDATE consents SET withdrawn_date = ?2 WHERE id = ?1",
                                    {std::string(consent_id), std::string(date)}));
    result.first = *found;
    result.first.set_withdrawn(true);
    result.first.set_withdrawn_date(std::string(date));
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query(absl::StrCat("SELECT ", kColumns,
                              " FROM referrals WHERE consent_id = ?1 ORDER BY create_unix_ms, id"),
                 {std::string(consent_id)}));
    std::string unit;
    for (const Row& row : rows) {
      v1::Referral r = ReferralOf(row);
      unit = r.unit_code();
      absl::StatusOr<v1::ReferralState> next =
          NextState(r.name(), r.state(), ReferralStep::kWithdrawConsent);
      if (next.ok()) {
        r.set_state(*next);
        r.set_revoke_reason(v1::REVOKE_REASON_CONSENT_WITHDRAWN);
        *r.mutable_end_time() = TimeUtil::MillisecondsToTimestamp(now_ms);
        PCMD_RETURN_IF_ERROR(Write(tx, r, ReferralStep::kWithdrawConsent));
        result.second.push_back(r.name());
      } else if (IsOpen(r.state())) {
        // Still in service: it goes on, but its provider now sees none of the client.
        PCMD_RETURN_IF_ERROR(LogChange(tx, r, "ConsentWithdrawn", now_ms));
      }
    }
    if (unit.empty()) {
      PCMD_ASSIGN_OR_RETURN(
          std::optional<Row> client,
          tx.QueryOne("SELECT unit_code FROM clients WHERE id = ?1", {std::string(client_id)}));
      if (client.has_value()) unit = client->Text(0);
    }
    events::v1::ConsentWithdrawn e;
    e.set_consent(name);
    e.set_client(absl::StrCat("clients/", client_id));
    e.set_unit_code(unit);
    e.set_withdrawn_date(std::string(date));
    for (const std::string& r : result.second) e.add_revoked_referrals(r);
    return outbox_.Append(tx, "client", e.client(), e).status();
  }));
  return result;
}

absl::StatusOr<InboxSource> SqliteReferralStore::GetInboxSource(absl::string_view id,
                                                                absl::CivilDay today) {
  PCMD_ASSIGN_OR_RETURN(v1::Referral referral, GetReferral(id, true));
  InboxSource source;
  std::string sealed_identity;
  const std::string client_id = IdOf(referral.client(), "clients/");
  PCMD_RETURN_IF_ERROR(db_.Read([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::vector<v1::Consent> consents, ReadConsents(tx, client_id));
    for (v1::Consent& c : consents) {
      if (c.name() == referral.consent()) source.consent = std::move(c);
    }
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> client,
        tx.QueryOne("SELECT minor, trafficking_victim, identity FROM clients WHERE id = ?1",
                    {client_id}));
    if (!client.has_value()) {
      return absl::DataLossError(absl::StrCat(referral.name(), " names a missing client"));
    }
    source.minor = client->Int(0) != 0;
    source.trafficking_victim = client->Int(1) != 0;
    sealed_identity = client->Text(2);
    PCMD_ASSIGN_OR_RETURN(
        std::optional<Row> need,
        tx.QueryOne("SELECT priority FROM client_needs WHERE client_id = ?1 AND service_type = ?2",
                    {client_id, int64_t{referral.service_type()}}));
    if (need.has_value()) source.need_priority = static_cast<v1::NeedPriority>(need->Int(0));
    return absl::OkStatus();
  }));
  if (SharesIdentity(source.consent, referral.state(), today)) {
    absl::StatusOr<std::string> plain = cipher_.Open(sealed_identity, IdentityContext(client_id));
    v1::ClientIdentity identity;
    if (!plain.ok() || !identity.ParseFromString(*plain)) {
      return absl::DataLossError(
          absl::StrCat("the identity behind ", referral.name(), " cannot be opened"));
    }
    source.identity = std::move(identity);
  }
  // Keyed per provider: two providers cannot join their clients by this reference.
  source.client_ref = absl::StrCat(
      "cref_",
      index_.Hash("referral-client", absl::StrCat(referral.provider_agency(), "|", client_id))
          .substr(0, 24));
  source.referral = std::move(referral);
  return source;
}

absl::StatusOr<int> SqliteReferralStore::RaiseOverdue(absl::CivilDay today) {
  int raised = 0;
  const std::string day = IsoDate(today);
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> unanswered,
        tx.Query(absl::StrCat("SELECT ", kColumns,
                              " FROM referrals WHERE state = 1 AND response_due_date < ?1"),
                 {day}));
    for (const Row& row : unanswered) {
      v1::Referral r = ReferralOf(row);
      r.set_state(v1::REFERRAL_STATE_EXPIRED);
      r.set_overdue(true);
      *r.mutable_end_time() = TimeUtil::MillisecondsToTimestamp(now_ms);
      PCMD_RETURN_IF_ERROR(Write(tx, r, ReferralStep::kExpire));
      ++raised;
    }
    PCMD_ASSIGN_OR_RETURN(
        std::vector<Row> behind,
        tx.Query(absl::StrCat("SELECT ", kColumns,
                              " FROM referrals WHERE state IN (1, 2, 4) AND follow_up_date <> '' "
                              "AND follow_up_date < ?1 AND follow_up_raised <> follow_up_date"),
                 {day}));
    for (const Row& row : behind) {
      v1::Referral r = ReferralOf(row);
      PCMD_RETURN_IF_ERROR(
          tx.Execute("UPDATE referrals SET overdue = 1, follow_up_raised = follow_up_date, "
                     "version = version + 1 WHERE id = ?1",
                     {IdOf(r.name(), kPrefix)}));
      auto e = Common<events::v1::ReferralOverdue>(r);
      e->set_kind("follow_up");
      e->set_due_date(r.follow_up_date());
      e->set_state(r.state());
      PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "referral", r.name(), *e).status());
      ++raised;
    }
    return absl::OkStatus();
  }));
  return raised;
}

}  // namespace pcmd::referrals
