// Live play through JACK: each test starts its own jackd (dummy driver, no realtime, a server name
// of its own), records `cacophony play` with a capture client of its own and stops the server
// again, also when it fails.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <jack/jack.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/sound/click.h"
#include "cacophony/sound/engine.h"

namespace {

using namespace std::chrono_literals;

constexpr int kRate = 48000;
constexpr jack_nframes_t kPeriod = 256;

void quiet(const char*) {}

pid_t spawn(const std::vector<std::string>& args, const std::string& out) {
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
int wait_for(pid_t pid, std::chrono::milliseconds limit) {
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
  JackServer() : name_("cacophony-test-" + std::to_string(getpid())) {
    jack_set_error_function(quiet);
    jack_set_info_function(quiet);
    pid_ = spawn({"jackd", "--no-realtime", "-n", name_, "-d", "dummy", "-r", std::to_string(kRate),
                  "-p", std::to_string(kPeriod)},
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

  explicit Capture(const std::string& server) : samples_(kFrames), times_(kFrames / kPeriod) {
    jack_status_t status{};
    client_ =
        jack_client_open("capture", static_cast<jack_options_t>(JackNoStartServer | JackServerName),
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
  int xruns() const { return xruns_.load(); }
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
    c->xruns_.fetch_add(1);
    c->last_xrun_frames_.store(c->frames_.load());
    return 0;
  }

  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
  bool active_ = true;
  std::vector<float> samples_;
  std::vector<jack_nframes_t> times_;
  std::atomic<std::size_t> frames_{0};
  std::atomic<std::size_t> periods_{0};
  std::atomic<int> xruns_{0};
  std::atomic<std::size_t> last_xrun_frames_{0};
  std::atomic<bool> overflowed_{false};
  std::atomic<bool> heard_{false};
};

// Onsets: the first non-zero sample after at least `gap` zeros (or at the start).
std::vector<std::size_t> onsets(const std::vector<float>& s, std::size_t gap) {
  std::vector<std::size_t> out;
  std::size_t zeros = gap;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == 0.0f) {
      ++zeros;
      continue;
    }
    if (zeros >= gap) out.push_back(i);
    zeros = 0;
  }
  return out;
}

std::string slurp(const std::string& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, f)) text.append(buffer, n);
    std::fclose(f);
  }
  return text;
}

