#pragma once
// The practice layer's small numeric helpers, private to it: time in frames, and order statistics
// found in place.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cacophony::practice {

// `ms` milliseconds as the nearest whole number of frames at `rate`.
inline std::int64_t ms_frames(double ms, int rate) {
  return static_cast<std::int64_t>(std::lround(ms * rate / 1000.0));
}

// The element at index floor(share × (size − 1)) of `v` in sorted order; `v` is reordered and
// must not be empty.
template <typename T>
T quantile(std::vector<T>& v, double share) {
  const auto k = v.begin() + static_cast<std::ptrdiff_t>(share * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), k, v.end());
  return *k;
}

// The element at index size / 2 of `v` in sorted order (the upper of two middles); `v` is
// reordered and must not be empty.
template <typename T>
T median(std::vector<T>& v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// The median of `v`, of two middles their mean; `v` is reordered and must not be empty.
template <typename T>
T mean_median(std::vector<T>& v) {
  const T upper = median(v);
  if (v.size() % 2 == 1) return upper;
  return (upper +
          *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2))) /
         2;
}

}  // namespace cacophony::practice
