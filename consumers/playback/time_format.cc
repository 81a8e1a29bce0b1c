// SPDX-License-Identifier: Apache-2.0
// IsoTime, Seconds3, DashDuration: civil dates from day counts (proleptic Gregorian), no libc
// time zone state involved.
#include "consumers/playback/time_format.h"

#include <cstdio>

namespace sluice::consumers::playback {
namespace {

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

// Days since 1970-01-01 -> year/month/day (H. Hinnant's civil_from_days).
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

std::string IsoTime(TimestampMs t) {
  const int64_t ms = t.value();
  const int64_t days = FloorDiv(ms, 86'400'000);
  const int64_t in_day = ms - days * 86'400'000;
  const Civil c = CivilFromDays(days);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(c.year), c.month, c.day,
                static_cast<long long>(in_day / 3'600'000),
                static_cast<long long>(in_day / 60'000 % 60),
                static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
  return buf;
}

std::string Seconds3(int64_t ms) {
  const bool negative = ms < 0;
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%llu.%03llu", negative ? "-" : "",
                static_cast<unsigned long long>(abs / 1000),
                static_cast<unsigned long long>(abs % 1000));
  return buf;
}

std::string DashDuration(int64_t ms) { return "PT" + Seconds3(ms < 0 ? 0 : ms) + "S"; }

}  // namespace sluice::consumers::playback
