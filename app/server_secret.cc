// SPDX-License-Identifier: Apache-2.0
// LoadOrCreateServerSecret: RAND_bytes, written to a temporary file, fsynced, renamed into place.

#include "app/server_secret.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::app {
namespace {

Status WriteAll(int fd, const std::string& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return InternalError("write " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return InternalError("fsync " + path + ": " + std::strerror(errno));
  return OkStatus();
}

Result<std::string> CreateSecret(const std::string& path) {
  std::string secret(kServerSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 1) {
    return InternalError("cannot generate the server secret: RAND_bytes failed");
  }
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return InternalError("create " + tmp + ": " + std::strerror(errno));
  Status written = WriteAll(fd, secret, tmp);
  ::close(fd);
  if (!written.ok()) return written;
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return InternalError("rename " + tmp + ": " + std::strerror(errno));
  }
  return secret;
}

}  // namespace

Result<std::string> LoadOrCreateServerSecret(const std::string& data_dir) {
  const std::string path = data_dir + "/server.secret";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) return InternalError("open " + path + ": " + std::strerror(errno));
    ASSIGN_OR_RETURN(std::string secret, CreateSecret(path));
    // Make the rename durable before anything is signed with the new secret.
    const int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
    return secret;
  }
  std::string secret(kServerSecretBytes + 1, '\0');  // one spare byte detects a longer file
  size_t got = 0;
  while (got < secret.size()) {
    const ssize_t n = ::read(fd, secret.data() + got, secret.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got != kServerSecretBytes) {
    return FailedPreconditionError(path + " is not a " + std::to_string(kServerSecretBytes) +
                                   "-byte secret; remove it to make a new one (open shard "
                                   "iterators then become invalid)");
  }
  secret.resize(got);
  return secret;
}

}  // namespace sluice::app
