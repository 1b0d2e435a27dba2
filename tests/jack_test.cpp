// Live play through JACK: each test starts its own jackd (dummy driver, no realtime, a server name
// of its own), records `cacophony play` with a capture client of its own and stops the server
// again, also when it fails.

#include <gtest/gtest.h>
#include <jack/jack.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cacophony/sound/click.h"
#include "cacophony/sound/engine.h"
#include "support/audio.h"
#include "support/capture_client.h"
#include "support/command.h"
#include "support/files.h"
#include "support/jack_server.h"
#include "support/onsets.h"
#include "support/proc.h"
#include "support/process.h"

namespace {

using namespace cacophony::test_support;

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

// `cacophony play` with `args` on `server`; its stdout goes to a file of its own named after
// `what`, its stderr nowhere.
Process start_play(const JackServer& server, const std::vector<std::string>& args,
                   const std::string& what) {
  std::vector<std::string> command = {CACOPHONY_BINARY, "play"};
  command.insert(command.end(), args.begin(), args.end());
  return Process(command, Output::file(temp_path(what), false), Input::null, {server.env()});
}

// Waits up to `limit` for `play` to end; its exit status, or -1 (and it is killed) if it did not.
int finish(Process& play, std::chrono::milliseconds limit) {
  const int status = play.wait(limit);
  if (status == -1) play.signal(SIGKILL);
  return status;
}

// What follows "bar.beat at TEMPO bpm: " on a line play printed.
const char* beat_part(const std::string& line) {
  const std::size_t at = line.find("beat #");
  return line.c_str() + (at == std::string::npos ? 0 : at);
}

// Runs `cacophony play` with `args` on `server` and returns the volume it printed for each beat
// (empty, with a test failure, when it did not finish cleanly or printed something else).
std::vector<int> play_volumes(const JackServer& server, const std::vector<std::string>& args) {
  Process play = start_play(server, args, "meter.out");
  std::vector<int> volumes;
  EXPECT_TRUE(play.started());
  if (!play.started()) return volumes;
  const int status = finish(play, 30s);
  EXPECT_NE(status, -1) << "cacophony play did not finish";
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << play.output();
  for (const std::string& line : lines(play.output())) {
    long long beat = -1, frame = -1;
    int volume = -1;
    EXPECT_EQ(
        std::sscanf(beat_part(line), "beat #%lld at %d power (frame %lld)", &beat, &volume, &frame),
        3)
        << line;
    EXPECT_EQ(beat, static_cast<long long>(volumes.size()));
    volumes.push_back(volume);
  }
  return volumes;
}

// One run of `cacophony play --bpm 480 --beats 32` into a fresh capture client. Counts the xruns
// into `xruns`; when there were none, checks that no period was lost and every onset is exact.
void play_32_beats(const JackServer& server, int& xruns) {
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());