std::vector<std::string> lines(const std::string& text) {
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

std::string temp_path(const std::string& what) {
  return (std::filesystem::temp_directory_path() /
          ("cacophony-jack-" + std::to_string(getpid()) + "-" + what))
      .string();
}

// A client with one output port playing a 1 kHz sine (48 frames a cycle at 48 kHz) of peak
// `peak`, from a table made up front.
class Sine {
 public:
  Sine(const std::string& server, float peak) {
    for (std::size_t i = 0; i < table_.size(); ++i)
      table_[i] = peak * static_cast<float>(std::sin(2.0 * M_PI * static_cast<double>(i) /
                                                     static_cast<double>(table_.size())));
    jack_status_t status{};
    client_ =
        jack_client_open("sine", static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                         &status, server.c_str());
    if (!client_) return;
    port_ = jack_port_register(client_, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client_, on_process, this);
    active_ = jack_activate(client_) == 0;
  }
  ~Sine() {
    if (!client_) return;
    if (active_) jack_deactivate(client_);
    jack_client_close(client_);
  }
  Sine(const Sine&) = delete;
  Sine& operator=(const Sine&) = delete;

  bool ok() const { return client_ && port_ && active_; }
  std::string port() const { return jack_port_name(port_); }

 private:
  static int on_process(jack_nframes_t n, void* self) {
    auto* s = static_cast<Sine*>(self);
    auto* out = static_cast<float*>(jack_port_get_buffer(s->port_, n));
    for (jack_nframes_t i = 0; i < n; ++i) {
      out[i] = s->table_[s->at_];
      s->at_ = (s->at_ + 1) % s->table_.size();
    }
    return 0;
  }

  std::array<float, kRate / 1000> table_{};
  std::size_t at_ = 0;
  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
  bool active_ = false;
};

// Runs `cacophony play` with `args` on `server` and returns the volume it printed for each beat
// (empty, with a test failure, when it did not finish cleanly or printed something else).
std::vector<int> play_volumes(const JackServer& server, const std::vector<std::string>& args) {
  const std::string out = temp_path("meter.out");
  std::vector<std::string> command = {CACOPHONY_BINARY, "play"};
  command.insert(command.end(), args.begin(), args.end());
  setenv("JACK_DEFAULT_SERVER", server.name().c_str(), 1);
  const pid_t pid = spawn(command, out);
  unsetenv("JACK_DEFAULT_SERVER");
  std::vector<int> volumes;
  EXPECT_GT(pid, 0);
  if (pid <= 0) return volumes;
  const int status = wait_for(pid, 30s);
  if (status == -1) kill(pid, SIGKILL);
  EXPECT_NE(status, -1) << "cacophony play did not finish";
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << slurp(out);
  for (const std::string& line : lines(slurp(out))) {
    long long beat = -1, frame = -1;
    int volume = -1;
    EXPECT_EQ(
        std::sscanf(line.c_str(), "beat #%lld at %d power (frame %lld)", &beat, &volume, &frame), 3)
        << line;
    EXPECT_EQ(beat, static_cast<long long>(volumes.size()));
    volumes.push_back(volume);
  }
  std::remove(out.c_str());
  return volumes;
}

#define START_SERVER(server)                                                     \
  JackServer server;                                                             \
  if (!server.spawned()) FAIL() << "jackd is not installed (run scripts/setup)"; \
  ASSERT_TRUE(server.wait_ready(10s)) << "jackd -n " << server.name() << " did not start"

// One run of `cacophony play --bpm 480 --beats 32` into a fresh capture client. Counts the xruns
// into `xruns`; when there were none, checks that no period was lost and every onset is exact.
void play_32_beats(const JackServer& server, int& xruns) {
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());

  // 480 bpm at 48 kHz: 6000 frames a beat, not a multiple of the 256-frame period; 32 beats in 4 s.
  const std::string out = temp_path("play.out");
  const std::string binary = CACOPHONY_BINARY;
  setenv("JACK_DEFAULT_SERVER", server.name().c_str(), 1);
  const pid_t pid =
      spawn({binary, "play", "--bpm", "480", "--beats", "32", "--connect", capture.port()}, out);
  unsetenv("JACK_DEFAULT_SERVER");
  ASSERT_GT(pid, 0);
  const int status = wait_for(pid, 30s);
  if (status == -1) kill(pid, SIGKILL);
  ASSERT_NE(status, -1) << "cacophony play did not finish";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The player's port went away with it.
  EXPECT_FALSE(capture.port_exists("cacophony:out"));
  capture.stop();

  EXPECT_FALSE(capture.overflowed());
  xruns = capture.xruns();
  if (xruns > 0) {
    // The capture itself may have missed a period: this run proves nothing either way.
    std::printf("%d xrun(s), the last after %zu of %zu frames: run discarded\n", xruns,
                capture.last_xrun_frames(), capture.frames());
    std::remove(out.c_str());
    return;
  }
  const std::vector<jack_nframes_t> times = capture.times();
  for (std::size_t i = 1; i < times.size(); ++i)
    ASSERT_EQ(times[i] - times[i - 1], kPeriod) << "a period was lost at " << i;

  const std::vector<float> samples = capture.samples();
  const std::vector<std::size_t> found = onsets(samples, 100);
  ASSERT_EQ(found.size(), 32u);
  for (std::size_t n = 1; n < found.size(); ++n)
    EXPECT_EQ(found[n] - found[n - 1], 6000u) << "between beats " << n - 1 << " and " << n;

  // What the player printed, beat by beat; the sound at each onset is the click's peak at the
  // volume it printed.
  const std::vector<std::string> printed = lines(slurp(out));
  ASSERT_EQ(printed.size(), 32u) << slurp(out);
  for (std::size_t n = 0; n < printed.size(); ++n) {
    long long beat = -1, frame = -1;
    int volume = -1;
    ASSERT_EQ(std::sscanf(printed[n].c_str(), "beat #%lld at %d power (frame %lld)", &beat, &volume,
                          &frame),
              3)
        << printed[n];
    EXPECT_EQ(beat, static_cast<long long>(n));
    EXPECT_EQ(frame, static_cast<long long>(n) * 6000);
    ASSERT_GE(volume, 0);
    ASSERT_LE(volume, 100);
    if (n < found.size()) {
      EXPECT_FLOAT_EQ(std::abs(samples[found[n]]), cacophony::sound::volume_gain(volume))
          << "beat " << n;
    }
  }
  std::remove(out.c_str());
}

