#include "services/inspections/sqlite_team_store.h"