  // 480 bpm at 48 kHz: 6000 frames a beat, not a multiple of the period; 32 beats in 4 s.
  Process play = start_play(server, {"--bpm", "480", "--beats", "32", "--connect", capture.port()},
                            "play.out");
  ASSERT_TRUE(play.started());
  const int status = finish(play, 30s);
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
  const std::vector<std::string> printed = lines(play.output());
  ASSERT_EQ(printed.size(), 32u) << play.output();
  for (std::size_t n = 0; n < printed.size(); ++n) {
    long long beat = -1, frame = -1;
    int volume = -1;
    ASSERT_EQ(std::sscanf(beat_part(printed[n]), "beat #%lld at %d power (frame %lld)", &beat,
                          &volume, &frame),
              3)
        << printed[n];
    // Each line starts with bar.beat in 4/4 and the tempo.
    EXPECT_TRUE(printed[n].starts_with(std::to_string(n / 4 + 1) + "." + std::to_string(n % 4 + 1) +
                                       " at 480 bpm: "))
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

// One run of `play ARGS` into a capture client; when it had no xrun, its onsets relative to the
// first are `expected`'s (within `slack` frames: 0 against our own render).
void play_heard_as(const JackServer& server, const std::vector<std::string>& args,
                   const std::vector<std::size_t>& expected, std::size_t slack, int& xruns) {
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());
  std::vector<std::string> with_port = args;
  with_port.insert(with_port.end(), {"--connect", capture.port()});
  Process play = start_play(server, with_port, "heard.out");
  ASSERT_TRUE(play.started());
  const int status = finish(play, 30s);
  ASSERT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << play.output();
  capture.stop();
  xruns = capture.xruns();
  if (xruns > 0) return;
  const std::vector<std::size_t> heard = onsets(capture.samples(), 100);
  ASSERT_EQ(heard.size(), expected.size());
  for (std::size_t n = 0; n < heard.size(); ++n) {
    const auto ours = static_cast<long long>(heard[n] - heard[0]);
    const auto theirs = static_cast<long long>(expected[n] - expected[0]);
    EXPECT_LE(std::llabs(ours - theirs), static_cast<long long>(slack)) << "click " << n;
  }
}

// Plays until a run without an xrun (at most five): a loaded machine gives even an idle dummy
// server an xrun every few seconds.
void play_until_clean(const JackServer& server, const std::vector<std::string>& args,
                      const std::vector<std::size_t>& expected, std::size_t slack) {
  int xruns = -1;
  for (int attempt = 0; attempt < 5 && xruns != 0; ++attempt) {
    play_heard_as(server, args, expected, slack, xruns);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(xruns, 0) << "five runs, each with an xrun";
}

// `play --map` with a count-in sounds where `render` puts it. The sections change off every
// period boundary (a 3/4 bar at 200 is 43200 frames, 168.75 periods).
TEST(Jack, PlayWithAMapSoundsWhereRenderPutsIt) {
  START_SERVER(server);
  const std::string map = temp_path("song.map");
  std::ofstream(map) << "1 3/4 200\nfast: 1 7/8 240 X.xX.x.\n1 4/4 180-240\n";
  const std::string wav = temp_path("map.wav");
  const CommandResult rendered =
      run_cacophony("render --map " + map + " --count-in 0 --out " + wav);
  ASSERT_EQ(rendered.code, 0) << rendered.out;
  play_until_clean(server, {"--map", map, "--count-in", "0"}, onsets(read_audio(wav).samples, 100),
                   0);
}

// klick's -x, live: a song map at 0.8 times its tempo sounds where `klick -x 0.8` puts it, within
// a frame (klick truncates a click's frame where we round it).
TEST(Jack, PlayAtAScaleSoundsWhereKlickPutsIt) {
  START_SERVER(server);
  const std::string map = temp_path("scaled.map");
  std::ofstream(map) << "intro: 1 3/4 200\nverse: 1 7/8 240 X.xX.x.\n1 4/4 180-240\n1 5/8 150\n";
  const std::string wav = temp_path("klick-scaled.wav");
  // klick's export, capped: a klick bug can write without end.
  ASSERT_TRUE(succeeds(
      {"/bin/sh", "-c", "ulimit -f 200000; exec klick -W " + wav + " -r 48000 -x 0.8 -f " + map}));
  play_until_clean(server, {"--map", map, "--scale", "0.8"}, onsets(read_audio(wav).samples, 100),
                   1);
}

// A polyrhythm live: 3 and 5 against 4 sound where `render` puts every voice's clicks.
TEST(Jack, APolyrhythmSoundsWhereRenderPutsIt) {
  START_SERVER(server);
  const std::string wav = temp_path("poly.wav");
  const CommandResult rendered = run_cacophony("render 3 4/4 240 +3 +5 --out " + wav);
  ASSERT_EQ(rendered.code, 0) << rendered.out;
  const std::vector<std::size_t> expected = onsets(read_audio(wav).samples, 100);
  ASSERT_EQ(expected.size(), 3u * (4 + 2 + 4));  // where they meet, the bar's one sounds once
  play_until_clean(server, {"3", "4/4", "240", "+3", "+5"}, expected, 0);
}

// klick's -n: the client's ports carry the name given.
TEST(Jack, PlayTakesTheClientNameItIsGiven) {
  START_SERVER(server);
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());
  Process play = start_play(
      server, {"2", "4/4", "240", "-n", "stage-click", "--connect", capture.port()}, "named.out");
  ASSERT_TRUE(play.started());
  bool named = false;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!named && std::chrono::steady_clock::now() < deadline) {
    named = capture.port_exists("stage-click:out") && !capture.port_exists("cacophony:out");
    std::this_thread::sleep_for(20ms);
  }
  const int status = finish(play, 30s);
  EXPECT_TRUE(named) << play.output();
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << play.output();
}

// A -20 dBFS-peak 1 kHz sine into cacophony:in measures -23 LUFS: volume round(37 * 100 / 60) = 62,
// once the 400 ms window has filled (beats are 125 ms apart; beat n is metered as n - 1 starts).
TEST(Jack, MeterJackFollowsTheLoudnessOfItsInput) {
  START_SERVER(server);
  Sine sine(server.name(), 0.1f);
  ASSERT_TRUE(sine.ok());
  const std::vector<int> volumes = play_volumes(
      server,
      {"--bpm", "480", "--beats", "16", "--follow", "jack", "--follow-connect", sine.port()});
  ASSERT_EQ(volumes.size(), 16u);
  for (std::size_t n = 6; n < volumes.size(); ++n) {
    EXPECT_GE(volumes[n], 60) << "beat " << n;
    EXPECT_LE(volumes[n], 64) << "beat " << n;
  }
}

