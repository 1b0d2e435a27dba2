// klick's OSC messages (issue 25, klick parity) driving a running `play --osc` on a dummy JACK
// server, over real UDP: what is printed, heard and replied. Also the parts beneath them: the
// live grid's new pattern at the next bar, and klick's tap count.

#include <gtest/gtest.h>
#include <lo/lo.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cacophony/rhythm/tap_tempo.h"
#include "cacophony/sound/live_grid.h"
#include "support/capture_client.h"
#include "support/files.h"
#include "support/jack_server.h"
#include "support/onsets.h"
#include "support/osc_client.h"
#include "support/process.h"

namespace {

using namespace cacophony;
using namespace cacophony::test_support;
using namespace std::chrono_literals;
using rhythm::Accent;

// Each click as its beat (frames over `beat_frames`) and kind: A accent, n normal, s sub.
std::string described(const std::vector<sound::Onset>& onsets, std::int64_t beat_frames) {
  std::string text;
  for (const sound::Onset& o : onsets) {
    const char kind = o.kind == sound::ClickKind::accent   ? 'A'
                      : o.kind == sound::ClickKind::normal ? 'n'
                                                           : 's';
    text += std::to_string(o.frame / beat_frames) + kind + " ";
  }
  return text;
}

TEST(KlickLiveGrid, ANewPatternTakesEffectAtTheNextBar) {
  rhythm::Section section;
  section.beats = rhythm::kEndless;
  section.tempo = rhythm::Tempo::constant(240);  // 12000 frames a beat
  sound::LiveGrid grid(section, 1, 48000);
  std::vector<sound::Onset> onsets;
  sound::Onset o;
  grid.begin_block(0, {});
  while (grid.next_before(12000 * 5 + 10, o)) onsets.push_back(o);  // bar 2 has begun
  const std::vector<Accent> pattern{Accent::normal, Accent::rest, Accent::accent, Accent::rest};
  grid.set_pattern(pattern);
  EXPECT_EQ(grid.pattern(), pattern);
  while (grid.next_before(12000 * 12, o)) onsets.push_back(o);
  // Bar 2 as it began; bar 3 plays x . X .: its rests are no clicks.
  EXPECT_EQ(described(onsets, 12000), "0A 1n 2n 3n 4A 5n 6n 7n 8n 10A ");
  grid.set_pattern({});
  EXPECT_TRUE(grid.pattern().empty());
  while (grid.next_before(12000 * 16, o)) onsets.push_back(o);
  EXPECT_EQ(described({onsets.begin() + 10, onsets.end()}, 12000), "12A 13n 14n 15n ");
}

// A pattern shorter than the bar (the bar lengthened by a meter key) plays its beats, then normal
// ones: the bar keeps its accents and rests (rhythm::accent_in).
TEST(KlickLiveGrid, APatternShorterThanTheBarPlaysItsBeatsThenNormalOnes) {
  rhythm::Section section;
  section.beats = 8;
  section.tempo = rhythm::Tempo::constant(240);
  sound::LiveGrid grid(section, 1, 48000);
  grid.set_pattern({Accent::rest, Accent::rest, Accent::rest});
  std::vector<sound::Onset> onsets;
  sound::Onset o;
  grid.begin_block(0, {});
  while (grid.next_before(12000 * 10, o)) onsets.push_back(o);
  EXPECT_EQ(described(onsets, 12000), "3n 7n ");
}

TEST(KlickLiveGrid, ARestartWhilePlayingBeginsBarOneAtTheNextBlock) {
  rhythm::Section section;
  section.beats = rhythm::kEndless;
  section.tempo = rhythm::Tempo::constant(240);
  sound::LiveGrid grid(section, 1, 48000);
  std::vector<sound::Onset> onsets;
  sound::Onset o;
  grid.begin_block(0, {});
  while (grid.next_before(30000, o)) onsets.push_back(o);
  grid.restart();
  while (grid.next_before(40000, o)) onsets.push_back(o);  // the same block: no change yet
  grid.begin_block(40000, {});
  while (grid.next_before(40000 + 12000 * 5, o)) onsets.push_back(o);
  std::string places;
  for (const sound::Onset& x : onsets)
    places += std::to_string(x.frame) + ":" + std::to_string(x.bar) + "." +
              std::to_string(x.phase + 1) + " ";
  EXPECT_EQ(places,
            "0:1.1 12000:1.2 24000:1.3 36000:1.4 40000:1.1 52000:1.2 64000:1.3 76000:1.4 "
            "88000:2.1 ");
  EXPECT_EQ(onsets[4].kind, sound::ClickKind::accent);
}

TEST(KlickTapTempo, KlicksCountReadsFromTheSecondTap) {
  rhythm::TapTempo klick(2);
  EXPECT_FALSE(klick.tap(10.0));
  const auto reading = klick.tap(10.4);
  ASSERT_TRUE(reading);
  EXPECT_NEAR(reading->bpm, 150, 1e-9);
  rhythm::TapTempo ours;
  EXPECT_FALSE(ours.tap(10.0));
  EXPECT_FALSE(ours.tap(10.4)) << "ours still waits for a third tap";
  EXPECT_TRUE(ours.tap(10.8));
}

// The leading run of `allowed` characters in `text` from `at` (moved past it).
std::string run_of(const std::string& text, std::size_t& at, const char* allowed) {
  const std::size_t end = std::min(text.find_first_not_of(allowed, at), text.size());
  std::string run = text.substr(at, end - at);
  at = end;
  return run;
}

// The printed clicks ("bar.beat at T bpm: ...") as "bar.beat@T", in order. Read by hand, not with
// std::regex: gcc 12's ASan build warns inside std::regex, and warnings are errors.
std::vector<std::string> printed(const std::string& output) {
  std::vector<std::string> clicks;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    std::size_t at = 0;
    const std::string place = run_of(line, at, "0123456789.");
    const std::size_t dot = place.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == place.size() ||
        place.find('.', dot + 1) != std::string::npos || line.compare(at, 4, " at ") != 0)
      continue;
    at += 4;
    const std::string tempo = run_of(line, at, "0123456789.");
    if (!tempo.empty() && line.compare(at, 6, " bpm: ") == 0) clicks.push_back(place + "@" + tempo);
  }
  return clicks;
}

