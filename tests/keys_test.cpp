// Keys while `play` runs, on a pseudo-terminal of its own, heard through a dummy JACK server:
// a tempo change from the next beat, to the frame; a meter change from the next bar; tap tempo;
// stop and start; q and Ctrl-C leaving the terminal as they found it.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "support/capture_client.h"
#include "support/jack_server.h"
#include "support/onsets.h"
#include "support/pty_process.h"

namespace {

using namespace cacophony::test_support;
using namespace std::chrono_literals;

constexpr const char* kUp = "\x1b[A";

// `play ARGS` on a terminal, heard by a capture client of its own.
struct KeysRun {
  KeysRun(const JackServer& server, std::vector<std::string> args) : capture(server.name()) {
    std::vector<std::string> command = {CACOPHONY_BINARY, "play", "--connect", capture.port()};
    command.insert(command.end(), args.begin(), args.end());
    play = std::make_unique<PtyProcess>(command, std::vector{server.env()});
  }
  bool heard_within(std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!capture.heard_something() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    return capture.heard_something();
  }
  // q, then the exit status.
  int quit() {
    play->type("q");
    const int status = play->wait(10s);
    capture.stop();
    return status;
  }
  std::vector<std::size_t> onsets() const {
    return cacophony::test_support::onsets(capture.samples(), 100);
  }
  // Whether each click is an accent (2 kHz) rather than a beat (1 kHz): its zero crossings in 10
  // ms.
  std::vector<bool> accents(const std::vector<std::size_t>& at) const {
    const std::vector<float> s = capture.samples();
    std::vector<bool> out;
    for (std::size_t i : at) {
      int crossings = 0;
      for (std::size_t k = i + 1; k < i + 480 && k < s.size(); ++k)
        crossings += (s[k - 1] >= 0) != (s[k] >= 0);
      out.push_back(crossings > 30);
    }
    return out;
  }

  Capture capture;
  std::unique_ptr<PtyProcess> play;
};

bool exited_with(int status, int code) {
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

// Runs `attempt` up to five times until a run has no xrun (a loaded machine gives even an idle
// dummy server some); `attempt` returns the run's xruns.
template <typename Attempt>
void without_xruns(Attempt attempt) {
  int xruns = -1;
  for (int i = 0; i < 5 && xruns != 0 && !::testing::Test::HasFailure(); ++i) xruns = attempt();
  EXPECT_EQ(xruns, 0) << "five runs, each with an xrun";
}

TEST(Keys, UpRaisesTheTempoByTenFromTheNextBeatToTheFrame) {
  START_SERVER(server);
  without_xruns([&] {
    KeysRun run(server, {"4/4", "120"});
    EXPECT_TRUE(run.heard_within(10s)) << run.play->output();
    std::this_thread::sleep_for(1100ms);
    EXPECT_TRUE(run.play->type(kUp));
    std::this_thread::sleep_for(2500ms);
    EXPECT_TRUE(exited_with(run.quit(), 0)) << run.play->output();
    if (run.capture.xruns() > 0) return run.capture.xruns();
    const std::vector<std::size_t> at = run.onsets();
    std::size_t k = 1;  // the first beat whose interval is 130 bpm's
    while (k < at.size() && at[k] - at[k - 1] == 24000) ++k;
    EXPECT_GE(k, 3u) << "the tempo changed before the key";
    for (std::size_t j = k; j < at.size(); ++j)
      EXPECT_EQ(at[j] - at[k - 1], std::llround((j - k + 1) * 48000.0 * 60 / 130)) << "click " << j;
    EXPECT_GE(at.size() - k, 4u);
    return 0;
  });
}

TEST(Keys, ThreeGivesThreeFourFromTheNextBar) {
  START_SERVER(server);
  without_xruns([&] {
    KeysRun run(server, {"4/4", "240"});  // 12000 frames a beat, a bar in 1 s
    EXPECT_TRUE(run.heard_within(10s)) << run.play->output();
    std::this_thread::sleep_for(1600ms);  // mid-bar
    EXPECT_TRUE(run.play->type("3"));
    std::this_thread::sleep_for(2000ms);
    EXPECT_TRUE(exited_with(run.quit(), 0)) << run.play->output();
    if (run.capture.xruns() > 0) return run.capture.xruns();
    const std::vector<std::size_t> at = run.onsets();
    const std::vector<bool> accent = run.accents(at);
    std::size_t change = 4;  // the first bar of 3/4: a bar start where 4/4 has no accent
    while (change + 3 < at.size() && accent[change + 3] == false) change += 4;
    EXPECT_LT(change + 6, at.size()) << "no 3/4 heard";
    if (change + 6 >= at.size()) return 0;
    for (std::size_t i = 0; i < at.size(); ++i) {
      const bool expected = i < change ? i % 4 == 0 : (i - change) % 3 == 0;
      EXPECT_EQ(accent[i], expected) << "click " << i << " (3/4 from click " << change << ")";
      if (i > 0) {
        EXPECT_EQ(at[i] - at[i - 1], 12000u) << "click " << i;
      }
    }
    return 0;
  });
}

TEST(Keys, FourTapsHalfASecondApartRead120AndAWildTapIsLeftOut) {
  START_SERVER(server);
  KeysRun run(server, {"4/4", "100"});
  ASSERT_TRUE(run.heard_within(10s)) << run.play->output();
  // Half a second apart within 5 ms, and a double hit at 1250 ms.
  const auto start = std::chrono::steady_clock::now();
  for (int at_ms : {0, 505, 996, 1250, 1503, 2001}) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(at_ms));
    ASSERT_TRUE(run.play->type("t"));
  }
  std::this_thread::sleep_for(600ms);
  EXPECT_TRUE(exited_with(run.quit(), 0));
  const std::string out = run.play->output();
  // The latest "tap N ..." the display showed.
  double last = 0;
  for (std::size_t at = out.find("tap "); at != std::string::npos; at = out.find("tap ", at + 1))
    last = std::strtod(out.c_str() + at + 4, nullptr);
  EXPECT_NEAR(last, 120, 0.5) << out.substr(out.size() > 400 ? out.size() - 400 : 0);
  EXPECT_NE(out.find(" 120"), std::string::npos) << "the tapped tempo plays";
}

