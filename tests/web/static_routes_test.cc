// SPDX-License-Identifier: Apache-2.0
// Static routes on a real folder tree: the player's files and hls.js with their content types,
// the /player redirect, traversal and hidden/symlinked files refused, files read per request, and
// how DefaultStaticRoutes finds web/static and hls.js from an executable's path.

#include "web/http/static_routes.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "tests/support/temp_dir.h"

namespace sluice::web {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string HeaderOf(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (!HeaderNameLess()(key, name) && !HeaderNameLess()(name, key)) return value;
  }
  return {};
}

HttpResponse Call(const Router& router, std::string path, std::string query = {},
                  std::string method = "GET") {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.query = std::move(query);
  std::optional<HttpResponse> answer;
  router.Dispatch(std::move(request), [&](HttpResponse r) { answer = std::move(r); });
  EXPECT_TRUE(answer.has_value());
  return answer.value_or(HttpResponse{});
}

// A web/static-like tree: player/{index.html,player.js,player.css}, a hidden file, a subfolder,
// a symlink leaving the folder, vendor/hls.min.js, and a secret beside them.
class StaticRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(dir_.path()) / "static";
    WriteFile(root_ / "player" / "index.html", "<!DOCTYPE html><title>player</title>");
    WriteFile(root_ / "player" / "player.js", "console.log('hi');");
    WriteFile(root_ / "player" / "player.css", "body{}");
    WriteFile(root_ / "player" / ".hidden", "HIDDEN CONTENT");
    WriteFile(root_ / "player" / "sub" / "inner.js", "INNER CONTENT");
    WriteFile(root_ / "vendor" / "hls.min.js", "var Hls;");
    WriteFile(root_ / "vendor" / "other.js", "OTHER CONTENT");
    WriteFile(root_ / "secret.txt", "SECRET CONTENT");
    fs::create_symlink(root_ / "secret.txt", root_ / "player" / "link.txt");
    AddStaticRoutes(router_, {.root = root_.string(), .vendor = (root_ / "vendor").string()});
  }

  HttpResponse Get(std::string path, std::string query = {}, std::string method = "GET") {
    return Call(router_, std::move(path), std::move(query), std::move(method));
  }

  testing::TempDir dir_;
  fs::path root_;
  Router router_;
};

