// SPDX-License-Identifier: Apache-2.0
// Static files for browsers: the player page (GET /player/ and /player/<file>, web/static/player/)
// and hls.js (GET /vendor/hls.min.js and its source map). Only plain files directly inside the two
// folders are served; anything else is the router's 404.
//
// How the server finds the folders (app/serve.cc, after BuildSluiceRouter):
//   web::AddStaticRoutes(*router, web::DefaultStaticRoutes("/proc/self/exe", config.static_dir));
// DefaultStaticRoutes(exe_path, root_override) picks `root` (the folder holding player/) from, in
// order: `root_override` (e.g. a `serve --static-dir DIR` flag; empty: none), $SLUICE_STATIC_DIR,
// then <dir>/web/static for <dir> = the executable's folder and each of its parents, the first
// holding player/index.html (build/sluice or build-x/sluice -> <repo>/web/static). `vendor` is
// <root>/vendor (the build copies hls.min.js there from npm's hls.js, see
// web/static/CMakeLists.txt) unless only <root>/../node_modules/hls.js/dist holds hls.min.js.
// An empty field means "not found": AddStaticRoutes then leaves those routes out.
//
// The player's file names are listed once, when the routes are added (the router matches exact
// paths); contents are read at request time, so an edited page shows on reload.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"
#include "web/http/router.h"

namespace sluice::web {

struct StaticRoutesOptions {
  std::string root;    // folder holding player/ (index.html, player.js, player.css); "" = none
  std::string vendor;  // folder holding hls.min.js; "" = none
};

// GET /player (301 to /player/ keeping the query), /player/ (index.html), /player/<file> for each
// plain file in <root>/player, /vendor/hls.min.js and /vendor/hls.min.js.map.
void AddStaticRoutes(Router& router, const StaticRoutesOptions& options);

// Locates the folders as described above. `exe_path` is the server binary ("/proc/self/exe" is
// resolved; argv[0] works when it names a path).
StaticRoutesOptions DefaultStaticRoutes(std::string_view exe_path,
                                        std::string_view root_override = {});

// The file `name` inside `folder`. InvalidArgument unless `name` is one plain file name (no '/',
// '\\', NUL or control characters, not ".", "..", not hidden, not absolute); NotFound unless a
// regular file of that name is inside `folder`, also after resolving symlinks.
Result<std::filesystem::path> ResolveStaticFile(const std::filesystem::path& folder,
                                                std::string_view name);

// Content-Type by extension: text/html, text/javascript, text/css (utf-8), application/json for
// .json/.map, image types; application/octet-stream otherwise.
std::string_view StaticContentType(std::string_view file_name);

}  // namespace sluice::web
