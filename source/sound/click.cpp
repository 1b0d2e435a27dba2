#include "cacophony/sound/click.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>

namespace cacophony::sound {

double volume_gain_db(int volume) {
  const int v = std::clamp(volume, kMinVolume, kMaxVolume);
  return -40.0 + 39.0 * v / 100.0;
}

float volume_gain(int volume) {
  return static_cast<float>(std::pow(10.0, volume_gain_db(volume) / 20.0));
}

double Click::frequency_hz(ClickKind kind) {
  constexpr std::array<double, kClickKinds> kHz{2000.0, 1000.0, 1500.0, 3000.0, 3600.0};
  return kHz[static_cast<std::size_t>(kind)];
}

double Click::frequency_hz(ClickKind kind, const ClickStyle& style) {
  const bool accent = kind == ClickKind::accent || kind == ClickKind::count_in_accent;
  return frequency_hz(kind) * (accent ? style.accent_pitch : style.normal_pitch);
}

double Click::level_db(ClickKind kind) {
  constexpr std::array<double, kClickKinds> kDb{0.0, 0.0, -10.0, -3.0, 0.0};
  return kDb[static_cast<std::size_t>(kind)];
}

namespace {

// Partials at or above this fraction of the rate are left out: they would fold back (alias).
constexpr double kHighest = 0.45;

// The timbre's undecayed wave at sample i, of a fundamental `step` radians a sample.
class Wave {
 public:
  Wave(Timbre timbre, double step) : timbre_(timbre), step_(step) {}
  double operator()(std::size_t i) {
    const double x = step_ * static_cast<double>(i);
    switch (timbre_) {
      case Timbre::square:
        return square(x);
      case Timbre::noise:
        return (i == 0 ? 1.0 : uniform()) * std::cos(x);
      case Timbre::wood:
        return std::cos(x) +
               (kWoodPartial * step_ < kMaxStep ? 0.5 * std::cos(kWoodPartial * x) : 0.0);
      case Timbre::tone:
      case Timbre::sine:
        break;
    }
    return std::cos(x);
  }

 private:
  static constexpr double kWoodPartial = 2.76;  // a wooden bar's second mode
  static constexpr double kMaxStep = 2 * std::numbers::pi * kHighest;
  // A square wave in cosine phase, from its odd harmonics below the limit (the first always).
  double square(double x) const {
    double v = 0;
    for (int k = 1; k == 1 || k * step_ < kMaxStep; k += 2)
      v += (((k - 1) / 2) % 2 == 0 ? 1.0 : -1.0) * std::cos(k * x) / k;
    return v;
  }
  double uniform() {  // xorshift64: the same noise in every run
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<double>(state_ >> 11) / static_cast<double>(1ULL << 52) - 1.0;
  }
  Timbre timbre_;
  double step_;
  std::uint64_t state_ = 0x9E3779B97F4A7C15ULL;
};

// Takes the DC out of wave[0, sounding) with a Hann window: 0 at both ends, so the onset sample
// and the silent tail stay as they are. Returns the peak after.
double remove_dc(std::vector<double>& wave, std::size_t sounding) {
  double sum = 0.0;
  for (std::size_t i = 0; i < sounding; ++i) sum += wave[i];
  std::vector<double> hann(sounding);
  double hann_sum = 0.0;
  for (std::size_t i = 0; i < sounding; ++i) {
    hann[i] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) /
                                   static_cast<double>(sounding - 1));
    hann_sum += hann[i];
  }
  double peak = 0.0;
  for (std::size_t i = 0; i < sounding; ++i) {
    wave[i] -= sum * hann[i] / hann_sum;
    peak = std::max(peak, std::abs(wave[i]));
  }
  return peak;
}

}  // namespace

void check_style(const ClickStyle& style, int rate) {
  for (const double pitch : {style.accent_pitch, style.normal_pitch})
    if (!(pitch >= ClickStyle::kMinPitch && pitch <= ClickStyle::kMaxPitch))
      throw std::invalid_argument("pitch factor out of range");
  for (std::size_t k = 0; k < kClickKinds; ++k)
    if (Click::frequency_hz(static_cast<ClickKind>(k), style) >= 0.5 * rate)
      throw std::invalid_argument("a click's pitch is too high for the rate");
}

Click::Click(ClickKind kind, int rate, const ClickStyle& style, double ratio) : kind_(kind) {
  check_style(style, rate);
  const auto length = static_cast<std::size_t>(std::lround(kSeconds * rate));
  const std::size_t sounding = length - kSilentTail;  // samples [0, sounding) may be non-zero
  const double decay = (style.timbre == Timbre::wood ? 0.0015 : 0.004) * rate;  // in samples
  Wave wave_at(style.timbre, 2.0 * std::numbers::pi * frequency_hz(kind, style) * ratio / rate);
  std::vector<double> wave(length, 0.0);
  for (std::size_t i = 0; i < sounding; ++i) {
    const double fade = static_cast<double>(sounding - 1 - i) / static_cast<double>(sounding - 1);
    wave[i] = wave_at(i) * std::exp(-static_cast<double>(i) / decay) * fade;
  }
  const double peak = remove_dc(wave, sounding);
  const double level = std::pow(10.0, level_db(kind) / 20.0);
  samples_.resize(length);
  for (std::size_t i = 0; i < length; ++i) samples_[i] = static_cast<float>(wave[i] / peak * level);
}

ClickSounds ClickSounds::synthesised(int rate, const ClickStyle& style) {
  ClickSounds sounds;
  const auto samples_of = [&](ClickKind kind, double ratio) {
    const Click click(kind, rate, style, ratio);
    return std::vector<float>(click.samples().begin(), click.samples().end());
  };
  for (std::size_t k = 0; k < kClickKinds; ++k)
    sounds.kinds[k] = samples_of(static_cast<ClickKind>(k), 1);
  for (std::size_t v = 0; v < kPolyVoices; ++v)
    sounds.voices[v] = {samples_of(ClickKind::accent, kVoicePitch[v]),
                        samples_of(ClickKind::normal, kVoicePitch[v])};
  return sounds;
}

}  // namespace cacophony::sound