TEST_F(StaticRoutesTest, ServesThePlayerWithContentTypes) {
  HttpResponse page = Get("/player/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!DOCTYPE html><title>player</title>");
  EXPECT_EQ(HeaderOf(page, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(page, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(page, "Access-Control-Allow-Origin"), "*");

  EXPECT_EQ(Get("/player/index.html").body, page.body);
  HttpResponse js = Get("/player/player.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log('hi');");
  EXPECT_EQ(HeaderOf(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(Get("/player/player.css"), "Content-Type"), "text/css; charset=utf-8");

  HttpResponse hls = Get("/vendor/hls.min.js");
  EXPECT_EQ(hls.status, 200);
  EXPECT_EQ(hls.body, "var Hls;");
  EXPECT_EQ(HeaderOf(hls, "Content-Type"), "text/javascript; charset=utf-8");
}

TEST_F(StaticRoutesTest, HeadAnswersLikeGet) {
  HttpResponse head = Get("/player/player.js", {}, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(HeaderOf(head, "Content-Type"), "text/javascript; charset=utf-8");
}

TEST_F(StaticRoutesTest, RedirectsToTheFolderKeepingTheQuery) {
  HttpResponse bare = Get("/player", "stream=cam&mode=LIVE");
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(HeaderOf(bare, "Location"), "/player/?stream=cam&mode=LIVE");
  EXPECT_EQ(HeaderOf(Get("/player"), "Location"), "/player/");
}

TEST_F(StaticRoutesTest, RefusesTraversalHiddenNestedAndSymlinkedFiles) {
  for (const char* path :
       {"/player/../secret.txt", "/player/..%2fsecret.txt", "/player/%2e%2e/secret.txt",
        "/player//etc/passwd", "/player/.hidden", "/player/sub/inner.js", "/player/sub",
        "/player/link.txt", "/player/missing.js", "/vendor/other.js", "/vendor/../secret.txt",
        "/secret.txt", "/vendor/", "/player/./index.html"}) {
    HttpResponse r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json") << path;  // the JSON 404
    EXPECT_EQ(r.body.find("CONTENT"), std::string::npos) << path;
  }
}

TEST_F(StaticRoutesTest, ReadsFilesAtRequestTime) {
  WriteFile(root_ / "player" / "player.js", "edited();");
  EXPECT_EQ(Get("/player/player.js").body, "edited();");
  fs::remove(root_ / "player" / "player.js");
  EXPECT_EQ(Get("/player/player.js").status, 404);
  // A source map that appears later (the build copies it) is served without a restart.
  EXPECT_EQ(Get("/vendor/hls.min.js.map").status, 404);
  WriteFile(root_ / "vendor" / "hls.min.js.map", "{}");
  HttpResponse map = Get("/vendor/hls.min.js.map");
  EXPECT_EQ(map.status, 200);
  EXPECT_EQ(HeaderOf(map, "Content-Type"), "application/json");
}

TEST_F(StaticRoutesTest, ResolveStaticFileAcceptsOnlyPlainNamesInside) {
  const fs::path player = root_ / "player";
  for (const char* name :
       {"", ".", "..", "../secret.txt", "/etc/passwd", "sub/inner.js", "a\\b", ".hidden", "x\ny"}) {
    Result<fs::path> r = ResolveStaticFile(player, name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(ResolveStaticFile(player, std::string("a\0b", 3)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveStaticFile(player, "missing.js").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveStaticFile(player, "sub").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveStaticFile(player, "link.txt").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveStaticFile(root_ / "nowhere", "index.html").status().code(),
            StatusCode::kNotFound);

  // A symlink to a file inside the folder is fine.
  fs::create_symlink(player / "player.js", player / "alias.js");
  Result<fs::path> alias = ResolveStaticFile(player, "alias.js");
  ASSERT_TRUE(alias.ok());
  EXPECT_EQ(*alias, fs::canonical(player / "player.js"));
}

TEST(StaticContentTypeTest, ByExtension) {
  EXPECT_EQ(StaticContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticContentType("hls.min.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticContentType("player.css"), "text/css; charset=utf-8");
  EXPECT_EQ(StaticContentType("hls.min.js.map"), "application/json");
  EXPECT_EQ(StaticContentType("logo.svg"), "image/svg+xml");
  EXPECT_EQ(StaticContentType("shot.png"), "image/png");
  EXPECT_EQ(StaticContentType("blob"), "application/octet-stream");
  EXPECT_EQ(StaticContentType(".js"), "application/octet-stream");
}

TEST(DefaultStaticRoutesTest, FindsTheTreeFromTheExecutable) {
  testing::TempDir dir;
  const fs::path repo = fs::canonical(dir.path());
  WriteFile(repo / "web" / "static" / "player" / "index.html", "page");
  WriteFile(repo / "web" / "node_modules" / "hls.js" / "dist" / "hls.min.js", "npm");
  WriteFile(repo / "build" / "sluice", "binary");

  // Only npm ran: hls.js straight from node_modules.
  StaticRoutesOptions found = DefaultStaticRoutes((repo / "build" / "sluice").string());
  EXPECT_EQ(found.root, (repo / "web" / "static").string());
  EXPECT_EQ(found.vendor, (repo / "web" / "node_modules" / "hls.js" / "dist").string());

  // The build copied it into web/static/vendor: that copy wins.
  WriteFile(repo / "web" / "static" / "vendor" / "hls.min.js", "copy");
  found = DefaultStaticRoutes((repo / "build" / "sluice").string());
  EXPECT_EQ(found.vendor, (repo / "web" / "static" / "vendor").string());

  // An explicit folder wins over the search, then $SLUICE_STATIC_DIR.
  const fs::path other = repo / "elsewhere";
  WriteFile(other / "player" / "index.html", "other");
  found = DefaultStaticRoutes((repo / "build" / "sluice").string(), other.string() + "/");
  EXPECT_EQ(found.root, other.string());
  EXPECT_EQ(found.vendor, (other / "vendor").string());
  ASSERT_EQ(setenv("SLUICE_STATIC_DIR", other.c_str(), 1), 0);
  found = DefaultStaticRoutes((repo / "build" / "sluice").string());
  unsetenv("SLUICE_STATIC_DIR");
  EXPECT_EQ(found.root, other.string());

  // No tree above the executable: nothing to serve, and no routes are added.
  WriteFile(repo / "lonely" / "bin" / "sluice", "binary");
  fs::remove_all(repo / "web");
  found = DefaultStaticRoutes((repo / "lonely" / "bin" / "sluice").string());
  EXPECT_TRUE(found.root.empty());
  EXPECT_TRUE(found.vendor.empty());
  Router router;
  AddStaticRoutes(router, found);
  EXPECT_EQ(Call(router, "/player/").status, 404);
  EXPECT_EQ(Call(router, "/vendor/hls.min.js").status, 404);
}

}  // namespace
}  // namespace sluice::web
