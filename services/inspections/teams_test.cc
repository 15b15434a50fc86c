#include "services/inspections/teams.h"

#include "gtest/gtest.h"
