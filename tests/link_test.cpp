// Ableton Link. First the grid alone, in a network namespace of its own where it has no peers;
// then whole `cacophony play --link` processes as peers on one jackd of the test's own, over
// loopback and across a veth pair between two namespaces, and against LinkHut, Link's own
// reference peer. What the peers play is recorded by capture clients, so onsets are compared as
// heard, on the server's frame clock.

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cacophony/link/link_grid.h"
#include "cacophony/link/link_rhythm_grid.h"
#include "cacophony/link/session.h"
#include "cacophony/sound/engine.h"
#include "support/capture_client.h"
#include "support/command.h"
#include "support/files.h"
#include "support/jack_server.h"
#include "support/netns.h"
#include "support/onsets.h"
#include "support/process.h"
#include "support/pty_process.h"

namespace {

using namespace cacophony;
using namespace cacophony::test_support;

// --- The grid, alone
// ------------------------------------------------------------------------------

// A Link session made after this is alone and sends nothing anywhere: the test process leaves the
// machine's network for a namespace of its own with no interface up. (ctest runs each test in a
// process of its own.)
void leave_network() {
  if (unshare(CLONE_NEWNET) != 0)
    std::fprintf(stderr,
                 "note: cannot leave the network (unshare needs root): a Link peer nearby "
                 "could join this test's session\n");
}

constexpr int kGridRate = 48000;
constexpr std::size_t kBlock = 256;
constexpr double kUsPerFrame = 1e6 / kGridRate;

// Plays an engine on `grid` block by block, as a sound card would, with a clock of its own that
// starts wherever the test says; the clock runs ahead of real time, which a captured session
// state does not mind.
class Player {
 public:
  Player(sound::Grid& grid, double start_us)
      : engine_(kGridRate, grid, sound::Engine::kEndless), time_us_(start_us) {
    engine_.set_beat_hook(
        [](void* self, std::int64_t, const sound::Onset& onset) {
          static_cast<Player*>(self)->onsets_.push_back(onset);
        },
        this);
  }

  // Plays `seconds` more; with `timed` false the blocks carry no BlockTime.
  void play(double seconds, bool timed = true) {
    const auto blocks = static_cast<int>(seconds * kGridRate / kBlock);
    for (int i = 0; i < blocks; ++i) {
      sound::BlockTime time;
      time.known = timed;
      time.first_frame_us = time_us_;
      time.us_per_frame = kUsPerFrame;
      engine_.process(block_.data(), kBlock, time);
      time_us_ += kBlock * kUsPerFrame;
    }
  }
  const std::vector<sound::Onset>& onsets() const { return onsets_; }
  std::int64_t position() const { return engine_.position(); }

 private:
  sound::Engine engine_;
  double time_us_;
  std::array<float, kBlock> block_{};
  std::vector<sound::Onset> onsets_;
};

// The audio thread sees a change made on another thread once Link's own threads have let go of
// it (Link's real-time read never waits); a real sound card's next period is milliseconds away.
void let_link_settle() {
  std::this_thread::sleep_for(50ms);
}

double now_us(const link::Session& session) {
  return static_cast<double>(session.now().count());
}

// Intervals between consecutive onsets, from onset `from` on.
std::vector<std::int64_t> intervals(const std::vector<sound::Onset>& onsets, std::size_t from = 0) {
  std::vector<std::int64_t> out;
  for (std::size_t i = from + 1; i < onsets.size(); ++i)
    out.push_back(onsets[i].frame - onsets[i - 1].frame);
  return out;
}

// A session at 120 bpm in bars of 4, alone off the network, its grid and a player on the grid whose
// clock starts `from_now_us` from now.
struct Solo {
  explicit Solo(bool start_stop_sync = false, double from_now_us = 0)
      : session(120, 4, start_stop_sync),
        grid(session),
        player(grid, now_us(session) + from_now_us) {}

