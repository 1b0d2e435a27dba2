#pragma once
// Bpm: a tempo in beats per minute, valid in (0, 6000].
//
// Guarantees
// - interval() is 60 s / bpm in whole nanoseconds by integer division: exact whenever bpm divides
//   60 000 000 000 (60 -> 1 s, 120 -> 500 ms, 6000 -> 10 ms), and otherwise truncated by less
//   than 1 ns. (The original computed it in float32 and was up to 2 µs off; this port does not.)
// - beat_time(n) is n·60 s / bpm computed from n in one step, never as a sum of intervals, so the
//   error stays below 1 ns for any n.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace cacophony {

class Bpm {
 public:
  static constexpr std::int64_t kMin = 1;
  static constexpr std::int64_t kMax = 6000;

  // Validates: throws std::invalid_argument naming the range (0, 6000].
  static Bpm of(std::int64_t value);
  // Parses a whole decimal number and validates it; anything else (1e99, nan, 12abc) is rejected.
  static Bpm parse(std::string_view text);
  // The bare type, like Go's `param.Bpm(12000)`: no validation.
  static constexpr Bpm unchecked(std::int64_t value) { return Bpm(value); }

  std::int64_t value() const { return value_; }
  // Nanoseconds, the same type as the runtime's Duration and Time (a run's offsets).
  std::chrono::nanoseconds interval() const { return beat_time(1); }
  std::chrono::nanoseconds beat_time(std::int64_t n) const {
    // Both divisions truncate toward zero, so where n·60 s fits in 64 bits (|n| up to 153
    // million) the cheap one gives the same result: runs compute this a few times per beat.
    if (n >= -kFitsInt64 && n <= kFitsInt64) return std::chrono::nanoseconds(n * kMinute / value_);
    return std::chrono::nanoseconds(
        static_cast<std::int64_t>(static_cast<__int128>(n) * kMinute / value_));
  }

 private:
  static constexpr std::int64_t kMinute = 60'000'000'000;
  static constexpr std::int64_t kFitsInt64 = INT64_MAX / kMinute;
  constexpr explicit Bpm(std::int64_t value) : value_(value) {}
  std::int64_t value_;
};

}  // namespace cacophony
