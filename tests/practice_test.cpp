// Practice: takes built from real drum samples (Hydrogen's GMRockKit, 44.1 kHz, resampled to
// 48 kHz by linear interpolation here) over white noise at -30 dBFS RMS, each stroke placed at a
// known offset from the grid, then detected and measured. A sample's attack, the truth the
// detector is held to, is its first sample reaching a tenth of its peak.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cacophony/practice/practice.h"
#include "support/kit_take.h"

namespace cacophony::practice {
namespace {

constexpr int kRate = 48000;
constexpr double kTolMs = 2;

std::vector<float> noise(double seconds, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> gauss(0.0f, std::pow(10.0f, -30.0f / 20.0f));
  std::vector<float> out(static_cast<std::size_t>(seconds * kRate));
  for (float& v : out) v = gauss(gen);
  return out;
}

// Adds `name` to `take` so that its attack falls on `frame`.
void place(std::vector<float>& take, const std::string& name, std::int64_t frame, float gain = 1) {
  const test_support::KitSample& s = test_support::kit_sample(name, kRate);
  for (std::size_t i = 0; i < s.samples.size(); ++i) {
    const auto at = frame - s.attack + static_cast<std::int64_t>(i);
    if (at >= 0 && at < static_cast<std::int64_t>(take.size()))
      take[static_cast<std::size_t>(at)] += gain * s.samples[i];
  }
}

std::int64_t ms(double v) {
  return std::lround(v * kRate / 1000.0);
}

rhythm::Performance straight(std::int64_t bars, rhythm::Meter meter, double bpm, int subdivide,
                             int count_in) {
  rhythm::Performance p;
  rhythm::Section s;
  s.beats = bars * meter.beats;
  s.meter = meter;
  s.tempo = rhythm::Tempo::constant(bpm);
  p.sections = {s};
  p.feel.subdivide = subdivide;
  p.feel.count_in = count_in;
  return p;
}

// What a stroke should come out as: its position (by index into the grid) and offset.
struct Known {
  std::size_t position;
  double offset_ms;
};

void expect_offsets(const Result& r, const std::vector<Known>& known) {
  ASSERT_EQ(r.hits.size(), known.size());
  for (std::size_t i = 0; i < known.size(); ++i) {
    EXPECT_EQ(r.hits[i].position.frame, r.grid[known[i].position].frame) << "hit " << i;
    EXPECT_NEAR(r.hits[i].offset_ms, known[i].offset_ms, kTolMs) << "hit " << i;
  }
}

double share_within(const std::vector<Known>& known, double limit) {
  const auto n = std::count_if(known.begin(), known.end(),
                               [&](const Known& k) { return std::abs(k.offset_ms) <= limit; });
  return static_cast<double>(n) / static_cast<double>(known.size());
}

// Six bars of 4/4 at 120 after a bar of count-in; bars 3 and 4 muted, where the player drifts to
// 122 bpm. Bar 2 beat 4 is missed; bar 5 has a flam on beat 2 and a ghost note after it.
struct Take {
  std::vector<Position> grid;
  std::vector<float> samples;
  std::vector<Known> known;
  std::int64_t ghost = 0;
};

Take rock_take() {
  Take t;
  t.grid = positions(straight(6, {4, 4}, 120, 1, 1), kRate, MutePlan{2, 2});
  t.samples = noise(16, 11);
  const std::vector<double> played = {-5, -13, -20, 0,  5, 15,  30, 999,  // 999: missed
                                      0,  6,   -7,  22, 3, -15, 0,  14};  // bars 5, 6
  const char* names[] = {"Kick-Hard", "Snare-Hard", "Kick-Med", "Snare-Med"};
  for (std::size_t i = 0; i < 16; ++i) {
    const std::size_t p = i < 8 ? i : i + 8;
    if (played[i] == 999) continue;
    const std::int64_t at = t.grid[p].frame + ms(played[i]);
    place(t.samples, names[p % 4], at);
    if (p % 4 == 0) place(t.samples, "HatClosed-Med", at, 0.5f);
    t.known.push_back({p, played[i]});
  }
  place(t.samples, "Snare-Soft", t.grid[17].frame + ms(6 - 25), 0.3f);  // the flam's grace stroke
  t.ghost = t.grid[17].frame + ms(240);
  place(t.samples, "Snare-Softest", t.ghost, 0.4f);
  for (std::size_t k = 0; k < 8; ++k) {  // bars 3 and 4, muted: at 122 bpm from 3 ms late
    const double offset = 3 + static_cast<double>(k) * (60000.0 / 122 - 500);
    place(t.samples, names[k % 4], t.grid[8].frame + ms(3 + static_cast<double>(k) * 60000 / 122));
    t.known.push_back({8 + k, offset});
  }
  std::sort(t.known.begin(), t.known.end(),
            [](const Known& a, const Known& b) { return a.position < b.position; });
  return t;
}

TEST(Practice, MeasuresARealTakeToTwoMilliseconds) {
  const Take t = rock_take();
  const Result r = measure(t.grid, detect_hits(t.samples, kRate), kRate, 0, 120);
  expect_offsets(r, t.known);
  ASSERT_EQ(r.missed.size(), 1u);
  EXPECT_EQ(r.missed[0].bar, 2);
  EXPECT_EQ(r.missed[0].beat, 4);
  ASSERT_EQ(r.extra.size(), 1u);
  EXPECT_NEAR(static_cast<double>(r.extra[0].frame - t.ghost), 0, ms(10));  // quiet, over a tail
  EXPECT_DOUBLE_EQ(r.overall.within_10ms, share_within(t.known, 10));
  EXPECT_DOUBLE_EQ(r.overall.within_25ms, share_within(t.known, 25));
  ASSERT_TRUE(r.muted_bpm.has_value());
  EXPECT_NEAR(*r.muted_bpm - 120, 2, 0.5);
  ASSERT_TRUE(r.player_bpm.has_value());
  EXPECT_NEAR(*r.player_bpm, 120, 1.5);
}

TEST(Practice, FiguresPerBar) {
  const Take t = rock_take();
  const Result r = measure(t.grid, detect_hits(t.samples, kRate), kRate, 0, 120);
  ASSERT_EQ(r.bars.size(), 6u);
  const bool muted[] = {false, false, true, true, false, false};
  const std::size_t hits[] = {4, 3, 4, 4, 4, 4}, missed[] = {0, 1, 0, 0, 0, 0};
  const std::size_t extra[] = {0, 0, 0, 0, 1, 0};
  for (std::size_t b = 0; b < 6; ++b) {
    EXPECT_EQ(r.bars[b].bar, static_cast<std::int64_t>(b + 1));
    EXPECT_EQ(r.bars[b].muted, muted[b]);
    EXPECT_EQ(r.bars[b].figures.hits, hits[b]) << "bar " << b + 1;
    EXPECT_EQ(r.bars[b].figures.missed, missed[b]) << "bar " << b + 1;
    EXPECT_EQ(r.bars[b].figures.extra, extra[b]) << "bar " << b + 1;
  }
  EXPECT_NEAR(r.bars[0].figures.mean_offset_ms, (-5 - 13 - 20 + 0) / 4.0, kTolMs);
  EXPECT_DOUBLE_EQ(r.bars[0].figures.within_10ms, 0.5);
  EXPECT_DOUBLE_EQ(r.bars[1].figures.within_25ms, 2.0 / 3);
  EXPECT_NEAR(r.bars[5].figures.sd_ms, 10.3, 1.0);  // offsets 3, -15, 0, 14
}

TEST(Practice, SubdivisionsAreMeasuredToo) {
  const auto grid = positions(straight(2, {4, 4}, 120, 2, 1), kRate, {});
  ASSERT_EQ(grid.size(), 16u);
  std::vector<float> take = noise(7, 5);
  std::vector<Known> known;
  const double offsets[] = {-18, 7, 0, -6, 12, 25, -11, 4};
  for (std::size_t p = 0; p < grid.size(); ++p) {
    const double o = offsets[p % 8];
    place(take, grid[p].sub == 0 ? "Snare-Hard" : "HatClosed-Med", grid[p].frame + ms(o));
    known.push_back({p, o});
  }
  const Result r = measure(grid, detect_hits(take, kRate), kRate, 0, 120);
  expect_offsets(r, known);
  EXPECT_TRUE(r.missed.empty());
  EXPECT_TRUE(r.extra.empty());
  EXPECT_EQ(r.hits[1].position.sub, 1);
}

TEST(Practice, LatencyIsTakenFromEveryHit) {
  const std::vector<Position> grid = {{1000, 1, 1, 0, false}, {25000, 1, 2, 0, false}};
  const std::vector<Hit> hits = {{1480, 0.5f}, {25000 + 480 - 240, 0.5f}};
  const Result r = measure(grid, hits, kRate, 10, 120);
  ASSERT_EQ(r.hits.size(), 2u);
  EXPECT_DOUBLE_EQ(r.hits[0].offset_ms, 0);
  EXPECT_DOUBLE_EQ(r.hits[1].offset_ms, -5);
  EXPECT_EQ(r.hits[0].hit_frame, 1000);
  EXPECT_FALSE(r.muted_bpm.has_value());
}

TEST(Practice, NearestHitWinsAPositionTheOtherIsExtra) {
  const std::vector<Position> grid = {{0, 1, 1, 0, false}, {24000, 1, 2, 0, false}};
  const std::vector<Hit> hits = {{23000, 1}, {24100, 1}, {31300, 1}};  // the last > 150 ms late
  const Result r = measure(grid, hits, kRate, 0, 120);
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].hit_frame, 24100);
  ASSERT_EQ(r.missed.size(), 1u);
  EXPECT_EQ(r.missed[0].frame, 0);
  EXPECT_EQ(r.extra.size(), 2u);
}

