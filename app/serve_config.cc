// SPDX-License-Identifier: Apache-2.0
// `sluice serve` flag and config-file parsing.

#include "app/serve_config.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sluice::app {
namespace {

using json = nlohmann::json;

template <typename Int>
Result<Int> ParseCount(std::string_view text, std::string_view what, Int min) {
  Int value{};
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || value < min) {
    return InvalidArgumentError(std::string(what) + ": expected an integer >= " +
                                std::to_string(min) + ", got '" + std::string(text) + "'");
  }
  return value;
}

// Sets one config key from its text form (shared by flags and the JSON file).
Status SetKey(std::string_view key, std::string_view value, std::string_view origin,
              ServeConfig* config) {
  const std::string what = std::string(origin) + std::string(key);
  if (key == "listen") {
    config->listen = std::string(value);
  } else if (key == "data") {
    if (value.empty()) return InvalidArgumentError(what + ": must not be empty");
    config->data_dir = std::string(value);
  } else if (key == "log_level") {
    ASSIGN_OR_RETURN(config->log_level, ParseLogLevel(value));
  } else if (key == "default_fsync_policy") {
    auto policy = engine::FsyncPolicy::Parse(value);
    if (!policy.ok()) {
      return InvalidArgumentError(what + ": " + policy.status().message() +
                                  " (want always, never or interval:<ms>)");
    }
    config->default_fsync_policy = *policy;
  } else if (key == "shard_limit") {
    ASSIGN_OR_RETURN(config->shard_limit, ParseCount<uint32_t>(value, what, 1));
  } else if (key == "segment_bytes") {
    ASSIGN_OR_RETURN(config->segment_bytes, ParseCount<uint64_t>(value, what, 4096));
  } else if (key == "sync_threads") {
    ASSIGN_OR_RETURN(config->sync_threads, ParseCount<int>(value, what, 1));
  } else if (key == "demo") {
    if (value != "true" && value != "false") return InvalidArgumentError(what + ": want true or false");
    config->demo = value == "true";
  } else if (key == "iterator_ttl_ms") {
    ASSIGN_OR_RETURN(config->iterator_ttl_ms, ParseCount<int64_t>(value, what, 1));
  } else {
    return InvalidArgumentError(std::string(origin) + "unknown setting '" + std::string(key) + "'");
  }
  return OkStatus();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgumentError("cannot read config file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<log::Level> ParseLogLevel(std::string_view text) {
  if (text == "debug") return log::Level::kDebug;
  if (text == "info") return log::Level::kInfo;
  if (text == "warn") return log::Level::kWarn;
  if (text == "error") return log::Level::kError;
  return InvalidArgumentError("log level must be debug, info, warn or error, not '" +
                              std::string(text) + "'");
}

Status ApplyConfigJson(std::string_view text, std::string_view origin, ServeConfig* config) {
  const json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError(std::string(origin) + ": not a JSON object");
  }
  const std::string where = std::string(origin) + ": ";
  for (const auto& [key, value] : doc.items()) {
    std::string as_text;
    if (value.is_string()) {
      as_text = value.get<std::string>();
    } else if (value.is_boolean()) {
      as_text = value.get<bool>() ? "true" : "false";
    } else if (value.is_number_integer()) {
      as_text = value.dump();
    } else {
      return InvalidArgumentError(where + key + ": expected a string or an integer");
    }
    RETURN_IF_ERROR(SetKey(key, as_text, where, config));
  }
  return OkStatus();
}

Result<ServeConfig> ParseServeArgs(const std::vector<std::string_view>& args) {
  // Flags as key/value pairs in order; the config file is applied first, then these.
  std::vector<std::pair<std::string, std::string>> flags;
  std::optional<std::string> config_path;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      return InvalidArgumentError("unexpected argument '" + std::string(arg) + "'");
    }
    std::string name(arg.substr(2));
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name == "demo") {  // the one flag without a value
      flags.emplace_back("demo", "true");
      continue;
    }
    static constexpr std::string_view kKnown[] = {"listen", "data", "config", "log-level",
                                                  "iterator-ttl-ms", "default-fsync-policy"};
    if (std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown)) {
      return InvalidArgumentError("unknown flag --" + name);
    }
    if (!value) {
      if (i + 1 >= args.size()) return InvalidArgumentError("flag --" + name + " needs a value");
      value = std::string(args[++i]);
    }
    if (name == "config") {
      config_path = *value;
    } else {
      std::replace(name.begin(), name.end(), '-', '_');
      flags.emplace_back(name, *value);
    }
  }
  ServeConfig config;
  if (config_path) {
    ASSIGN_OR_RETURN(const std::string text, ReadFile(*config_path));
    RETURN_IF_ERROR(ApplyConfigJson(text, *config_path, &config));
  }
  for (const auto& [key, value] : flags) RETURN_IF_ERROR(SetKey(key, value, "--", &config));
  return config;
}

}  // namespace sluice::app
