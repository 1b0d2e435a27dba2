#pragma once
// Test helper: a jackd of the test's own (dummy driver, no realtime, a server name with this
// process's pid), stopped with SIGTERM, then SIGKILL, when the test ends; and START_SERVER, which
// fails the test unless it accepts clients.
//
// JACK keeps a registry of servers in /dev/shm that holds eight, and a server that dies without
// ending (SIGKILL) stays in it for good: eight such, over any number of runs, and no jackd starts
// again ("Too many servers already active"). So when no jackd runs at all, the first JackServer of
// a test process clears what dead ones left in /dev/shm: only the first, before this process's
// libjack has mapped the registry, which it keeps using for as long as it lives.
//
// jackd is started through setpriv(1) with a parent-death signal (SIGTERM): when the test process
// dies without ending (ctest's timeout kills it), its jackd ends too, cleanly, leaving its entry
// in the registry to no one, instead of running on, holding that entry, and loading the cores
// under the tests after it. setpriv execs jackd in its own process: the pid, signals and `comm`
// are jackd's. The signal comes when the thread that started jackd ends: a JackServer lives on the
// thread of the test that made it.

#include <jack/jack.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>

#include "proc.h"
#include "process.h"

namespace cacophony::test_support {

using namespace std::chrono_literals;

inline constexpr int kRate = 48000;
// Periods of 1024 frames (21 ms). A dummy server without realtime priority on two loaded cores
// overruns at 256 frames every second or so (under ASan, in every 4 s run).
inline constexpr jack_nframes_t kPeriod = 1024;

inline void quiet(const char*) {}

// Whether any jackd process is alive on this machine: a zombie, ended but not yet reaped, holds
// nothing in /dev/shm any more.
inline bool any_jackd_alive() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto [name, state] = name_and_state(static_cast<pid_t>(std::stol(pid)));
    if (name == "jackd" && state != 'Z' && state != 0) return true;
  }
  return false;
}

// Clears JACK's shared-memory files (the registry of servers, their segments), once a process,
// when no server is alive to use them.
inline void clear_dead_servers() {
  static bool cleared = false;
  if (std::exchange(cleared, true) || any_jackd_alive()) return;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec))
    if (entry.path().filename().string().starts_with("jack"))
      std::filesystem::remove_all(entry, ec);
}

class JackServer {
 public:
  // `period`: frames a cycle; a longer one leaves more room for clients that are late to wake.
  explicit JackServer(jack_nframes_t period = kPeriod)
      // Cleared before jackd_ starts the server (members start in order).
      : name_((clear_dead_servers(), "cacophony-test-" + std::to_string(getpid()))),
        jackd_({"setpriv", "--pdeathsig", "TERM", "--", "jackd", "--no-realtime", "-n", name_, "-d",
                "dummy", "-r", std::to_string(kRate), "-p", std::to_string(period)}) {
    jack_set_error_function(quiet);
    jack_set_info_function(quiet);
  }
  ~JackServer() {
    jackd_.signal(SIGTERM);
    jackd_.wait(5s);  // then the Process kills what is left
  }
  JackServer(const JackServer&) = delete;
  JackServer& operator=(const JackServer&) = delete;

  const std::string& name() const { return name_; }
  bool spawned() const { return jackd_.started(); }
  pid_t pid() const { return jackd_.pid(); }
  // Sends `sig` to jackd: SIGSTOP wedges the server, SIGCONT lets it go on.
  void signal(int sig) const { jackd_.signal(sig); }
  // The environment entry that makes a JACK client (our player, LinkHut) use this server.
  std::string env() const { return "JACK_DEFAULT_SERVER=" + name_; }

  // True once the server accepts clients (within `limit`).
  bool wait_ready(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (jackd_.wait(0ms) != -1) return false;  // jackd gave up
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
  Process jackd_;
};

}  // namespace cacophony::test_support

// Starts a jackd of the test's own, or fails the test.
#define START_SERVER(server, ...)                                           \
  JackServer server{__VA_ARGS__};                                           \
  if (!server.spawned()) FAIL() << "setpriv is not installed (util-linux)"; \
  ASSERT_TRUE(server.wait_ready(10s))                                       \
      << "jackd -n " << server.name() << " did not start (is jackd installed? run scripts/setup)"
