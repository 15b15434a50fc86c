#include "services/inspections/teams.h"
