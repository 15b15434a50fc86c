// The referrals database: every table, in migration order. One file so that the
// stores (providers, outreach, clients and consent, referrals, cases) share one
// readable schema; ReferralsMigrations() lists them.
//
// Personal data is only ever in BLOB columns sealed with crypto::FieldCipher
// (identity, referral notes, case plans, case notes); every other column holds ids,
// codes, dates, counts, flags, or references to laws (a consent's legal basis).
#ifndef PCMD_SERVICES_REFERRALS_SCHEMA_H_
#define PCMD_SERVICES_REFERRALS_SCHEMA_H_

#include <span>

#include "absl/strings/string_view.h"
#include "common/storage/sqlite_database.h"

namespace pcmd::referrals {

// Migration 2.
inline constexpr absl::string_view kProvidersMigrationSql =
    "CREATE TABLE providers ("
    " id TEXT PRIMARY KEY,"
    " display_name TEXT NOT NULL,"
    " kind INTEGER NOT NULL,"
    " unit_code TEXT NOT NULL,"
    " capacity INTEGER NOT NULL,"
    " active INTEGER NOT NULL,"
    " create_unix_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    // One row per service a provider offers, so "who offers ARV in Thanh Trì" is an
    // indexed query rather than a scan of encoded lists.
    "CREATE TABLE provider_services ("
    " provider_id TEXT NOT NULL REFERENCES providers(id),"
    " service INTEGER NOT NULL,"
    " PRIMARY KEY (provider_id, service)) WITHOUT ROWID;"
    "CREATE INDEX provider_services_by_service ON provider_services(service);";

// Migration 7: who acts for a provider, its public contact, search and versions.
inline constexpr absl::string_view kProvidersV2MigrationSql =
    "ALTER TABLE providers ADD COLUMN agency_code TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE providers ADD COLUMN contact TEXT NOT NULL DEFAULT '';"
    // text::Words of the display name, folded (diacritics off), space-separated with
    // a leading and trailing space, so that ' word ' finds a whole word.
    "ALTER TABLE providers ADD COLUMN search_words TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE providers ADD COLUMN update_unix_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE providers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
    "CREATE INDEX providers_by_unit ON providers(unit_code);"
    "CREATE INDEX providers_by_agency ON providers(agency_code);";

// Migration 8: outreach work opened by events, and outreach contacts.
inline constexpr absl::string_view kOutreachMigrationSql =
    "CREATE TABLE outreach_tasks ("
    " id TEXT PRIMARY KEY,"
    " source INTEGER NOT NULL,"
    // "handovers/…#0", "inspections/…#2": one task per person found.
    " source_ref TEXT NOT NULL UNIQUE,"
    " pseudonym TEXT NOT NULL,"
    " unit_code TEXT NOT NULL,"
    " minor INTEGER NOT NULL,"
    " trafficking_victim INTEGER NOT NULL,"
    " found_date TEXT NOT NULL,"
    " due_date TEXT NOT NULL,"
    " state INTEGER NOT NULL,"
    " client_id TEXT NOT NULL DEFAULT '',"
    " create_unix_ms INTEGER NOT NULL,"
    " close_unix_ms INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;"
    "CREATE INDEX outreach_tasks_by_unit ON outreach_tasks(unit_code, state, due_date);"
    "CREATE INDEX outreach_tasks_by_pseudonym ON outreach_tasks(pseudonym);"
    "CREATE TABLE outreach_contacts ("
    " id TEXT PRIMARY KEY,"
    " client_id TEXT NOT NULL,"
    " contact_date TEXT NOT NULL,"
    " channel INTEGER NOT NULL,"
    " agency_code TEXT NOT NULL,"
    " unit_code TEXT NOT NULL,"
    " task_id TEXT NOT NULL DEFAULT '',"
    " create_unix_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX outreach_contacts_by_client ON outreach_contacts(client_id);";

// Migration 9: clients, their needs and consents.
inline constexpr absl::string_view kClientsMigrationSql =
    "CREATE TABLE clients ("
    " id TEXT PRIMARY KEY,"
    " pseudonym TEXT NOT NULL,"
    " unit_code TEXT NOT NULL,"
    " source INTEGER NOT NULL,"
    " source_ref TEXT NOT NULL,"
    " minor INTEGER NOT NULL,"
    " trafficking_victim INTEGER NOT NULL,"
    // Sealed pcmd.referrals.v1.ClientIdentity (context "clients/{id}#identity").
    " identity BLOB NOT NULL,"
    " agency_code TEXT NOT NULL,"
    " needs_assessed_date TEXT NOT NULL DEFAULT '',"
    " create_unix_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE UNIQUE INDEX clients_by_pseudonym ON clients(pseudonym) WHERE pseudonym <> '';"
    "CREATE INDEX clients_by_unit ON clients(unit_code, create_unix_ms);"
    "CREATE TABLE client_needs ("
    " client_id TEXT NOT NULL,"
    " service_type INTEGER NOT NULL,"
    " priority INTEGER NOT NULL,"
    " eligible INTEGER NOT NULL,"
    " PRIMARY KEY (client_id, service_type)) WITHOUT ROWID;"
    "CREATE TABLE consents ("
    " id TEXT PRIMARY KEY,"
    " client_id TEXT NOT NULL,"
    " basis INTEGER NOT NULL,"
    // JSON arrays of enum numbers.
    " provider_kinds TEXT NOT NULL,"
    " service_types TEXT NOT NULL,"
    " shared_fields TEXT NOT NULL,"
    " given_date TEXT NOT NULL,"
    " expire_date TEXT NOT NULL,"
    " legal_basis TEXT NOT NULL,"
    " withdrawn_date TEXT NOT NULL DEFAULT '',"
    " create_unix_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX consents_by_client ON consents(client_id);";

// Migration 10: referrals and the change log their providers watch.
inline constexpr absl::string_view kReferralsMigrationSql =
    "CREATE TABLE referrals ("
    " id TEXT PRIMARY KEY,"
    " client_id TEXT NOT NULL,"
    " provider_id TEXT NOT NULL,"
    " provider_agency TEXT NOT NULL,"
    " service_type INTEGER NOT NULL,"
    " state INTEGER NOT NULL,"
    " consent_id TEXT NOT NULL,"
    " unit_code TEXT NOT NULL,"
    " sender_agency TEXT NOT NULL,"
    // Sealed note (context "referrals/{id}#note"); empty when none.
    " note BLOB NOT NULL,"
    " response_due_date TEXT NOT NULL,"
    " follow_up_date TEXT NOT NULL,"
    " overdue INTEGER NOT NULL DEFAULT 0,"
    // The follow-up date last raised as ReferralOverdue ('' when none), so each date
    // is raised once.
    " follow_up_raised TEXT NOT NULL DEFAULT '',"
    " decline_reason INTEGER NOT NULL DEFAULT 0,"
    " outcome INTEGER NOT NULL DEFAULT 0,"
    " revoke_reason INTEGER NOT NULL DEFAULT 0,"
    " deliveries INTEGER NOT NULL DEFAULT 0,"
    " last_delivery_date TEXT NOT NULL DEFAULT '',"
    " create_unix_ms INTEGER NOT NULL,"
    " respond_unix_ms INTEGER NOT NULL DEFAULT 0,"
    " complete_unix_ms INTEGER NOT NULL DEFAULT 0,"
    " end_unix_ms INTEGER NOT NULL DEFAULT 0,"
    " version INTEGER NOT NULL DEFAULT 1"
    ") WITHOUT ROWID;"
    "CREATE INDEX referrals_by_unit ON referrals(unit_code, create_unix_ms);"
    "CREATE INDEX referrals_by_client ON referrals(client_id);"
    "CREATE INDEX referrals_by_consent ON referrals(consent_id);"
    "CREATE INDEX referrals_by_provider_agency ON referrals(provider_agency, create_unix_ms);"
    "CREATE INDEX referrals_by_state ON referrals(state, response_due_date);"
    "CREATE TABLE referral_changes ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " referral_id TEXT NOT NULL,"
    " provider_agency TEXT NOT NULL,"
    " change TEXT NOT NULL,"
    " state INTEGER NOT NULL,"
    " service_type INTEGER NOT NULL,"
    " unix_ms INTEGER NOT NULL);"
    "CREATE INDEX referral_changes_by_agency ON referral_changes(provider_agency, seq);";

// Migration 11: case management.
inline constexpr absl::string_view kCasesMigrationSql =
    "CREATE TABLE cases ("
    " id TEXT PRIMARY KEY,"
    " client_id TEXT NOT NULL,"
    " unit_code TEXT NOT NULL,"
    " agency_code TEXT NOT NULL,"
    " case_worker TEXT NOT NULL,"
    // Sealed plan text (context "cases/{id}#plan").
    " plan BLOB NOT NULL,"
    " state INTEGER NOT NULL,"
    " next_review_date TEXT NOT NULL DEFAULT '',"
    " reviews INTEGER NOT NULL DEFAULT 0,"
    " last_review_date TEXT NOT NULL DEFAULT '',"
    " close_reason INTEGER NOT NULL DEFAULT 0,"
    " open_unix_ms INTEGER NOT NULL,"
    " close_unix_ms INTEGER NOT NULL DEFAULT 0,"
    " version INTEGER NOT NULL DEFAULT 1"
    ") WITHOUT ROWID;"
    "CREATE UNIQUE INDEX cases_one_open_per_client ON cases(client_id) WHERE state = 1;"
    "CREATE INDEX cases_by_unit ON cases(unit_code, open_unix_ms);"
    "CREATE TABLE case_notes ("
    " id TEXT PRIMARY KEY,"
    " case_id TEXT NOT NULL,"
    // Sealed text (context "cases/{case_id}/notes/{id}").
    " text BLOB NOT NULL,"
    " note_date TEXT NOT NULL,"
    " author TEXT NOT NULL,"
    " create_unix_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX case_notes_by_case ON case_notes(case_id, create_unix_ms);";

// Migration 12: the days a referral's service was delivered, one session per day, so
// that a retried RecordServiceDelivery counts once.
inline constexpr absl::string_view kDeliveriesMigrationSql =
    "CREATE TABLE referral_deliveries ("
    " referral_id TEXT NOT NULL,"
    " delivery_date TEXT NOT NULL,"
    " PRIMARY KEY (referral_id, delivery_date)) WITHOUT ROWID;";

// The referrals database's schema, in order (defined in schema.cc).
std::span<const storage::Migration> ReferralsMigrations();

}  // namespace pcmd::referrals

#endif  // PCMD_SERVICES_REFERRALS_SCHEMA_H_
