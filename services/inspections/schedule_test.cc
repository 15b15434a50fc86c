#include "services/inspections/schedule.h"

#include "gtest/gtest.h"