TEST(Practice, StreamingInAnyBlocksEqualsOneCall) {
  const Take t = rock_take();
  const std::vector<Hit> whole = detect_hits(t.samples, kRate);
  OnsetDetector detector(kRate);
  std::vector<Hit> streamed;
  const std::size_t sizes[] = {1, 37, 128, 4096, 999, 64, 20000};
  for (std::size_t at = 0, i = 0; at < t.samples.size(); ++i) {
    const std::size_t n = std::min(sizes[i % 7], t.samples.size() - at);
    detector.feed(t.samples.data() + at, n, streamed);
    at += n;
  }
  detector.finish(streamed);
  ASSERT_EQ(streamed.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(streamed[i].frame, whole[i].frame);
    EXPECT_EQ(streamed[i].peak, whole[i].peak);
  }
}

TEST(Practice, SilenceAndNoiseHaveNoHits) {
  EXPECT_TRUE(detect_hits(std::vector<float>(3 * kRate, 0.0f), kRate).empty());
  EXPECT_TRUE(detect_hits(noise(5, 3), kRate).empty());
}

TEST(Practice, PositionsLeaveTheCountInOut) {
  const auto grid = positions(straight(2, {3, 4}, 90, 3, 1), kRate, MutePlan{1, 1});
  ASSERT_EQ(grid.size(), 18u);
  const double beat = kRate * 60.0 / 90;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const auto x = static_cast<double>(i) / 3;  // in beats after the count-in's 3
    EXPECT_EQ(grid[i].frame, std::llround(beat * (3 + x))) << i;
    EXPECT_EQ(grid[i].bar, static_cast<std::int64_t>(i / 9 + 1));
    EXPECT_EQ(grid[i].beat, static_cast<int>(i / 3 % 3 + 1));
    EXPECT_EQ(grid[i].sub, static_cast<int>(i % 3));
    EXPECT_EQ(grid[i].muted, grid[i].bar == 2);
  }
}

