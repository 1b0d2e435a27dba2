#pragma once
// Click: the metronome's sound, synthesised once for a sample rate and then only read.
//
// Rules
// - A click is a dry burst of 20 ms (the limit is 30 ms) in one of five timbres (klick's built-in
//   sound sets, -s), each at its kind's pitch times the style's pitch factor (klick's -w):
//     tone     a cosine (the default)           square  the odd harmonics of a square wave
//     sine     the same cosine, as klick names it
//     noise    white noise (a fixed seed) ring-modulated by the cosine: a band of noise
//     wood     the cosine and an inharmonic partial at 2.76 times it, decaying faster
//   Each starts at full height, so its first sample marks the beat's onset exactly, under an
//   exponential decay (4 ms; 1.5 ms for wood) times a linear fade that reaches 0 before the end.
//   The last kSilentTail samples are exactly 0.0 and the samples sum to 0 (no DC): the little DC
//   the decay leaves is taken out with a Hann-shaped correction, itself 0 at both ends. Partials
//   above 0.45 times the rate are left out (no aliasing); a style that puts a fundamental at or
//   above half the rate is refused (check_style).
// - Five kinds, told apart by pitch, each at its own level (the waveform's peak):
//     accent           2000 Hz    0 dB   the bar's first beat, or an X
//     normal           1000 Hz    0 dB   the other beats
//     subdivision      1500 Hz  -10 dB   the clicks between beats (--subdivide)
//     count_in         3000 Hz   -3 dB   the count-in
//     count_in_accent  3600 Hz    0 dB   the count-in's accents (its first beat, its X)
//   Accent and normal are an octave apart; a subdivision sits between them and softer, so it
//   reads as a tick inside the beat; the count-in is brighter than anything in the song, its
//   accent brighter and louder still.
// - A polyrhythm's voices (rhythm.h) sound the accent and the normal click at a pitch of their
//   own: 1.25, 0.8 and 1.6 times (voices 1, 2, 3), so each is told apart from the beat.
// - The level scales the kind's waveform; the volume scales that. Volume 0..100 maps to the peak's
//   level in dBFS by gain_db = -40 + 39 * volume / 100: 0 -> -40 dBFS (quiet, still heard),
//   50 -> -20.5 dBFS, 100 -> -1 dBFS (1 dB of headroom). Volumes outside 0..100 are clamped.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cacophony::sound {

enum class ClickKind { accent, normal, subdivision, count_in, count_in_accent };
constexpr std::size_t kClickKinds = 5;

enum class Timbre { tone, square, sine, noise, wood };

// How the synthesised clicks sound: a timbre, and a pitch factor for the accents (accent,
// count_in_accent) and one for the other kinds.
struct ClickStyle {
  static constexpr double kMinPitch = 0.25;
  static constexpr double kMaxPitch = 4;
  Timbre timbre = Timbre::tone;
  double accent_pitch = 1;
  double normal_pitch = 1;
};

// Throws std::invalid_argument, saying which, for a pitch factor outside [kMinPitch, kMaxPitch]
// or a kind whose fundamental would be at or above half of `rate`.
void check_style(const ClickStyle& style, int rate);

constexpr int kMinVolume = 0;
constexpr int kMaxVolume = 100;

// The peak level of a click at `volume`, in dBFS, and the same as a linear gain.
double volume_gain_db(int volume);
float volume_gain(int volume);

class Click {
 public:
  static constexpr double kSeconds = 0.020;
  static constexpr std::size_t kSilentTail = 4;

  // Checks the style (check_style).
  // `ratio` scales the pitch further (a polyrhythm voice's, kVoicePitch).
  Click(ClickKind kind, int rate, const ClickStyle& style = {}, double ratio = 1);

  ClickKind kind() const { return kind_; }
  // The kind's pitch, before a style's factor.
  static double frequency_hz(ClickKind kind);
  static double frequency_hz(ClickKind kind, const ClickStyle& style);
  static double level_db(ClickKind kind);
  std::span<const float> samples() const { return samples_; }

 private:
  ClickKind kind_;
  std::vector<float> samples_;
};

// The sounds an engine plays, one per ClickKind at the engine's rate, each at its kind's level:
// made before the engine runs, then only read.
inline constexpr std::size_t kPolyVoices = 3;
inline constexpr std::array<double, kPolyVoices> kVoicePitch{1.25, 0.8, 1.6};

struct ClickSounds {
  std::array<std::vector<float>, kClickKinds> kinds;
  // Each polyrhythm voice's accent and normal click.
  std::array<std::array<std::vector<float>, 2>, kPolyVoices> voices;
  const std::vector<float>& of(ClickKind kind) const {
    return kinds[static_cast<std::size_t>(kind)];
  }
  // Voice 0 is the beat's; voice v > 0 plays voices[v - 1] (its accent for ClickKind::accent).
  const std::vector<float>& of(ClickKind kind, int voice) const {
    if (voice <= 0) return of(kind);
    return voices[static_cast<std::size_t>(voice - 1)][kind == ClickKind::accent ? 0 : 1];
  }
  // The synthesised clicks above, in `style`.
  static ClickSounds synthesised(int rate, const ClickStyle& style = {});
};

}  // namespace cacophony::sound
