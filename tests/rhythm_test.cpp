// The rhythm model's timeline: exact frames for meters, ramps, tempo lists, count-ins,
// subdivisions with swing and section changes. Expected frames are worked out by hand (or, for
// ramps, from the closed-form integral evaluated outside this code) and rounded to the nearest
// frame.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "cacophony/rhythm/parse.h"
#include "cacophony/rhythm/rhythm.h"

namespace cacophony::rhythm {
namespace {

constexpr int kRate = 48000;

Section section(std::int64_t bars, Meter meter, Tempo tempo, std::vector<Accent> pattern = {}) {
  Section s;
  s.beats = bars * meter.beats;
  s.meter = meter;
  s.tempo = std::move(tempo);
  s.pattern = std::move(pattern);
  return s;
}

Performance of(std::vector<Section> sections) {
  Performance p;
  p.sections = std::move(sections);
  return p;
}

std::vector<Event> events(const Performance& p, int rate = kRate) {
  const Timeline timeline(p, rate);
  std::vector<Event> out;
  Timeline::Cursor cursor;
  Event e;
  while (timeline.next(cursor, e)) out.push_back(e);
  return out;
}

std::vector<std::int64_t> frames(const std::vector<Event>& events) {
  std::vector<std::int64_t> out;
  for (const Event& e : events) out.push_back(e.frame);
  return out;
}

std::vector<Sound> sounds(const std::vector<Event>& events) {
  std::vector<Sound> out;
  for (const Event& e : events) out.push_back(e.sound);
  return out;
}

// The clicks' frames and sounds, both.
void expect_clicks(const std::vector<Event>& e, const std::vector<std::int64_t>& at,
                   const std::vector<Sound>& kinds) {
  EXPECT_EQ(frames(e), at);
  EXPECT_EQ(sounds(e), kinds);
}

constexpr Sound A = Sound::accent, N = Sound::normal, S = Sound::subdivision, C = Sound::count_in,
                K = Sound::count_in_accent;

TEST(Timeline, FourFourAccentsTheOne) {
  Performance p = of({section(2, {4, 4}, Tempo::constant(120))});
  const auto e = events(p);
  expect_clicks(e, {0, 24000, 48000, 72000, 96000, 120000, 144000, 168000},
                {A, N, N, N, A, N, N, N});
  EXPECT_EQ(e[5].bar, 2);
  EXPECT_EQ(e[5].beat, 2);
  EXPECT_EQ(Timeline(p, kRate).end_frame(), 192000);
  EXPECT_EQ(Timeline(p, kRate).last_click_frame(), 168000);
}

TEST(Timeline, ThreeFourAndFiveFour) {
  const auto three = events(of({section(2, {3, 4}, Tempo::constant(100))}));
  expect_clicks(three, {0, 28800, 57600, 86400, 115200, 144000}, {A, N, N, A, N, N});
  const auto five = events(of({section(1, {5, 4}, Tempo::constant(90))}));
  expect_clicks(five, {0, 32000, 64000, 96000, 128000}, {A, N, N, N, N});
}

TEST(Timeline, SixEightCountsEighthsAtAQuarterNoteTempo) {
  const auto e = events(of({section(1, {6, 8}, Tempo::constant(120))}));
  expect_clicks(e, {0, 12000, 24000, 36000, 48000, 60000}, {A, N, N, N, N, N});
}

TEST(Timeline, SevenEightWithAPatternOfRests) {
  using enum Accent;
  const auto e = events(of({section(2, {7, 8}, Tempo::constant(160),
                                    {accent, rest, normal, accent, rest, normal, rest})}));
  // An eighth at 160 quarters a minute is 0.1875 s, 9000 frames; a bar is 63000.
  expect_clicks(e, {0, 18000, 27000, 45000, 63000, 81000, 90000, 108000}, {A, N, A, N, A, N, A, N});
  EXPECT_EQ(e[6].bar, 2);
  EXPECT_EQ(e[6].beat, 4);
}

TEST(Timeline, ARampUpIntegratesTheTempoExactly) {
  Performance p = of({section(1, {4, 4}, Tempo{Tempo::Kind::ramp, 60, 120, 4, {}})});
  // 60 * q * R / (b - a) * ln(T(x) / a) * 48000, rounded: 42843.562, 77849.301, 107446.231.
  EXPECT_EQ(frames(events(p)), (std::vector<std::int64_t>{0, 42844, 77849, 107446}));
  EXPECT_EQ(Timeline(p, kRate).end_frame(), 133084);  // 133084.259
  EXPECT_DOUBLE_EQ(events(p)[2].tempo, 90);
}

TEST(Timeline, ARampDown) {
  Performance p = of({section(1, {4, 4}, Tempo{Tempo::Kind::ramp, 120, 60, 4, {}})});
  EXPECT_EQ(frames(events(p)), (std::vector<std::int64_t>{0, 25638, 55235, 90241}));
  EXPECT_EQ(Timeline(p, kRate).end_frame(), 133084);
}

TEST(Timeline, ASpeedTrainerHoldsItsTargetTempo) {
  // 80 to 81 over 4 beats, then steady at 81: beat 4 is at the ramp's end, beat 5 one 81-bpm
  // beat later.
  Performance p = of({section(2, {4, 4}, Tempo{Tempo::Kind::ramp, 80, 81, 4, {}})});
  const auto e = events(p);
  const double ramp_end = 60.0 * 4 / 1 * std::log(81.0 / 80.0) * kRate;  // 143111.12
  EXPECT_EQ(e[4].frame, std::llround(ramp_end));
  EXPECT_EQ(e[5].frame, std::llround(ramp_end + 60.0 / 81 * kRate));
  EXPECT_DOUBLE_EQ(e[7].tempo, 81);
}

TEST(Timeline, ATempoListHoldsEachBeatAtItsTempo) {
  Tempo list{Tempo::Kind::list, 60, 120, 0, {60, 120, 240, 60}};
  Performance p = of({section(2, {2, 4}, list)});
  EXPECT_EQ(frames(events(p)), (std::vector<std::int64_t>{0, 48000, 72000, 84000}));
  EXPECT_EQ(Timeline(p, kRate).end_frame(), 132000);
}

TEST(Timeline, ASectionStartsWhereTheLastBeatBeforeItEnds) {
  Performance p = of({section(1, {4, 4}, Tempo{Tempo::Kind::ramp, 60, 120, 4, {}}),
                      section(1, {3, 4}, Tempo::constant(90))});
  const auto e = events(p);
  ASSERT_EQ(e.size(), 7u);
  EXPECT_EQ(e[4].frame, 133084);
  EXPECT_EQ(e[4].sound, A);
  EXPECT_EQ(e[4].bar, 2);
  EXPECT_EQ(e[5].frame, 133084 + 32000);
}

TEST(Timeline, ACountInOfZeroBarsIsTwoBeats) {
  Performance p = of({section(1, {6, 8}, Tempo::constant(120))});
  p.feel.count_in = 0;
  const auto e = events(p);
  // The count-in's first beat is its accent.
  expect_clicks(e, {0, 12000, 24000, 36000, 48000, 60000, 72000, 84000}, {K, C, A, N, N, N, N, N});
  EXPECT_EQ(e[0].bar, 0);
  EXPECT_EQ(e[2].bar, 1);
}

// klick's -d: the silence comes before everything, each frame placed from the delay.
TEST(Timeline, ADelayComesBeforeTheCountIn) {
  Performance p = of({section(1, {4, 4}, Tempo::constant(120))});
  p.feel.count_in = 0;
  p.feel.delay = 0.25;
  const Timeline timeline(p, kRate);
  const auto e = events(p);
  expect_clicks(e, {12000, 36000, 60000, 84000, 108000, 132000}, {K, C, A, N, N, N});
  EXPECT_EQ(timeline.end_frame(), 12000 + 6 * 24000);
  p.feel.delay = -1;
  EXPECT_THROW(check(p), std::invalid_argument);
}

TEST(Timeline, ACountInKeepsThePatternAndTheFirstTempo) {
  using enum Accent;
  Performance p =
      of({section(1, {3, 4}, Tempo{Tempo::Kind::ramp, 100, 200, 3, {}}, {accent, rest, normal})});
  p.feel.count_in = 1;
  const auto e = events(p);
  // The ramp 100 to 200 over 3 beats reaches beat 2 1.8 * ln(5 / 3) s in: 44135.334 frames.
  expect_clicks(e, {0, 57600, 86400, 86400 + 44135}, {K, C, A, N});
}

TEST(Timeline, TripletsWithSwingDelayEverySecondSubdivision) {
  Performance p = of({section(1, {2, 4}, Tempo::constant(120))});
  p.feel.subdivide = 3;
  p.feel.swing = 60;
  const auto e = events(p);
  // A beat is 24000 frames; its thirds at 8000 and 16000, the first moved to 1.2 / 3 of it.
  expect_clicks(e, {0, 9600, 16000, 24000, 33600, 40000}, {A, S, S, N, S, S});
  EXPECT_EQ(e[4].sub, 1);
  EXPECT_EQ(Timeline(p, kRate).last_click_frame(), 40000);
}

TEST(Timeline, ARestSilencesItsSubdivisions) {
  using enum Accent;
  Performance p = of({section(1, {2, 4}, Tempo::constant(120), {rest, normal})});
  p.feel.subdivide = 2;
  EXPECT_EQ(frames(events(p)), (std::vector<std::int64_t>{24000, 36000}));
}

TEST(Timeline, BarsAreNumberedFromTheFirstBar) {
  Performance p = of({section(2, {4, 4}, Tempo::constant(120))});
  p.first_bar = 33;
  p.feel.count_in = 1;
  const auto e = events(p);
  EXPECT_EQ(e[0].bar, 32);
  EXPECT_EQ(e[4].bar, 33);
  EXPECT_EQ(e.back().bar, 34);
}

TEST(Timeline, AnEndlessSectionIsExactAnHourIn) {
  Section endless = section(1, {4, 4}, Tempo::constant(110));
  endless.beats = kEndless;
  const Timeline timeline(of({endless}), kRate);
  EXPECT_EQ(timeline.end_frame(), kEndless);
  Timeline::Cursor cursor{0, 6600, 0};
  Event e;
  ASSERT_TRUE(timeline.next(cursor, e));
  EXPECT_EQ(e.frame, 172'800'000);
}

TEST(Timeline, ASilentPerformanceHasNoClicks) {
  using enum Accent;
  Performance p = of({section(2, {2, 4}, Tempo::constant(120), {rest, rest})});
  EXPECT_TRUE(events(p).empty());
  EXPECT_EQ(Timeline(p, kRate).last_click_frame(), -1);
  EXPECT_EQ(Timeline(p, kRate).end_frame(), 96000);
}

TEST(Timeline, VolumeAndTempoTravelWithEachClick) {
  Section s = section(1, {2, 4}, Tempo::constant(92.5));
  s.volume = 0.5;
  const auto e = events(of({s}));
  EXPECT_FLOAT_EQ(e[1].level, 0.5f);
  EXPECT_DOUBLE_EQ(e[1].tempo, 92.5);
  EXPECT_EQ(e[1].frame, std::llround(60.0 / 92.5 * kRate));
}

TEST(RhythmCheck, RefusesWhatATimelineCantPlay) {
  const auto refused = [](auto change) {
    Performance p = of({section(1, {4, 4}, Tempo::constant(120))});
    change(p);
    EXPECT_THROW(check(p), std::invalid_argument);
  };
  refused([](Performance& p) { p.sections.clear(); });
  refused([](Performance& p) { p.sections[0].meter = {0, 4}; });
  refused([](Performance& p) { p.sections[0].meter = {4, 3}; });
  refused([](Performance& p) { p.sections[0].beats = 0; });
  refused([](Performance& p) { p.sections[0].tempo = Tempo::constant(0); });
  refused([](Performance& p) { p.sections[0].tempo = Tempo::constant(std::nan("")); });
  refused([](Performance& p) { p.sections[0].pattern = {Accent::accent}; });
  refused([](Performance& p) { p.sections[0].volume = -1; });
  refused([](Performance& p) { p.sections[0].tempo = Tempo{Tempo::Kind::list, 60, 60, 0, {60}}; });
  refused([](Performance& p) { p.feel.subdivide = 9; });
  refused([](Performance& p) { p.feel.swing = 80; });
  refused([](Performance& p) {
    p.sections[0].beats = kEndless;
    p.sections.push_back(p.sections[0]);
  });
}

std::vector<int> voices_of(const std::vector<Event>& events) {
  std::vector<int> out;
  for (const Event& e : events) out.push_back(e.voice);
  return out;
}

// 3 against 4 and 5 against 4: each voice's clicks evenly across the bar, on their exact frames,
// the beat first where they meet; the voice's own accents and volume.
TEST(Timeline, PolyrhythmVoicesFallEvenlyAcrossTheBar) {
  Performance p = of({section(1, {4, 4}, Tempo::constant(120))});
  p.sections[0].voices.push_back(Voice{3, {}, 0.5});
  const auto three = events(p);
  expect_clicks(three, {0, 0, 24000, 32000, 48000, 64000, 72000}, {A, A, N, N, N, N, N});
  EXPECT_EQ(voices_of(three), (std::vector<int>{0, 1, 0, 1, 0, 1, 0}));
  EXPECT_FLOAT_EQ(three[1].level, 0.5f);
  EXPECT_EQ(three[3].beat, 2);
  EXPECT_EQ(three[3].beats_in_bar, 3);
  using enum Accent;
  p.sections[0].voices = {Voice{5, {accent, rest, normal, rest, normal}, 1.0}};
  const auto five = events(p);
  expect_clicks(five, {0, 0, 24000, 38400, 48000, 72000, 76800}, {A, A, N, N, N, N, N});
  EXPECT_EQ(voices_of(five), (std::vector<int>{0, 1, 0, 1, 0, 0, 1}));
}

// A voice over a ramp follows the tempo's integral, and a partial bar (--beats) cuts it.
TEST(Timeline, PolyrhythmVoicesFollowARampAndEndWithTheSection) {
  Performance p = of({section(2, {4, 4}, Tempo{Tempo::Kind::ramp, 60, 120, 8, {}})});
  p.sections[0].voices.push_back(Voice{2, {}, 1.0});
  p.feel.count_in = 0;  // no voices in the count-in
  const Timeline timeline(p, kRate);
  const auto e = events(p);
  std::vector<std::int64_t> voice_frames, beat_frames;
  for (const Event& event : e)
    (event.voice > 0 ? voice_frames : beat_frames).push_back(event.frame);
  ASSERT_EQ(voice_frames.size(), 4u);
  // A voice click at beat position x sits where the beat at x would.
  Performance at_two = p;
  at_two.sections[0].voices.clear();
  const auto plain = events(at_two);
  EXPECT_EQ(voice_frames[1], plain[2 + 2].frame);  // 2 count-in beats, then beat 2
  EXPECT_EQ(voice_frames[3], plain[2 + 6].frame);
  EXPECT_EQ(timeline.last_click_frame(), plain.back().frame);
  Performance cut = limit_beats(p, 5);
  int voiced = 0;
  for (const Event& event : events(cut)) voiced += event.voice > 0;
  EXPECT_EQ(voiced, 3);  // bar 2's second click (beat 6) is past the end
}

}  // namespace
}  // namespace cacophony::rhythm
