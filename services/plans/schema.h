// The plans database's schema: the directory, plans, hotspots, activities, reports and
// the counters progress is read from.
#ifndef PCMD_SERVICES_PLANS_SCHEMA_H_
#define PCMD_SERVICES_PLANS_SCHEMA_H_

#include <span>

#include "common/storage/sqlite_database.h"

namespace pcmd::plans {

// The plans database's migrations, in order.
std::span<const storage::Migration> PlansMigrations();

}  // namespace pcmd::plans

#endif  // PCMD_SERVICES_PLANS_SCHEMA_H_