// The captured clicks as A (an accent's 2 kHz) or n (a beat's 1 kHz), from the sign changes in
// each click's first 5 ms: 20 for an accent, 10 for a beat.
std::string heard_kinds(const std::vector<float>& samples) {
  std::string kinds;
  for (const std::size_t at : onsets(samples, 100)) {
    int changes = 0;
    for (std::size_t i = at + 1; i < at + 240 && i < samples.size(); ++i)
      changes += (samples[i] > 0) != (samples[i - 1] > 0);
    kinds += changes > 15 ? 'A' : 'n';
  }
  return kinds;
}

void send_ii(Client& client, const char* path, int a, int b) {
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, path, "ii", a, b);
}
void send_s(Client& client, const char* path, const char* word) {
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, path, "s", word);
}
void send_d(Client& client, const char* path, double value) {
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, path, "d", value);
}

// The meter and the pattern, as klick's query tells them, and what a bad one is told.
void set_klick_bar(Client& client) {
  send_ii(client, "/klick/simple/set_meter", 3, 4);
  send_s(client, "/klick/simple/set_pattern", "x.X");
  client.send("/klick/simple/query");
  EXPECT_EQ(client.next_on("/klick/simple/meter").all, "3 4");
  EXPECT_EQ(client.next_on("/klick/simple/pattern").all, "x.X");
  send_s(client, "/klick/simple/set_pattern", "xx");
  EXPECT_EQ(client.next_on("/cacophony/error").first, "the pattern xx has 2 beats, the bar 3");
  send_ii(client, "/klick/simple/set_meter", 3, 8);
  EXPECT_EQ(client.next_on("/cacophony/error").first,
            "the beat stays a 1/4 note; give the beats per bar");
}

