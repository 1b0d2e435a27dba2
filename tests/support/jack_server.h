#pragma once
// Test helper: a jackd of the test's own (dummy driver, no realtime, a server name with this
// process's pid), stopped with SIGTERM, then SIGKILL, when the test ends; and START_SERVER, which
// fails the test unless it accepts clients.

#include <jack/jack.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "process.h"

namespace cacophony::test_support {

using namespace std::chrono_literals;

inline constexpr int kRate = 48000;
// Periods of 1024 frames (21 ms). A dummy server without realtime priority on two loaded cores
// overruns at 256 frames every second or so (under ASan, in every 4 s run).
inline constexpr jack_nframes_t kPeriod = 1024;

inline void quiet(const char*) {}

class JackServer {
 public:
  // `period`: frames a cycle; a longer one leaves more room for clients that are late to wake.
  explicit JackServer(jack_nframes_t period = kPeriod)
      : name_("cacophony-test-" + std::to_string(getpid())),
        jackd_({"jackd", "--no-realtime", "-n", name_, "-d", "dummy", "-r", std::to_string(kRate),
                "-p", std::to_string(period)}) {
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
#define START_SERVER(server, ...)                                                \
  JackServer server{__VA_ARGS__};                                                \
  if (!server.spawned()) FAIL() << "jackd is not installed (run scripts/setup)"; \
  ASSERT_TRUE(server.wait_ready(10s)) << "jackd -n " << server.name() << " did not start"
