// Keys while `play` runs, on a pseudo-terminal of its own, heard through a dummy JACK server:
// a tempo change from the next beat, to the frame; a meter change from the next bar; tap tempo;
// stop and start; q and Ctrl-C leaving the terminal as they found it.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/sound/click.h"
#include "support/capture_client.h"
#include "support/files.h"
#include "support/jack_server.h"
#include "support/onsets.h"
#include "support/osc_client.h"
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

// Waits up to `limit` until the display shows `text` after what it had shown at `from` (an offset
// into the output); true when it did.
bool shows(const PtyProcess& play, const std::string& text, std::size_t from,
           std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (play.output().find(text, from) == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  return play.output().find(text, from) != std::string::npos;
}

// The server's frame time of each click heard.
std::vector<std::int64_t> heard_at(const KeysRun& run, const std::vector<std::size_t>& at) {
  std::vector<std::int64_t> frames;
  for (std::size_t i : at) frames.push_back(run.capture.jack_frame(i));
  return frames;
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

// m silences the next click and every one after it, until m again; the clicks keep their count.
// A key is taken before the display shows it, so every click the server renders a period after
// the display said "muted" is silent (the frame times are the server's, as the capture heard).
TEST(Keys, MuteSilencesEveryClickUntilPressedAgain) {
  START_SERVER(server);
  without_xruns([&] {
    KeysRun run(server, {"4/4", "240"});
    EXPECT_TRUE(run.heard_within(10s)) << run.play->output();
    std::this_thread::sleep_for(600ms);
    std::size_t from = run.play->output().size();
    EXPECT_TRUE(run.play->type("m"));
    EXPECT_TRUE(shows(*run.play, "muted", from)) << run.play->output();
    const std::int64_t muted = run.capture.now();
    std::this_thread::sleep_for(1500ms);
    const std::int64_t unmuting = run.capture.now();
    from = run.play->output().size();
    EXPECT_TRUE(run.play->type("m"));
    // The line drawn after the key no longer says muted.
    EXPECT_TRUE(shows(*run.play, "vol 80\x1b[K", from)) << run.play->output().substr(from);
    const std::int64_t unmuted = run.capture.now();
    std::this_thread::sleep_for(1000ms);
    EXPECT_TRUE(exited_with(run.quit(), 0)) << run.play->output();
    if (run.capture.xruns() > 0) return run.capture.xruns();
    const std::vector<std::int64_t> at = heard_at(run, run.onsets());
    int before = 0, during = 0, after = 0;
    for (const std::int64_t frame : at) {
      before += frame < muted - kPeriod;
      during += frame >= muted + kPeriod && frame < unmuting;
      after += frame >= unmuted + kPeriod;
    }
    EXPECT_GE(before, 2);
    EXPECT_EQ(during, 0) << "clicks heard while muted";
    EXPECT_GE(after, 3) << "m again did not bring the click back";
    return 0;
  });
}

// A volume key changes the very next click the server renders after it: its peak is the new
// volume's gain (click.h), and every click before the key has the old one.
TEST(Keys, AVolumeKeyChangesTheNextClick) {
  START_SERVER(server);
  without_xruns([&] {
    KeysRun run(server, {"4/4", "240", "--volume", "80"});
    EXPECT_TRUE(run.heard_within(10s)) << run.play->output();
    std::this_thread::sleep_for(600ms);
    const std::int64_t pressing = run.capture.now();
    const std::size_t from = run.play->output().size();
    EXPECT_TRUE(run.play->type("-"));
    EXPECT_TRUE(shows(*run.play, "75", from)) << run.play->output().substr(from);
    const std::int64_t pressed = run.capture.now();
    // The display says what sounded: "vol 75" alone once a click at 75 has.
    EXPECT_TRUE(shows(*run.play, "vol 75\x1b[K", from)) << run.play->output().substr(from);
    std::this_thread::sleep_for(800ms);
    EXPECT_TRUE(exited_with(run.quit(), 0)) << run.play->output();
    if (run.capture.xruns() > 0) return run.capture.xruns();
    const std::vector<float> samples = run.capture.samples();
    const std::vector<std::size_t> at = run.onsets();
    int old_level = 0, new_level = 0;
    for (std::size_t i : at) {
      const std::int64_t frame = run.capture.jack_frame(i);
      const float peak = std::abs(samples[i]);
      if (frame < pressing - kPeriod) {
        EXPECT_FLOAT_EQ(peak, cacophony::sound::volume_gain(80)) << "click at " << frame;
        ++old_level;
      }
      if (frame >= pressed + kPeriod) {
        EXPECT_FLOAT_EQ(peak, cacophony::sound::volume_gain(75)) << "click at " << frame;
        ++new_level;
      }
    }
    EXPECT_GE(old_level, 2);
    EXPECT_GE(new_level, 3);
    return 0;
  });
}

// The display reads as the rhythm does: the count-in called so and counted from 1, the bar as
// its pattern reads (rests as rests) with the sounding beat in parentheses, the map's section.
TEST(Keys, TheDisplayShowsTheCountInThePatternAndTheSection) {
  START_SERVER(server);
  const std::string map = temp_path("display.map");
  std::ofstream(map) << "intro: 1 4/4 480\nverse: 1 4/4 480 X.x.\n1 4/4 480 X.x.\n";
  KeysRun run(server, {"--map", map, "--from", "verse", "--count-in", "1"});
  EXPECT_TRUE(run.heard_within(10s)) << run.play->output();
  EXPECT_TRUE(run.play->wait(10s) != -1);
  const std::string out = run.play->output();
  EXPECT_NE(out.find("in 1.1  [(X) .  x  . ]  480 bpm  count-in"), std::string::npos) << out;
  EXPECT_EQ(out.find("    1.1  ["), std::string::npos) << "the count-in numbered as a bar: " << out;
  EXPECT_NE(out.find("    2.1  [(X) .  x  . ]  480 bpm  verse"), std::string::npos) << out;
  EXPECT_NE(out.find("    2.3  [ X  . (x) . ]  480 bpm  verse"), std::string::npos) << out;
  // The unlabelled line goes by the label before it.
  EXPECT_NE(out.find("    3.3  [ X  . (x) . ]  480 bpm  verse"), std::string::npos) << out;
  EXPECT_EQ(out.find("intro"), std::string::npos) << out;
}

// A meter key keeps the pattern's beats and rests (3 after X.x. plays X . x) and says nothing
// stale: a key the rhythm cannot take is said, and gone from the line a few seconds later.
TEST(Keys, AMeterKeyKeepsThePatternAndNoMessageStays) {
  START_SERVER(server);
  {
    KeysRun run(server, {"4/4", "240", "X.x."});
    EXPECT_TRUE(run.heard_within(10s)) << run.play->output();
    const std::size_t from = run.play->output().size();
    EXPECT_TRUE(run.play->type("3"));
    EXPECT_TRUE(shows(*run.play, "[ X  . (x)]", from)) << run.play->output().substr(from);
    EXPECT_TRUE(exited_with(run.quit(), 0));
  }
  {
    const std::string map = temp_path("fixed.map");
    std::ofstream(map) << "10 4/4 240\n10 4/4 240\n";  // two sections: the map sets the bar
    KeysRun run(server, {"--map", map});
    EXPECT_TRUE(run.heard_within(10s)) << run.play->output();
    const std::size_t from = run.play->output().size();
    EXPECT_TRUE(run.play->type("3"));
    EXPECT_TRUE(shows(*run.play, "(the rhythm sets the bar", from, 2s))
        << run.play->output().substr(from);
    // Four seconds on, the line is drawn again without it.
    std::this_thread::sleep_for(4500ms);
    const std::string late = run.play->output();
    const std::size_t last_line = late.rfind('\r');
    ASSERT_NE(last_line, std::string::npos);
    EXPECT_EQ(late.find("the rhythm sets the bar", last_line), std::string::npos)
        << late.substr(last_line);
    EXPECT_TRUE(exited_with(run.quit(), 0));
  }
}

// n in a setlist goes to the next song at the next bar boundary: every click before it is the
// first song's (4/4 at 240, a bar every 48000 frames), every one from it on the second's (at 120),
// and the display names the song playing.
TEST(Keys, NGoesToTheNextSongAtTheNextBar) {
  START_SERVER(server);
  const std::string list = temp_path("set.txt");
  std::ofstream(list) << "fast: 16 4/4 240\nslow: 4 4/4 120\n";
  without_xruns([&] {
    KeysRun run(server, {"--setlist", list});
    EXPECT_TRUE(run.heard_within(10s)) << run.play->output();
    std::this_thread::sleep_for(1300ms);  // in the second bar
    const std::size_t from = run.play->output().size();
    EXPECT_TRUE(run.play->type("n"));
    EXPECT_TRUE(shows(*run.play, "slow:", from)) << run.play->output().substr(from);
    std::this_thread::sleep_for(1500ms);
    EXPECT_TRUE(exited_with(run.quit(), 0)) << run.play->output();
    if (run.capture.xruns() > 0) return run.capture.xruns();
    EXPECT_NE(run.play->output().find("fast:"), std::string::npos);
    const std::vector<std::size_t> at = run.onsets();
    std::size_t k = 1;  // the first interval at 120: the second song's first click is k - 1
    while (k < at.size() && at[k] - at[k - 1] == 12000) ++k;
    EXPECT_LT(k, at.size()) << "no second song heard";
    if (k >= at.size()) return 0;
    const std::size_t first = k - 1;
    EXPECT_GE(first, 4u) << "the song changed before the key";
    EXPECT_EQ((at[first] - at[0]) % 48000, 0u) << "not on a bar boundary: click " << first;
    EXPECT_EQ(first % 4, 0u) << "the first song's last bar was cut short";
    for (std::size_t j = k; j < at.size(); ++j) EXPECT_EQ(at[j] - at[j - 1], 24000u) << j;
    EXPECT_GE(at.size() - first, 3u);
    return 0;
  });
}

// OSC goes to a song by its name, or the previous one, as the keys do; the line names it.
TEST(Keys, OscGoesToASongByNameAndBack) {
  START_SERVER(server);
  const std::string list = temp_path("osc-set.txt");
  std::ofstream(list) << "one: 40 4/4 480\ntwo: 40 3/4 480\nthree: 40 2/4 480\n";
  const int port = free_udp_port();
  KeysRun run(server, {"--setlist", list, "--osc", std::to_string(port)});
  ASSERT_TRUE(run.heard_within(10s)) << run.play->output();
  Client osc(port);
  std::size_t from = run.play->output().size();
  lo_send_from(osc.target(), osc.server(), LO_TT_IMMEDIATE, "/cacophony/song", "s", "three");
  EXPECT_TRUE(shows(*run.play, "three:", from)) << run.play->output().substr(from);
  from = run.play->output().size();
  osc.send("/cacophony/previous");
  EXPECT_TRUE(shows(*run.play, "two:", from)) << run.play->output().substr(from);
  lo_send_from(osc.target(), osc.server(), LO_TT_IMMEDIATE, "/cacophony/song", "s", "four");
  EXPECT_EQ(osc.next_on("/cacophony/error").first, "no song 'four' in the setlist");
  EXPECT_TRUE(exited_with(run.quit(), 0)) << run.play->output();
}

}  // namespace
