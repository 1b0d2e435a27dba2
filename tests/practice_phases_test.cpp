// A take's phases (rushed, dragged, steady) and its tempo over time, from hand-built Results.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "cacophony/practice/phases.h"
#include "cacophony/practice/practice.h"

namespace cacophony::practice {
namespace {

// Bars of 4/4 at 120 bpm at 1000 frames a second (a frame is a ms): each bar's hits given by
// their offsets in ms, one a beat from the first; a bar's beats stretched by `stretch` (1: on
// the click's tempo) from its first beat.
struct Bar {
  Bar(std::vector<double> o = {}, double s = 1) : offsets(std::move(o)), stretch(s) {}
  std::vector<double> offsets;
  double stretch;
};

Position at(std::int64_t frame, std::int64_t bar, int beat) {
  Position p;
  p.frame = frame;
  p.bar = bar;
  p.beat = beat;
  return p;
}

Result take(const std::vector<Bar>& bars) {
  Result r;
  r.rate = 1000;
  r.grid_bpm = 120;
  for (std::size_t b = 0; b < bars.size(); ++b) {
    const auto bar = static_cast<std::int64_t>(b + 1);
    BarFigures figures;
    figures.bar = bar;
    double sum = 0, squares = 0;
    for (std::size_t k = 0; k < bars[b].offsets.size(); ++k) {
      const Position p{.frame = static_cast<std::int64_t>(2000 * b + 500 * k),
                       .bar = bar,
                       .beat = static_cast<int>(k + 1)};
      r.grid.push_back(p);
      const double played = 500.0 * static_cast<double>(k) * (bars[b].stretch - 1);
      const double offset = bars[b].offsets[k] + played;
      r.hits.push_back({p, p.frame + std::llround(offset), offset});
      sum += offset;
    }
    const auto n = static_cast<double>(bars[b].offsets.size());
    figures.figures.hits = bars[b].offsets.size();
    figures.figures.mean_offset_ms = n > 0 ? sum / n : 0;
    for (std::size_t k = 0; k < bars[b].offsets.size(); ++k) {
      const double d = r.hits[r.hits.size() - bars[b].offsets.size() + k].offset_ms -
                       figures.figures.mean_offset_ms;
      squares += d * d;
    }
    figures.figures.sd_ms = n > 0 ? std::sqrt(squares / n) : 0;
    r.bars.push_back(figures);
  }
  return r;
}

const Bar kOnTheBeat{{1, -1, 2, -2}};
const Bar kRushed{{-14, -16, -15, -15}};
const Bar kDragged{{21, 19, 20, 20}};

TEST(PracticePhases, RushedThenDraggedAreTwoPhasesThatAnOverallMeanHides) {
  const Result r = take({kOnTheBeat, kOnTheBeat, kOnTheBeat, kOnTheBeat, kRushed, kRushed, kRushed,
                         kRushed, kDragged, kDragged, kDragged, kDragged});
  const std::vector<Phase> p = phases(r);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].first_bar, 1);
  EXPECT_EQ(p[0].last_bar, 4);
  EXPECT_EQ(p[0].lean, Lean::steady);
  EXPECT_DOUBLE_EQ(p[0].mean_offset_ms, 0);
  EXPECT_EQ(p[0].hits, 16u);
  EXPECT_EQ(p[1].first_bar, 5);
  EXPECT_EQ(p[1].last_bar, 8);
  EXPECT_EQ(p[1].lean, Lean::rushed);
  EXPECT_DOUBLE_EQ(p[1].mean_offset_ms, -15);
  EXPECT_EQ(p[2].first_bar, 9);
  EXPECT_EQ(p[2].last_bar, 12);
  EXPECT_EQ(p[2].lean, Lean::dragged);
  EXPECT_DOUBLE_EQ(p[2].mean_offset_ms, 20);
  EXPECT_EQ(p[2].hits, 16u);
}

TEST(PracticePhases, OneBarOffIsASlipInsideASteadyPhase) {
  const std::vector<Phase> p = phases(take({kOnTheBeat, kOnTheBeat, kRushed, kOnTheBeat}));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].first_bar, 1);
  EXPECT_EQ(p[0].last_bar, 4);
  EXPECT_EQ(p[0].lean, Lean::steady);
  EXPECT_DOUBLE_EQ(p[0].mean_offset_ms, -3.75);
}

