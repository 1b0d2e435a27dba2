#include "cacophony/sound/engine.h"

#include <algorithm>
#include <stdexcept>

namespace cacophony::sound {

Engine::Engine(int rate, Bpm bpm, std::int64_t beats)
    : rate_(rate),
      bpm_(bpm),
      beats_(beats),
      accent_(ClickKind::accent, rate),
      normal_(ClickKind::normal, rate) {
  if (rate <= 0) throw std::invalid_argument("the sample rate must be positive");
  if (bpm.value() <= 0) throw std::invalid_argument("the tempo must be positive");
  if (beats < 1) throw std::invalid_argument("an engine plays at least one beat");
  for (int v = kMinVolume; v <= kMaxVolume; ++v)
    gains_[static_cast<std::size_t>(v)] = volume_gain(v);
  if (beats_ == kEndless) {
    total_frames_ = kEndless;
  } else {
    const auto click =
        static_cast<std::int64_t>(std::max(accent_.samples().size(), normal_.samples().size()));
    total_frames_ = std::max(onset_frame(beats_), onset_frame(beats_ - 1) + click);
  }
}

std::int64_t Engine::onset_frame(std::int64_t n, int rate, std::int64_t bpm) {
  // round(n * rate * 60 / bpm) = floor((2 * n * rate * 60 + bpm) / (2 * bpm)), for n >= 0.
  const __int128 numerator = static_cast<__int128>(n) * rate * 120 + bpm;
  const __int128 frame = numerator / (static_cast<__int128>(bpm) * 2);
  if (frame > kEndless) return kEndless;
  return static_cast<std::int64_t>(frame);
}

void Engine::play(Voice& voice, float* out, std::size_t frames) {
  const std::size_t count = std::min(voice.length - voice.at, frames);
  const float* in = voice.samples + voice.at;
  const float gain = voice.gain;
  for (std::size_t i = 0; i < count; ++i) out[i] += in[i] * gain;
  voice.at += count;
  if (voice.at == voice.length) voice.samples = nullptr;
}

std::size_t Engine::process(float* out, std::size_t frames) {
  std::fill(out, out + frames, 0.0f);
  const auto left = static_cast<std::uint64_t>(total_frames_ - position_);
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(frames, left));
  if (n == 0) return 0;

  for (Voice& v : voices_)
    if (v.samples) play(v, out, n);

  const std::int64_t end = position_ + static_cast<std::int64_t>(n);
  while (next_beat_ < beats_ && next_onset_ < end) {
    if (hook_) hook_(hook_context_, next_beat_, next_onset_);
    const int volume = std::clamp(volume_.load(std::memory_order_relaxed), kMinVolume, kMaxVolume);
    const Click& click = click_kind(next_beat_) == ClickKind::accent ? accent_ : normal_;
    Voice& v = voices_[next_voice_];
    next_voice_ = (next_voice_ + 1) % kVoices;
    v = Voice{click.samples().data(), click.samples().size(), 0,
              gains_[static_cast<std::size_t>(volume)]};
    const auto offset = static_cast<std::size_t>(next_onset_ - position_);
    play(v, out + offset, n - offset);
    ++next_beat_;
    next_onset_ = onset_frame(next_beat_);
  }
  position_ = end;
  return n;
}

}  // namespace cacophony::sound
