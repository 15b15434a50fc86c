// The Vietnamese calendar day: deadlines, due dates and "not in the future" checks are
// all counted in Vietnam time (UTC+7, no daylight saving), whatever the server's zone.
// Pure functions: thread-safe.
#ifndef PCMD_COMMON_IDS_CALENDAR_H_
#define PCMD_COMMON_IDS_CALENDAR_H_

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace pcmd {

// UTC+7.
absl::TimeZone VietnamTime();
// The day `t` falls on in Vietnam.
absl::CivilDay VietnamDay(absl::Time t);
// "2024-06-23".
std::string IsoDate(absl::CivilDay day);

}  // namespace pcmd

#endif  // PCMD_COMMON_IDS_CALENDAR_H_