TEST(Keys, SpaceStopsAndStartsAtTheBarsFirstBeat) {
  START_SERVER(server);
  KeysRun run(server, {"4/4", "240"});
  ASSERT_TRUE(run.heard_within(10s)) << run.play->output();
  std::this_thread::sleep_for(700ms);
  ASSERT_TRUE(run.play->type(" "));
  std::this_thread::sleep_for(1200ms);
  EXPECT_NE(run.play->output().find("stopped"), std::string::npos);
  ASSERT_TRUE(run.play->type(" "));
  std::this_thread::sleep_for(800ms);
  EXPECT_TRUE(exited_with(run.quit(), 0));
  const std::vector<std::size_t> at = run.onsets();
  const std::vector<bool> accent = run.accents(at);
  std::size_t gap = 1;
  while (gap < at.size() && at[gap] - at[gap - 1] < 24000) ++gap;
  ASSERT_LT(gap, at.size()) << "no pause heard";
  EXPECT_GE(at[gap] - at[gap - 1], 48000u) << "about 1.2 s without a click";
  EXPECT_TRUE(accent[gap]) << "it starts again on the one";
  EXPECT_GE(at.size() - gap, 3u);
}

TEST(Keys, QuitAndCtrlCLeaveTheTerminalCooked) {
  START_SERVER(server);
  {
    KeysRun run(server, {"4/4", "120"});
    ASSERT_TRUE(run.heard_within(10s)) << run.play->output();
    EXPECT_TRUE(exited_with(run.quit(), 0)) << run.play->output();
    EXPECT_TRUE(run.play->cooked());
  }
  {
    KeysRun run(server, {"4/4", "120"});
    ASSERT_TRUE(run.heard_within(10s)) << run.play->output();
    ASSERT_TRUE(run.play->type("\x03"));  // the terminal turns it into SIGINT
    EXPECT_TRUE(exited_with(run.play->wait(10s), 130)) << run.play->output();
    EXPECT_TRUE(run.play->cooked());
  }
}

}  // namespace