TEST(PracticePhases, AMeanWithinTheBarsOwnScatterOrUnderFiveMsIsSteady) {
  // Mean +7.5 ms, but the hits scatter by ±35 ms: two standard errors are 35 ms.
  const Bar scattered{{40, -30, 45, -25}};
  const Bar slightly_late{{4, 4, 4, 4}};  // certain, but under kLeanMs
  const Bar one_hit{{30}};                // no spread to judge it by
  for (const Bar& bar : {scattered, slightly_late, one_hit}) {
    const std::vector<Phase> p = phases(take({bar, bar, bar}));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].lean, Lean::steady) << bar.offsets.front();
  }
}

TEST(PracticePhases, BarsWithoutHitsArePassedOverAndNoHitsIsNoPhase) {
  const std::vector<Phase> p = phases(take({kRushed, {}, kRushed, kOnTheBeat, kOnTheBeat}));
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].first_bar, 1);
  EXPECT_EQ(p[0].last_bar, 3);
  EXPECT_EQ(p[0].lean, Lean::rushed);
  EXPECT_EQ(p[0].hits, 8u);
  EXPECT_EQ(p[1].first_bar, 4);
  EXPECT_TRUE(phases(take({{}, {}})).empty());
}

TEST(PracticeTempo, EachBarsTempoIsFittedToItsOwnHits) {
  // Bar 2's beats 3 % longer: 120 / 1.03 bpm.
  const std::vector<BarTempo> t = tempo_by_bar(take({kOnTheBeat, {{0, 0, 0, 0}, 1.03}, {{5}}}));
  ASSERT_EQ(t.size(), 2u) << "a bar of one hit has no tempo";
  EXPECT_EQ(t[0].bar, 1);
  EXPECT_NEAR(t[0].bpm, 120, 0.5);
  EXPECT_EQ(t[0].hits, 4u);
  EXPECT_EQ(t[1].bar, 2);
  EXPECT_NEAR(t[1].bpm, 120 / 1.03, 0.05);
}

TEST(PracticeTempo, PhasesOfTempoHeldThenSlowerThenFaster) {
  const Bar held{{0, 0, 0, 0}}, slow{{0, 0, 0, 0}, 1.05}, fast{{0, 0, 0, 0}, 0.95};
  const std::vector<TempoPhase> t =
      tempo_phases(take({held, held, held, held, slow, slow, held, fast, fast, fast}));
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].pace, Pace::held);
  EXPECT_EQ(t[0].last_bar, 4);
  EXPECT_NEAR(t[0].bpm, 120, 0.01);
  EXPECT_EQ(t[1].pace, Pace::slower);
  EXPECT_EQ(t[1].first_bar, 5);
  EXPECT_EQ(t[1].last_bar, 6);
  EXPECT_NEAR(t[1].bpm, 120 / 1.05, 0.05);
  EXPECT_EQ(t[2].pace, Pace::held);
  EXPECT_EQ(t[2].first_bar, 7);
  EXPECT_EQ(t[3].pace, Pace::faster);
  EXPECT_EQ(t[3].first_bar, 8);
  EXPECT_EQ(t[3].last_bar, 10);
  EXPECT_NEAR(t[3].bpm, 120 / 0.95, 0.05);
}

TEST(PracticeTempo, ADriftUnderTwoPercentIsHeldAndNoGridTempoIsNoPhase) {
  const Bar drift{{0, 0, 0, 0}, 1.015};
  const std::vector<TempoPhase> t = tempo_phases(take({drift, drift, drift}));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].pace, Pace::held);
  Result r = take({drift, drift});
  r.grid_bpm = 0;
  EXPECT_TRUE(tempo_phases(r).empty());
}

TEST(PracticeTempo, FittedBpmNeedsTwoPositions) {
  const Position p = at(0, 1, 1);
  EXPECT_FALSE(fitted_bpm({}, 120));
  EXPECT_FALSE(fitted_bpm({{p, 3, 3}, {p, 5, 5}}, 120)) << "one position twice";
}

}  // namespace
}  // namespace cacophony::practice
