#include "services/inspections/risk.h"

#include "gtest/gtest.h"
