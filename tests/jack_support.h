#pragma once
// Test helpers for everything that runs against a live JACK server: a jackd of the test's own
// (dummy driver), a capture client that records what reaches it with the server's frame times,
// child processes with a pipe to their stdin, and network namespaces for Link's peers.

#include <fcntl.h>
#include <jack/jack.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "onsets.h"

namespace cacophony::test_support {

using namespace std::chrono_literals;

inline constexpr int kRate = 48000;
// Periods of 1024 frames (21 ms). A dummy server without realtime priority on two loaded cores
// overruns at 256 frames every second or so (under ASan, in every 4 s run).
inline constexpr jack_nframes_t kPeriod = 1024;

inline void quiet(const char*) {}

inline pid_t spawn(const std::vector<std::string>& args, const std::string& out) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits for `pid` up to `limit`; -1 when it is still running.
inline int wait_for(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 || std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(5ms);
  }
}

// A jackd of the test's own, stopped (SIGTERM, then SIGKILL) when the test ends.
class JackServer {
 public:
  // `period`: frames a cycle; a longer one leaves more room for clients that are late to wake.
  explicit JackServer(jack_nframes_t period = kPeriod)
      : name_("cacophony-test-" + std::to_string(getpid())) {
    jack_set_error_function(quiet);
    jack_set_info_function(quiet);
    pid_ = spawn({"jackd", "--no-realtime", "-n", name_, "-d", "dummy", "-r", std::to_string(kRate),
                  "-p", std::to_string(period)},
                 "/dev/null");
  }
  ~JackServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    if (wait_for(pid_, 5s) == -1) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  JackServer(const JackServer&) = delete;
  JackServer& operator=(const JackServer&) = delete;

  const std::string& name() const { return name_; }
  bool spawned() const { return pid_ > 0; }

  // True once the server accepts clients (within `limit`).
  bool wait_ready(std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return false;  // jackd gave up
      jack_status_t status{};
      jack_client_t* probe =
          jack_client_open("probe", static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                           &status, name_.c_str());
      if (probe) {
        jack_client_close(probe);
        return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

 private:
  std::string name_;
  pid_t pid_ = -1;
};

// A client with one input port that keeps every frame it is given, in memory reserved up front,
// with the server's frame time of each period and the number of xruns.
class Capture {
 public:
  static constexpr std::size_t kFrames = static_cast<std::size_t>(kRate) * 40;

  explicit Capture(const std::string& server, const std::string& name = "capture")
      : samples_(kFrames), times_(kFrames / 64) {
    jack_status_t status{};
    client_ = jack_client_open(name.c_str(),
                               static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                               &status, server.c_str());
    if (!client_) return;
    port_ = jack_port_register(client_, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    jack_set_process_callback(client_, on_process, this);
    jack_set_xrun_callback(client_, on_xrun, this);
    jack_activate(client_);
  }
  ~Capture() {
    if (!client_) return;
    stop();
    jack_client_close(client_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  bool ok() const { return client_ && port_; }
  std::string port() const { return jack_port_name(port_); }
  void stop() {
    if (active_) jack_deactivate(client_);
    active_ = false;
  }
  // Connects the output port `port` to this client's input.
  bool connect_from(const std::string& port) {
    return jack_connect(client_, port.c_str(), jack_port_name(port_)) == 0;
  }
  bool port_exists(const std::string& name) const {
    return jack_port_by_name(client_, name.c_str()) != nullptr;
  }

  // After stop().
  std::vector<float> samples() const {
    return {samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(frames_.load())};
  }
  std::vector<jack_nframes_t> times() const {
    return {times_.begin(), times_.begin() + static_cast<std::ptrdiff_t>(periods_.load())};
  }
  // The server's frame time of captured sample `index` (every period holds the same frames).
  jack_nframes_t jack_frame(std::size_t index) const {
    const jack_nframes_t period = jack_get_buffer_size(client_);
    return times_[index / period] + static_cast<jack_nframes_t>(index % period);
  }
  // The server's frame time now.
  jack_nframes_t now() const { return jack_frame_time(client_); }
  int xruns() const { return xruns_.load(); }
  // The server's frame time at each xrun (the first kXrunsKept).
  std::vector<jack_nframes_t> xrun_times() const {
    std::vector<jack_nframes_t> out;
    for (int i = 0; i < std::min(xruns(), kXrunsKept); ++i)
      out.push_back(xrun_times_[static_cast<std::size_t>(i)].load());
    return out;
  }
  // How many frames had been captured at the last xrun.
  std::size_t last_xrun_frames() const { return last_xrun_frames_.load(); }
  bool overflowed() const { return overflowed_.load(); }
  std::size_t frames() const { return frames_.load(std::memory_order_acquire); }
  bool heard_something() const { return heard_.load(std::memory_order_acquire); }

 private:
  static int on_process(jack_nframes_t n, void* self) {
    auto* c = static_cast<Capture*>(self);
    const auto* in = static_cast<const float*>(jack_port_get_buffer(c->port_, n));
    const std::size_t at = c->frames_.load(std::memory_order_relaxed);
    const std::size_t period = c->periods_.load(std::memory_order_relaxed);
    if (at + n > c->samples_.size() || period >= c->times_.size()) {
      c->overflowed_.store(true);
      return 0;
    }
    for (jack_nframes_t i = 0; i < n; ++i) {
      c->samples_[at + i] = in[i];
      if (in[i] != 0.0f) c->heard_.store(true, std::memory_order_relaxed);
    }
    c->times_[period] = jack_last_frame_time(c->client_);
    c->periods_.store(period + 1, std::memory_order_release);
    c->frames_.store(at + n, std::memory_order_release);
    return 0;
  }
  static int on_xrun(void* self) {
    auto* c = static_cast<Capture*>(self);
    const int n = c->xruns_.fetch_add(1);
    c->last_xrun_frames_.store(c->frames_.load());
    if (n < kXrunsKept)
      c->xrun_times_[static_cast<std::size_t>(n)].store(jack_frame_time(c->client_));
    return 0;
  }

  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
  bool active_ = true;
  std::vector<float> samples_;
  std::vector<jack_nframes_t> times_;
  std::atomic<std::size_t> frames_{0};
  std::atomic<std::size_t> periods_{0};
  static constexpr int kXrunsKept = 64;
  std::atomic<int> xruns_{0};
  std::array<std::atomic<jack_nframes_t>, kXrunsKept> xrun_times_{};
  std::atomic<std::size_t> last_xrun_frames_{0};
  std::atomic<bool> overflowed_{false};
  std::atomic<bool> heard_{false};
};

inline std::string slurp(const std::string& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, f)) text.append(buffer, n);
    std::fclose(f);
  }
  return text;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < text.size()) {
    std::size_t end = text.find('\n', from);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(from, end - from));
    from = end + 1;
  }
  return out;
}

