// SPDX-License-Identifier: Apache-2.0
// `sluice cameras`: the camera API from the command line (add, list, status, remove).

#include "app/cameras_cmd.h"

#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "app/http_client.h"

namespace sluice::app {

const std::string_view kCamerasUsage =
    R"(sluice cameras [--endpoint URL] (add NAME RTSP_URL | list | status NAME | remove NAME)
  --endpoint URL       server (default http://127.0.0.1:8080)
  add options:
    --stream NAME      video stream to ingest into (default: the camera name; created if absent)
    --transport T      tcp (default) or udp
  list options:
    --json             print the server's JSON instead of a table
)";

namespace {

struct CamerasArgs {
  std::string endpoint = "http://127.0.0.1:8080";
  std::vector<std::string> positional;  // verb and its operands
  std::string stream;
  std::string transport;
  bool json = false;
};

int UsageError(std::string_view message) {
  std::cerr << "sluice cameras: " << message << "\n\n" << kCamerasUsage;
  return 2;
}

int Fail(std::string_view message) {
  std::cerr << "sluice cameras: " << message << std::endl;
  return 1;
}

// The server's answer: 0 for 2xx (body in *out), else prints the error and returns 1.
int Call(const CamerasArgs& a, const std::string& method, const std::string& target,
         const std::string& body, nlohmann::json* out) {
  auto ep = ParseEndpoint(a.endpoint);
  if (!ep.ok()) return UsageError(ep.status().message());
  auto r = HttpCall(*ep, method, target, {{"Content-Type", "application/json"}}, body);
  if (!r.ok()) return Fail(r.status().message());
  const auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (r->status / 100 != 2) {
    const std::string message =
        j.is_object() ? j.value("__type", std::string()) + ": " + j.value("message", std::string())
                      : r->body;
    return Fail("server answered " + std::to_string(r->status) + " " + message);
  }
  if (out != nullptr) *out = j;
  return 0;
}

std::string Text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "-";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_float()) {  // epoch seconds -> UTC time
    const std::time_t t = static_cast<std::time_t>(it->get<double>());
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
  }
  return it->dump();
}

void PrintTable(const nlohmann::json& cameras) {
  std::printf("%-20s %-20s %-9s %-10s %-9s %-20s %s\n", "NAME", "STREAM", "CONNECTED", "RECONNECTS",
              "FRAGMENTS", "LAST_FRAGMENT", "URL / LAST_ERROR");
  for (const auto& c : cameras) {
    std::printf("%-20s %-20s %-9s %-10s %-9s %-20s %s\n", Text(c, "Name").c_str(),
                Text(c, "StreamName").c_str(), Text(c, "Connected").c_str(),
                Text(c, "ReconnectCount").c_str(), Text(c, "FragmentCount").c_str(),
                Text(c, "LastFragmentTime").c_str(), Text(c, "Url").c_str());
    if (c.contains("LastError") && !c["LastError"].is_null()) {
      std::printf("%-20s last error: %s\n", "", Text(c, "LastError").c_str());
    }
  }
  std::fflush(stdout);
}

int Dispatch(const CamerasArgs& a) {
  const auto& p = a.positional;
  const std::string verb = p.empty() ? "" : p[0];
  nlohmann::json out;
  if (verb == "add" && p.size() == 3) {
    nlohmann::json body = {{"Name", p[1]}, {"Url", p[2]}};
    if (!a.stream.empty()) body["StreamName"] = a.stream;
    if (!a.transport.empty()) body["Transport"] = a.transport;
    if (int rc = Call(a, "POST", "/cameras", body.dump(), &out); rc != 0) return rc;
    std::cout << "added camera " << p[1] << " -> stream " << Text(out, "StreamName") << std::endl;
    return 0;
  }
  if (verb == "list" && p.size() == 1) {
    if (int rc = Call(a, "GET", "/cameras", "", &out); rc != 0) return rc;
    if (a.json) {
      std::cout << out.dump(2) << std::endl;
    } else {
      PrintTable(out.value("Cameras", nlohmann::json::array()));
    }
    return 0;
  }
  if (verb == "status" && p.size() == 2) {
    if (int rc = Call(a, "GET", "/cameras/status?name=" + p[1], "", &out); rc != 0) return rc;
    std::cout << out.dump(2) << std::endl;
    return 0;
  }
  if (verb == "remove" && p.size() == 2) {
    const nlohmann::json body = {{"Name", p[1]}};
    if (int rc = Call(a, "POST", "/cameras/remove", body.dump(), nullptr); rc != 0) return rc;
    std::cout << "removed camera " << p[1] << std::endl;
    return 0;
  }
  return UsageError(verb.empty() ? "missing verb" : "bad arguments for '" + verb + "'");
}

}  // namespace

int RunCameras(const std::vector<std::string_view>& args) {
  CamerasArgs a;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--help" || arg == "-h") {
      std::cout << kCamerasUsage;
      return 0;
    } else if (arg == "--endpoint" && has_value) {
      a.endpoint = std::string(args[++i]);
    } else if (arg == "--stream" && has_value) {
      a.stream = std::string(args[++i]);
    } else if (arg == "--transport" && has_value) {
      a.transport = std::string(args[++i]);
    } else if (arg == "--json") {
      a.json = true;
    } else if (arg.substr(0, 2) == "--") {
      return UsageError("unknown option '" + std::string(arg) + "'");
    } else {
      a.positional.emplace_back(arg);
    }
  }
  return Dispatch(a);
}

}  // namespace sluice::app
