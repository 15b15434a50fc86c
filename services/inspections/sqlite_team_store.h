// TeamStore on SQLite. (To be written.)
#ifndef PCMD_SERVICES_INSPECTIONS_SQLITE_TEAM_STORE_H_
#define PCMD_SERVICES_INSPECTIONS_SQLITE_TEAM_STORE_H_

#include "services/inspections/team_store.h"

#endif  // PCMD_SERVICES_INSPECTIONS_SQLITE_TEAM_STORE_H_
