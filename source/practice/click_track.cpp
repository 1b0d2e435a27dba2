// ClickTrackCutter (click_track.h).

#include "cacophony/practice/click_track.h"

#include <algorithm>
#include <cmath>

namespace cacophony::practice {

ClickTrackCutter::ClickTrackCutter(const std::vector<Hit>& clicks, int rate) {
  const auto frames = [rate](double ms) -> std::int64_t { return std::llround(ms * rate / 1000); };
  for (std::size_t i = 0; i < clicks.size(); ++i) {
    const std::int64_t from = std::max<std::int64_t>(0, clicks[i].frame - frames(kClickLeadMs));
    std::int64_t to = from + frames(kClickLongestMs);
    if (i + 1 < clicks.size()) to = std::min(to, clicks[i + 1].frame - frames(kClickLeadMs));
    if (to <= from) continue;
    spans_.push_back({from, to});
    bleed_.clicks.push_back({from, bleed_.sounds.size()});
    bleed_.sounds.emplace_back();
  }
  bleed_.max_delay = frames(kBleedDelayMs);
}

void ClickTrackCutter::feed(const float* samples, std::size_t n) {
  const std::int64_t from = at_;
  at_ += static_cast<std::int64_t>(n);
  while (first_ < spans_.size() && spans_[first_].to <= from) ++first_;
  for (std::size_t i = first_; i < spans_.size() && spans_[i].from < at_; ++i) {
    const std::int64_t a = std::max(spans_[i].from, from), b = std::min(spans_[i].to, at_);
    if (b > a)
      bleed_.sounds[i].insert(bleed_.sounds[i].end(), samples + (a - from), samples + (b - from));
  }
}

}  // namespace cacophony::practice