TEST(Jack, MeterJackWithNothingConnectedHearsSilence) {
  START_SERVER(server);
  const std::vector<int> volumes =
      play_volumes(server, {"--bpm", "480", "--beats", "16", "--follow", "jack"});
  ASSERT_EQ(volumes.size(), 16u);
  for (std::size_t n = 0; n < volumes.size(); ++n) EXPECT_EQ(volumes[n], 0) << "beat " << n;
}

TEST(Jack, QuietPrintsNothing) {
  START_SERVER(server);
  Process play = start_play(server, {"--bpm", "480", "--beats", "4", "--quiet"}, "quiet.out");
  const int status = finish(play, 30s);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(play.output(), "");
}

TEST(Jack, SigtermStopsPlayCleanlyWith130) {
  START_SERVER(server);
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());
  Process play = start_play(server, {"--bpm", "240", "--connect", capture.port()}, "endless.out");
  ASSERT_TRUE(play.started());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!capture.heard_something() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(capture.heard_something());
  play.signal(SIGTERM);
  const int status = finish(play, 10s);
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(capture.port_exists("cacophony:out"));
}

// A server that stops answering (here: SIGSTOP) must not keep play from stopping: it gives the
// server a second, says it leaves it, and exits with 130. The bound leaves a loaded machine room;
// ThreadSanitizer's own second of sleep at exit is turned off (a later option wins).
TEST(Jack, AWedgedServerDoesNotKeepPlayFromStopping) {
  START_SERVER(server);
  const char* tsan = std::getenv("TSAN_OPTIONS");
  const std::string no_exit_sleep =
      "TSAN_OPTIONS=" + std::string(tsan ? tsan : "") + " atexit_sleep_ms=0";
  Process play({CACOPHONY_BINARY, "play", "--bpm", "240"}, Output::file(temp_path("wedged.out")),
               Input::null, {server.env(), no_exit_sleep});
  ASSERT_TRUE(play.wait_for_output("beat #1 ", 10s)) << play.output();
  server.signal(SIGSTOP);
  std::this_thread::sleep_for(100ms);
  const auto asked = std::chrono::steady_clock::now();
  play.signal(SIGINT);
  const int status = finish(play, 5s);
  const auto took = std::chrono::steady_clock::now() - asked;
  server.signal(SIGCONT);
  // The server, going on, must see the player gone and take clients again: only then does it end
  // cleanly on SIGTERM. Killed, it would leave its entry in JACK's registry of servers, which
  // holds eight.
  EXPECT_TRUE(server.wait_ready(10s)) << "the server recovers";
  ASSERT_NE(status, -1) << "play hung on the wedged server";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << play.output();
  EXPECT_LT(took, 2s);
  EXPECT_NE(play.output().find("cacophony: the JACK server does not answer: leaving it\n"),
            std::string::npos)
      << play.output();
}

TEST(Jack, NoServerGetsOneLineAndExitCodeTwo) {
  const CommandResult r =
      run_cacophony("play --bpm 120 --beats 4", "JACK_DEFAULT_SERVER=cacophony-no-such-server-" +
                                                    std::to_string(getpid()) + " ");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "cacophony: error: no JACK server running\n");
}

// A test killed while its jackd runs (ctest's timeout) takes its jackd with it (JackServer's
// parent-death signal): a jackd left running holds one of the registry's eight entries and loads
// the cores under every test after it. The test killed here is a child process that starts its
// server and waits; no JACK client runs in it.
TEST(Jack, ATestsServerEndsWhenTheTestIsKilled) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t test = fork();
  ASSERT_NE(test, -1);
  if (test == 0) {
    close(fds[0]);
    JackServer server;
    const pid_t jackd = server.pid();
    if (write(fds[1], &jackd, sizeof jackd) != sizeof jackd) _exit(1);
    pause();
    _exit(0);
  }
  close(fds[1]);
  pid_t jackd = 0;
  const bool told = read(fds[0], &jackd, sizeof jackd) == sizeof jackd && jackd > 0;
  close(fds[0]);
  // setpriv has set the signal once it has become jackd.
  const bool became =
      told && wait_until(10s, [&] { return name_and_state(jackd).first == "jackd"; });
  kill(test, SIGKILL);
  waitpid(test, nullptr, 0);
  ASSERT_TRUE(became) << "the killed test's jackd did not start";
  const auto ended = [&] {
    const auto [name, state] = name_and_state(jackd);
    return name.empty() || state == 'Z';  // gone, or a zombie no one has reaped yet
  };
  const bool gone = wait_until(10s, ended);
  if (!gone) kill(jackd, SIGKILL);
  EXPECT_TRUE(gone) << "jackd " << jackd << " outlived the test that started it";
}

}  // namespace