inline std::string temp_path(const std::string& what) {
  return (std::filesystem::temp_directory_path() /
          ("cacophony-jack-" + std::to_string(getpid()) + "-" + what))
      .string();
}

// A child process whose stdout and stderr go to a file, with an optional pipe to its stdin.
// Killed (SIGKILL) if still running when destroyed.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::string& out, bool with_input = false)
      : out_(out) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2] = {-1, -1};
    if (with_input && pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (with_input)
      posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    else
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    if (with_input) {
      close(fds[0]);
      input_ = fds[1];
    }
  }
  ~Process() {
    if (input_ >= 0) close(input_);
    if (pid_ > 0 && !done_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::remove(out_.c_str());
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  // Writes `text` to the child's stdin.
  bool type(const std::string& text) {
    return input_ >= 0 &&
           write(input_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  }
  void signal(int sig) const {
    if (pid_ > 0 && !done_) kill(pid_, sig);
  }
  // The exit status (as waitpid gives it), or -1 if it is still running after `limit`.
  int wait(std::chrono::milliseconds limit) {
    if (done_) return status_;
    const int status = wait_for(pid_, limit);
    if (status != -1) {
      done_ = true;
      status_ = status;
    }
    return status;
  }
  std::string output() const { return slurp(out_); }
  // Waits up to `limit` for a line of output containing `text`; true when one came.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (output().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

 private:
  std::string out_;
  pid_t pid_ = -1;
  int input_ = -1;
  bool done_ = false;
  int status_ = -1;
};

// Runs a command line through the shell, quietly; true when it exits 0.
inline bool shell(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// Network namespaces made (and removed) by a test, so that Link's peers talk over interfaces of
// their own and nothing leaves the machine.
class Namespaces {
 public:
  // `count` namespaces, each with its loopback up; with `veth`, two joined by a veth pair
  // (10.213.0.1/24 and 10.213.0.2/24). `loopback` false leaves them with no interface up at all.
  Namespaces(int count, bool veth, bool loopback = true) {
    const std::string tag = std::to_string(getpid());
    for (int i = 0; i < count; ++i) {
      const std::string name = "cacophony-" + tag + "-" + std::to_string(i);
      if (!shell("ip netns add " + name)) {
        why_ =
            "cannot make a network namespace ('ip netns add " + name + "' failed; it needs root)";
        return;
      }
      names_.push_back(name);
      if (loopback && !shell("ip -n " + name + " link set lo up")) {
        why_ = "cannot bring up the loopback of " + name;
        return;
      }
    }
    if (veth) {
      const std::string a = "cv" + tag + "a", b = "cv" + tag + "b";
      const bool ok = count == 2 && shell("ip link add " + a + " type veth peer name " + b) &&
                      shell("ip link set " + a + " netns " + names_[0]) &&
                      shell("ip link set " + b + " netns " + names_[1]) &&
                      shell("ip -n " + names_[0] + " addr add 10.213.0.1/24 dev " + a) &&
                      shell("ip -n " + names_[1] + " addr add 10.213.0.2/24 dev " + b) &&
                      shell("ip -n " + names_[0] + " link set " + a + " up") &&
                      shell("ip -n " + names_[1] + " link set " + b + " up");
      if (!ok) {
        why_ = "cannot join two namespaces with a veth pair ('ip link add ... type veth' failed)";
        return;
      }
    }
    ok_ = true;
  }
  ~Namespaces() {
    // Deleting a namespace deletes the veth end in it, and with it the pair.
    for (const std::string& name : names_) shell("ip netns del " + name);
  }
  Namespaces(const Namespaces&) = delete;
  Namespaces& operator=(const Namespaces&) = delete;

  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }
  // The command line that runs `args` in namespace `i`.
  std::vector<std::string> in(int i, std::vector<std::string> args) const {
    args.insert(args.begin(), {"ip", "netns", "exec", names_.at(static_cast<std::size_t>(i))});
    return args;
  }

 private:
  std::vector<std::string> names_;
  std::string why_;
  bool ok_ = false;
};

}  // namespace cacophony::test_support

// Starts a jackd of the test's own, or fails the test.
#define START_SERVER(server, ...)                                                \
  JackServer server{__VA_ARGS__};                                                \
  if (!server.spawned()) FAIL() << "jackd is not installed (run scripts/setup)"; \
  ASSERT_TRUE(server.wait_ready(10s)) << "jackd -n " << server.name() << " did not start"
