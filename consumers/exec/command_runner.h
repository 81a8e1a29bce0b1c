// SPDX-License-Identifier: Apache-2.0
// RunCommand: runs a program with bytes on its stdin, collecting its output (stdout and stderr
// together, bounded) and exit status, killed (with its whole process group) when it overruns its
// timeout. A command that exits before reading its input is fine: SIGPIPE is kept away from the
// calling process. For the batch-command plugin; usable for any hook that runs a user program.
// Thread-safety: safe to call from several threads at once.
// Example:
//   ASSIGN_OR_RETURN(CommandResult r, RunCommand({"/bin/sh", "-c", "wc -c"}, "hello", {}));
//   if (r.ok()) LOG_INFO(..., {{"output", r.output}});
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sluice::consumers::exec {

struct CommandOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) the inherited environment
  int64_t timeout_ms = 60'000;
  size_t max_output_bytes = 64 << 10;  // the rest of the output is read and dropped
};

struct CommandResult {
  int exit_code = -1;      // when it exited; -1 otherwise
  int signal = 0;          // the signal that ended it, if one did
  bool timed_out = false;  // it was killed for overrunning the timeout
  std::string output;      // stdout and stderr, interleaved, truncated to max_output_bytes

  bool ok() const { return exit_code == 0 && !timed_out; }
  // "exit code 3", "killed by signal 9", "timed out after 200 ms"
  std::string Describe(int64_t timeout_ms) const;
};

// InvalidArgument for an empty argv; Internal when the process cannot be started at all (a
// program that does not exist still starts: it exits with code 127).
Result<CommandResult> RunCommand(const std::vector<std::string>& argv, std::string_view input,
                                 const CommandOptions& options);

}  // namespace sluice::consumers::exec
