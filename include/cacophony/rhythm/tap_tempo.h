#pragma once
// TapTempo: the tempo a player taps, and how steady the taps were.
//
// - tap() takes each tap's time in seconds, on any steady clock. A tap more than kGap (2 s) after
//   the one before starts a new count: that tap is the first of it.
// - From kMinTaps (3) taps on (or the count given, at least 2: klick reads from the second), the
//   last kWindow (8) taps are taken. The median of their intervals
//   is the beat; an interval more than 30 % off it comes from a wild tap (a double hit, a missed
//   one) and is left out of the spread. The tempo is the span from the first of those taps to
//   the last over the beats it holds (the span over the median, rounded): each tap's jitter
//   counts once, not in every interval, and a wild or missed tap does not bend it. Fewer taps
//   than that read nothing.
// - spread_percent is the kept intervals' standard deviation over their mean, in percent: 0 for
//   a machine, a few percent for a steady hand.
//
// Not thread-safe: one thread taps. No allocation.

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>

namespace cacophony::rhythm {

class TapTempo {
 public:
  static constexpr double kGap = 2.0;
  static constexpr std::size_t kMinTaps = 3;
  static constexpr std::size_t kWindow = 8;
  static constexpr double kOutlier = 0.30;

  struct Reading {
    double bpm = 0;
    double spread_percent = 0;
    std::size_t taps = 0;      // in the count so far (up to kWindow are used)
    std::size_t left_out = 0;  // intervals left out as wild
  };

  explicit TapTempo(std::size_t min_taps = kMinTaps)
      : min_taps_(std::max<std::size_t>(min_taps, 2)) {}

  // A tap at `seconds`; the reading once there are enough taps.
  std::optional<Reading> tap(double seconds);
  void reset() { count_ = 0; }

 private:
  std::array<double, kWindow> taps_{};  // a ring of the last taps
  std::size_t count_ = 0;               // taps in this count
  std::size_t min_taps_;
};

}  // namespace cacophony::rhythm
