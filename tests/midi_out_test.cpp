// MIDI out of `cacophony play` (--midi-clock, --midi-notes), recorded by Debian's jack_midi_dump
// on a jackd of the test's own. jack_midi_dump -a prints each event with its frame counted on the
// server's periods from its own start, so the frames compared here are the server's, whatever the
// scheduling; a run that saw an xrun proves nothing either way and is played again.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/rhythm/rhythm.h"
#include "support/capture_client.h"
#include "support/command.h"
#include "support/files.h"
#include "support/folder.h"
#include "support/jack_server.h"
#include "support/midi_dump.h"
#include "support/osc_client.h"
#include "support/process.h"
#include "support/pty_process.h"

namespace {

using namespace cacophony::test_support;
using namespace std::chrono_literals;

constexpr int kClock = 0xF8;
constexpr int kStart = 0xFA;
constexpr int kStop = 0xFC;

struct Recording {
  std::vector<MidiEvent> events;
  int status = -1;  // play's exit code; -1 when it did not end by itself
  int xruns = 0;
  std::string output;

  std::vector<long long> frames_of(int status_byte) const {
    std::vector<long long> frames;
    for (const MidiEvent& e : events)
      if (!e.bytes.empty() && e.bytes[0] == status_byte) frames.push_back(e.frame);
    return frames;
  }
  std::vector<MidiEvent> of_kind(int high_nibble) const {
    std::vector<MidiEvent> found;
    for (const MidiEvent& e : events)
      if (!e.bytes.empty() && (e.bytes[0] & 0xF0) == high_nibble) found.push_back(e);
    return found;
  }
  // The clock's messages (Start, pulses, Stop), in order.
  std::vector<int> realtime() const {
    std::vector<int> found;
    for (const MidiEvent& e : events)
      if (!e.bytes.empty() && e.bytes[0] >= 0xF8) found.push_back(e.bytes[0]);
    return found;
  }
};

// `play --quiet --midi-connect dump:input ARGS` into a MidiDump; `during` runs while play does,
// given a client on the server (play is then left to end by itself, within 30 s).
Recording record(const JackServer& server, std::vector<std::string> args,
                 const std::function<void(Process&, const Capture&)>& during = {}) {
  Recording r;
  Capture xruns(server.name(), "xruns");  // counts the server's xruns
  EXPECT_TRUE(xruns.ok());
  MidiDump dump(server, xruns);
  std::vector<std::string> command = {CACOPHONY_BINARY, "play", "--quiet", "--midi-connect",
                                      "dump:input"};
  command.insert(command.end(), args.begin(), args.end());
  Process play(command, Output::file(temp_path("midi-play.out")), Input::null, {server.env()});
  if (during) during(play, xruns);
  const int status = play.wait(30s);
  if (status == -1) play.signal(SIGKILL);
  r.status = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.output = play.output();
  r.events = dump.stop();
  r.xruns = xruns.xruns();
  return r;
}

// A recording without an xrun, at most five tries; a loaded machine gives even an idle dummy
// server an xrun every few seconds.
Recording record_clean(const JackServer& server, const std::vector<std::string>& args,
                       const std::function<void(Process&, const Capture&)>& during = {}) {
  return first_without_xruns(5, [&] { return record(server, args, during); });
}

// The clock as a whole: Start first, Stop last, `pulses` pulses between.
void expect_clock_shape(const Recording& r, std::size_t pulses) {
  const std::vector<int> clock = r.realtime();
  ASSERT_EQ(clock.size(), pulses + 2);
  EXPECT_EQ(clock.front(), kStart);
  EXPECT_EQ(clock.back(), kStop);
  for (std::size_t i = 1; i + 1 < clock.size(); ++i) ASSERT_EQ(clock[i], kClock) << i;
}

// 120 bpm at 48 kHz: a pulse every 1000 frames exactly, from the Start on, 24 between each two
// beats (the notes mark the beats), and Stop where the 16th beat's interval ends.
TEST(MidiOut, ClockAt120PutsEveryPulseOnItsFrame) {
  START_SERVER(server);
  const Recording r =
      record_clean(server, {"--bpm", "120", "--beats", "16", "--midi-clock", "--midi-notes"});
  ASSERT_EQ(r.status, 0) << r.output;
  expect_clock_shape(r, 16 * 24);
  const long long start = r.frames_of(kStart).front();
  const std::vector<long long> pulses = r.frames_of(kClock);
  for (std::size_t k = 0; k < pulses.size(); ++k)
    ASSERT_LE(std::llabs(pulses[k] - (start + 1000 * static_cast<long long>(k))), 1) << k;
  EXPECT_EQ(r.frames_of(kStop).front(), start + 16 * 24000);
  std::vector<long long> beats;
  for (const MidiEvent& e : r.of_kind(0x90)) beats.push_back(e.frame);
  ASSERT_EQ(beats.size(), 16u);
  EXPECT_EQ(beats.front(), start);
  beats.push_back(r.frames_of(kStop).front());
  for (std::size_t b = 0; b + 1 < beats.size(); ++b) {
    long long in_beat = 0;
    for (const long long p : pulses) in_beat += p >= beats[b] && p < beats[b + 1];
    EXPECT_EQ(in_beat, 24) << "beat " << b;
  }
}

// A ramp from 80 to 160 over four bars of 4/4: pulse k at x = k / 24 beats sits at
// 48000 * 60 * R / (b - a) * ln(T(x) / a) frames, T(x) = a + (b - a) x / R.
TEST(MidiOut, ClockFollowsARampOnItsIdealFrames) {
  START_SERVER(server);
  const Recording r = record_clean(server, {"4", "4/4", "80-160", "--midi-clock"});
  ASSERT_EQ(r.status, 0) << r.output;
  expect_clock_shape(r, 16 * 24);
  const double a = 80, b = 160, ramp = 16;
  const auto ideal = [&](double x) {
    return 48000.0 * 60 * ramp / (b - a) * std::log((a + (b - a) * x / ramp) / a);
  };
  const long long start = r.frames_of(kStart).front();
  const std::vector<long long> pulses = r.frames_of(kClock);
  for (std::size_t k = 0; k < pulses.size(); ++k)
    ASSERT_LE(std::abs(static_cast<double>(pulses[k] - start) - ideal(k / 24.0)), 1.0) << k;
  EXPECT_LE(std::abs(static_cast<double>(r.frames_of(kStop).front() - start) - ideal(16)), 1.0);
}

// --midi-clock-offset 10 moves every pulse (and Start and Stop) 480 frames after the clicks'
// notes; -10, 480 frames before, where what would fall before the start goes at the start.
TEST(MidiOut, OffsetMovesThePulsesByItsFrames) {
  START_SERVER(server);
  for (const int ms : {10, -10}) {
    SCOPED_TRACE(ms);
    const Recording r =
        record_clean(server, {"--bpm", "120", "--beats", "4", "--midi-clock", "--midi-notes",
                              "--midi-clock-offset", std::to_string(ms)});
    ASSERT_EQ(r.status, 0) << r.output;
    expect_clock_shape(r, 4 * 24);
    const long long first_note = r.of_kind(0x90).front().frame;
    const long long shift = 48 * ms;
    const auto at = [&](long long ideal) { return std::max(ideal + shift, first_note); };
    EXPECT_EQ(r.frames_of(kStart).front(), at(first_note));
    const std::vector<long long> pulses = r.frames_of(kClock);
    for (std::size_t k = 0; k < pulses.size(); ++k)
      EXPECT_EQ(pulses[k], at(first_note + 1000 * static_cast<long long>(k))) << k;
    EXPECT_EQ(r.frames_of(kStop).front(), at(first_note + 4 * 24000));
  }
}

// One note-on a click: a count-in bar, then beats with a subdivision, in the General MIDI
// defaults on channel 10, each with its note-off 20 ms (960 frames) later.
TEST(MidiOut, NotesSayEachClickWithItsKeyAndVelocity) {
  START_SERVER(server);
  const Recording r = record_clean(server, {"--bpm", "120", "--beats", "4", "--count-in", "1",
                                            "--subdivide", "2", "--midi-notes"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(r.realtime().empty());  // no clock asked
  const std::vector<MidiEvent> ons = r.of_kind(0x90);
  const std::vector<MidiEvent> offs = r.of_kind(0x80);
  const std::vector<std::vector<int>> expected = {
      {0x99, 37, 112}, {0x99, 37, 100}, {0x99, 37, 100}, {0x99, 37, 100},  // the count-in
      {0x99, 76, 112}, {0x99, 42, 64},  {0x99, 77, 88},  {0x99, 42, 64},
      {0x99, 77, 88},  {0x99, 42, 64},  {0x99, 77, 88},  {0x99, 42, 64}};
  ASSERT_EQ(ons.size(), expected.size());
  ASSERT_EQ(offs.size(), ons.size());
  for (std::size_t i = 0; i < ons.size(); ++i) {
    EXPECT_EQ(ons[i].bytes, expected[i]) << i;
    const long long step = i <= 4 ? 24000 : 12000;  // the beats of the count-in, then eighths
    if (i > 0) {
      EXPECT_EQ(ons[i].frame - ons[i - 1].frame, step) << i;
    }
    EXPECT_EQ(offs[i].bytes, (std::vector<int>{0x89, expected[i][1], 0})) << i;
    EXPECT_EQ(offs[i].frame, ons[i].frame + 960) << i;
  }
}

TEST(MidiOut, NotesTakeTheirKeysAndChannel) {
  START_SERVER(server);
  const Recording r = record_clean(server, {"--bpm", "120", "--beats", "2", "--midi-notes",
                                            "--midi-keys", "60,61,62,63", "--midi-channel", "1"});
  ASSERT_EQ(r.status, 0) << r.output;
  const std::vector<MidiEvent> ons = r.of_kind(0x90);
  ASSERT_EQ(ons.size(), 2u);
  EXPECT_EQ(ons[0].bytes, (std::vector<int>{0x90, 60, 112}));
  EXPECT_EQ(ons[1].bytes, (std::vector<int>{0x90, 61, 88}));
}

// Stopped by a signal, play sends Stop (after the pulses so far) before it goes, and exits 130.
TEST(MidiOut, ASignalSendsStopLast) {
  START_SERVER(server);
  const Recording r = record_clean(server, {"--bpm", "240", "--midi-clock"},
                                   [](Process& play, const Capture& jack) {
                                     // Play starts a period or two after its ports are connected.
                                     EXPECT_TRUE(port_appears(jack, "cacophony:midi_out"));
                                     std::this_thread::sleep_for(1s);
                                     play.signal(SIGINT);
                                   });
  EXPECT_EQ(r.status, 130) << r.output;
  const std::vector<int> clock = r.realtime();
  ASSERT_GE(clock.size(), 3u);
  EXPECT_EQ(clock.front(), kStart);
  EXPECT_EQ(clock.back(), kStop);
  EXPECT_EQ(r.frames_of(kStop).size(), 1u);
}

// The quit key stops play as a signal does: Stop goes out last, and play exits 0.
TEST(MidiOut, TheQuitKeySendsStopLast) {
  START_SERVER(server);
  const Capture jack(server.name(), "jack");
  MidiDump dump(server, jack);
  PtyProcess play({CACOPHONY_BINARY, "play", "--bpm", "240", "--midi-clock", "--midi-notes",
                   "--midi-connect", "dump:input"},
                  {server.env()});
  ASSERT_TRUE(port_appears(jack, "cacophony:midi_out"));
  std::this_thread::sleep_for(1s);
  play.type("q");
  const int status = play.wait(10s);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << play.output();
  Recording r;
  r.events = dump.stop();
  const std::vector<int> clock = r.realtime();
  ASSERT_GE(clock.size(), 3u);
  EXPECT_EQ(clock.front(), kStart);
  EXPECT_EQ(clock.back(), kStop);
  EXPECT_EQ(r.frames_of(kStop).size(), 1u);
  // Every note-on has had its note-off by the Stop.
  EXPECT_EQ(r.of_kind(0x90).size(), r.of_kind(0x80).size());
  EXPECT_GE(r.frames_of(kStop).front(), r.of_kind(0x80).back().frame);
}

// With the clock, the rhythm plays as written: a tempo asked for (here by OSC, as by a key) is
// refused with why.
TEST(MidiOut, WithTheClockTheRhythmKeepsItsTempo) {
  START_SERVER(server);
  const int port = free_udp_port();
  // Long enough to outlast a slow start on a loaded machine; it is stopped once it has answered.
  Process play({CACOPHONY_BINARY, "play", "--bpm", "120", "--beats", "60", "--midi-clock",
                "--quiet", "--osc", std::to_string(port)},
               Output::file(temp_path("midi-osc.out")), Input::null, {server.env()});
  Client osc(port);
  std::string why;
  for (int attempt = 0; attempt < 10 && why.empty(); ++attempt) {  // until play listens
    lo_send_from(osc.target(), osc.server(), LO_TT_IMMEDIATE, "/cacophony/tempo", "f", 130.0f);
    why = osc.next_on("/cacophony/error").first;
  }
  EXPECT_EQ(why, "the rhythm sets the tempo (a map, a ramp or --midi-clock)");
  play.signal(SIGINT);
  const int status = play.wait(30s);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 130) << play.output();
}

// The clock's pulses from the timeline itself: 12 a beat of 7/8, 24 a beat of 4/4, each beat of a
// tempo list at its own pace, every pulse computed from its section's start.
TEST(MidiClock, TimelinePutsWholeBeatsOfPulsesInEveryMeter) {
  namespace rhythm = cacophony::rhythm;
  rhythm::Performance p;
  rhythm::Section eighths;
  eighths.beats = 7;
  eighths.meter = {7, 8};
  eighths.tempo = rhythm::Tempo::constant(120);
  rhythm::Section list;
  list.beats = 4;
  list.tempo = {rhythm::Tempo::Kind::list, 60, 60, 0, {60, 120, 90, 240}};
  p.sections = {eighths, list};
  const rhythm::Timeline timeline(p, 48000);
  std::vector<long long> expected;
  for (long long k = 0; k < 7 * 12; ++k) expected.push_back(1000 * k);  // an eighth at 120: 0.25 s
  long long beat_start = 84000;
  for (const long long beat_frames : {48000, 24000, 32000, 12000}) {
    for (long long j = 0; j < 24; ++j)
      expected.push_back(beat_start + std::llround(static_cast<double>(j * beat_frames) / 24));
    beat_start += beat_frames;
  }
  rhythm::Timeline::PulseCursor cursor;
  std::vector<long long> pulses;
  std::int64_t frame = 0;
  while (pulses.size() <= expected.size() && timeline.next_pulse(cursor, frame))
    pulses.push_back(frame);
  EXPECT_EQ(pulses, expected);
  EXPECT_EQ(timeline.end_frame(), beat_start);
}

TEST(MidiOut, CombinationsThatCannotWorkAreRefused) {
  const Folder dir("cacophony_midi_");
  std::ofstream(dir / "set.txt") << "one: 2 4/4 120\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"play --bpm 120 --midi-clock --link",
       "--midi-clock follows the rhythm's own timeline: --link is not taken with it"},
      {"play --setlist " + dir.at("set.txt") + " --midi-clock",
       "--midi-clock follows the rhythm's own timeline: --setlist is not taken with it"},
      {"play --bpm 120 --midi-clock-offset 5", "--midi-clock-offset needs --midi-clock"},
      {"play --bpm 120 --midi-clock --midi-clock-offset 101",
       "--midi-clock-offset must be a number in [-100, 100], got '101'"},
      {"play --bpm 120 --midi-channel 2", "--midi-channel needs --midi-notes"},
      {"play --bpm 120 --midi-keys 1,2,3,4", "--midi-keys needs --midi-notes"},
      {"play --bpm 120 --midi-notes --midi-channel 17",
       "--midi-channel must be a whole number in [1, 16], got '17'"},
      {"play --bpm 120 --midi-notes --midi-keys 1,2,3",
       "--midi-keys takes four notes, ACCENT,BEAT,SUBDIVISION,COUNT-IN, got '1,2,3'"},
      {"play --bpm 120 --midi-notes --midi-keys 1,2,3,128",
       "a --midi-keys note must be a whole number in [0, 127], got '128'"},
      {"play --bpm 120 --midi-connect x:in", "--midi-connect needs --midi-clock or --midi-notes"},
      {"render --bpm 120 --beats 1 --midi-clock --out " + dir.at("x.wav"),
       "The following argument was not expected: --midi-clock (see cacophony --help)"},
  };
  for (const auto& [args, message] : cases) {
    const CommandResult r = run_cacophony(args + " 2>&1");
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_EQ(r.out, "cacophony: error: " + message + "\n") << args;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.at("x.wav")));
}

}  // namespace
