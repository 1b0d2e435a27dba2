// JACK transport: `play --transport follow` (-j) with Debian's jack_transport as the timebase
// master, `sync` (-t) rolled by it, `master` (-T) read back with jack_showtime; each recorded by a
// capture client of the test's own beside a client that logs the transport each period. And the
// place master publishes, offline, and the options' refusals.
//
// jack_transport publishes BBT as its timebase callback computes it: at a new position (a start, a
// relocation) or a tempo change, ticks = trunc(frame / (rate * 60) * bpm * 1920) from the
// transport frame; every other period adds period * 1920 * bpm / (rate * 60) ticks, truncated.
// At 93.75 and 187.5 bpm that is 64 and 128 ticks a period, and a tick 16 and 8 frames, so every
// beat the master publishes begins on a whole frame, which the test computes from what it told
// the master and from where each change took effect (the log's periods).

#include <gtest/gtest.h>
#include <jack/jack.h>
#include <jack/transport.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/rhythm/parse.h"
#include "cacophony/rhythm/rhythm.h"
#include "support/capture_client.h"
#include "support/command.h"
#include "support/files.h"
#include "support/jack_server.h"
#include "support/midi_dump.h"
#include "support/onsets.h"
#include "support/process.h"

namespace {

using namespace cacophony::test_support;

constexpr double kTicksPerBeat = 1920;  // jack_transport's

// A client that keeps the transport as every period saw it (up to 40 s), and relocates it as a
// DAW's loop does: a position holding nothing but the frame. It puts the transport back at frame
// 0 first, so a run after one with an xrun starts where the first did, not where that one stopped.
class TransportLog {
 public:
  struct Period {
    jack_nframes_t time = 0;  // the server's frame time of the period's first frame
    jack_transport_state_t state = JackTransportStopped;
    jack_position_t position{};
  };

  explicit TransportLog(const std::string& server) : periods_(kPeriods) {
    jack_status_t status{};
    client_ = jack_client_open("transport-log",
                               static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                               &status, server.c_str());
    if (!client_) return;
    jack_set_process_callback(client_, on_process, this);
    active_ = jack_activate(client_) == 0;
    if (active_) locate(0);
  }
  ~TransportLog() {
    if (!client_) return;
    stop();
    jack_client_close(client_);
  }
  TransportLog(const TransportLog&) = delete;
  TransportLog& operator=(const TransportLog&) = delete;

  bool ok() const { return client_ && active_; }
  void stop() {
    if (active_) jack_deactivate(client_);
    active_ = false;
  }
  void locate(jack_nframes_t frame) {
    jack_position_t position{};
    position.frame = frame;
    jack_transport_reposition(client_, &position);
  }
  // After stop().
  std::vector<Period> periods() const {
    return {periods_.begin(), periods_.begin() + static_cast<std::ptrdiff_t>(count_.load())};
  }

 private:
  static constexpr std::size_t kPeriods = 40 * kRate / kPeriod;
  static int on_process(jack_nframes_t, void* self) {
    auto* log = static_cast<TransportLog*>(self);
    const std::size_t n = log->count_.load(std::memory_order_relaxed);
    if (n >= log->periods_.size()) return 0;
    Period& p = log->periods_[n];
    p.time = jack_last_frame_time(log->client_);
    p.state = jack_transport_query(log->client_, &p.position);
    log->count_.store(n + 1, std::memory_order_release);
    return 0;
  }

