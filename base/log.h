// SPDX-License-Identifier: Apache-2.0
// Structured logging: one line per event, `ts=... level=... component=... msg="..." key=value...`
// on stderr (logfmt, greppable and machine-readable). Thread-safe. Example:
//   LOG_INFO("engine", "recovered shard", {{"stream", name}, {"shard", 3}, {"truncated", n}});
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };

// A key and an already-formatted value; integers and strings convert implicitly.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <typename T>
    requires std::is_arithmetic_v<T>
  Field(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
  std::string_view key;
  std::string value;
};

// The level starts from SLUICE_LOG_LEVEL (debug|info|warn|error; default info), read once.
void SetLevel(Level level);
bool Enabled(Level level);
// Sends every line (without its trailing newline) to sink instead of stderr; an empty function
// restores stderr. For tests that check what was logged.
void SetSink(std::function<void(std::string_view line)> sink);
void Write(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields = {});

}  // namespace sluice::log

#define SLUICE_LOG(level, component, msg, ...)                              \
  do {                                                                      \
    if (::sluice::log::Enabled(level))                                      \
      ::sluice::log::Write(level, component, msg __VA_OPT__(, ) __VA_ARGS__); \
  } while (0)
#define LOG_DEBUG(component, msg, ...) \
  SLUICE_LOG(::sluice::log::Level::kDebug, component, msg __VA_OPT__(, ) __VA_ARGS__)
#define LOG_INFO(component, msg, ...) \
  SLUICE_LOG(::sluice::log::Level::kInfo, component, msg __VA_OPT__(, ) __VA_ARGS__)
#define LOG_WARN(component, msg, ...) \
  SLUICE_LOG(::sluice::log::Level::kWarn, component, msg __VA_OPT__(, ) __VA_ARGS__)
#define LOG_ERROR(component, msg, ...) \
  SLUICE_LOG(::sluice::log::Level::kError, component, msg __VA_OPT__(, ) __VA_ARGS__)
