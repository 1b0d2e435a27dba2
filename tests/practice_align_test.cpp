// Alignment: where a rhythm starts in a take nobody placed, found from the take's hits (drum
// strokes from GMRockKit over white noise) or from its count-in heard, to a millisecond; and a
// take played at another tempo judged a poor fit.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cacophony/practice/align.h"
#include "cacophony/practice/practice.h"
#include "support/kit_take.h"

namespace cacophony::practice {
namespace {

constexpr int kRate = 48000;
using test_support::KitTake;

std::int64_t frames(double seconds) {
  return std::llround(seconds * kRate);
}

// Four bars of 4/4 at `bpm`, after a bar of count-in when `count_in`.
rhythm::Performance four_bars(bool count_in, double bpm = 120) {
  rhythm::Performance p;
  rhythm::Section s;
  s.beats = 16;
  s.meter = {4, 4};
  s.tempo = rhythm::Tempo::constant(bpm);
  p.sections = {s};
  p.feel.count_in = count_in ? 1 : rhythm::Feel::kNoCountIn;
  return p;
}

// What the take holds beside the player's strokes.
struct Played {
  double start_s = 1;           // where the rhythm (its count-in first) starts
  bool count_in_heard = false;  // the count-in's clicks, a side stick, are in the take
  bool first_beat = true;       // the player plays the first beat
  double late_ms = 0;           // every stroke this late
  double bpm = 120;             // the player's tempo (the rhythm's is 120)
  double sloppiness = 1;        // scales each stroke's few ms off the beat
};

// The take of four_bars() as `played`: kick and snare in turn, a few ms either side of the beat
// (their median on it), then a second of noise after the last beat.
KitTake take_of(const rhythm::Performance& p, const Played& played) {
  const auto grid = positions(p, kRate, {});
  KitTake take(kRate, played.start_s + static_cast<double>(grid.back().frame) / kRate + 1.5, -60,
               7);
  const std::int64_t start = frames(played.start_s);
  if (played.count_in_heard)
    for (std::int64_t click = 0; click < grid.front().frame; click += frames(0.5))
      take.place("SideStick-Hard", start + click);
  const double jitter_ms[] = {0, 3, -4, 2, -1, 5, -3, 0};
  const double beat = 60.0 / played.bpm;
  for (std::size_t i = played.first_beat ? 0 : 1; i < grid.size(); ++i) {
    const double at = static_cast<double>(grid.front().frame) / kRate +
                      static_cast<double>(i) * beat +
                      (played.late_ms + played.sloppiness * jitter_ms[i % 8]) / 1000;
    take.place(i % 2 ? "Snare-Med" : "Kick-Med", start + frames(at));
  }
  return take;
}

std::optional<Start> found(const rhythm::Performance& p, const KitTake& take) {
  return find_start(p, positions(p, kRate, {}), detect_hits(take.samples(), kRate), kRate,
                    static_cast<std::int64_t>(take.samples().size()));
}

void expect_start(const std::optional<Start>& start, double seconds, Start::From from) {
  ASSERT_TRUE(start.has_value());
  EXPECT_NEAR(static_cast<double>(start->frame), static_cast<double>(frames(seconds)),
              frames(1e-3));
  EXPECT_EQ(start->from, from);
}

TEST(PracticeAlign, FindsTheStartFromTheHits) {
  for (const double start : {0.3, 0.7, 1.5, 3.0}) {
    SCOPED_TRACE(start);
    const auto p = four_bars(false);
    expect_start(found(p, take_of(p, {.start_s = start})), start, Start::From::hits);
  }
}

TEST(PracticeAlign, FindsTheStartFromACountInHeard) {
  for (const double start : {0.3, 0.7, 1.5, 3.0}) {
    SCOPED_TRACE(start);
    const auto p = four_bars(true);
    expect_start(found(p, take_of(p, {.start_s = start, .count_in_heard = true})), start,
                 Start::From::count_in);
  }
}

// The count-in's clicks are the click: a player late throughout is measured late.
TEST(PracticeAlign, ACountInHeardShowsALatePlayerLate) {
  const auto p = four_bars(true);
  const KitTake take = take_of(p, {.start_s = 0.7, .count_in_heard = true, .late_ms = 20});
  const auto start = found(p, take);
  expect_start(start, 0.7, Start::From::count_in);
  std::vector<Hit> hits = detect_hits(take.samples(), kRate);
  for (Hit& h : hits) h.frame -= start->frame;
  const Result r = measure(positions(p, kRate, {}), hits, kRate, 0, 120);
  EXPECT_EQ(r.overall.hits, 16u);
  EXPECT_NEAR(r.overall.mean_offset_ms, 20 + 0.25, 1);  // the jitter's mean is 0.25 ms
}

// Without a count-in, a late start and a late player look alike: the hits' median is the grid.
TEST(PracticeAlign, WithoutACountInALatePlayerIsALateStart) {
  const auto p = four_bars(false);
  expect_start(found(p, take_of(p, {.start_s = 1.5, .late_ms = 20})), 1.52, Start::From::hits);
}

// The count-in the player heard in headphones, not in the take: the rhythm starts before it.
TEST(PracticeAlign, ACountInNotInTheTakeStartsBeforeTheFirstBeat) {
  const auto p = four_bars(true);
  expect_start(found(p, take_of(p, {.start_s = 0.5})), 0.5, Start::From::hits);
}

TEST(PracticeAlign, AMissedFirstBeatAfterACountIn) {
  const auto p = four_bars(true);
  expect_start(found(p, take_of(p, {.start_s = 1.5, .count_in_heard = true, .first_beat = false})),
               1.5, Start::From::count_in);
}

// Without a count-in, the rhythm's end tells a missed first beat from a later start: the take
// goes on past it, so either leaves one position empty, and the earlier wins.
TEST(PracticeAlign, AMissedFirstBeatBeforeTheRhythmsEnd) {
  const auto p = four_bars(false);
  expect_start(found(p, take_of(p, {.start_s = 0.7, .first_beat = false})), 0.7, Start::From::hits);
}

TEST(PracticeAlign, StrokesAndNoiseBeforeTheStartAreNotTheRhythm) {
  const auto p = four_bars(false);
  KitTake take = take_of(p, {.start_s = 3.0});
  take.place("Tom1-Med", frames(0.25));
  take.place("HatOpen-Soft", frames(0.9), 0.5f);
  take.place("Crash-Soft", frames(1.6), 0.5f);
  take.place("Tom2-Soft", frames(2.2));
  expect_start(found(p, take), 3.0, Start::From::hits);
}

// Strokes up to 20 ms off the beat (their median on it), ghost notes between beats, a beat
// missed, and loud white noise for the first second.
TEST(PracticeAlign, ASloppyTakeWithGhostsAMissAndNoiseFirst) {
  const auto p = four_bars(false);
  KitTake take = take_of(p, {.start_s = 1.5, .sloppiness = 4});
  KitTake noise(kRate, 1, -30, 5);
  take.add(noise.samples());
  for (const double ghost : {1.5 + 0.75, 1.5 + 2.25, 1.5 + 4.75})
    take.place("Snare-Softest", frames(ghost), 0.3f);
  std::vector<Hit> hits = detect_hits(take.samples(), kRate);
  std::erase_if(hits, [](const Hit& h) {  // beat 7, missed
    return std::abs(h.frame - frames(1.5 + 3.0)) < frames(0.05);
  });
  const auto start = find_start(p, positions(p, kRate, {}), hits, kRate,
                                static_cast<std::int64_t>(take.samples().size()));
  expect_start(start, 1.5, Start::From::hits);
}

TEST(PracticeAlign, TheCountInsClicksAreDroppedAndNothingElse) {
  const auto p = four_bars(true);  // its clicks at 0, 0.5, 1 and 1.5 s; the first beat at 2 s
  const std::int64_t start = frames(0.7);
  const double latency_ms = 10;
  std::vector<Hit> hits;
  for (const double at : {0.0, 0.5, 1.04, 1.5, 1.75, 2.0, 2.5})
    hits.push_back({start + frames(at + latency_ms / 1000), 1});
  EXPECT_EQ(drop_count_in(hits, p, kRate, start, latency_ms), 4u);
  ASSERT_EQ(hits.size(), 3u);  // what the player played between the clicks and after them
  EXPECT_EQ(hits[0].frame, start + frames(1.76));
  EXPECT_EQ(drop_count_in(hits, four_bars(false), kRate, start, latency_ms), 0u);
}

TEST(PracticeAlign, NoHitsNoStart) {
  const auto p = four_bars(false);
  EXPECT_FALSE(find_start(p, positions(p, kRate, {}), {}, kRate, frames(10)).has_value());
}

Result aligned(const rhythm::Performance& p, const KitTake& take) {
  const auto grid = positions(p, kRate, {});
  std::vector<Hit> hits = detect_hits(take.samples(), kRate);
  const auto start =
      find_start(p, grid, hits, kRate, static_cast<std::int64_t>(take.samples().size()));
  for (Hit& h : hits) h.frame -= start ? start->frame : 0;
  return measure(grid, hits, kRate, 0, p.sections.front().tempo.from);
}

TEST(PracticeAlign, ATakeOnTheGridFitsIt) {
  const auto p = four_bars(false);
  const Fit fit = judge_fit(aligned(p, take_of(p, {.start_s = 0.7})));
  EXPECT_FALSE(fit.poor);
  EXPECT_FALSE(fit.tempo_off);
  EXPECT_GE(fit.near_share, 0.8);  // every stroke near; the detector may add an extra in a tail
  ASSERT_TRUE(fit.hits_bpm.has_value());
  EXPECT_NEAR(*fit.hits_bpm, 120, 1);
}

TEST(PracticeAlign, ATakeAtAnotherTempoFitsPoorly) {
  const auto p = four_bars(false);
  const Fit fit = judge_fit(aligned(p, take_of(p, {.start_s = 0.7, .bpm = 96})));
  EXPECT_TRUE(fit.poor);
  EXPECT_TRUE(fit.tempo_off);
  ASSERT_TRUE(fit.hits_bpm.has_value());
  EXPECT_NEAR(*fit.hits_bpm, 96, 1);
}

}  // namespace
}  // namespace cacophony::practice
