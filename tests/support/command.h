#pragma once
// Test helper: runs the built `cacophony` (CACOPHONY_BINARY) through the shell and returns its
// exit code (-1 when a signal ended it) and everything it wrote to stdout and stderr, merged.

#include <sys/wait.h>

#include <string>

#include "process.h"

namespace cacophony::test_support {

struct CommandResult {
  int code;
  std::string out;
};

// `args` is appended to the binary's path; `prefix` (e.g. "cd DIR && ") goes before it.
inline CommandResult run_cacophony(const std::string& args, const std::string& prefix = "") {
  const std::string command = prefix + std::string(CACOPHONY_BINARY) + " " + args;
  Process shell({"/bin/sh", "-c", command}, Output::pipe());
  std::string out = shell.read_all();
  const int status = shell.wait();
  return {status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::move(out)};
}

}  // namespace cacophony::test_support