TEST(Practice, MutePlanCycles) {
  const MutePlan plan{2, 1};
  const bool expected[] = {false, false, true, false, false, true, false};
  for (std::int64_t bar = 1; bar <= 7; ++bar) EXPECT_EQ(plan.muted(bar), expected[bar - 1]) << bar;
  EXPECT_FALSE(MutePlan{}.muted(3));
}

TEST(Practice, RandomMutingIsSeededPerBar) {
  const MutePlan plan{0, 0, 0.5, 42};
  std::vector<bool> forward, backward(1000);
  for (std::int64_t bar = 1; bar <= 1000; ++bar) forward.push_back(plan.muted(bar));
  for (std::int64_t bar = 1000; bar >= 1; --bar)
    backward[static_cast<std::size_t>(bar - 1)] = plan.muted(bar);
  EXPECT_EQ(forward, backward);
  const auto muted = std::count(forward.begin(), forward.end(), true);
  EXPECT_GT(muted, 430);
  EXPECT_LT(muted, 570);
  const MutePlan other{0, 0, 0.5, 43};
  int differ = 0;
  for (std::int64_t bar = 1; bar <= 1000; ++bar) differ += plan.muted(bar) != other.muted(bar);
  EXPECT_GT(differ, 400);
  EXPECT_TRUE((MutePlan{0, 0, 1, 1}.muted(7)));
}

}  // namespace
}  // namespace cacophony::practice
