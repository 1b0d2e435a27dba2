#include "cacophony/sound/grid.h"

#include <stdexcept>

namespace cacophony::sound {

FixedGrid::FixedGrid(int rate, Bpm bpm) : rate_(rate), bpm_(bpm) {
  if (rate <= 0) throw std::invalid_argument("the sample rate must be positive");
  if (bpm.value() <= 0) throw std::invalid_argument("the tempo must be positive");
}

std::int64_t FixedGrid::onset_frame(std::int64_t n, int rate, std::int64_t bpm) {
  // round(n * rate * 60 / bpm) = floor((2 * n * rate * 60 + bpm) / (2 * bpm)), for n >= 0.
  const __int128 numerator = static_cast<__int128>(n) * rate * 120 + bpm;
  const __int128 frame = numerator / (static_cast<__int128>(bpm) * 2);
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (frame > kMax) return kMax;
  return static_cast<std::int64_t>(frame);
}

bool FixedGrid::next_before(std::int64_t end, Onset& onset) {
  const std::int64_t frame = onset_frame(next_);
  if (frame >= end) return false;
  onset = Onset{frame, next_, static_cast<int>(next_ % 2), 2, click_kind(next_)};
  ++next_;
  return true;
}

}  // namespace cacophony::sound
