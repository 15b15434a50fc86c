#include "services/inspections/schedule.h"
