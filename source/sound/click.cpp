#include "cacophony/sound/click.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace cacophony::sound {

double volume_gain_db(int volume) {
  const int v = std::clamp(volume, kMinVolume, kMaxVolume);
  return -40.0 + 39.0 * v / 100.0;
}

float volume_gain(int volume) {
  return static_cast<float>(std::pow(10.0, volume_gain_db(volume) / 20.0));
}

double Click::frequency_hz(ClickKind kind) {
  constexpr std::array<double, kClickKinds> kHz{2000.0, 1000.0, 1500.0, 3000.0};
  return kHz[static_cast<std::size_t>(kind)];
}

double Click::level_db(ClickKind kind) {
  constexpr std::array<double, kClickKinds> kDb{0.0, 0.0, -10.0, -3.0};
  return kDb[static_cast<std::size_t>(kind)];
}

Click::Click(ClickKind kind, int rate) : kind_(kind) {
  const auto length = static_cast<std::size_t>(std::lround(kSeconds * rate));
  const std::size_t sounding = length - kSilentTail;  // samples [0, sounding) may be non-zero
  const double decay = 0.004 * rate;                  // the exponential's time constant, in samples
  const double step = 2.0 * std::numbers::pi * frequency_hz(kind) / rate;

  std::vector<double> wave(length, 0.0);
  double sum = 0.0;
  for (std::size_t i = 0; i < sounding; ++i) {
    const double fade = static_cast<double>(sounding - 1 - i) / static_cast<double>(sounding - 1);
    wave[i] =
        std::cos(step * static_cast<double>(i)) * std::exp(-static_cast<double>(i) / decay) * fade;
    sum += wave[i];
  }
  // Take the DC out with a Hann window over [0, sounding - 1]: 0 at both ends, so the onset
  // sample and the silent tail stay as they are.
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
  const double level = std::pow(10.0, level_db(kind) / 20.0);
  samples_.resize(length);
  for (std::size_t i = 0; i < length; ++i) samples_[i] = static_cast<float>(wave[i] / peak * level);
}

ClickSounds ClickSounds::synthesised(int rate) {
  ClickSounds sounds;
  for (std::size_t k = 0; k < kClickKinds; ++k) {
    const Click click(static_cast<ClickKind>(k), rate);
    sounds.kinds[k].assign(click.samples().begin(), click.samples().end());
  }
  return sounds;
}

}  // namespace cacophony::sound