// A run must be free of xruns and then have every onset exact. A loaded machine gives even an
// idle dummy server (jackd --no-realtime) an xrun every few seconds with no client doing anything,
// so a run that saw one is discarded and tried again, up to five runs in all.
TEST(Jack, PlayPutsEveryOnsetOnItsExactFrame) {
  START_SERVER(server);
  int xruns = -1;
  for (int attempt = 0; attempt < 5 && xruns != 0; ++attempt) {
    play_32_beats(server, xruns);
    if (HasFailure()) return;
  }
  EXPECT_EQ(xruns, 0) << "five runs of 4 s, each with an xrun";
}

// A -20 dBFS-peak 1 kHz sine into cacophony:in measures -23 LUFS: volume round(37 * 100 / 60) = 62,
// once the 400 ms window has filled (beats are 125 ms apart; beat n is metered as n - 1 starts).
TEST(Jack, MeterJackFollowsTheLoudnessOfItsInput) {
  START_SERVER(server);
  Sine sine(server.name(), 0.1f);
  ASSERT_TRUE(sine.ok());
  const std::vector<int> volumes = play_volumes(
      server, {"--bpm", "480", "--beats", "16", "--meter", "jack", "--meter-connect", sine.port()});
  ASSERT_EQ(volumes.size(), 16u);
  for (std::size_t n = 6; n < volumes.size(); ++n) {
    EXPECT_GE(volumes[n], 60) << "beat " << n;
    EXPECT_LE(volumes[n], 64) << "beat " << n;
  }
}

TEST(Jack, MeterJackWithNothingConnectedHearsSilence) {
  START_SERVER(server);
  const std::vector<int> volumes =
      play_volumes(server, {"--bpm", "480", "--beats", "16", "--meter", "jack"});
  ASSERT_EQ(volumes.size(), 16u);
  for (std::size_t n = 0; n < volumes.size(); ++n) EXPECT_EQ(volumes[n], 0) << "beat " << n;
}

TEST(Jack, SigtermStopsPlayCleanlyWith130) {
  START_SERVER(server);
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());
  const std::string out = temp_path("endless.out");
  setenv("JACK_DEFAULT_SERVER", server.name().c_str(), 1);
  const pid_t pid =
      spawn({CACOPHONY_BINARY, "play", "--bpm", "240", "--connect", capture.port()}, out);
  unsetenv("JACK_DEFAULT_SERVER");
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!capture.heard_something() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(capture.heard_something());
  kill(pid, SIGTERM);
  const int status = wait_for(pid, 10s);
  if (status == -1) kill(pid, SIGKILL);
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(capture.port_exists("cacophony:out"));
  std::remove(out.c_str());
}

TEST(Jack, NoServerGetsOneLineAndExitCodeTwo) {
  const std::string command = "JACK_DEFAULT_SERVER=cacophony-no-such-server-" +
                              std::to_string(getpid()) + " " + CACOPHONY_BINARY +
                              " play --bpm 120 --beats 4 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string text;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(text, "cacophony: error: no JACK server running\n");
}

}  // namespace
