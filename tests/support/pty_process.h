#pragma once
// Test helper: a process on a pseudo-terminal of its own, as a player at a keyboard would run
// it. Its stdin, stdout and stderr are the terminal; what it writes is gathered by a thread (so a
// full terminal buffer never blocks it), and type() sends keys. The terminal's settings can be
// read after the process ends, to check that it put them back.

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cacophony::test_support {

class PtyProcess {
 public:
  PtyProcess(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) run(args, env);
    if (pid_ < 0) return;
    // Kept open here so the terminal's settings outlive the process.
    slave_ = open(ptsname(master_), O_RDWR | O_NOCTTY | O_CLOEXEC);
    reader_ = std::thread([this] { gather(); });
  }
  ~PtyProcess() {
    if (pid_ > 0 && !done_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    stop_ = true;
    if (reader_.joinable()) reader_.join();
    if (master_ >= 0) close(master_);
    if (slave_ >= 0) close(slave_);
  }
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  bool started() const { return pid_ > 0 && slave_ >= 0; }
  bool type(const std::string& keys) const {
    return write(master_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size());
  }
  std::string output() const {
    std::lock_guard lock(mutex_);
    return output_;
  }
  // The exit status once it ended within `limit`, or -1.
  int wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        done_ = true;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }
  // Whether the terminal has line editing and echo on, as a shell expects it.
  bool cooked() const {
    termios t{};
    return tcgetattr(slave_, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO);
  }

 private:
  [[noreturn]] static void run(const std::vector<std::string>& args,
                               const std::vector<std::string>& env) {
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }

  // Polls, so that it notices stop_ (the slave kept open here means no end of file).
  void gather() {
    char buffer[4096];
    while (!stop_) {
      pollfd fd{master_, POLLIN, 0};
      if (::poll(&fd, 1, 20) <= 0 || !(fd.revents & POLLIN)) continue;
      const ssize_t n = read(master_, buffer, sizeof buffer);
      if (n <= 0) continue;
      std::lock_guard lock(mutex_);
      output_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int master_ = -1;
  int slave_ = -1;
  bool done_ = false;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  mutable std::mutex mutex_;
  std::string output_;
};

}  // namespace cacophony::test_support
