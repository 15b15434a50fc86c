#include "services/referrals/schema.h"

#include "common/audit/audit_log.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/storage/idempotency.h"
#include "common/units/units.h"

namespace pcmd::referrals {
namespace {

constexpr storage::Migration kMigrations[] = {
    {1, "idempotency keys", storage::kIdempotencyMigrationSql},
    {2, "providers", kProvidersMigrationSql},
    {3, "event outbox", events::kOutboxMigrationSql},
    {4, "audit log", audit::kAuditMigrationSql},
    {5, "known units", units::kUnitsMigrationSql},
    {6, "event inbox", events::kInboxMigrationSql},
    {7, "provider agency, contact and search", kProvidersV2MigrationSql},
    {8, "outreach tasks and contacts", kOutreachMigrationSql},
    {9, "clients, needs and consents", kClientsMigrationSql},
    {10, "referrals and their change log", kReferralsMigrationSql},
    {11, "cases", kCasesMigrationSql},
    {12, "delivery days", kDeliveriesMigrationSql},
};

}  // namespace

std::span<const storage::Migration> ReferralsMigrations() { return kMigrations; }

}  // namespace pcmd::referrals
