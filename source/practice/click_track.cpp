// ClickTrackCutter (click_track.h).

#include "cacophony/practice/click_track.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

namespace cacophony::practice {

ClickTrackCutter::ClickTrackCutter(const std::vector<Hit>& clicks, int rate) {
  const auto frames = [rate](double ms) -> std::int64_t { return std::llround(ms * rate / 1000); };
  for (std::size_t i = 0; i < clicks.size(); ++i) {
    const std::int64_t from = std::max<std::int64_t>(0, clicks[i].frame - frames(kClickLeadMs));
    std::int64_t to = from + frames(kClickLongestMs);
    if (i + 1 < clicks.size()) to = std::min(to, clicks[i + 1].frame - frames(kClickLeadMs));
    if (to <= from) continue;
    spans_.push_back({from, to, {}});
    bleed_.clicks.push_back({from, 0});  // its sound is told once it is whole (keep)
  }
  bleed_.max_delay = frames(kBleedDelayMs);
}

void ClickTrackCutter::feed(const float* samples, std::size_t n) {
  const std::int64_t from = at_;
  at_ += static_cast<std::int64_t>(n);
  for (std::size_t i = first_; i < spans_.size() && spans_[i].from < at_; ++i) {
    Span& span = spans_[i];
    const std::int64_t a = std::max(span.from, from), b = std::min(span.to, at_);
    if (b > a) span.cut.insert(span.cut.end(), samples + (a - from), samples + (b - from));
  }
  while (first_ < spans_.size() && spans_[first_].to <= at_) keep(first_++);
}

ClickBleed ClickTrackCutter::finish() {
  while (first_ < spans_.size()) keep(first_++);
  by_hash_.clear();
  return std::move(bleed_);
}

// Click i's sound, whole: told as an earlier sound's where it is that one bit for bit, else kept.
void ClickTrackCutter::keep(std::size_t i) {
  std::vector<float> cut = std::exchange(spans_[i].cut, {});
  std::uint64_t hash = 14695981039346656037u;  // FNV-1a over the samples' bits
  for (const float v : cut) {
    hash ^= std::bit_cast<std::uint32_t>(v);
    hash *= 1099511628211u;
  }
  std::vector<std::size_t>& alike = by_hash_[hash];
  for (const std::size_t s : alike)
    if (bleed_.sounds[s] == cut) {
      bleed_.clicks[i].sound = s;
      return;
    }
  alike.push_back(bleed_.sounds.size());
  bleed_.clicks[i].sound = bleed_.sounds.size();
  bleed_.sounds.push_back(std::move(cut));
}

}  // namespace cacophony::practice
