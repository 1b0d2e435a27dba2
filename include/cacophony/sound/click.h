#pragma once
// Click: the metronome's sound, synthesised once for a sample rate and then only read.
//
// Rules
// - A click is a dry tone burst of 20 ms (the limit is 30 ms): a cosine that starts at its peak,
//   so the first sample of a click is its loudest and marks the beat's onset exactly, under an
//   exponential decay (4 ms) times a linear fade that reaches 0 before the end. The last
//   kSilentTail samples are exactly 0.0 and the samples sum to 0 (no DC): the little DC the decay
//   leaves is taken out with a Hann-shaped correction, itself 0 at both ends.
// - Two kinds: the accent "I" on even counts (0, 2, 4, ...) at 2000 Hz and the normal "O" on odd
//   counts at 1000 Hz, an octave apart.
// - The waveform's peak is exactly 1.0; the volume scales it. Volume 0..100 maps to the peak's
//   level in dBFS by gain_db = -40 + 39 * volume / 100: 0 -> -40 dBFS (quiet, still heard),
//   50 -> -20.5 dBFS, 100 -> -1 dBFS (1 dB of headroom). Volumes outside 0..100 are clamped.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cacophony::sound {

enum class ClickKind { accent, normal };

// "I" on even counts, "O" on odd counts.
constexpr ClickKind click_kind(std::int64_t beat) {
  return beat % 2 == 0 ? ClickKind::accent : ClickKind::normal;
}

constexpr int kMinVolume = 0;
constexpr int kMaxVolume = 100;

// The peak level of a click at `volume`, in dBFS, and the same as a linear gain.
double volume_gain_db(int volume);
float volume_gain(int volume);

class Click {
 public:
  static constexpr double kSeconds = 0.020;
  static constexpr std::size_t kSilentTail = 4;

  Click(ClickKind kind, int rate);

  ClickKind kind() const { return kind_; }
  double frequency_hz() const { return kind_ == ClickKind::accent ? 2000.0 : 1000.0; }
  std::span<const float> samples() const { return samples_; }

 private:
  ClickKind kind_;
  std::vector<float> samples_;
};

}  // namespace cacophony::sound