  struct Offline {
    Offline() { leave_network(); }
  } offline;
  link::Session session;
  link::LinkGrid grid;
  Player player;
};

TEST(LinkGrid, AloneItClicksEveryBeatOfItsOwnTempoWithTheBarsFirstBeatAccented) {
  Solo solo;
  solo.player.play(6.0);
  const auto& onsets = solo.player.onsets();
  ASSERT_GE(onsets.size(), 11u);
  ASSERT_LE(onsets.size(), 13u);
  for (std::int64_t gap : intervals(onsets)) EXPECT_NEAR(gap, 24000, 1) << "120 bpm at 48 kHz";
  for (std::size_t i = 0; i < onsets.size(); ++i) {
    const sound::Onset& o = onsets[i];
    if (i > 0) {
      EXPECT_EQ(o.beat, onsets[i - 1].beat + 1) << "whole beats, none skipped";
    }
    EXPECT_EQ(o.quantum, 4);
    EXPECT_EQ(o.phase, ((o.beat % 4) + 4) % 4);
    EXPECT_EQ(o.kind == sound::ClickKind::accent, o.phase == 0) << "beat " << o.beat;
  }
}

TEST(LinkGrid, ATempoChangeMovesTheNextBeatAlready) {
  Solo solo;
  solo.player.play(2.0);
  const std::size_t before = solo.player.onsets().size();
  ASSERT_GE(before, 3u);
  solo.session.set_tempo(150);
  let_link_settle();
  solo.player.play(3.0);
  const auto& onsets = solo.player.onsets();
  ASSERT_GE(onsets.size(), before + 6);
  // The first beat after the change comes within one beat, at the new tempo or sooner.
  const std::int64_t gap = onsets[before].frame - onsets[before - 1].frame;
  EXPECT_GE(gap, 9600) << "never two clicks within half a beat";
  EXPECT_LE(gap, 24000);
  for (std::int64_t g : intervals(onsets, before)) EXPECT_NEAR(g, 19200, 1) << "150 bpm";
}

TEST(LinkGrid, ABlockWithoutATimeSoundsNoBeat) {
  Solo solo;
  solo.player.play(2.0, false);
  EXPECT_TRUE(solo.player.onsets().empty());
  solo.player.play(2.0);
  EXPECT_FALSE(solo.player.onsets().empty()) << "the same grid with times does click";
}

TEST(LinkGrid, WithStartStopSyncItClicksOnlyWhileTheSessionPlaysAndStartsOnABar) {
  // The blocks start three seconds in the past: after two seconds of stop, every beat from the
  // start on is in them.
  Solo solo(true, -3e6);
  Player& player = solo.player;
  player.play(2.0);
  EXPECT_TRUE(player.onsets().empty()) << "a new session is stopped";
  solo.session.set_playing(true);
  let_link_settle();
  player.play(2.0);
  const auto onsets = player.onsets();
  ASSERT_GE(onsets.size(), 2u);
  EXPECT_EQ(onsets.front().phase, 0) << "playing starts on the bar's first beat";
  for (std::int64_t g : intervals(onsets)) EXPECT_NEAR(g, 24000, 1);
  solo.session.set_playing(false);
  let_link_settle();
  const std::size_t stopped = onsets.size();
  player.play(2.0);
  EXPECT_EQ(player.onsets().size(), stopped) << "no beat once stopped";
}

// --- A whole rhythm on the session's beat line (LinkRhythmGrid) --------------------------------

rhythm::Section section(int beats_in_bar, std::int64_t beats, rhythm::Tempo tempo) {
  rhythm::Section s;
  s.meter = {beats_in_bar, 4};
  s.beats = beats;
  s.tempo = std::move(tempo);
  return s;
}

// A session at 120 bpm in bars of 4, alone off the network, playing `performance` on a player
// whose clock starts now; `start_beat` is the session's beat when it started. The beat is read
// between two clock readings (slow ones, under a sanitizer on a loaded machine): it is taken as
// of their midpoint, moved on to the player's start, and `uncertain_us` is half their gap.
struct SoloRhythm {
  explicit SoloRhythm(const rhythm::Performance& performance)
      : session(120, 4, false), grid(session, performance) {
    const double before = now_us(session);
    const double beat = session.status().beat;
    const double origin = now_us(session);
    uncertain_us = (origin - before) / 2;
    start_beat = beat + uncertain_us * 120 / 60e6;
    player = std::make_unique<Player>(grid, origin);
  }
  Solo::Offline offline;
  link::Session session;
  link::LinkRhythmGrid grid;
  double start_beat = 0;
  double uncertain_us = 0;
  std::unique_ptr<Player> player;
};

// The session's tempo as application threads see it, once it is `expected` (Link hands what the
// audio thread committed over to them on a thread of its own) or after two seconds.
double app_bpm(const link::Session& session, double expected) {
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (session.status().bpm != expected && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  return session.status().bpm;
}

TEST(LinkRhythmGrid, AMapStartsOnTheNextBarAndMovesTheSessionsTempoAtEachSection) {
  rhythm::Performance p;
  p.sections = {section(4, 8, rhythm::Tempo::constant(120)),
                section(4, 4, rhythm::Tempo::constant(90)),
                section(3, 3, rhythm::Tempo::constant(150))};
  p.feel.subdivide = 2;
  p.feel.count_in = 1;
  SoloRhythm solo(p);
  solo.player->play(12.0);
  const auto& onsets = solo.player->onsets();
  // A bar of count-in, 16 eighths at 120, 8 at 90 and 6 at 150; each interval at the tempo of
  // the click that begins it.
  ASSERT_EQ(onsets.size(), 4u + 16 + 8 + 6);
  EXPECT_TRUE(solo.grid.ended());
  std::vector<std::int64_t> expected(4, 24000);
  expected.resize(expected.size() + 16, 12000);
  expected.resize(expected.size() + 8, 16000);
  expected.resize(expected.size() + 5, 9600);
  const auto gaps = intervals(onsets);
  ASSERT_EQ(gaps.size(), expected.size());
  for (std::size_t i = 0; i < gaps.size(); ++i) EXPECT_NEAR(gaps[i], expected[i], 1) << "gap " << i;
  // The count-in's first click is on the session's next bar (beat 0 of 4), at 120 bpm.
  const double to_bar = std::ceil(solo.start_beat / 4) * 4 - solo.start_beat;
  EXPECT_NEAR(static_cast<double>(onsets.front().frame), to_bar * 24000,
              2 + solo.uncertain_us * 48000 / 1e6);
  EXPECT_EQ(onsets.front().beat % 4, 0);
  EXPECT_EQ(onsets[4].beat, onsets.front().beat + 4) << "the song's first bar follows";
  EXPECT_EQ(onsets[20].tempo, 90) << "the second section's first click has moved the session";
  EXPECT_EQ(onsets[28].tempo, 150);
  EXPECT_EQ(onsets[28].quantum, 3) << "its bar is the map's 3/4";
  EXPECT_DOUBLE_EQ(app_bpm(solo.session, 150), 150) << "the session keeps the map's last tempo";
}

TEST(LinkRhythmGrid, ARampMovesTheSessionAtEveryClick) {
  rhythm::Performance p;
  rhythm::Tempo ramp{rhythm::Tempo::Kind::ramp, 80, 160, 8, {}};
  p.sections = {section(4, 8, ramp)};
  SoloRhythm solo(p);
  solo.player->play(8.0);
  const auto& onsets = solo.player->onsets();
  ASSERT_EQ(onsets.size(), 8u);
  const auto gaps = intervals(onsets);
  for (std::size_t k = 0; k < gaps.size(); ++k)
    EXPECT_NEAR(gaps[k], 2'880'000.0 / (80 + 10.0 * static_cast<double>(k)), 1) << "beat " << k;
  EXPECT_DOUBLE_EQ(app_bpm(solo.session, 150), 150) << "the last click's tempo on the ramp";
}

TEST(LinkRhythmGrid, APeersTempoIsFollowedUntilTheMapsNextChange) {
  rhythm::Performance p;
  p.sections = {section(4, 16, rhythm::Tempo::constant(120)),
                section(4, 4, rhythm::Tempo::constant(90))};
  SoloRhythm solo(p);
  for (int i = 0; i < 30 && solo.player->onsets().empty(); ++i) solo.player->play(0.1);
  ASSERT_EQ(solo.player->onsets().size(), 1u) << "the song's first click";
  solo.session.set_tempo(100);  // as a peer would
  let_link_settle();
  const std::size_t before = solo.player->onsets().size();
  solo.player->play(12.0);
  const auto& onsets = solo.player->onsets();
  ASSERT_EQ(onsets.size(), 20u);
  const auto gaps = intervals(onsets, before);
  // From the click after the change on, the first section at the peer's 100 bpm, then the map's
  // second at 90.
  for (std::size_t i = 0; i < gaps.size(); ++i)
    EXPECT_NEAR(gaps[i], i < 16 - before ? 28800 : 32000, 1) << "gap " << i;
  EXPECT_DOUBLE_EQ(app_bpm(solo.session, 90), 90);
}

// --- Peers: whole processes on one jackd --------------------------------------------------------

// A beat as `cacophony play --link` printed it.
struct Printed {
  long long count = -1;
  long long frame = -1;
  long long link_beat = 0;
  int volume = -1;
  int phase = -1;
  int quantum = 0;
  unsigned jack_frame = 0;
};

std::vector<Printed> printed_beats(const std::string& output) {
  std::vector<Printed> beats;
  for (const std::string& line : lines(output)) {
    const std::size_t at = line.find(": beat #");
    if (at == std::string::npos) continue;
    Printed p;
    const int got = std::sscanf(
        line.c_str() + at + 2,
        "beat #%lld at %d power (frame %lld, link beat %lld, phase %d/%d, jack frame %u)", &p.count,
        &p.volume, &p.frame, &p.link_beat, &p.phase, &p.quantum, &p.jack_frame);
    EXPECT_EQ(got, 7) << line;
    beats.push_back(p);
  }
  return beats;
}

// What a capture client heard: each click's onset on the server's frame clock.
std::vector<jack_nframes_t> heard_onsets(const Capture& capture) {
  std::vector<jack_nframes_t> out;
  for (std::size_t i : onsets(capture.samples(), 100)) out.push_back(capture.jack_frame(i));
  return out;
}

// The distance, in frames, from `frame` to the nearest of `onsets`.
long long nearest(const std::vector<jack_nframes_t>& onsets, jack_nframes_t frame) {
  long long best = -1;
  for (jack_nframes_t o : onsets) {
    const long long d = std::llabs(static_cast<long long>(static_cast<std::int32_t>(o - frame)));
    if (best < 0 || d < best) best = d;
  }
  return best;
}

const Printed* printed_at(const std::vector<Printed>& beats, jack_nframes_t frame,
                          long long within) {
  for (const Printed& p : beats)
    if (std::llabs(static_cast<long long>(static_cast<std::int32_t>(p.jack_frame - frame))) <=
        within)
      return &p;
  return nullptr;
}

// An xrun moves the server's frame clock against real time, and may lose a period of sound: what
// is heard near one says nothing of the peers' timing. (JACK's notification thread reports it a
// little after it happened.)
bool near_xrun(const std::vector<jack_nframes_t>& xruns, jack_nframes_t at) {
  const auto margin = static_cast<std::int32_t>(kRate / 10);
  for (jack_nframes_t x : xruns)
    if (std::abs(static_cast<std::int32_t>(x - at)) < margin) return true;
  return false;
}

// Intervals between heard onsets that fall inside [from, to).
std::vector<long long> heard_intervals(const std::vector<jack_nframes_t>& onsets,
                                       jack_nframes_t from, jack_nframes_t to) {
  std::vector<long long> out;
  for (std::size_t i = 1; i < onsets.size(); ++i)
    if (static_cast<std::int32_t>(onsets[i - 1] - from) >= 0 &&
        static_cast<std::int32_t>(to - onsets[i]) > 0)
      out.push_back(static_cast<std::int32_t>(onsets[i] - onsets[i - 1]));
  return out;
}

constexpr long long kOneMs = kRate / 1000;

std::string fmt_frames(double frames) {
  return std::to_string(std::lround(frames)) + " ";
}

// `cacophony play --link` in namespace `where` (-1: this one), heard by a capture client of its
// own.
class Peer {
 public:
  Peer(const JackServer& server, const Namespaces* ns, int where, const std::string& name,
       std::vector<std::string> args)
      : capture_(server.name(), name) {
    std::vector<std::string> command = {CACOPHONY_BINARY, "play", "--link", "--connect",
                                        capture_.port()};
    command.insert(command.end(), args.begin(), args.end());
    if (ns && where >= 0) command = ns->in(where, command);
    process_ = std::make_unique<Process>(command, Output::file(temp_path(name + ".out")),
                                         Input::pipe, std::vector{server.env()});
  }

  Capture& capture() { return capture_; }
  Process& process() { return *process_; }
  // Ctrl-C, then true when it finished as it should (exit code 130).
  bool interrupt() {
    process_->signal(SIGINT);
    const int status = process_->wait(10s);
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 130;
  }

 private:
  Capture capture_;
  std::unique_ptr<Process> process_;
};

// When A changed the tempo, when B changed it back, and when the run ended (before both were
// stopped), on the server's frame clock.
struct Changes {
  jack_nframes_t first = 0, second = 0, end = 0;
};

// What was heard of A and B and what they printed, with the xruns A's capture saw.
struct Heard {
  std::vector<jack_nframes_t> a, b;
  std::vector<Printed> said_a, said_b;
  std::vector<jack_nframes_t> xruns;
};

// A types 150 bpm and B hears of it, then B types 100 bpm and A hears of it, each within a
// second; each tempo plays for three seconds.
void change_the_tempo_both_ways(Peer& a, Peer& b, Changes& when) {
  when.first = a.capture().now();
  const auto typed = std::chrono::steady_clock::now();
  ASSERT_TRUE(a.process().type("150\n"));
  EXPECT_TRUE(b.process().wait_for_output("link: tempo 150.00 bpm", 1s))
      << "B did not hear of A's tempo within 1 s\n"
      << b.process().output();
  const auto reached = std::chrono::steady_clock::now() - typed;
  std::fprintf(stderr, "tempo change A -> B reported after %.0f ms\n",
               std::chrono::duration<double, std::milli>(reached).count());
  std::this_thread::sleep_for(3s);

  when.second = a.capture().now();
  ASSERT_TRUE(b.process().type("100\n"));
  EXPECT_TRUE(a.process().wait_for_output("link: tempo 100.00 bpm", 1s)) << a.process().output();
  std::this_thread::sleep_for(3s);
  when.end = a.capture().now();
}

// Every click of B (all of them after it joined, while A plays) has A's click within 1 ms, on the
// same beat of the bar; and the beat B printed is the click that was heard. Only in the second
// after a tempo change, while the change is on its way, may they differ. `compared` counts the
// clicks compared.
void expect_clicks_together(const Heard& heard, const Changes& when, std::size_t& compared) {
  const auto changing = [](jack_nframes_t change, jack_nframes_t at) {
    const auto since = static_cast<std::int32_t>(at - change);
    return since >= 0 && since < kRate;
  };
  long long apart = 0;
  for (jack_nframes_t onset : heard.b) {
    if (static_cast<std::int32_t>(when.end - onset) < 0 || near_xrun(heard.xruns, onset) ||
        changing(when.first, onset) || changing(when.second, onset))
      continue;
    ++compared;
    apart = std::max(apart, nearest(heard.a, onset));
    EXPECT_LE(nearest(heard.a, onset), kOneMs) << "B's click at jack frame " << onset;
    const Printed* pb = printed_at(heard.said_b, onset, 1);
    const Printed* pa = printed_at(heard.said_a, onset, kOneMs);
    ASSERT_NE(pb, nullptr) << "B printed no beat where a click of B was heard: " << onset;
    ASSERT_NE(pa, nullptr) << "A printed no beat within 1 ms of B's click at " << onset;
    EXPECT_EQ(pa->phase, pb->phase) << "the same beat of the bar, at jack frame " << onset;
  }
  std::fprintf(stderr, "B's clicks and A's: at most %lld frames apart (%zu compared)\n", apart,
               compared);
}

// The heard tempo: 150 bpm from a second after A's change, 100 bpm from a second after B's.
void expect_heard_tempo(const Heard& heard, const Changes& when) {
  const auto settle = static_cast<jack_nframes_t>(kRate);
  const std::vector<long long> at_150 = heard_intervals(heard.b, when.first + settle, when.second);
  const std::vector<long long> at_100 = heard_intervals(heard.a, when.second + settle, when.end);
  EXPECT_GE(at_150.size(), 3u);
  EXPECT_GE(at_100.size(), 2u);
  // Within 1 ms a beat: on an idle machine they are within 2 frames, but the dummy driver's clock
  // filter wobbles by a few hundred microseconds when the machine is busy (BENCHMARKS.md).
  long long worst = 0;
  for (long long gap : at_150) worst = std::max(worst, std::llabs(gap - 19200));
  for (long long gap : at_100) worst = std::max(worst, std::llabs(gap - 28800));
  std::fprintf(stderr, "heard intervals off the tempo by at most %lld frames\n", worst);
  for (long long gap : at_150) EXPECT_NEAR(gap, 19200, kOneMs) << "B at A's 150 bpm";
  for (long long gap : at_100) EXPECT_NEAR(gap, 28800, kOneMs) << "A at B's 100 bpm";
}

// The shared test of issue 6: two players, A started first and B joining, agree on tempo and
// phase; a tempo change typed into either reaches the other within a second; their clicks, as
// heard, fall within 1 ms of each other on the same beat of the bar. The heard tempo is checked
// to the frame only in a run without xruns (`xruns` says how many there were).
void two_players_agree_once(const Namespaces* ns, int where_a, int where_b, int& xrun_count) {
  START_SERVER(server);
  Peer a(server, ns, where_a, "hear-a", {"--bpm", "120"});
  ASSERT_TRUE(a.capture().ok() && a.process().started());
  ASSERT_TRUE(a.process().wait_for_output("link: no peers: playing alone at 120.00 bpm", 10s))
      << a.process().output();
  Peer b(server, ns, where_b, "hear-b", {"--bpm", "90"});
  ASSERT_TRUE(b.capture().ok() && b.process().started());
  ASSERT_TRUE(b.process().wait_for_output("link: joined 1 peer at 120.00 bpm", 10s))
      << "B takes the session's tempo, not its own --bpm 90\n"
      << b.process().output();
  ASSERT_TRUE(a.process().wait_for_output("link: 1 peer", 2s)) << a.process().output();
  std::this_thread::sleep_for(2s);

  Changes when;
  ASSERT_NO_FATAL_FAILURE(change_the_tempo_both_ways(a, b, when));
  EXPECT_TRUE(a.interrupt()) << a.process().output();
  EXPECT_TRUE(b.interrupt()) << b.process().output();
  a.capture().stop();
  b.capture().stop();
  ASSERT_FALSE(a.capture().overflowed() || b.capture().overflowed());

  const Heard heard{heard_onsets(a.capture()), heard_onsets(b.capture()),
                    printed_beats(a.process().output()), printed_beats(b.process().output()),
                    a.capture().xrun_times()};
  xrun_count = a.capture().xruns();
  std::fprintf(stderr, "heard %zu clicks of A and %zu of B; xruns %zu\n", heard.a.size(),
               heard.b.size(), heard.xruns.size());
  std::size_t compared = 0;
  ASSERT_NO_FATAL_FAILURE(expect_clicks_together(heard, when, compared));

  // How much was heard, and the heard tempo. An xrun moves the server's frame clock against real
  // time and may lose sound, so only a clean run tells.
  if (xrun_count > 0) return;
  EXPECT_GE(heard.b.size(), 10u);
  EXPECT_GE(heard.said_b.size(), 10u);
  EXPECT_GE(compared, 8u);
  expect_heard_tempo(heard, when);
}

// Runs `run` (which reports its xruns) until a run has none, up to four times. Even an idle dummy
// server without realtime priority has an xrun every few seconds on this kind of machine.
template <typename Run>
void until_clean(Run run) {
  std::string counts;
  for (int attempt = 0; attempt < 4; ++attempt) {
    int xruns = -1;
    run(xruns);
    if (::testing::Test::HasFatalFailure() || xruns == 0) return;
    counts += std::to_string(xruns) + " ";
    std::fprintf(stderr, "run %d had %d xruns: once more\n", attempt + 1, xruns);
  }
  FAIL() << "every run had xruns (" << counts << "): the heard timing was never measured cleanly";
}

void two_players_agree(const Namespaces* ns, int where_a, int where_b) {
  until_clean([&](int& xruns) { two_players_agree_once(ns, where_a, where_b, xruns); });
}

TEST(LinkPeers, TwoPlayersOverLoopbackAgreeOnTempoAndPhase) {
  // In a namespace of their own, with only a loopback, so that nothing they say leaves the
  // machine; in this one when no namespace can be made.
  Namespaces ns(1, false);
  if (!ns.ok())
    std::fprintf(stderr, "note: %s: the peers share this namespace\n", ns.why().c_str());
  two_players_agree(ns.ok() ? &ns : nullptr, 0, 0);
}

// Up keyed on one player's terminal reaches the other player within 200 ms: the other says
// "link: tempo 130.00 bpm" (it looks every 50 ms).
TEST(LinkPeers, ATempoKeyedInOnePlayerReachesTheOtherWithin200Ms) {
  Namespaces ns(1, false);
  START_SERVER(server);
  Peer b(server, ns.ok() ? &ns : nullptr, 0, "keyed-b", {"--bpm", "120"});
  ASSERT_TRUE(b.process().wait_for_output("beat #1 ", 10s)) << b.process().output();
  std::vector<std::string> command = {CACOPHONY_BINARY, "play", "--link", "--connect",
                                      b.capture().port()};
  if (ns.ok()) command = ns.in(0, command);
  PtyProcess a(command, {server.env()});
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (a.output().find("link 1 peer ") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_NE(a.output().find("link 1 peer "), std::string::npos) << a.output();
  const auto keyed = std::chrono::steady_clock::now();
  ASSERT_TRUE(a.type("\x1b[A"));
  ASSERT_TRUE(b.process().wait_for_output("link: tempo 130.00 bpm", 2s)) << b.process().output();
  const auto reached = std::chrono::steady_clock::now() - keyed;
  std::fprintf(stderr, "a tempo keyed in A reached B after %.0f ms\n",
               std::chrono::duration<double, std::milli>(reached).count());
  EXPECT_LE(reached, 200ms);
  a.type("q");
  EXPECT_NE(a.wait(10s), -1);
  EXPECT_TRUE(b.interrupt());
}

TEST(LinkPeers, TwoPlayersAcrossAVethPairAgreeOnTempoAndPhase) {
  Namespaces ns(2, true);
  if (!ns.ok()) GTEST_SKIP() << ns.why();
  two_players_agree(&ns, 0, 1);
}

TEST(LinkPeers, WithNoNetworkAtAllItPlaysAloneAndSaysSoOnce) {
  Namespaces ns(1, false, false);
  if (!ns.ok()) GTEST_SKIP() << ns.why();
  START_SERVER(server);
  Process play(ns.in(0, {CACOPHONY_BINARY, "play", "--link", "--bpm", "480", "--beats", "6"}),
               Output::file(temp_path("alone.out")), Input::null, {server.env()});
  const int status = play.wait(20s);
  ASSERT_NE(status, -1) << "it did not finish";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << play.output();
  const std::string out = play.output();
  std::size_t said = 0;
  for (const std::string& line : lines(out)) said += line.starts_with("link: no peers") ? 1 : 0;
  EXPECT_EQ(said, 1u) << out;
  EXPECT_EQ(printed_beats(out).size(), 6u) << out;
}

// Link shares start and stop as changes: a peer that joins learns the session's state at the next
// start or stop, not before.
TEST(LinkPeers, StartAndStopFromOnePeerReachTheOtherWithStartStopSync) {
  Namespaces ns(1, false);
  START_SERVER(server);
  const Namespaces* where = ns.ok() ? &ns : nullptr;
  Peer a(server, where, 0, "hear-a", {"--start-stop-sync"});
  ASSERT_TRUE(a.process().wait_for_output("link: no peers", 10s)) << a.process().output();
  ASSERT_TRUE(a.process().wait_for_output("beat #1 ", 5s)) << "alone, A starts playing";
  Peer b(server, where, 0, "hear-b", {"--start-stop-sync"});
  ASSERT_TRUE(b.process().wait_for_output("link: joined 1 peer", 10s)) << b.process().output();
  ASSERT_TRUE(b.process().wait_for_output("link: waiting for a peer to start", 1s))
      << b.process().output();

  // B starts: both play from the next bar, B on its first beat.
  ASSERT_TRUE(b.process().type("start\n"));
  ASSERT_TRUE(b.process().wait_for_output("beat #2 ", 5s)) << b.process().output();
  const std::vector<Printed> started = printed_beats(b.process().output());
  ASSERT_GE(started.size(), 1u);
  EXPECT_EQ(started.front().phase, 0) << "a start begins on the bar's first beat";

  // A stops: B falls silent within a second.
  ASSERT_TRUE(a.process().type("stop\n"));
  EXPECT_TRUE(b.process().wait_for_output("link: stopped", 1s)) << b.process().output();
  std::this_thread::sleep_for(100ms);
  const std::size_t stopped = printed_beats(b.process().output()).size();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(printed_beats(b.process().output()).size(), stopped) << "B is silent";

  // A starts again: B follows, from a bar's first beat.
  ASSERT_TRUE(a.process().type("start\n"));
  EXPECT_TRUE(b.process().wait_for_output("link: started", 1s)) << b.process().output();
  std::this_thread::sleep_for(2500ms);
  const std::vector<Printed> again = printed_beats(b.process().output());
  ASSERT_GT(again.size(), stopped + 2) << "B plays again";
  EXPECT_EQ(again[stopped].phase, 0) << "a start begins on the bar's first beat";
  EXPECT_TRUE(a.interrupt()) << a.process().output();
  EXPECT_TRUE(b.interrupt()) << b.process().output();
}

// A beat grid on the server's frame clock: beat k at origin + k * slope frames.
struct BeatGrid {
  double origin = 0, slope = 0;
  // How far `at` is from the nearest beat of the grid, in frames.
  double off(double at) const {
    return std::abs(at - (origin + slope * std::round((at - origin) / slope)));
  }
};

// The least-squares line through `clicks`: (the beat's number, its frame).
BeatGrid fitted_grid(const std::vector<std::pair<double, double>>& clicks) {
  const auto n = static_cast<double>(clicks.size());
  double mk = 0, mt = 0;
  for (const auto& [k, t] : clicks) mk += k / n, mt += t / n;
  double skk = 0, skt = 0;
  for (const auto& [k, t] : clicks) skk += (k - mk) * (k - mk), skt += (k - mk) * (t - mt);
  const double slope = skt / skk;
  return {mt - slope * mk, slope};
}

// LinkHut's own clicks wobble with the moment its callback runs, so its beat grid is the line
// fitted through its clicks at 121 bpm in [from, ended); ours must fall within 1 ms of that grid.
void expect_on_linkhuts_grid(const std::vector<jack_nframes_t>& theirs,
                             const std::vector<jack_nframes_t>& ours, jack_nframes_t from,
                             jack_nframes_t ended) {
  const double interval = kRate * 60 / 121.0;
  const auto inside = [&](jack_nframes_t at) {
    return static_cast<std::int32_t>(at - from) >= 0 && static_cast<std::int32_t>(ended - at) > 0;
  };
  const auto since = [&](jack_nframes_t at) {
    return static_cast<double>(static_cast<std::int32_t>(at - from));
  };
  std::vector<std::pair<double, double>> clicks;  // numbered by whole beats since the first
  for (jack_nframes_t onset : theirs) {
    if (!inside(onset)) continue;
    const double first = clicks.empty() ? since(onset) : clicks.front().second;
    clicks.emplace_back(std::round((since(onset) - first) / interval), since(onset));
  }
  ASSERT_GE(clicks.size(), 4u) << "LinkHut's clicks were not heard";
  const BeatGrid grid = fitted_grid(clicks);
  EXPECT_NEAR(grid.slope, interval, 10)
      << "LinkHut's own tempo (121 bpm, not 120: 197 frames more)";
  std::string theirs_off, ours_off;
  for (const auto& click : clicks) theirs_off += fmt_frames(grid.off(click.second));
  std::size_t compared = 0;
  for (jack_nframes_t onset : ours) {
    if (!inside(onset)) continue;
    ours_off += fmt_frames(grid.off(since(onset)));
    EXPECT_LE(grid.off(since(onset)), kOneMs) << "our click at jack frame " << onset;
    ++compared;
  }
  EXPECT_GE(compared, 4u);
  std::fprintf(stderr, "off LinkHut's grid, in frames: LinkHut's clicks %s; ours %s\n",
               theirs_off.c_str(), ours_off.c_str());
}

// LinkHut leads: we take its tempo, follow its change, and click on its grid. Timing is checked in
// a run without xruns only.
void follow_linkhut_once(const Namespaces* where, int& xrun_count) {
  START_SERVER(server);
  Capture hut_heard(server.name(), "hear-linkhut");
  ASSERT_TRUE(hut_heard.ok());
  std::vector<std::string> hut_command = {"LinkHut"};
  if (where) hut_command = where->in(0, hut_command);
  Process hut(hut_command, Output::file(temp_path("linkhut.out")), Input::pipe, {server.env()});
  ASSERT_TRUE(hut.started()) << "LinkHut is not installed (run scripts/setup)";
  ASSERT_TRUE(hut.wait_for_output("enabled", 10s)) << hut.output();
  ASSERT_TRUE(hut.type("a")) << "enable Link";
  ASSERT_TRUE(hut.type(" ")) << "start playing";
  ASSERT_TRUE(hut_heard.connect_from("LinkHut:out_1")) << "LinkHut has no port out_1";
  // Link lets the older of two sessions lead only when it is older by half a second or more.
  std::this_thread::sleep_for(1500ms);

  // Both play to the system's playback too, so that both allow for the same output latency.
  Peer us(server, where, 0, "hear-us", {"--bpm", "90", "--connect", "system:playback_1"});
  ASSERT_TRUE(us.process().wait_for_output("link: joined 1 peer at 120.00 bpm", 10s))
      << us.process().output();
  std::this_thread::sleep_for(1s);
  const jack_nframes_t changed = us.capture().now();
  ASSERT_TRUE(hut.type("e")) << "LinkHut: tempo up by one";
  EXPECT_TRUE(us.process().wait_for_output("link: tempo 121.00 bpm", 1s)) << us.process().output();
  std::this_thread::sleep_for(4s);
  const jack_nframes_t ended = us.capture().now();
  EXPECT_TRUE(us.interrupt()) << us.process().output();
  hut.type("q");
  hut.wait(5s);
  us.capture().stop();
  hut_heard.stop();

  const std::vector<jack_nframes_t> ours = heard_onsets(us.capture());
  const std::vector<jack_nframes_t> theirs = heard_onsets(hut_heard);
  xrun_count = hut_heard.xruns();
  if (xrun_count > 0) return;
  expect_on_linkhuts_grid(theirs, ours, changed + kRate, ended);
}

TEST(LinkPeers, LinkHutAForeignPeerLeadsTempoAndBothClickTogether) {
  Namespaces ns(1, false);
  const Namespaces* where = ns.ok() ? &ns : nullptr;
  until_clean([&](int& xruns) { follow_linkhut_once(where, xruns); });
}

// --- `cacophony link` and bad input -------------------------------------------------------------

TEST(LinkWatch, ShowsPeersTempoBeatAndPhaseOnOneLine) {
  Namespaces ns(1, false);
  if (!ns.ok()) GTEST_SKIP() << ns.why();
  Process first(ns.in(0, {CACOPHONY_BINARY, "link", "--bpm", "133", "--seconds", "5"}),
                Output::file(temp_path("watch-1.out")));
  // Link lets the older of two sessions lead only when it is older by half a second or more.
  std::this_thread::sleep_for(1500ms);
  Process second(ns.in(0, {CACOPHONY_BINARY, "link", "--seconds", "2", "--quantum", "3"}),
                 Output::file(temp_path("watch-2.out")));
  ASSERT_NE(second.wait(10s), -1);
  const std::string out = second.output();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << "one line, rewritten in place";
  const std::string last = out.substr(out.rfind('\r') + 1);
  double bpm = 0, beat = 0, phase = 0, quantum = 0;
  std::size_t peers = 0;
  ASSERT_EQ(std::sscanf(last.c_str(), "peers %zu | %lf bpm | beat %lf | phase %lf/%lf", &peers,
                        &bpm, &beat, &phase, &quantum),
            5)
      << last;
  EXPECT_EQ(peers, 1u);
  EXPECT_DOUBLE_EQ(bpm, 133.0) << "the session's tempo, not the watcher's default";
  EXPECT_EQ(quantum, 3);
  EXPECT_GE(phase, 0);
  EXPECT_LT(phase, 3);
  first.wait(10s);
}

// --- Live input: what is typed (or poured) into `play --link` ---------------------------------

// Standard inputs that never pause: the play loop must keep its pace and its signals.
const std::vector<std::string> kBusyInputs = {"< /dev/zero", "< /dev/urandom", "< <(yes 130)"};

// `cacophony play --link` with `args`, alone in namespace 0 of `ns` when it could be made, on
// `server`, its stdin as bash's `redirect` says and its stdout and stderr in a file named after
// `what`. bash execs it, so signals reach it.
Process redirected_player(const JackServer& server, const Namespaces& ns,
                          const std::string& redirect, const std::vector<std::string>& args,
                          const std::string& what) {
  std::vector<std::string> command = {"bash",           "-c",   "exec \"$0\" \"$@\" " + redirect,
                                      CACOPHONY_BINARY, "play", "--link"};
  command.insert(command.end(), args.begin(), args.end());
  if (ns.ok()) command = ns.in(0, command);
  return Process(command, Output::file(temp_path(what)), Input::null, {server.env()});
}

// Output a terminal shows as it is (printable ASCII and newlines), and not much of it.
void expect_tame(const std::string& out, const std::string& input) {
  EXPECT_LT(out.size(), 1'000'000u) << input;
  const auto raw = std::find_if(
      out.begin(), out.end(), [](unsigned char c) { return c != '\n' && (c < 0x20 || c >= 0x7f); });
  EXPECT_EQ(raw, out.end()) << input << ": a raw byte at " << (raw - out.begin());
}

bool exited_with(int status, int code) {
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

TEST(LinkInput, BusyStdinFinishesOnItsOwnWithTameOutput) {
  Namespaces ns(1, false);
  START_SERVER(server);
  for (const std::string& input : kBusyInputs) {
    Process play = redirected_player(server, ns, input, {"--beats", "4"}, "busy.out");
    const int status = play.wait(20s);
    ASSERT_NE(status, -1) << input << ": it did not finish";
    EXPECT_TRUE(exited_with(status, 0)) << input;
    const std::string out = play.output();
    EXPECT_EQ(printed_beats(out).size(), 4u) << input;
    expect_tame(out, input);
  }
}

TEST(LinkInput, BusyStdinStopsOnSigintAndSigterm) {
  Namespaces ns(1, false);
  START_SERVER(server);
  for (const std::string& input : kBusyInputs) {
    for (const int sig : {SIGINT, SIGTERM}) {
      Process play = redirected_player(server, ns, input, {}, "busy-signal.out");
      ASSERT_TRUE(play.wait_for_output("beat #0 ", 10s)) << input;
      play.signal(sig);
      const int status = play.wait(3s);
      ASSERT_NE(status, -1) << input << ": signal " << sig << " did not stop it";
      EXPECT_TRUE(exited_with(status, 130)) << input << ", signal " << sig;
      expect_tame(play.output(), input);
    }
  }
}

TEST(LinkInput, ALineOverTheCapIsRefusedUnshownAndControlBytesAreEscaped) {
  Namespaces ns(1, false);
  START_SERVER(server);
  std::vector<std::string> command = {CACOPHONY_BINARY, "play", "--link"};
  if (ns.ok()) command = ns.in(0, command);
  Process play(command, Output::file(temp_path("typed.out")), Input::pipe, {server.env()});
  ASSERT_TRUE(play.wait_for_output("link: no peers", 10s)) << play.output();
  ASSERT_TRUE(play.type(std::string(300, '7') + "\n\x1b[2J\x07\n130\n"));
  EXPECT_TRUE(play.wait_for_output("link: tempo 130.00 bpm", 5s)) << "a good line still counts";
  const std::string out = play.output();
  EXPECT_NE(out.find("cacophony: a line over 256 bytes is not a command: ignored\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find(std::string(200, '7')), std::string::npos) << "the long line is not shown";
  EXPECT_NE(out.find("'\\x1b[2J\\x07' is not a command"), std::string::npos) << out;
  expect_tame(out, "typed");
  play.signal(SIGINT);
  EXPECT_TRUE(exited_with(play.wait(10s), 130));
}

// Without fd 0, the next file opened (libjack's shared-memory database) would take its place.
TEST(LinkInput, AClosedStdinIsNotReadAsCommands) {
  Namespaces ns(1, false);
  START_SERVER(server);
  Process play = redirected_player(server, ns, "<&-", {"--beats", "4"}, "closed.out");
  const int status = play.wait(20s);
  ASSERT_NE(status, -1) << "it did not finish";
  const std::string out = play.output();
  EXPECT_TRUE(exited_with(status, 0)) << out;
  EXPECT_EQ(printed_beats(out).size(), 4u) << out;
  EXPECT_EQ(out.find("cacophony:"), std::string::npos) << out;
}

// Typing start in a session that plays (alone, it started on joining) used to request beat 0
// anew, which moved the beat line: the bar's first beat sounded a second time.
TEST(LinkInput, StartWhilePlayingSoundsNoSecondFirstBeat) {
  Namespaces ns(1, false);
  START_SERVER(server);
  std::vector<std::string> command = {CACOPHONY_BINARY, "play", "--link", "--start-stop-sync"};
  if (ns.ok()) command = ns.in(0, command);
  Process play(command, Output::file(temp_path("start.out")), Input::pipe, {server.env()});
  ASSERT_TRUE(play.wait_for_output("beat #0 ", 10s)) << play.output();
  ASSERT_TRUE(play.type("start\n"));
  ASSERT_TRUE(play.wait_for_output("beat #4 ", 10s)) << play.output();
  const std::vector<Printed> beats = printed_beats(play.output());
  ASSERT_GE(beats.size(), 5u);
  for (std::size_t i = 1; i < beats.size(); ++i)
    EXPECT_EQ(beats[i].link_beat, beats[i - 1].link_beat + 1) << play.output();
  play.signal(SIGINT);
  EXPECT_TRUE(exited_with(play.wait(10s), 130));
}

// Each state `cacophony link` showed: its line is rewritten in place, one state a '\r'.
struct Watched {
  double bpm = 0, beat = 0, phase = 0;
};
std::vector<Watched> watched(const std::string& out) {
  std::vector<Watched> states;
  std::size_t from = 0;
  while (from < out.size()) {
    std::size_t end = out.find_first_of("\r\n", from);
    if (end == std::string::npos) end = out.size();
    Watched w;
    std::size_t peers = 0;
    double quantum = 0;
    if (std::sscanf(out.substr(from, end - from).c_str(),
                    "peers %zu | %lf bpm | beat %lf | phase %lf/%lf", &peers, &w.bpm, &w.beat,
                    &w.phase, &quantum) == 5)
      states.push_back(w);
    from = end + 1;
  }
  return states;
}

// A song map played with --link moves a second peer's tempo at each of its sections: `cacophony
// link`, watching the session every 100 ms, sees the map's tempos in order, each first seen
// within a beat of a bar's start (the change is set on the section's first click; the player
// commits it a period or two before that click is heard, so just before the bar is as good).
TEST(LinkPeers, ASongMapMovesAnotherPeersTempoAtEachSection) {
  Namespaces ns(1, false);
  const Namespaces* where = ns.ok() ? &ns : nullptr;
  START_SERVER(server);
  const std::string map = temp_path("song.map");
  std::ofstream(map) << "a: 1 4/4 100\nb: 1 4/4 140\nc: 1 4/4 80\n";
  std::vector<std::string> watch = {CACOPHONY_BINARY, "link", "--seconds", "16"};
  if (where) watch = where->in(0, watch);
  Process watcher(watch, Output::file(temp_path("song-watch.out")));
  std::this_thread::sleep_for(1s);
  Peer player(server, where, 0, "song-player", {"--map", map, "--count-in", "1"});
  const int status = player.process().wait(20s);
  EXPECT_TRUE(exited_with(status, 0)) << player.process().output();
  watcher.signal(SIGINT);
  watcher.wait(10s);
  std::vector<double> tempos;
  for (const Watched& w : watched(watcher.output())) {
    if (!tempos.empty() && w.bpm == tempos.back()) continue;
    tempos.push_back(w.bpm);
    if (tempos.size() > 1) {
      std::fprintf(stderr, "tempo %.2f first seen at phase %.3f\n", w.bpm, w.phase);
      EXPECT_LT(std::min(w.phase, 4 - w.phase), 1.0) << "tempo " << w.bpm << " at beat " << w.beat;
    }
  }
  EXPECT_EQ(tempos, (std::vector<double>{120, 100, 140, 80})) << watcher.output();
  std::filesystem::remove(map);
}

TEST(LinkCommandLine, BadInputIsOneLineAndExitCode2) {
  for (const std::string args :
       {"play --quantum 3 --bpm 120", "play --start-stop-sync --bpm 120", "play --link --bpm 5000",
        "play --link --quantum 0", "play --link --quantum 17", "link --bpm 10", "link --quantum x",
        "link --seconds 0", "play"}) {
    const CommandResult r = run_cacophony(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << "\n" << r.out;
  }
}

}  // namespace
