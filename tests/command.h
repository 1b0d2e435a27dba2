#pragma once
// Test helper: runs the built `cacophony` (CACOPHONY_BINARY) through the shell and returns its
// exit code and everything it wrote to stdout and stderr.

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace cacophony::test_support {

struct CommandResult {
  int code;
  std::string out;
};

// `args` is appended to the binary's path; `prefix` (e.g. "cd DIR && ") goes before it.
inline CommandResult run_cacophony(const std::string& args, const std::string& prefix = "") {
  const std::string command = prefix + std::string(CACOPHONY_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace cacophony::test_support
