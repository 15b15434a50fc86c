#include "services/inspections/risk.h"
