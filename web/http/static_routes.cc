// SPDX-License-Identifier: Apache-2.0
// The player page and hls.js as static files: folder lookup, safe name resolution, content types
// and the GET handlers that read a file per request.

#include "web/http/static_routes.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice::web {
namespace {

namespace fs = std::filesystem;

// The vendor files served; hls.min.js names its source map, which devtools then asks for.
constexpr std::array<std::string_view, 2> kVendorFiles = {"hls.min.js", "hls.min.js.map"};
// How far up from the executable's folder DefaultStaticRoutes looks for web/static.
constexpr int kSearchDepth = 4;

bool IsFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

// True when `inner` (canonical) lies inside `outer` (canonical).
bool Contains(const fs::path& outer, const fs::path& inner) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *o != *i) return false;
  }
  return i != inner.end();
}

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return InternalError("cannot read " + path.string());
  return std::move(out).str();
}

// Answers GET for the file `name` in `folder`, looked up again on every request.
HttpHandler FileHandler(fs::path folder, std::string name) {
  return
      [folder = std::move(folder), name = std::move(name)](HttpRequest request, HttpReply reply) {
        Result<fs::path> path = ResolveStaticFile(folder, name);
        Result<std::string> body =
            path.ok() ? ReadWholeFile(*path) : Result<std::string>(path.status());
        if (!body.ok()) {
          reply(JsonErrorResponse(404, "NotFoundException", "No file for " + request.path));
          return;
        }
        HttpResponse response;
        response.body = std::move(*body);
        response.SetHeader("Content-Type", std::string(StaticContentType(name)));
        // Revalidate on every load: a page or hls.js updated on the server shows at once.
        response.SetHeader("Cache-Control", "no-cache");
        response.SetHeader("X-Content-Type-Options", "nosniff");
        reply(std::move(response));
      };
}

// Plain file names directly inside `folder` that ResolveStaticFile accepts, sorted.
std::vector<std::string> ListFiles(const fs::path& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    std::string name = entry.path().filename().string();
    if (ResolveStaticFile(folder, name).ok()) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string EnvOr(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

fs::path ExecutableFolder(std::string_view exe_path) {
  std::error_code ec;
  fs::path exe(exe_path);
  if (exe_path.empty() || exe_path == "/proc/self/exe") {
    exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
  }
  fs::path canonical = fs::weakly_canonical(fs::absolute(exe, ec), ec);
  return ec ? fs::path() : canonical.parent_path();
}

}  // namespace

Result<fs::path> ResolveStaticFile(const fs::path& folder, std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.front() == '.') {
    return InvalidArgumentError("not a plain file name");
  }
  for (const char c : name) {
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgumentError("not a plain file name");
    }
  }
  std::error_code ec;
  const fs::path base = fs::canonical(folder, ec);
  if (ec) return NotFoundError("no folder " + folder.string());
  const fs::path file = fs::canonical(base / fs::path(std::string(name)), ec);
  if (ec || !Contains(base, file) || !IsFile(file)) {
    return NotFoundError("no file " + std::string(name));
  }
  return file;
}

std::string_view StaticContentType(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (file_name.size() > extension.size() && file_name.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

void AddStaticRoutes(Router& router, const StaticRoutesOptions& options) {
  if (!options.root.empty()) {
    const fs::path player = fs::path(options.root) / "player";
    const std::vector<std::string> files = ListFiles(player);
    if (std::find(files.begin(), files.end(), "index.html") != files.end()) {
      router.Add("GET", "/player/", {.name = "player"}, FileHandler(player, "index.html"));
      router.Add("GET", "/player", {.name = "player"}, [](HttpRequest request, HttpReply reply) {
        HttpResponse response;
        response.status = 301;
        response.SetHeader("Location",
                           request.query.empty() ? "/player/" : "/player/?" + request.query);
        reply(std::move(response));
      });
    }
    for (const std::string& name : files) {
      router.Add("GET", "/player/" + name, {.name = "player"}, FileHandler(player, name));
    }
  }
  if (!options.vendor.empty()) {
    for (const std::string_view name : kVendorFiles) {
      router.Add("GET", "/vendor/" + std::string(name), {.name = "vendor"},
                 FileHandler(options.vendor, std::string(name)));
    }
  }
}

StaticRoutesOptions DefaultStaticRoutes(std::string_view exe_path, std::string_view root_override) {
  StaticRoutesOptions options;
  fs::path root(root_override.empty() ? EnvOr("SLUICE_STATIC_DIR") : std::string(root_override));
  if (root.empty()) {
    fs::path dir = ExecutableFolder(exe_path);
    for (int up = 0; up <= kSearchDepth && !dir.empty(); ++up) {
      if (IsFile(dir / "web" / "static" / "player" / "index.html")) {
        root = dir / "web" / "static";
        break;
      }
      if (dir == dir.parent_path()) break;
      dir = dir.parent_path();
    }
  }
  if (root.empty()) return options;
  if (!root.has_filename()) root = root.parent_path();  // "web/static/"
  options.root = root.string();
  // The build's copy, unless only `npm ci` ran (hls.js is then in node_modules). A missing file
  // is read per request, so a server started before the build copied it serves it once there.
  options.vendor = (root / "vendor").string();
  const fs::path npm = root.parent_path() / "node_modules" / "hls.js" / "dist";
  if (!IsFile(root / "vendor" / "hls.min.js") && IsFile(npm / "hls.min.js")) {
    options.vendor = npm.string();
  }
  return options;
}

}  // namespace sluice::web
