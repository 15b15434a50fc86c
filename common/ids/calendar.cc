#include "common/ids/calendar.h"

namespace pcmd {

absl::TimeZone VietnamTime() { return absl::FixedTimeZone(7 * 3600); }

absl::CivilDay VietnamDay(absl::Time t) { return absl::ToCivilDay(t, VietnamTime()); }

std::string IsoDate(absl::CivilDay day) { return absl::FormatCivilTime(day); }

}  // namespace pcmd
