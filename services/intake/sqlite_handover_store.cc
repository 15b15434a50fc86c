#include "services/intake/sqlite_handover_store.h"

#include <optional>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "common/storage/idempotency.h"
#include "google/protobuf/util/time_util.h"
#include "pcmd/events/v1/intake_events.pb.h"
#include "services/intake/sealed_column.h"

namespace pcmd::intake {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Row;
using storage::Transaction;

constexpr absl::string_view kHandOvers = "handovers/";
constexpr absl::string_view kTips = "tips/";

// "handovers/{id}" → "{id}"; names reaching the store were validated by the logic.
std::string IdOf(absl::string_view name) { return std::string(name.substr(kHandOvers.size())); }

absl::StatusOr<std::optional<v1::HandOver>> Find(Transaction& tx, const crypto::FieldCipher& cipher,
                                                 absl::string_view id) {
  PCMD_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT id, unit_code, tip_id, found_date, from_agency, create_unix_ms "
                  "FROM handovers WHERE id = ?1",
                  {std::string(id)}));
  if (!row.has_value()) return std::optional<v1::HandOver>();
  const Row& r = *row;
  v1::HandOver hand_over;
  hand_over.set_name(absl::StrCat(kHandOvers, r.Text(0)));
  const std::string& name = hand_over.name();
  hand_over.set_unit_code(r.Text(1));
  if (const std::string tip_id = r.Text(2); !tip_id.empty()) {
    hand_over.set_tip(absl::StrCat(kTips, tip_id));
  }
  hand_over.set_found_date(r.Text(3));
  hand_over.set_from_agency(r.Text(4));
  *hand_over.mutable_create_time() = TimeUtil::MillisecondsToTimestamp(r.Int(5));

  PCMD_ASSIGN_OR_RETURN(
      std::vector<Row> persons,
      tx.Query("SELECT position, full_name, birth_date, id_number, phone, needs, minor, "
               "trafficking_victim, pseudonym FROM handover_persons WHERE handover_id = ?1 "
               "ORDER BY position",
               {std::string(id)}));
  for (const Row& p : persons) {
    const std::string at = absl::StrCat("persons/", p.Int(0), ".");
    v1::HandedOverPerson& person = *hand_over.add_persons();
    PCMD_ASSIGN_OR_RETURN(*person.mutable_full_name(),
                          OpenColumn(cipher, p, 1, {name, absl::StrCat(at, "full_name")}));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_birth_date(),
                          OpenColumn(cipher, p, 2, {name, absl::StrCat(at, "birth_date")}));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_id_number(),
                          OpenColumn(cipher, p, 3, {name, absl::StrCat(at, "id_number")}));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_phone(),
                          OpenColumn(cipher, p, 4, {name, absl::StrCat(at, "phone")}));
    PCMD_ASSIGN_OR_RETURN(*person.mutable_needs(),
                          OpenColumn(cipher, p, 5, {name, absl::StrCat(at, "needs")}));
    person.set_minor(p.Int(6) != 0);
    person.set_trafficking_victim(p.Int(7) != 0);
    person.set_pseudonym(p.Text(8));
  }
  return std::optional<v1::HandOver>(std::move(hand_over));
}

}  // namespace

