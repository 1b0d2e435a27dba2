// Tap tempo: the median interval of the last taps, wild taps left out, a new count after a gap.

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>

#include "cacophony/rhythm/tap_tempo.h"

namespace cacophony::rhythm {
namespace {

// The reading after tapping at each of `times`.
std::optional<TapTempo::Reading> tapped(std::initializer_list<double> times) {
  TapTempo t;
  std::optional<TapTempo::Reading> r;
  for (double at : times) r = t.tap(at);
  return r;
}

TEST(TapTempo, TwoTapsReadNothingTheThirdReadsTheTempo) {
  TapTempo t;
  EXPECT_FALSE(t.tap(10.0));
  EXPECT_FALSE(t.tap(10.5));
  const auto r = t.tap(11.0);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->bpm, 120);
  EXPECT_DOUBLE_EQ(r->spread_percent, 0);
  EXPECT_EQ(r->taps, 3u);
}

TEST(TapTempo, FourJitteryTapsHalfASecondApartRead120) {
  const auto r = tapped({0.0, 0.505, 0.996, 1.503});
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->bpm, 120, 0.5);
  EXPECT_GT(r->spread_percent, 0);
  EXPECT_LT(r->spread_percent, 2);
  EXPECT_EQ(r->left_out, 0u);
}

TEST(TapTempo, AWildTapIsLeftOut) {
  // A double hit at 1.3 s: the intervals 0.3 and 0.2 are far off the median of 0.5.
  const auto r = tapped({0.0, 0.5, 1.0, 1.3, 1.5, 2.0, 2.5});
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->bpm, 120);
  EXPECT_EQ(r->left_out, 2u);
}

TEST(TapTempo, AGapOfMoreThanTwoSecondsStartsANewCount) {
  TapTempo t;
  for (double at : {0.0, 0.5, 1.0}) t.tap(at);
  EXPECT_FALSE(t.tap(3.5)) << "a new count, its first tap";
  EXPECT_FALSE(t.tap(4.25));
  const auto r = t.tap(5.0);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->bpm, 80);
}

TEST(TapTempo, OnlyTheLastEightTapsCount) {
  TapTempo t;
  std::optional<TapTempo::Reading> r;
  double at = 0;
  for (int i = 0; i < 10; ++i, at += 1.0) r = t.tap(at);  // 60 bpm
  for (int i = 0; i < 8; ++i, at += 0.5) r = t.tap(at);   // then 120 bpm
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->bpm, 120);
  EXPECT_EQ(r->taps, 18u);
}

}  // namespace
}  // namespace cacophony::rhythm
