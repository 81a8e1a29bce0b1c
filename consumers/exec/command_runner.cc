// SPDX-License-Identifier: Apache-2.0
// RunCommand: fork/exec with pipes, a poll loop feeding stdin and draining output until the
// deadline, process-group kill on timeout, SIGPIPE blocked and drained on the calling thread.
#include "consumers/exec/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace sluice::consumers::exec {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Blocks SIGPIPE on this thread for the object's life, and discards one raised meanwhile, so that
// writing to a pipe whose reader exited fails with EPIPE instead of killing the process.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
      const struct timespec zero {};
      while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_;
  sigset_t old_;
};

std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; e++) {
    std::string_view entry(*e);
    const std::string name(entry.substr(0, entry.find('=')));
    if (!extra.count(name)) out.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

std::string CommandResult::Describe(int64_t timeout_ms) const {
  if (timed_out) return "timed out after " + std::to_string(timeout_ms) + " ms";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(exit_code);
}

namespace {

// A started command: its process (group) id and our ends of its stdin and output pipes.
struct Child {
  pid_t pid = -1;
  int to_child = -1;
  int from_child = -1;
};

Result<Child> Spawn(const std::vector<std::string>& argv, const CommandOptions& options) {
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args = argv;
  std::vector<std::string> env = Environment(options.env);
  std::vector<char*> arg_ptrs = Pointers(args);
  std::vector<char*> env_ptrs = Pointers(env);
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return InternalError(std::string("pipe: ") + strerror(errno));
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return InternalError(std::string("pipe: ") + strerror(errno));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    return InternalError(std::string("fork: ") + strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);  // its own group: a timeout kills what it started too
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, nullptr);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    close_range(3, ~0U, 0);
    execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    if (errno == ENOENT && std::strchr(arg_ptrs[0], '/') == nullptr) {
      execvpe(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    }
    _exit(127);
  }
  setpgid(pid, pid);  // also from here, so the group exists before any kill
  close(in[0]);
  close(out[1]);
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  return Child{.pid = pid, .to_child = in[1], .from_child = out[0]};
}

// Feeds the input and collects output until the output closes or the deadline passes (then the
// group is killed). Closes both pipe ends.
void Pump(Child& child, std::string_view input, const CommandOptions& options,
          SteadyClock::time_point deadline, CommandResult* result) {
  size_t written = 0;
  if (input.empty()) CloseFd(child.to_child);
  char buf[8192];
  while (child.from_child >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      result->timed_out = true;
      kill(-child.pid, SIGKILL);
      break;
    }
    struct pollfd fds[2];
    int n = 0;
    fds[n++] = {child.from_child, POLLIN, 0};
    if (child.to_child >= 0) fds[n++] = {child.to_child, POLLOUT, 0};
    if (poll(fds, n, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    if (child.to_child >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w = write(child.to_child, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        CloseFd(child.to_child);  // done, or the command stopped reading (EPIPE)
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t r = read(child.from_child, buf, sizeof(buf));
      if (r > 0) {
        const size_t keep =
            std::min(static_cast<size_t>(r), options.max_output_bytes - result->output.size());
        result->output.append(buf, keep);
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        CloseFd(child.from_child);  // every writer closed: the command and its children are done
      }
    }
  }
  CloseFd(child.to_child);
  CloseFd(child.from_child);
}

// Waits for the process; one that closed its output early but keeps running is killed at the
// deadline.
void Reap(const Child& child, SteadyClock::time_point deadline, CommandResult* result) {
  int status = 0;
  while (true) {
    const pid_t r = waitpid(child.pid, &status, result->timed_out ? 0 : WNOHANG);
    if (r == child.pid || (r < 0 && errno != EINTR)) break;
    if (r == 0 && SteadyClock::now() >= deadline) {
      result->timed_out = true;
      kill(-child.pid, SIGKILL);
    } else if (r == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  if (WIFEXITED(status)) result->exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result->signal = WTERMSIG(status);
}

}  // namespace

Result<CommandResult> RunCommand(const std::vector<std::string>& argv, std::string_view input,
                                 const CommandOptions& options) {
  if (argv.empty()) return InvalidArgumentError("empty command");
  SigpipeGuard guard;
  ASSIGN_OR_RETURN(Child child, Spawn(argv, options));
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(options.timeout_ms);
  CommandResult result;
  Pump(child, input, options, deadline, &result);
  Reap(child, deadline, &result);
  return result;
}

}  // namespace sluice::consumers::exec
