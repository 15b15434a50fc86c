// The intake database's whole schema, in order: tips and their stages
// (sqlite_tip_store.cc), the change log that WatchTips reads (tip_feed.h), hand-overs
// (sqlite_handover_store.cc), overdue marks (overdue.h), and the shared tables of
// common/ (idempotency, outbox, inbox, audit log, known units). Append only: a
// released migration is never edited.
#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"
#include "services/intake/sqlite_tip_store.h"

namespace pcmd::intake {
namespace {

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
    // Sealed values (crypto::FieldCipher), NULL when not given.
    {7, "sealed tip description and place",
     "ALTER TABLE tips ADD COLUMN description BLOB;"
     "ALTER TABLE tips ADD COLUMN place_address BLOB;"
     "ALTER TABLE tips ADD COLUMN place_coordinates BLOB;"},
    // Role and pseudonym in clear (counts, cross-service recognition); the blind index
    // answers "which tips name this ID number?" without the number; the rest sealed.
    {8, "persons named in tips",
     "CREATE TABLE tip_persons ("
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " position INTEGER NOT NULL,"
     " role INTEGER NOT NULL,"
     " full_name BLOB NOT NULL,"
     " birth_date BLOB,"
     " id_number BLOB,"
     " phone BLOB,"
     " description BLOB,"
     " pseudonym TEXT,"
     " id_number_index TEXT,"
     " PRIMARY KEY (tip_id, position)) WITHOUT ROWID;"
     "CREATE INDEX tip_persons_by_id_number ON tip_persons(id_number_index)"
     " WHERE id_number_index IS NOT NULL;"
     "CREATE INDEX tip_persons_by_pseudonym ON tip_persons(pseudonym)"
     " WHERE pseudonym IS NOT NULL;"},
    {9, "tip attachments",
     "CREATE TABLE tip_attachments ("
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " position INTEGER NOT NULL,"
     " sha256 TEXT NOT NULL,"
     " media_type TEXT NOT NULL,"
     " PRIMARY KEY (tip_id, position)) WITHOUT ROWID;"
     "CREATE INDEX tip_attachments_by_hash ON tip_attachments(sha256);"},
    // The reporter, apart from the tip: one sealed intake.v1.Reporter per tip.
    {10, "reporter vault",
     "CREATE TABLE reporter_vault ("
     " tip_id TEXT PRIMARY KEY REFERENCES tips(id),"
     " reporter BLOB NOT NULL) WITHOUT ROWID;"},
    // Every opening of the vault, for supervisors; append-only like the audit log.
    {11, "reporter reveal log",
     "CREATE TABLE reveal_log ("
     " id TEXT PRIMARY KEY,"
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " agency_code TEXT NOT NULL,"
     " agency_kind TEXT NOT NULL,"
     " end_user TEXT NOT NULL,"
     " purpose TEXT NOT NULL,"
     " reason BLOB NOT NULL,"
     " reveal_unix_ms INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE INDEX reveal_log_by_tip ON reveal_log(tip_id, reveal_unix_ms);"
     "CREATE TRIGGER reveal_log_no_update BEFORE UPDATE ON reveal_log "
     "BEGIN SELECT RAISE(ABORT, 'the reveal log is append-only'); END;"
     "CREATE TRIGGER reveal_log_no_delete BEFORE DELETE ON reveal_log "
     "BEGIN SELECT RAISE(ABORT, 'the reveal log is append-only'); END;"},
    // Stages. The columns that lists and overdue scans filter on are in clear; the
    // rest of the stage data (codes, enums, dates, reference numbers: no personal
    // data) is one serialized intake.v1.Tip holding only its stage fields. Notes that
    // may name people (rejection reasons, resolution notes) are sealed in the history.
    {12, "tip stages",
     "ALTER TABLE tips ADD COLUMN responsible_agency TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN transfer_to_agency TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN legal_deadline TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN stage_deadline TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE tips ADD COLUMN stage BLOB;"
     "CREATE INDEX tips_by_responsible ON tips(responsible_agency, state);"
     "CREATE INDEX tips_by_stage_deadline ON tips(state, stage_deadline);"
     "CREATE TABLE tip_history ("
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " seq INTEGER NOT NULL,"
     " from_state INTEGER NOT NULL,"
     " to_state INTEGER NOT NULL,"
     " agency_code TEXT NOT NULL,"
     " end_user TEXT NOT NULL,"
     " change_unix_ms INTEGER NOT NULL,"
     " note BLOB,"
     " PRIMARY KEY (tip_id, seq)) WITHOUT ROWID;"
     "CREATE TRIGGER tip_history_no_update BEFORE UPDATE ON tip_history "
     "BEGIN SELECT RAISE(ABORT, 'the stage history is append-only'); END;"
     "CREATE TRIGGER tip_history_no_delete BEFORE DELETE ON tip_history "
     "BEGIN SELECT RAISE(ABORT, 'the stage history is append-only'); END;"},
    // Search without opening anything: the description's and address's words, folded
    // (common/text) and keyed (crypto::BlindIndex), one row per distinct word; the
    // folded address keyed whole, for "same address" duplicates. Also the columns that
    // lists and duplicate checks filter on, and the suggestions made at receipt (both
    // directions, so either tip lists the other).
    {13, "tip search and likely duplicates",
     "ALTER TABLE tips ADD COLUMN hotspot TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN responsible_unit TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE tips ADD COLUMN address_index TEXT;"
     "CREATE INDEX tips_by_receive ON tips(receive_unix_ms);"
     "CREATE INDEX tips_by_establishment ON tips(establishment, receive_unix_ms)"
     " WHERE establishment != '';"
     "CREATE INDEX tips_by_hotspot ON tips(hotspot, receive_unix_ms) WHERE hotspot != '';"
     "CREATE INDEX tips_by_address ON tips(address_index, receive_unix_ms)"
     " WHERE address_index IS NOT NULL;"
     "CREATE INDEX tips_by_legal_deadline ON tips(state, legal_deadline);"
     "CREATE TABLE tip_terms ("
     " term TEXT NOT NULL,"
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " PRIMARY KEY (term, tip_id)) WITHOUT ROWID;"
     "CREATE TABLE tip_likely_duplicates ("
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " other_tip_id TEXT NOT NULL REFERENCES tips(id),"
     " reasons TEXT NOT NULL,"
     " PRIMARY KEY (tip_id, other_tip_id)) WITHOUT ROWID;"},
    // What WatchTips streams (tip_feed.h): one row per change, no personal data, and
    // who it concerns ("agency:<code>", "unit:<code>" for escalations).
    {14, "tip change log",
     "CREATE TABLE tip_changes ("
     " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
     " tip_id TEXT NOT NULL,"
     " change TEXT NOT NULL,"
     " state INTEGER NOT NULL,"
     " unit_code TEXT NOT NULL,"
     " responsible_agency TEXT NOT NULL,"
     " responsible_unit TEXT NOT NULL,"
     " transfer_to_agency TEXT NOT NULL,"
     " escalated_to_unit TEXT NOT NULL,"
     " change_unix_ms INTEGER NOT NULL);"
     "CREATE INDEX tip_changes_by_time ON tip_changes(change_unix_ms);"
     "CREATE TABLE tip_change_parties ("
     " party TEXT NOT NULL,"
     " seq INTEGER NOT NULL,"
     " PRIMARY KEY (party, seq)) WITHOUT ROWID;"},
    // Hand-overs of people found selling sex, from the police to social affairs
    // (handovers.h): like tip_persons, flags and pseudonym in clear, the rest sealed.
    {15, "hand-overs",
     "CREATE TABLE handovers ("
     " id TEXT PRIMARY KEY,"
     " unit_code TEXT NOT NULL,"
     " tip_id TEXT NOT NULL DEFAULT '',"
     " found_date TEXT NOT NULL,"
     " from_agency TEXT NOT NULL,"
     " create_unix_ms INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE INDEX handovers_by_unit ON handovers(unit_code, create_unix_ms);"
     "CREATE TABLE handover_persons ("
     " handover_id TEXT NOT NULL REFERENCES handovers(id),"
     " position INTEGER NOT NULL,"
     " full_name BLOB NOT NULL,"
     " birth_date BLOB,"
     " id_number BLOB,"
     " phone BLOB,"
     " needs BLOB,"
     " minor INTEGER NOT NULL,"
     " trafficking_victim INTEGER NOT NULL,"
     " pseudonym TEXT,"
     " id_number_index TEXT,"
     " PRIMARY KEY (handover_id, position)) WITHOUT ROWID;"
     "CREATE INDEX handover_persons_by_pseudonym ON handover_persons(pseudonym)"
     " WHERE pseudonym IS NOT NULL;"},
    // Each deadline raised as passed (overdue.h), once: a new deadline set by an
    // extension is a new row.
    {16, "overdue marks",
     "CREATE TABLE tip_overdue ("
     " tip_id TEXT NOT NULL REFERENCES tips(id),"
     " clock TEXT NOT NULL,"
     " deadline TEXT NOT NULL,"
     " escalated_to_unit TEXT NOT NULL,"
     " raise_unix_ms INTEGER NOT NULL,"
     " PRIMARY KEY (tip_id, clock, deadline)) WITHOUT ROWID;"},
};

}  // namespace

std::span<const storage::Migration> IntakeMigrations() { return kMigrations; }

}  // namespace pcmd::intake
