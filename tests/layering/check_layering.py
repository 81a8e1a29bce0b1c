#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Layering check: every project #include must follow the one-way module table in README.md
# (a module includes only modules below it). Also pins third-party headers to their modules:
# Boost/Asio/Beast to web/http, app/ and consumers/deliver/ (HTTP delivery, gzip), gtest to
# tests/. Exits 1 listing each violation.
import os
import re
import sys

ALLOWED = {
    "base": {"base"},
    "media": {"base", "media"},
    "index": {"base", "index"},
    "engine": {"base", "index", "engine"},
    "ingest": {"base", "media", "engine", "index", "ingest"},
    "consumers": {"base", "media", "engine", "index", "ingest", "consumers"},
    "web": {"base", "media", "engine", "index", "ingest", "consumers", "web"},
    "app": {"base", "media", "engine", "index", "ingest", "consumers", "web", "app"},
    "bench": {"base", "media", "engine", "index", "ingest", "consumers", "web", "bench"},
}
# Third-party include prefixes and the folders (path prefixes) allowed to use them.
PINNED = {
    "boost/": ("web/http/", "app/", "bench/", "consumers/deliver/"),
    "gtest/": ("tests/",),
    "gmock/": ("tests/",),
    "opencv2/": ("consumers/face_detect/",),
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def check(root):
    errors = []
    for module in ALLOWED:
        top = os.path.join(root, module)
        for dirpath, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if not d.startswith('.') and d != 'node_modules']
            for name in files:
                if not name.endswith((".h", ".cc", ".cpp", ".hpp")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(2)
                        first = target.split("/", 1)[0]
                        if m.group(1) == '"' and first in ALLOWED and first not in ALLOWED[module]:
                            errors.append(f"{rel}:{lineno}: {module}/ may not include {target}")
                        for prefix, owners in PINNED.items():
                            if target.startswith(prefix) and not rel.startswith(owners):
                                errors.append(f"{rel}:{lineno}: {target} is only allowed in {owners}")
    return errors


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    errors = check(os.path.abspath(root))
    for e in errors:
        print(e)
    print(f"layering: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
