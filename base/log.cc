// SPDX-License-Identifier: Apache-2.0
// logfmt lines on stderr: `ts=2024-05-01T12:00:00.123Z level=info component=engine msg="..." k=v`.
// Values are quoted when they hold spaces, quotes, '=' or control characters, or are empty. One
// mutex keeps lines whole when many threads log at once.
#include "base/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace sluice::log {
namespace {

Level LevelFromEnv() {
  const char* v = std::getenv("SLUICE_LOG_LEVEL");
  if (v == nullptr) return Level::kInfo;
  std::string_view s = v;
  if (s == "debug") return Level::kDebug;
  if (s == "warn" || s == "warning") return Level::kWarn;
  if (s == "error") return Level::kError;
  return Level::kInfo;
}

std::atomic<int>& CurrentLevel() {
  static std::atomic<int> level{static_cast<int>(LevelFromEnv())};
  return level;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

struct Output {
  std::mutex mu;
  std::function<void(std::string_view)> sink;  // guarded by mu; empty means stderr
};

Output& GetOutput() {
  static Output* out = new Output();  // never destroyed: logging works during static teardown
  return *out;
}

// RFC 3339, UTC, millisecond precision: 2024-05-01T12:00:00.123Z
void AppendTimestamp(std::string* out) {
  auto now = std::chrono::system_clock::now();
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[80];  // room for any int values, so the compiler can prove no truncation
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  out->append(buf);
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

void AppendQuoted(std::string* out, std::string_view v) {
  out->push_back('"');
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendPair(std::string* out, std::string_view key, std::string_view value) {
  out->push_back(' ');
  out->append(key);
  out->push_back('=');
  if (NeedsQuotes(value)) {
    AppendQuoted(out, value);
  } else {
    out->append(value);
  }
}

}  // namespace

void SetLevel(Level level) { CurrentLevel().store(static_cast<int>(level)); }

bool Enabled(Level level) {
  return static_cast<int>(level) >= CurrentLevel().load(std::memory_order_relaxed);
}

void SetSink(std::function<void(std::string_view line)> sink) {
  Output& out = GetOutput();
  std::lock_guard<std::mutex> lock(out.mu);
  out.sink = std::move(sink);
}

void Write(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields) {
  std::string line = "ts=";
  line.reserve(128);
  AppendTimestamp(&line);
  AppendPair(&line, "level", LevelName(level));
  AppendPair(&line, "component", component);
  line.append(" msg=");
  AppendQuoted(&line, msg);
  for (const Field& f : fields) AppendPair(&line, f.key, f.value);

  Output& out = GetOutput();
  std::lock_guard<std::mutex> lock(out.mu);
  if (out.sink) {
    out.sink(line);
    return;
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace sluice::log
