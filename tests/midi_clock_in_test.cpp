// --follow-midi-clock: `cacophony play` clicking on Debian's jack_midi_clock (jack-midi-clock), on
// a jackd of the test's own, rolled and stopped by jack_transport. One jack_midi_dump -a records
// both the clock and play's MIDI note for each click (--midi-notes: on the click's own frame), so
// each click is compared with the clock's own beat pulse on one frame clock, whatever the
// scheduling.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/capture_client.h"
#include "support/command.h"
#include "support/jack_server.h"
#include "support/midi_dump.h"
#include "support/process.h"

namespace {

using namespace cacophony::test_support;
using namespace std::chrono_literals;

constexpr int kPulse = 0xF8, kStart = 0xFA, kNoteOn = 0x90;
constexpr long long kOneMs = 48;

// jack_transport told one command, on `server`.
void transport(const JackServer& server, const std::string& command) {
  Process roll({"bash", "-c", "echo " + command + " | jack_transport"},
               Output::file(temp_path("transport.out")), Input::null, {server.env()});
  roll.wait(10s);
}

struct Heard {
  std::vector<long long> pulses;  // from the first Start on
  std::vector<long long> clicks;
  std::string said;
  int xruns = 0;
};

// jack_midi_clock at 93 bpm into play; rolled, stopped for a second after `before_stop`, rolled
// on for `after`.
Heard follow_once(const JackServer& server, std::chrono::seconds before_stop,
                  std::chrono::seconds after) {
  Heard h;
  Capture capture(server.name(), "heard");
  MidiDump dump(server, capture);
  Process clock({"jack_midi_clock", "-b", "93", "-B", "dump:input"},
                Output::file(temp_path("mclk.out")), Input::null, {server.env()});
  EXPECT_TRUE(port_appears(capture, "jack_midi_clock:mclk_out")) << "jack_midi_clock";
  Process play({CACOPHONY_BINARY, "play", "--follow-midi-clock", "jack_midi_clock:mclk_out",
                "--connect", capture.port(), "--midi-notes", "--midi-connect", "dump:input"},
               Output::file(temp_path("mclk-play.out")), Input::null, {server.env()});
  EXPECT_TRUE(port_appears(capture, "cacophony:midi_in")) << play.output();
  std::this_thread::sleep_for(1s);  // play connects its ports once its client is active
  transport(server, "play");
  std::this_thread::sleep_for(before_stop);
  transport(server, "stop");
  std::this_thread::sleep_for(1s);
  transport(server, "play");
  std::this_thread::sleep_for(after);
  play.signal(SIGINT);
  play.wait(10s);
  transport(server, "stop");
  clock.signal(SIGTERM);
  clock.wait(5s);
  bool started = false;
  for (const MidiEvent& e : dump.stop()) {
    if (e.bytes.empty()) continue;
    started = started || e.bytes[0] == kStart;
    if (started && e.bytes[0] == kPulse) h.pulses.push_back(e.frame);
    if ((e.bytes[0] & 0xF0) == kNoteOn) h.clicks.push_back(e.frame);
  }
  h.said = play.output();
  h.xruns = capture.xruns();
  return h;
}

Heard follow(const JackServer& server, std::chrono::seconds before_stop,
             std::chrono::seconds after) {
  return first_without_xruns(3, [&] { return follow_once(server, before_stop, after); });
}

// Every click on a beat of the clock (every 24th pulse from the Start, the pause's pulses counted
// on as the clock counts them), within 1 ms, and every beat heard while the clock ran.
TEST(MidiClockIn, FollowingJackMidiClockAt93EveryClickIsWithin1MsOfItsBeat) {
  START_SERVER(server);
  const Heard h = follow(server, 3s, 3s);
  ASSERT_GE(h.pulses.size(), 24u * 6) << "the clock's pulses";
  std::vector<long long> beats;
  for (std::size_t k = 0; k < h.pulses.size(); k += 24) beats.push_back(h.pulses[k]);
  ASSERT_GE(h.clicks.size(), 6u) << h.said;
  long long worst = 0;
  for (const long long click : h.clicks) {
    long long nearest = -1;
    for (const long long b : beats)
      if (nearest < 0 || std::llabs(b - click) < nearest) nearest = std::llabs(b - click);
    EXPECT_LE(nearest, kOneMs) << "a click at frame " << click;
    worst = std::max(worst, nearest);
  }
  std::fprintf(stderr, "%zu clicks, each within %lld frames of its beat\n", h.clicks.size(), worst);
  // One click for every beat up to the last click (the clock ran on after play stopped).
  const auto heard = static_cast<std::size_t>(
      std::count_if(beats.begin(), beats.end(), [&](long long b) { return b <= h.clicks.back(); }));
  EXPECT_EQ(h.clicks.size(), heard);
  EXPECT_LE(std::llabs(h.clicks.front() - beats.front()), kOneMs) << "the Start's first beat";
  int after = 0;
  ASSERT_EQ(std::sscanf(h.said.c_str() + std::min(h.said.find("clock: locked at 93.00 bpm after "),
                                                  h.said.size()),
                        "clock: locked at 93.00 bpm after %d pulses", &after),
            1)
      << h.said;
  EXPECT_LE(after, 6) << "locked within six pulses";
}

// What a clock cannot go with is refused in one line, exit code 2, before JACK is asked.
TEST(MidiClockIn, WhatTheClockOwnsIsRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"play --follow-midi-clock x:y --link",
       "--follow-midi-clock takes the tempo from the clock: --link is not taken with it"},
      {"play --follow-midi-clock x:y --midi-clock",
       "--follow-midi-clock and --midi-clock: one clock at a time (a clock in is not passed on)"},
      {"play --follow-midi-clock x:y 4 4/4 100-120",
       "--follow-midi-clock plays the clock's beats in a steady bar: give a meter and "
       "--subdivide, not a map, a ramp, a count-in, swing, a pattern or voices"},
      {"play --follow-midi-clock x:y --subdivide 5",
       "--follow-midi-clock clicks on the clock's pulses: --subdivide must divide 24, got 5"},
  };
  for (const auto& [args, message] : cases) {
    const CommandResult r = run_cacophony(args);
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_EQ(r.out, "cacophony: error: " + message + "\n") << args;
  }
}

}  // namespace
