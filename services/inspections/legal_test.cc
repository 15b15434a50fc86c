#include "services/inspections/legal.h"

#include "gtest/gtest.h"
