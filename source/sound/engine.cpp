#include "cacophony/sound/engine.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace cacophony::sound {

Engine::Engine(int rate, Grid& grid, std::int64_t beats)
    : Engine(rate, grid, beats, ClickSounds::synthesised(rate > 0 ? rate : 1)) {}

Engine::Engine(int rate, Grid& grid, std::int64_t beats, ClickSounds sounds)
    : rate_(rate), grid_(grid), beats_(beats), sounds_(std::move(sounds)) {
  if (rate <= 0) throw std::invalid_argument("the sample rate must be positive");
  if (beats < 1) throw std::invalid_argument("an engine plays at least one beat");
  for (int v = kMinVolume; v <= kMaxVolume; ++v)
    gains_[static_cast<std::size_t>(v)] = volume_gain(v);
  total_frames_ = kEndless;
  const bool counted = beats_ != kEndless;
  const std::int64_t end = counted ? grid.planned_onset(beats_) : grid.end_frame();
  const std::int64_t last = counted ? grid.planned_onset(beats_ - 1) : grid.last_click_frame();
  if (end != Grid::kUnknown && last != Grid::kUnknown)
    total_frames_ = last == Grid::kNoClick ? end : std::max(end, last + click_frames());
}

std::int64_t Engine::click_frames() const {
  std::size_t longest = 0;
  for (const std::vector<float>& s : sounds_.kinds) longest = std::max(longest, s.size());
  return static_cast<std::int64_t>(longest);
}

void Engine::play(Voice& voice, float* out, std::size_t frames) {
  const std::size_t count = std::min(voice.length - voice.at, frames);
  const float* in = voice.samples + voice.at;
  const float gain = voice.gain;
  for (std::size_t i = 0; i < count; ++i) out[i] += in[i] * gain;
  voice.at += count;
  if (voice.at == voice.length) voice.samples = nullptr;
}

std::size_t Engine::process(float* out, std::size_t frames, const BlockTime& time) {
  std::fill(out, out + frames, 0.0f);
  if (position_ >= total_frames_) return 0;
  const auto left = static_cast<std::uint64_t>(total_frames_ - position_);
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(frames, left));
  if (n == 0) return 0;

  for (Voice& v : voices_)
    if (v.samples) play(v, out, n);

  const std::int64_t end = position_ + static_cast<std::int64_t>(n);
  grid_.begin_block(position_, time);
  Onset onset;
  while (next_beat_ < beats_ && grid_.next_before(end, onset)) {
    if (hook_) hook_(hook_context_, next_beat_, onset);
    const int volume = std::clamp(volume_.load(std::memory_order_relaxed), kMinVolume, kMaxVolume);
    const std::vector<float>& sound = sounds_.of(onset.kind, onset.voice);
    Voice& v = voices_[next_voice_];
    next_voice_ = (next_voice_ + 1) % kVoices;
    const bool muted = muted_.load(std::memory_order_relaxed);  // the click keeps its place
    v = Voice{sound.data(), sound.size(), 0,
              muted ? 0.0f : gains_[static_cast<std::size_t>(volume)] * onset.level};
    const auto offset = static_cast<std::size_t>(std::max(onset.frame, position_) - position_);
    play(v, out + offset, n - offset);
    ++next_beat_;
    last_click_end_ = position_ + static_cast<std::int64_t>(offset + sound.size());
    // A grid that cannot tell ahead ends the track with the last click.
    if (next_beat_ == beats_ && total_frames_ == kEndless)
      total_frames_ = position_ + static_cast<std::int64_t>(offset) + click_frames();
  }
  if (total_frames_ == kEndless && grid_.ended()) total_frames_ = std::max(end, last_click_end_);
  position_ = end;
  return n;
}

}  // namespace cacophony::sound
