#include "services/inspections/legal.h"
