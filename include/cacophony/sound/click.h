#pragma once
// Click: the metronome's sound, synthesised once for a sample rate and then only read.
//
// Rules
// - A click is a dry tone burst of 20 ms (the limit is 30 ms): a cosine that starts at its peak,
//   so the first sample of a click is its loudest and marks the beat's onset exactly, under an
//   exponential decay (4 ms) times a linear fade that reaches 0 before the end. The last
//   kSilentTail samples are exactly 0.0 and the samples sum to 0 (no DC): the little DC the decay
//   leaves is taken out with a Hann-shaped correction, itself 0 at both ends.
// - Four kinds, told apart by pitch, each at its own level (the waveform's peak):
//     accent        2000 Hz    0 dB   the bar's first beat, or an X
//     normal        1000 Hz    0 dB   the other beats
//     subdivision   1500 Hz  -10 dB   the clicks between beats (--subdivide)
//     count_in      3000 Hz   -3 dB   the count-in
//   Accent and normal are an octave apart; a subdivision sits between them and softer, so it
//   reads as a tick inside the beat; the count-in is brighter than anything in the song.
// - The level scales the kind's waveform; the volume scales that. Volume 0..100 maps to the peak's
//   level in dBFS by gain_db = -40 + 39 * volume / 100: 0 -> -40 dBFS (quiet, still heard),
//   50 -> -20.5 dBFS, 100 -> -1 dBFS (1 dB of headroom). Volumes outside 0..100 are clamped.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cacophony::sound {

enum class ClickKind { accent, normal, subdivision, count_in };
constexpr std::size_t kClickKinds = 4;

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
  static double frequency_hz(ClickKind kind);
  static double level_db(ClickKind kind);
  std::span<const float> samples() const { return samples_; }

 private:
  ClickKind kind_;
  std::vector<float> samples_;
};

// The sounds an engine plays, one per ClickKind at the engine's rate, each at its kind's level:
// made before the engine runs, then only read.
struct ClickSounds {
  std::array<std::vector<float>, kClickKinds> kinds;
  const std::vector<float>& of(ClickKind kind) const {
    return kinds[static_cast<std::size_t>(kind)];
  }
  // The four synthesised clicks above.
  static ClickSounds synthesised(int rate);
};

}  // namespace cacophony::sound
