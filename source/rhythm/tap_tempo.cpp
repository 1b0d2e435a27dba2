#include "cacophony/rhythm/tap_tempo.h"

#include <algorithm>
#include <cmath>

namespace cacophony::rhythm {
namespace {

// The median of values[0, n), which it reorders.
double median(std::array<double, TapTempo::kWindow>& values, std::size_t n) {
  std::sort(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n));
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

std::optional<TapTempo::Reading> TapTempo::tap(double seconds) {
  if (count_ > 0 && seconds - taps_[(count_ - 1) % kWindow] > kGap) count_ = 0;
  taps_[count_ % kWindow] = seconds;
  ++count_;
  if (count_ < min_taps_) return std::nullopt;

  // The intervals between the last taps, oldest first.
  const std::size_t used = std::min(count_, kWindow);
  std::array<double, kWindow> intervals{};
  std::size_t n = 0;
  for (std::size_t i = count_ - used + 1; i < count_; ++i)
    intervals[n++] = taps_[i % kWindow] - taps_[(i - 1) % kWindow];
  std::array<double, kWindow> sorted = intervals;
  const double first = median(sorted, n);

  std::array<double, kWindow> kept{};
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (std::abs(intervals[i] - first) <= kOutlier * first) kept[k++] = intervals[i];
  if (k == 0) return std::nullopt;

  double sum = 0, squares = 0;
  for (std::size_t i = 0; i < k; ++i) sum += kept[i];
  const double mean = sum / static_cast<double>(k);
  for (std::size_t i = 0; i < k; ++i) squares += (kept[i] - mean) * (kept[i] - mean);
  Reading r;
  r.spread_percent = 100 * std::sqrt(squares / static_cast<double>(k)) / mean;
  // Over the whole span of the window, its beats counted from the median interval: each tap's
  // jitter counts once, and a wild or missed tap does not bend it.
  const double span = taps_[(count_ - 1) % kWindow] - taps_[(count_ - used) % kWindow];
  const double beats = std::max(1.0, std::round(span / first));
  r.bpm = 60 * beats / span;
  r.taps = count_;
  r.left_out = n - k;
  return r;
}

}  // namespace cacophony::rhythm