absl::Status SqliteHandOverStore::InsertWithEvents(Transaction& tx, const v1::HandOver& hand_over) {
  const std::string id = IdOf(hand_over.name());
  const absl::string_view name = hand_over.name();
  absl::string_view tip = hand_over.tip();
  absl::ConsumePrefix(&tip, kTips);
  PCMD_RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO handovers(id, unit_code, tip_id, found_date, from_agency, "
      "create_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      {id, hand_over.unit_code(), std::string(tip), hand_over.found_date(), hand_over.from_agency(),
       TimeUtil::TimestampToMilliseconds(hand_over.create_time())}));

  for (int i = 0; i < hand_over.persons_size(); ++i) {
    const v1::HandedOverPerson& p = hand_over.persons(i);
    const std::string at = absl::StrCat("persons/", i, ".");
    storage::Value pseudonym = std::monostate();
    storage::Value id_number_index = std::monostate();
    if (!p.id_number().empty()) id_number_index = index_.Hash("id_number", p.id_number());
    if (!p.pseudonym().empty()) pseudonym = p.pseudonym();
    PCMD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO handover_persons(handover_id, position, full_name, birth_date, id_number, "
        "phone, needs, minor, trafficking_victim, pseudonym, id_number_index) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        {id, int64_t{i},
         storage::Blob{
             cipher_.Seal(p.full_name(), Where{name, absl::StrCat(at, "full_name")}.Context())},
         SealOrNull(cipher_, p.birth_date(), {name, absl::StrCat(at, "birth_date")}),
         SealOrNull(cipher_, p.id_number(), {name, absl::StrCat(at, "id_number")}),
         SealOrNull(cipher_, p.phone(), {name, absl::StrCat(at, "phone")}),
         SealOrNull(cipher_, p.needs(), {name, absl::StrCat(at, "needs")}),
         int64_t{p.minor() ? 1 : 0}, int64_t{p.trafficking_victim() ? 1 : 0}, std::move(pseudonym),
         std::move(id_number_index)}));

    // Each person becomes outreach work in referrals, known there by pseudonym only:
    // who they are stays sealed here.
    events::v1::SupportOutreachRequested requested;
    requested.set_hand_over(hand_over.name());
    requested.set_person_index(i);
    requested.set_pseudonym(p.pseudonym());
    requested.set_unit_code(hand_over.unit_code());
    requested.set_minor(p.minor());
    requested.set_trafficking_victim(p.trafficking_victim());
    requested.set_from_agency(hand_over.from_agency());
    requested.set_found_date(hand_over.found_date());
    requested.set_tip(hand_over.tip());
    PCMD_RETURN_IF_ERROR(outbox_.Append(tx, "handover", hand_over.name(), requested).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::HandOver> SqliteHandOverStore::CreateHandOver(absl::string_view request_id,
                                                                 absl::string_view fingerprint,
                                                                 const v1::HandOver& hand_over) {
  std::optional<v1::HandOver> result;
  PCMD_RETURN_IF_ERROR(db_.Write([&](Transaction& tx) -> absl::Status {
    PCMD_ASSIGN_OR_RETURN(std::string name,
                          storage::CreateOnce(tx, "CreateHandOver", request_id, fingerprint,
                                              hand_over.name(), absl::ToUnixMillis(clock_.Now()),
                                              [&] { return InsertWithEvents(tx, hand_over); }));
    PCMD_ASSIGN_OR_RETURN(result, Find(tx, cipher_, IdOf(name)));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("created hand-over cannot be read back");
  return *std::move(result);
}

absl::StatusOr<v1::HandOver> SqliteHandOverStore::GetHandOver(absl::string_view handover_id) {
  return storage::ReadOne<v1::HandOver>(
      db_, [&](Transaction& tx) { return Find(tx, cipher_, handover_id); },
      absl::StrCat("hand-over ", kHandOvers, handover_id, " not found"));
}

absl::StatusOr<HandOverScope> SqliteHandOverStore::GetHandOverScope(absl::string_view handover_id) {
  return storage::ReadOne<HandOverScope>(
      db_,
      [&](Transaction& tx) -> absl::StatusOr<std::optional<HandOverScope>> {
        PCMD_ASSIGN_OR_RETURN(std::optional<Row> row,
                              tx.QueryOne("SELECT unit_code, from_agency FROM handovers "
                                          "WHERE id = ?1",
                                          {std::string(handover_id)}));
        if (!row.has_value()) return std::optional<HandOverScope>();
        return std::optional<HandOverScope>(
            HandOverScope{.unit_code = row->Text(0), .from_agency = row->Text(1)});
      },
      absl::StrCat("hand-over ", kHandOvers, handover_id, " not found"));
}

}  // namespace pcmd::intake
