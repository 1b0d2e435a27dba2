#pragma once
// Test helper: the one way tests start a child process. A child gets an argv (found on PATH), no
// stdin or a pipe to it, and its stdout (with or without its stderr) in /dev/null, in a file of
// its own or in a pipe read here. It is killed (SIGKILL) and reaped if still running when its
// Process goes, and its output file removed.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "files.h"

namespace cacophony::test_support {

// Where a child's stdout goes: /dev/null, a file of its own (truncated first, removed with its
// Process) or a pipe read here; its stderr goes along, or to /dev/null.
struct Output {
  enum class To { null, file, pipe };
  To to = To::null;
  std::string path;
  bool with_stderr = false;

  static Output file(std::string path, bool with_stderr = true) {
    return {To::file, std::move(path), with_stderr};
  }
  static Output pipe() { return {To::pipe, "", true}; }
};

// A child's stdin: /dev/null, or a pipe that type() writes to.
enum class Input { null, pipe };

class Process {
 public:
  // `env`: "NAME=value" entries set for the child, over this process's own environment.
  explicit Process(const std::vector<std::string>& args, Output output = {},
                   Input input = Input::null, const std::vector<std::string>& env = {})
      : output_(std::move(output)) {
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    const bool piped = (input == Input::null || pipe2(in, O_CLOEXEC) == 0) &&
                       (output_.to != Output::To::pipe || pipe2(out, O_CLOEXEC) == 0);
    if (piped) pid_ = spawn(args, env, in[0], out[1]);
    input_fd_ = keep_one_end(in, 1);
    output_fd_ = keep_one_end(out, 0);
  }
  ~Process() {
    if (input_fd_ >= 0) close(input_fd_);
    if (output_fd_ >= 0) close(output_fd_);
    if (pid_ > 0 && !done_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (output_.to == Output::To::file) std::remove(output_.path.c_str());
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Writes `text` to the child's stdin.
  bool type(const std::string& text) {
    return input_fd_ >= 0 &&
           write(input_fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  }
  void signal(int sig) const {
    if (pid_ > 0 && !done_) kill(pid_, sig);
  }
  // The exit status (as waitpid gives it), or -1 if it is still running after `limit`.
  int wait(std::chrono::milliseconds limit) {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done_ && pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        done_ = true;
        status_ = status;
      } else if (std::chrono::steady_clock::now() > deadline) {
        break;
      } else {
        std::this_thread::sleep_for(5ms);
      }
    }
    return done_ ? status_ : -1;
  }
  // The exit status, however long it takes.
  int wait() {
    if (!done_ && pid_ > 0 && waitpid(pid_, &status_, 0) == pid_) done_ = true;
    return done_ ? status_ : -1;
  }

  // With Output::file: what the child has written so far.
  std::string output() const { return slurp(output_.path); }
  // With Output::pipe: everything the child writes, until it closes its end.
  std::string read_all() {
    std::string text;
    char buffer[4096];
    ssize_t n = 0;
    while (output_fd_ >= 0 && (n = read(output_fd_, buffer, sizeof buffer)) > 0)
      text.append(buffer, static_cast<std::size_t>(n));
    return text;
  }
  // Waits up to `limit` for output containing `text`; true when it came.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds limit) const {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (output().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

 private:
  // Starts `args` with stdin from `in` and stdout into `out` where those are pipes' ends (not -1);
  // the child's pid, or -1.
  pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, int in,
              int out) const {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (in >= 0)
      posix_spawn_file_actions_adddup2(&actions, in, 0);
    else
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    const char* file = output_.to == Output::To::file ? output_.path.c_str() : "/dev/null";
    if (out >= 0)
      posix_spawn_file_actions_adddup2(&actions, out, 1);
    else
      posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (output_.with_stderr)
      posix_spawn_file_actions_adddup2(&actions, 1, 2);
    else
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> copy = args, extra = env;
    std::vector<char*> argv, envp;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    // getenv takes the first of two entries with one name: ours go first.
    for (std::string& e : extra) envp.push_back(e.data());
    for (char** e = environ; *e; ++e) envp.push_back(*e);
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : -1;
  }
  // Closes the child's end of `fds` and returns ours (-1 when there is no pipe).
  static int keep_one_end(const int (&fds)[2], int ours) {
    if (fds[0] < 0) return -1;
    close(fds[1 - ours]);
    return fds[ours];
  }

  Output output_;
  pid_t pid_ = -1;
  int input_fd_ = -1;
  int output_fd_ = -1;
  bool done_ = false;
  int status_ = -1;
};

// Runs `args` with no input and its output discarded; true when it exits 0.
inline bool succeeds(const std::vector<std::string>& args) {
  Process child(args);
  const int status = child.wait();
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace cacophony::test_support