// Stop: klick's active is 0 and nothing more is printed; start: bar 1 again.
void stop_and_start(Client& client, const Process& play) {
  client.send("/klick/metro/stop");
  client.send("/klick/metro/query");
  EXPECT_EQ(client.next_on("/klick/metro/active").all, "0");
  std::this_thread::sleep_for(300ms);
  const std::size_t stopped = printed(play.output()).size();
  std::this_thread::sleep_for(700ms);  // 2.3 beats at 200 bpm
  EXPECT_EQ(printed(play.output()).size(), stopped);
  client.send("/klick/metro/start");
  EXPECT_TRUE(play.wait_for_output("1.1 at 200 bpm: ", 5s)) << play.output();
  client.send("/klick/metro/query");
  EXPECT_EQ(client.next_on("/klick/metro/active").all, "1");
}

// Printed: once the pattern x . X holds, every bar is beats 1 and 3 (2 rests), also after the
// restarts; a 3 never follows a 3.
void expect_x_dot_x_printed(const std::string& output) {
  const std::vector<std::string> clicks = printed(output);
  const auto beat_of = [&](std::size_t i) { return clicks[i][clicks[i].find('.') + 1]; };
  std::size_t first = 0;
  while (first + 1 < clicks.size() && !(beat_of(first) == '1' && beat_of(first + 1) == '3'))
    ++first;
  ASSERT_LT(first + 1, clicks.size()) << output;
  EXPECT_GT(clicks.size() - first, 8U);
  for (std::size_t i = first; i < clicks.size(); ++i) {
    EXPECT_TRUE(beat_of(i) == '1' || beat_of(i) == '3') << i << " " << clicks[i];
    EXPECT_FALSE(i > first && beat_of(i) == '3' && beat_of(i - 1) == '3') << i;
  }
}

// `play 4/4 240 --osc PORT`, heard by `capture`, its output in `out`.
Process play_4_4_at_240(const JackServer& server, const Capture& capture, int port,
                        const std::string& out) {
  return Process({CACOPHONY_BINARY, "play", "4/4", "240", "--osc", std::to_string(port),
                  "--connect", capture.port()},
                 Output::file(temp_path(out)), Input::null, {server.env()});
}

TEST(KlickOscPlay, KlicksMessagesDriveAPlay) {
  START_SERVER(server);
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());
  const int port = free_udp_port();
  Process play = play_4_4_at_240(server, capture, port, "klick_osc.out");
  ASSERT_TRUE(play.wait_for_output("beat #5 ", 10s)) << play.output();
  Client client(port);
  set_klick_bar(client);
  std::this_thread::sleep_for(3500ms);  // three bars and more of x . X at 240 bpm

  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/klick/simple/set_tempo", "i",
               200);
  EXPECT_TRUE(play.wait_for_output("at 200 bpm: ", 5s)) << play.output();
  stop_and_start(client, play);

  // Two taps, timed by the sender 0.4 s apart: 150 bpm.
  send_d(client, "/klick/simple/tap", 1000.0);
  send_d(client, "/klick/simple/tap", 1000.4);
  EXPECT_TRUE(play.wait_for_output("at 150 bpm: ", 5s)) << play.output();
  client.send("/klick/simple/query");
  EXPECT_EQ(client.next_on("/klick/simple/tempo").all, "150");
  // klick's gain 0.5, 6 dB down from the loudest: our volume 85 (0.39 dB a step).
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/klick/config/set_volume", "f",
               0.5F);
  EXPECT_TRUE(play.wait_for_output("at 85 power (", 5s)) << play.output();
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/klick/config/set_volume", "f",
               1.5F);
  EXPECT_EQ(client.next_on("/cacophony/error").first, "volume 1.5 is outside 0..1");
  // A start while playing: bar 1 again, as klick.
  client.send("/klick/metro/start");
  EXPECT_TRUE(play.wait_for_output("1.1 at 150 bpm: ", 5s)) << play.output();

  client.send("/klick/quit");
  const int status = play.wait(10s);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  capture.stop();

  expect_x_dot_x_printed(play.output());
  // Heard: 4/4's accent on 1 before, then x . X: a beat, then an accent, bar after bar.
  const std::string kinds = heard_kinds(capture.samples());
  EXPECT_NE(kinds.find("Annn"), std::string::npos) << kinds;
  EXPECT_NE(kinds.find("nAnAnA"), std::string::npos) << kinds;
  EXPECT_EQ(kinds.find("AA"), std::string::npos) << kinds;
}