  jack_client_t* client_ = nullptr;
  bool active_ = false;
  std::vector<Period> periods_;
  std::atomic<std::size_t> count_{0};
};

// A beat the master published: where it begins on the server's frame clock, and its place.
struct Beat {
  jack_nframes_t time = 0;
  std::int64_t bar = 0;
  int beat = 0;
};

// jack_transport's ticks from frame 0 at a new position or tempo (its own arithmetic, in double).
std::int64_t master_ticks_at(jack_nframes_t frame, double bpm) {
  const double minutes = frame / (static_cast<double>(kRate) * 60.0);
  return static_cast<std::int64_t>(minutes * bpm * kTicksPerBeat);
}

// The beats the master published in the periods `log` saw rolling. `told` holds the tempos the
// test gave it, in order: each period's must be the current one or the next.
std::vector<Beat> published_beats(const std::vector<TransportLog::Period>& log,
                                  const std::vector<double>& told) {
  std::vector<Beat> beats;
  std::size_t tempo = 0;
  std::int64_t ticks = 0;  // from frame 0, at the period's start
  const TransportLog::Period* before = nullptr;
  for (const TransportLog::Period& p : log) {
    if (p.state != JackTransportRolling) {
      before = nullptr;
      continue;
    }
    const double bpm = p.position.beats_per_minute;
    const bool changed = bpm != told[tempo];
    if (changed) ++tempo;
    EXPECT_TRUE(tempo < told.size() && bpm == told[tempo]) << "period at " << p.time;
    if (tempo >= told.size()) return beats;
    const auto per_period = static_cast<std::int64_t>(kPeriod * kTicksPerBeat * bpm / (kRate * 60));
    const bool jumped = !before || p.position.frame != before->position.frame + kPeriod;
    ticks = jumped || changed ? master_ticks_at(p.position.frame, bpm) : ticks + per_period;
    // What we compute is what the master published.
    EXPECT_EQ(p.position.tick, ticks % 1920) << "period at " << p.time;
    EXPECT_EQ(p.position.beat, ticks / 1920 % 4 + 1) << "period at " << p.time;
    const double frames_per_tick = kRate * 60.0 / (bpm * kTicksPerBeat);
    for (std::int64_t b = (ticks + 1919) / 1920;; ++b) {
      const double offset = static_cast<double>(b * 1920 - ticks) * frames_per_tick;
      if (offset >= kPeriod) break;
      beats.push_back(
          {p.time + static_cast<jack_nframes_t>(offset), b / 4 + 1, static_cast<int>(b % 4 + 1)});
    }
    before = &p;
  }
  return beats;
}

Process start_play(const JackServer& server, const std::vector<std::string>& args,
                   const std::string& what) {
  std::vector<std::string> command = {CACOPHONY_BINARY, "play"};
  command.insert(command.end(), args.begin(), args.end());
  return Process(command, Output::file(temp_path(what), false), Input::null, {server.env()});
}

// Waits up to `limit` for `check`.
template <typename Check>
bool within(std::chrono::milliseconds limit, Check check) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!check()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// Runs `run` until a run without an xrun, five at most: a loaded machine gives even an idle
// dummy server an xrun every few seconds, and a run that had one proves nothing either way.
void until_clean(const JackServer& server, void (*run)(const JackServer&, int&)) {
  int xruns = -1;
  for (int attempt = 0; attempt < 5 && xruns != 0; ++attempt) {
    run(server, xruns);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(xruns, 0) << "five runs, each with an xrun";
}

// A click of our rhythm: its frame on the rhythm's (and so the transport's) timeline, its place.
struct Click {
  std::int64_t frame = 0;
  std::int64_t bar = 0;
  int beat = 0;
};

// Where our clicks must be heard: each rhythm click in a period the log saw rolling, that many
// frames after the period's start as the click is after the period's transport frame.
std::vector<Beat> on_transport(const std::vector<TransportLog::Period>& log,
                               const std::vector<Click>& rhythm) {
  std::vector<Beat> beats;
  for (const TransportLog::Period& p : log) {
    if (p.state != JackTransportRolling) continue;
    const std::int64_t from = p.position.frame;
    for (const Click& c : rhythm)
      if (c.frame >= from && c.frame < from + kPeriod)
        beats.push_back({p.time + static_cast<jack_nframes_t>(c.frame - from), c.bar, c.beat});
  }
  return beats;
}

// What `play` printed and the capture heard, click by click, against `expected`.
void expect_heard(const Capture& capture, const Process& play, const std::vector<Beat>& expected) {
  std::vector<jack_nframes_t> heard;
  for (const std::size_t at : onsets(capture.samples(), 100))
    heard.push_back(capture.jack_frame(at));
  ASSERT_EQ(heard.size(), expected.size());
  const std::vector<std::string> printed = lines(play.output());
  ASSERT_EQ(printed.size(), expected.size()) << play.output();
  for (std::size_t n = 0; n < expected.size(); ++n) {
    EXPECT_EQ(heard[n], expected[n].time) << "click " << n;
    const std::string place =
        std::to_string(expected[n].bar) + "." + std::to_string(expected[n].beat) + " at ";
    EXPECT_TRUE(printed[n].starts_with(place)) << printed[n] << " (" << place << ")";
  }
}

// Stops `play` with SIGINT and the recorders; false (with a failure) unless it exited with 130.
bool stop_all(Process& play, Capture& capture, TransportLog& log) {
  play.signal(SIGINT);
  const int status = play.wait(10s);
  capture.stop();
  log.stop();
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 130) << play.output();
  EXPECT_FALSE(capture.overflowed());
  return !::testing::Test::HasFailure();
}

// One run of `play -j` under jack_transport: rolls at 93.75 bpm, changes to 187.5, jumps ahead
// twice and loops back while rolling, stops, locates and rolls again. Counts the capture's xruns
// into `xruns`; when there were none, every click must be on a beat the master published, and
// every beat it published clicked, in its bar and beat.
void follow_run(const JackServer& server, int& xruns) {
  Capture capture(server.name());
  TransportLog log(server.name());
  ASSERT_TRUE(capture.ok() && log.ok());
  Process master({"jack_transport"}, Output::file(temp_path("jack_transport.out")), Input::pipe,
                 {server.env()});
  ASSERT_TRUE(master.type("master\ntempo 93.75\n"));
  Process play = start_play(server, {"-j", "--connect", capture.port()}, "follow.out");
  ASSERT_TRUE(within(10s, [&] { return capture.port_exists("cacophony:out"); }));
  std::this_thread::sleep_for(500ms);  // playing from the next period or two
  const auto roll = [](std::chrono::milliseconds how_long) {
    std::this_thread::sleep_for(how_long);
  };
  master.type("play\n");
  roll(1400ms);
  master.type("tempo 187.5\n");
  roll(800ms);
  log.locate(200000);  // ahead
  roll(800ms);
  log.locate(400016);  // ahead again, where the master truncates 50001.99.. ticks to 50001
  roll(800ms);
  log.locate(100000);  // a loop back
  roll(800ms);
  master.type("stop\n");
  roll(300ms);
  master.type("locate 500000\n");
  roll(300ms);
  master.type("play\n");
  roll(800ms);
  master.type("stop\n");
  roll(300ms);
  if (!stop_all(play, capture, log)) return;
  xruns = capture.xruns();
  if (xruns > 0) return;
  const std::vector<Beat> expected = published_beats(log.periods(), {93.75, 187.5});
  ASSERT_GE(expected.size(), 12u);
  expect_heard(capture, play, expected);
}

TEST(Transport, FollowClicksOnEveryBeatTheMasterPublishesOnItsFrame) {
  START_SERVER(server);
  until_clean(server, follow_run);
}

// -t: `4/4 150` (19200 frames a beat) rolled, relocated while rolling, stopped, located while
// stopped and rolled again by jack_transport, no master publishing: every click where the rhythm
// puts it on the transport's frames, none while stopped.
void sync_run(const JackServer& server, int& xruns) {
  Capture capture(server.name());
  TransportLog log(server.name());
  ASSERT_TRUE(capture.ok() && log.ok());
  Process roller({"jack_transport"}, Output::file(temp_path("sync_transport.out")), Input::pipe,
                 {server.env()});
  Process play = start_play(server, {"-t", "4/4", "150", "--connect", capture.port()}, "sync.out");
  ASSERT_TRUE(within(10s, [&] { return capture.port_exists("cacophony:out"); }));
  std::this_thread::sleep_for(500ms);
  roller.type("play\n");
  std::this_thread::sleep_for(1500ms);
  log.locate(100000);
  std::this_thread::sleep_for(1000ms);
  roller.type("stop\n");
  std::this_thread::sleep_for(300ms);
  roller.type("locate 30000\n");
  std::this_thread::sleep_for(300ms);
  roller.type("play\n");
  std::this_thread::sleep_for(1000ms);
  roller.type("stop\n");
  std::this_thread::sleep_for(300ms);
  if (!stop_all(play, capture, log)) return;
  xruns = capture.xruns();
  if (xruns > 0) return;
  std::vector<Click> rhythm;
  for (std::int64_t k = 0; k < 200; ++k) rhythm.push_back({k * 19200, k / 4 + 1, int(k % 4 + 1)});
  const std::vector<Beat> expected = on_transport(log.periods(), rhythm);
  ASSERT_GE(expected.size(), 7u);
  expect_heard(capture, play, expected);
}

TEST(Transport, SyncPlaysTheRhythmOnTheTransportsFrames) {
  START_SERVER(server);
  until_clean(server, sync_run);
}

// MIDI clock messages (all but the pulses), and the pulses' frames, as a run under transport sent
// them.
struct ClockMessage {
  long long frame = 0;
  std::vector<int> bytes;
};
struct ClockRecording {
  std::vector<ClockMessage> messages;
  std::vector<long long> pulses;
};

ClockRecording clock_of(const std::vector<MidiEvent>& events) {
  ClockRecording r;
  for (const MidiEvent& e : events) {
    if (e.bytes.empty() || (e.bytes[0] != 0xF2 && e.bytes[0] < 0xF8)) continue;
    if (e.bytes[0] == 0xF8)
      r.pulses.push_back(e.frame);
    else
      r.messages.push_back({e.frame, e.bytes});
  }
  return r;
}

// Where a clock is, in `unit`s: the transport frame, or following a master the ticks it
// publishes from the song's top (4 beats a bar), in frames_per_unit frames each.
struct ClockUnit {
  bool ticks = false;
  long long per_pulse = 0;
  long long frames = 1;
};
long long position_of(const TransportLog::Period& p, const ClockUnit& unit) {
  if (!unit.ticks) return p.position.frame;
  return ((p.position.bar - 1) * 4LL + p.position.beat - 1) * 1920 + std::llround(p.position.tick);
}

// What a clock of a pulse every `unit.per_pulse` units from 0 must send in the periods `log` saw:
// on each start of rolling or jump while rolling, at the period's first frame, Stop if it was
// rolling, then Start from 0 or Song Position Pointer (the first 16th at or after the position)
// and Continue; the pulses from that 16th on, each on its frame; Stop when it stops.
ClockRecording expected_clock(const std::vector<TransportLog::Period>& log, const ClockUnit& unit) {
  ClockRecording r;
  const TransportLog::Period* before = nullptr;
  long long from_pulse = 0;
  for (const TransportLog::Period& p : log) {
    const long long at = position_of(p, unit);
    const bool rolling = p.state == JackTransportRolling;
    const bool jumped = rolling && before && p.position.frame != before->position.frame + kPeriod;
    if ((before && !rolling) || jumped) r.messages.push_back({p.time, {0xFC}});
    if (rolling && (!before || jumped)) {
      const long long sixteenth = (at + 6 * unit.per_pulse - 1) / (6 * unit.per_pulse);
      from_pulse = sixteenth * 6;
      if (sixteenth == 0) {
        r.messages.push_back({p.time, {0xFA}});
      } else {
        r.messages.push_back({p.time, {0xF2, int(sixteenth & 0x7F), int(sixteenth >> 7)}});
        r.messages.push_back({p.time, {0xFB}});
      }
    }
    before = rolling ? &p : nullptr;
    if (!rolling) continue;
    for (long long k = std::max(from_pulse, (at + unit.per_pulse - 1) / unit.per_pulse);
         (k * unit.per_pulse - at) * unit.frames < kPeriod; ++k)
      r.pulses.push_back(p.time + (k * unit.per_pulse - at) * unit.frames);
  }
  return r;
}

// `play ARGS --midi-clock` rolled from the start, relocated while rolling, stopped, located
// while stopped and rolled on by jack_transport (told `master` first), recorded by jack_midi_dump
// -a: Start, Stop, Song Position Pointer (`positions`, after each jump) and Continue where
// expected_clock puts them, every pulse within 1 frame of its own.
void clock_run(const JackServer& server, const std::vector<std::string>& args, const char* master,
               const ClockUnit& unit, std::pair<int, int> positions, int& xruns) {
  Capture capture(server.name());
  TransportLog log(server.name());
  ASSERT_TRUE(capture.ok() && log.ok());
  MidiDump dump(server, capture);
  Process roller({"jack_transport"}, Output::file(temp_path("clock_transport.out")), Input::pipe,
                 {server.env()});
  std::vector<std::string> command = args;
  command.insert(command.end(),
                 {"--midi-clock", "--midi-connect", "dump:input", "--connect", capture.port()});
  Process play = start_play(server, command, "clock.out");
  ASSERT_TRUE(within(10s, [&] { return capture.port_exists("cacophony:midi_out"); }));
  std::this_thread::sleep_for(500ms);
  if (*master) roller.type(master);
  roller.type("play\n");
  std::this_thread::sleep_for(1000ms);
  log.locate(100500);  // between pulses: on from the next 16th
  std::this_thread::sleep_for(1000ms);
  roller.type("stop\n");
  std::this_thread::sleep_for(300ms);
  roller.type("locate 30000\n");
  std::this_thread::sleep_for(300ms);
  roller.type("play\n");
  std::this_thread::sleep_for(1000ms);
  roller.type("stop\n");
  std::this_thread::sleep_for(300ms);
  if (!stop_all(play, capture, log)) return;
  const ClockRecording sent = clock_of(dump.stop());
  xruns = capture.xruns();
  if (xruns > 0) return;
  const ClockRecording expected = expected_clock(log.periods(), unit);
  ASSERT_EQ(expected.messages.size(), 8u);  // Start, then a Stop, Position and Continue each jump
  EXPECT_EQ(expected.messages[2].bytes, (std::vector<int>{0xF2, positions.first, 0}));
  EXPECT_EQ(expected.messages[5].bytes, (std::vector<int>{0xF2, positions.second, 0}));
  ASSERT_EQ(sent.messages.size(), expected.messages.size());
  // jack_midi_dump counts the server's frames from its own start: the Start ties the two clocks.
  const long long dump_start = sent.messages[0].frame - expected.messages[0].frame;
  for (std::size_t m = 0; m < sent.messages.size(); ++m) {
    EXPECT_EQ(sent.messages[m].bytes, expected.messages[m].bytes) << "message " << m;
    EXPECT_EQ(sent.messages[m].frame - dump_start, expected.messages[m].frame) << "message " << m;
  }
  ASSERT_EQ(sent.pulses.size(), expected.pulses.size());
  for (std::size_t k = 0; k < sent.pulses.size(); ++k)
    ASSERT_LE(std::llabs(sent.pulses[k] - dump_start - expected.pulses[k]), 1) << "pulse " << k;
}

// 4/4 120: a pulse every 1000 frames; 100500 goes on from pulse 102 (Song Position 17), 30000
// from pulse 30 (5).
void sync_clock_run(const JackServer& server, int& xruns) {
  clock_run(server, {"-t", "4/4", "120"}, "", {false, 1000, 1}, {17, 5}, xruns);
}
void master_clock_run(const JackServer& server, int& xruns) {
  clock_run(server, {"-T", "4/4", "120"}, "", {false, 1000, 1}, {17, 5}, xruns);
}
// Following jack_transport as the master at 93.75 bpm: a pulse is 80 of its ticks, a tick 16
// frames; 100500 (tick 6281) goes on from pulse 84 (Song Position 14), 30000 from pulse 24 (4).
void follow_clock_run(const JackServer& server, int& xruns) {
  clock_run(server, {"-j"}, "master\ntempo 93.75\n", {true, 80, 16}, {14, 4}, xruns);
}

TEST(Transport, SyncSendsTheMidiClockOnTheTransportsFrames) {
  START_SERVER(server);
  until_clean(server, sync_clock_run);
}

TEST(Transport, MasterSendsTheMidiClockOnTheTransportsFrames) {
  START_SERVER(server);
  until_clean(server, master_clock_run);
}

TEST(Transport, FollowSendsTheMidiClockOnTheMastersBeats) {
  START_SERVER(server);
  until_clean(server, follow_clock_run);
}

// The map `1 4/4 120` then `2 3/8 150`: where frame `frame` is in it (bar, beat, tick of 1920),
// before its end at kMapEnd.
constexpr std::int64_t kMapEnd = 96000 + 6 * 9600;
Click map_place(std::int64_t frame, int& tick) {
  const bool first = frame < 96000;
  const std::int64_t beat_frames = first ? 24000 : 9600;
  const std::int64_t in = first ? frame : frame - 96000;
  const std::int64_t beat = in / beat_frames;
  const int per_bar = first ? 4 : 3;
  tick = static_cast<int>((in % beat_frames) * 1920 / beat_frames);
  return {frame, (first ? 1 : 2) + beat / per_bar, static_cast<int>(beat % per_bar + 1)};
}

// Every line jack_showtime printed while rolling inside the map: its BBT, the map's place at its
// frame (the tick may be one less, from the place's floating point). Returns the lines checked.
int check_showtime(const std::string& output) {
  int checked = 0;
  for (const std::string& line : lines(output)) {
    long frame = 0, frame_time = 0;
    long long usecs = 0;
    char state[16] = {};
    int bar = 0, beat = 0, tick = 0;
    if (std::sscanf(line.c_str(),
                    "frame = %ld frame_time = %ld usecs = %lld state: %15s BBT: %d|%d|%d", &frame,
                    &frame_time, &usecs, state, &bar, &beat, &tick) != 7 ||
        std::string(state) != "Rolling" || frame >= kMapEnd)
      continue;
    int want = 0;
    const Click place = map_place(frame, want);
    EXPECT_EQ(bar, place.bar) << line;
    EXPECT_EQ(beat, place.beat) << line;
    EXPECT_TRUE(tick == want || tick == want - 1) << line << " (tick " << want << ")";
    ++checked;
  }
  return checked;
}

// The log's BBT, tempo and meter in every rolling period inside the map.
void check_published(const std::vector<TransportLog::Period>& log) {
  for (const TransportLog::Period& p : log) {
    if (p.state != JackTransportRolling || p.position.frame >= kMapEnd) continue;
    const bool first = p.position.frame < 96000;
    EXPECT_EQ(p.position.valid & JackPositionBBT, JackPositionBBT);
    EXPECT_EQ(p.position.beats_per_minute, first ? 120 : 300) << p.position.frame;
    EXPECT_EQ(p.position.beats_per_bar, first ? 4 : 3) << p.position.frame;
    EXPECT_EQ(p.position.beat_type, first ? 4 : 8) << p.position.frame;
    EXPECT_EQ(p.position.ticks_per_beat, 1920);
    int tick = 0;
    const Click place = map_place(p.position.frame, tick);
    EXPECT_EQ(p.position.bar, place.bar) << p.position.frame;
    EXPECT_EQ(p.position.beat, place.beat) << p.position.frame;
  }
}

// -T with a map of a tempo and a meter change, rolled by jack_transport: jack_showtime shows our
// bar, beat and tick, the transport our tempo and meter, and the clicks are on the map's frames.
void master_run(const JackServer& server, int& xruns) {
  Capture capture(server.name());
  TransportLog log(server.name());
  ASSERT_TRUE(capture.ok() && log.ok());
  const std::string map = temp_path("master.map");
  std::ofstream(map) << "1 4/4 120\n2 3/8 150\n";
  Process play =
      start_play(server, {"-T", "--map", map, "--connect", capture.port()}, "master.out");
  ASSERT_TRUE(within(10s, [&] { return capture.port_exists("cacophony:out"); }));
  std::this_thread::sleep_for(500ms);
  Process roller({"jack_transport"}, Output::file(temp_path("master_transport.out")), Input::pipe,
                 {server.env()});
  // jack_showtime prints without pause: 4 s of it is a few MB. SIGINT lets it flush.
  Process showtime({"timeout", "-s", "INT", "4", "jack_showtime"},
                   Output::file(temp_path("showtime.out"), false), Input::null, {server.env()});
  ASSERT_TRUE(showtime.wait_for_output("frame = ", 5s));
  roller.type("play\n");
  std::this_thread::sleep_for(3500ms);
  roller.type("stop\n");
  showtime.wait(5s);
  if (!stop_all(play, capture, log)) return;
  // A period whose timebase callback came late shows the frame moved and the BBT not yet: only
  // a run without an xrun is held to what we publish.
  xruns = capture.xruns();
  if (xruns > 0) return;
  const std::string shown = showtime.output();
  EXPECT_GT(check_showtime(shown), 300) << shown.substr(0, 300);
  check_published(log.periods());
  std::vector<Click> rhythm;
  for (std::int64_t k = 0; k < 4; ++k) rhythm.push_back({k * 24000, 1, int(k + 1)});
  for (std::int64_t k = 0; k < 6; ++k)
    rhythm.push_back({96000 + k * 9600, 2 + k / 3, int(k % 3 + 1)});
  expect_heard(capture, play, on_transport(log.periods(), rhythm));
}

TEST(Transport, MasterPublishesTheMapsBarBeatTempoAndMeter) {
  START_SERVER(server);
  until_clean(server, master_run);
}

// What master publishes, offline: at each click of a ramp, a tempo list and a 7/8 bar the place
// is that click's bar and beat at the start of the beat, and a frame before it the beat before,
// nearly done; the tempo is the click's.
TEST(Transport, ThePlaceAtAFrameIsTheClicksOnRampsListsAndMeters) {
  using cacophony::rhythm::Timeline;
  const std::string map = temp_path("place.map");
  std::ofstream(map) << "2 4/4 60-180\n1 3/4 100,140,90\n1 7/8 200\n";
  const Timeline timeline(cacophony::rhythm::read_map(map), kRate);
  Timeline::Cursor cursor;
  cacophony::rhythm::Event e;
  int clicks = 0;
  while (timeline.next(cursor, e)) {
    const Timeline::Place at = timeline.place_at(e.frame);
    EXPECT_EQ(at.bar, e.bar) << e.frame;
    EXPECT_EQ(at.beat, e.beat) << e.frame;
    EXPECT_EQ(at.meter.beats, e.beats_in_bar) << e.frame;
    EXPECT_LT(at.fraction, 0.01) << e.frame;
    EXPECT_NEAR(at.tempo, e.tempo, 0.5) << e.frame;
    if (clicks++ == 0) continue;
    const Timeline::Place before = timeline.place_at(e.frame - 1);
    EXPECT_EQ(before.beat, e.beat == 1 ? before.meter.beats : e.beat - 1) << e.frame;
    EXPECT_GT(before.fraction, 0.99) << e.frame;
  }
  EXPECT_EQ(clicks, 8 + 3 + 7);
  EXPECT_TRUE(timeline.place_at(timeline.end_frame()).ended);
  EXPECT_EQ(timeline.place_at(timeline.end_frame()).meter.unit, 8);
}

// One line and exit code 2, before JACK is asked for anything.
void refused(const std::string& args, const std::string& message) {
  const CommandResult r = run_cacophony(args);
  EXPECT_EQ(r.code, 2) << args;
  EXPECT_EQ(r.out, "cacophony: error: " + message + "\n") << args;
}

TEST(Transport, BadCombinationsGetOneLineAndExitCodeTwo) {
  const std::string no_rhythm =
      "--transport follow clicks on the timebase master's bars and beats: give no rhythm (words, "
      "--map, --bpm, --beats, --setlist or its feel) with it";
  refused("play -j 4/4 120", no_rhythm);
  refused("play --transport follow --map song.txt", no_rhythm);
  refused("play -j --bpm 100", no_rhythm);
  refused("play -j --subdivide 2", no_rhythm);
  refused("play -j --link", "--transport and --link each set the beat: give one");
  refused("play -j --transport follow", "--transport follow and -j: give one transport mode");
  refused("play -t -T 4/4 120", "-t and -T: give one transport mode");
  refused("play --transport lead", "--transport takes follow, sync or master, got 'lead'");
  refused("play -T --link 4/4 120", "--transport and --link each set the beat: give one");
  refused("play -t --setlist songs.txt",
          "--transport sync plays one rhythm: --setlist is not taken with it");
  refused("play --transport master --setlist songs.txt",
          "--transport master plays one rhythm: --setlist is not taken with it");
  refused("render -j 4 4/4 120 --out x.wav",
          "The following argument was not expected: -j (see cacophony --help)");
  refused("render -T 4 4/4 120 --out x.wav",
          "The following argument was not expected: -T (see cacophony --help)");
  refused("render --transport follow 4 4/4 120 --out x.wav",
          "The following argument was not expected: --transport (see cacophony --help)");
}

}  // namespace
