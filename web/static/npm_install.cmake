# SPDX-License-Identifier: Apache-2.0
# Run by web/static/CMakeLists.txt as `cmake -DNPM=.. -DWEB_DIR=.. -DSTAMP=.. -P npm_install.cmake`.
# Under a lock shared by every build folder: `npm ci` (or `npm install` without a lock file)
# unless STAMP records the current package-lock.json's hash and hls.js is present, then copies
# hls.min.js and its map to WEB_DIR/static/vendor/ and touches both outputs for the build tool.
cmake_minimum_required(VERSION 3.25)
foreach(var NPM WEB_DIR STAMP)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "npm_install.cmake: -D${var}=... is required")
  endif()
endforeach()

# Two build folders building at once must not run npm in the same folder together.
file(LOCK ${WEB_DIR}/.npm-install.lock GUARD PROCESS TIMEOUT 900 RESULT_VARIABLE locked)
if(NOT locked STREQUAL "0")
  message(FATAL_ERROR "cannot lock ${WEB_DIR}/.npm-install.lock: ${locked}")
endif()

set(lock_file ${WEB_DIR}/package-lock.json)
set(dist ${WEB_DIR}/node_modules/hls.js/dist)
if(EXISTS ${lock_file})
  file(SHA256 ${lock_file} wanted)
  set(npm_args ci)
else()
  set(wanted "no-lock")
  set(npm_args install)
endif()
file(SHA256 ${WEB_DIR}/package.json manifest_hash)
string(APPEND wanted " ${manifest_hash}")
set(have "")
if(EXISTS ${STAMP})
  file(READ ${STAMP} have)
endif()

if(NOT have STREQUAL wanted OR NOT EXISTS ${dist}/hls.min.js)
  message(STATUS "npm ${npm_args} in ${WEB_DIR}")
  execute_process(
    COMMAND ${NPM} ${npm_args} --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY ${WEB_DIR}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npm ${npm_args} in ${WEB_DIR} failed (${rc}); it needs the npm registry")
  endif()
  if(NOT EXISTS ${dist}/hls.min.js)
    message(FATAL_ERROR "npm installed no ${dist}/hls.min.js")
  endif()
  if(npm_args STREQUAL "install")  # the lock file it just wrote is what later builds compare
    file(SHA256 ${lock_file} wanted)
    string(APPEND wanted " ${manifest_hash}")
  endif()
  file(WRITE ${STAMP} "${wanted}")
endif()

file(MAKE_DIRECTORY ${WEB_DIR}/static/vendor)
foreach(name hls.min.js hls.min.js.map)
  if(EXISTS ${dist}/${name})
    file(COPY_FILE ${dist}/${name} ${WEB_DIR}/static/vendor/${name} ONLY_IF_DIFFERENT)
  endif()
endforeach()
file(TOUCH ${STAMP} ${WEB_DIR}/static/vendor/hls.min.js)
file(LOCK ${WEB_DIR}/.npm-install.lock RELEASE)