// klick's 0 beats: every beat even, unaccented; a new number of beats drops that pattern.
TEST(KlickOscPlay, ZeroBeatsPlayEveryBeatEven) {
  START_SERVER(server);
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());
  const int port = free_udp_port();
  Process play = play_4_4_at_240(server, capture, port, "klick_even.out");
  ASSERT_TRUE(play.wait_for_output("beat #5 ", 10s)) << play.output();
  Client client(port);
  send_ii(client, "/klick/simple/set_meter", 0, 4);
  client.send("/klick/simple/query");
  EXPECT_EQ(client.next_on("/klick/simple/meter").all, "0 4");
  EXPECT_EQ(client.next_on("/klick/simple/pattern").all, "");
  std::this_thread::sleep_for(2500ms);
  send_ii(client, "/klick/simple/set_meter", 4, 4);
  client.send("/klick/simple/query");
  EXPECT_EQ(client.next_on("/klick/simple/meter").all, "4 4");
  EXPECT_EQ(client.next_on("/klick/simple/pattern").all, "");
  std::this_thread::sleep_for(1500ms);
  client.send("/klick/quit");
  const int status = play.wait(10s);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  capture.stop();
  // Heard: 4/4, then beats alone (more in a row than 4/4 has), then 4/4 again.
  const std::string kinds = heard_kinds(capture.samples());
  const std::size_t even = kinds.find("nnnnnnn");
  ASSERT_NE(even, std::string::npos) << kinds;
  EXPECT_NE(kinds.rfind("Annn", even), std::string::npos) << kinds;
  EXPECT_NE(kinds.find("Annn", even), std::string::npos) << kinds;
  // Printed: a bar a beat, each its beat 1.
  std::string beats;
  for (const std::string& click : printed(play.output())) beats += click[click.find('.') + 1];
  EXPECT_NE(beats.find("1111111"), std::string::npos) << beats;
}

// Taps as klick's controllers send them, timed by their arrival: two set a tempo, which a
// registered klick client is told.
TEST(KlickOscPlay, TwoTapsSetATempo) {
  START_SERVER(server);
  const int port = free_udp_port();
  Process play({CACOPHONY_BINARY, "play", "4/4", "60", "--osc", std::to_string(port)},
               Output::file(temp_path("klick_tap.out")), Input::null, {server.env()});
  ASSERT_TRUE(play.wait_for_output("beat #0 ", 10s)) << play.output();
  Client client(port);
  client.send("/klick/register_client");  // told of the tapped tempo, unasked
  client.send("/klick/simple/tap");
  std::this_thread::sleep_for(500ms);
  client.send("/klick/simple/tap");
  const std::string tempo = client.next_on("/klick/simple/tempo").all;
  ASSERT_FALSE(tempo.empty());
  // 120 bpm, less what a loaded machine delays one datagram more than the other.
  EXPECT_GT(std::stoi(tempo), 100);
  EXPECT_LT(std::stoi(tempo), 140);
  play.signal(SIGINT);
  const int status = play.wait(10s);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
}

}  // namespace
