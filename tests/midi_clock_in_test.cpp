// --follow-midi-clock: `cacophony play` clicking on Debian's jack_midi_clock (jack-midi-clock), on
// a jackd of the test's own, rolled and stopped by jack_transport. One jack_midi_dump -a records
// both the clock and play's MIDI note for each click (--midi-notes: on the click's own frame), so
// each click is compared with the clock's own beat pulse on one frame clock, whatever the
// scheduling.

#include <gtest/gtest.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
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

// A MIDI clock of the test's own with jitter: a JACK client `jittery` whose port `out` sends, once
// go() is called, Start on the next period's first frame (`origin`) and then pulse k at its ideal
// frame origin + kLead + round(k * 1290.32...) (93 bpm at 48 kHz) moved by jitter(k), up to
// kJitter frames either way.
class JitteryClock {
 public:
  static constexpr double kPulseFrames = kRate * 60.0 / (93 * 24);
  static constexpr long long kLead = 2048;
  static constexpr long long kJitter = 24;  // half a millisecond

  explicit JitteryClock(const std::string& server) {
    jack_status_t status{};
    client_ =
        jack_client_open("jittery", static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                         &status, server.c_str());
    if (!client_) return;
    port_ = jack_port_register(client_, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client_, on_process, this);
    active_ = port_ && jack_activate(client_) == 0;
  }
  ~JitteryClock() {
    if (!client_) return;
    if (active_) jack_deactivate(client_);
    jack_client_close(client_);
  }
  JitteryClock(const JitteryClock&) = delete;
  JitteryClock& operator=(const JitteryClock&) = delete;

  bool ok() const { return active_; }
  // Within 5 s: a port is listed a little before its client takes connections.
  bool connect(const std::string& port) {
    for (int tries = 0; tries < 100; ++tries) {
      if (jack_connect(client_, jack_port_name(port_), port.c_str()) == 0) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  void go() { go_.store(true); }
  long long origin() const { return origin_.load(); }
  // Where pulse k was meant to be, without its jitter, on the server's frame clock.
  long long ideal(long long k) const {
    return origin_.load() + kLead + std::llround(static_cast<double>(k) * kPulseFrames);
  }
  // A fixed spread of -kJitter..kJitter frames, pulse by pulse (a multiplicative hash).
  static long long jitter(long long k) {
    return static_cast<long long>((static_cast<unsigned long long>(k) * 2654435761ULL >> 7) %
                                  (2 * kJitter + 1)) -
           kJitter;
  }

 private:
  static int on_process(jack_nframes_t frames, void* self) {
    auto* c = static_cast<JitteryClock*>(self);
    void* buffer = jack_port_get_buffer(c->port_, frames);
    jack_midi_clear_buffer(buffer);
    if (!c->go_.load()) return 0;
    const long long now = jack_last_frame_time(c->client_);
    if (c->origin_.load() < 0) {
      c->origin_.store(now);
      const unsigned char start = 0xFA;
      jack_midi_event_write(buffer, 0, &start, 1);
    }
    while (true) {
      const long long at = c->ideal(c->next_) + jitter(c->next_);
      if (at >= now + frames) return 0;
      const unsigned char pulse = 0xF8;
      jack_midi_event_write(buffer, static_cast<jack_nframes_t>(at - now), &pulse, 1);
      ++c->next_;
    }
  }

  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
  bool active_ = false;
  std::atomic<bool> go_{false};
  std::atomic<long long> origin_{-1};
  long long next_ = 0;  // the process thread's
};

struct Jittered {
  std::vector<long long> clicks;
  std::vector<long long> beats;  // the clock's ideal beats
  std::string said;
  int xruns = 0;
};

Jittered follow_jittery_once(const JackServer& server) {
  Jittered j;
  Capture capture(server.name(), "heard");
  JitteryClock clock(server.name());
  EXPECT_TRUE(clock.ok());
  MidiDump dump(server, capture);
  EXPECT_TRUE(clock.connect("dump:input"));
  // A meter without a tempo: the clock's is taken.
  Process play({CACOPHONY_BINARY, "play", "--follow-midi-clock", "jittery:out", "3/4", "--connect",
                capture.port(), "--midi-notes", "--midi-connect", "dump:input"},
               Output::file(temp_path("jittery-play.out")), Input::null, {server.env()});
  EXPECT_TRUE(port_appears(capture, "cacophony:midi_in")) << play.output();
  std::this_thread::sleep_for(1s);  // play connects its ports once its client is active
  clock.go();
  std::this_thread::sleep_for(6s);
  play.signal(SIGINT);
  play.wait(10s);
  // jack_midi_dump counts the server's frames from its own start: the clock's Start, sent on
  // `origin`, ties the two clocks.
  long long dump_start = 0;
  bool started = false;
  for (const MidiEvent& e : dump.stop()) {
    if (e.bytes.empty()) continue;
    if (e.bytes[0] == kStart && !started) dump_start = e.frame - clock.origin();
    started = started || e.bytes[0] == kStart;
    if ((e.bytes[0] & 0xF0) == kNoteOn) j.clicks.push_back(e.frame - dump_start);
  }
  EXPECT_TRUE(started) << "the clock's Start was not recorded";
  for (long long b = 0; b < 20; ++b) j.beats.push_back(clock.ideal(24 * b));
  j.said = play.output();
  j.xruns = capture.xruns();
  return j;
}

// A clock whose pulses stray up to half a millisecond either way: locked within six pulses all the
// same, and every click within 1 ms of the clock's beat (where its pulse was meant to be), since a
// locked click sounds where the fitted line puts it.
TEST(MidiClockIn, AJitteryClockIsLockedWithinSixPulsesAndEveryClickIsWithin1MsOfItsBeat) {
  START_SERVER(server);
  const Jittered j = first_without_xruns(5, [&] { return follow_jittery_once(server); });
  ASSERT_GE(j.clicks.size(), 8u) << j.said;
  ASSERT_LE(j.clicks.size(), j.beats.size());
  long long worst = 0;
  for (std::size_t b = 0; b < j.clicks.size(); ++b) {
    EXPECT_LE(std::llabs(j.clicks[b] - j.beats[b]), kOneMs) << "beat " << b;
    worst = std::max(worst, std::llabs(j.clicks[b] - j.beats[b]));
  }
  std::fprintf(stderr, "%zu clicks, each within %lld frames of its ideal beat\n", j.clicks.size(),
               worst);
  double bpm = 0;
  int after = 0;
  ASSERT_EQ(std::sscanf(j.said.c_str() + std::min(j.said.find("clock: locked at "), j.said.size()),
                        "clock: locked at %lf bpm after %d pulses", &bpm, &after),
            2)
      << j.said;
  EXPECT_LE(after, 6) << "locked within six pulses";
  EXPECT_NEAR(bpm, 93, 0.5);
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
      {"play --follow-midi-clock x:y -t 4/4 120",
       "--follow-midi-clock takes the tempo from the clock: --transport is not taken with it"},
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
