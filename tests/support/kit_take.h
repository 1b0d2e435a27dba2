#pragma once
// Test helper: takes built from Hydrogen's GMRockKit samples (44.1 kHz, resampled to the take's
// rate by linear interpolation) over white noise, each stroke placed so that its sample's attack
// (the first sample reaching a tenth of its peak) falls on a given frame.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "audio.h"

namespace cacophony::test_support {

struct KitSample {
  std::vector<float> samples;
  std::int64_t attack = 0;
};

// `file` in Hydrogen's drum kits' folder (e.g. "TR808EmulationKit/808_sd.wav") at `rate`, with
// its attack, read once.
inline const KitSample& drumkit_sample(const std::string& file, int rate) {
  static std::map<std::pair<std::string, int>, KitSample> loaded;
  const auto key = std::make_pair(file, rate);
  if (const auto it = loaded.find(key); it != loaded.end()) return it->second;
  const Audio audio = read_audio(std::filesystem::path("/usr/share/hydrogen/data/drumkits") / file);
  const double step = static_cast<double>(audio.rate) / rate;
  KitSample s;
  for (double x = 0; x + 1 < static_cast<double>(audio.samples.size()); x += step) {
    const auto i = static_cast<std::size_t>(x);
    const double t = x - static_cast<double>(i);
    s.samples.push_back(static_cast<float>((1 - t) * audio.samples[i] + t * audio.samples[i + 1]));
  }
  float peak = 0;
  for (const float v : s.samples) peak = std::max(peak, std::abs(v));
  while (std::abs(s.samples[static_cast<std::size_t>(s.attack)]) < 0.1f * peak) ++s.attack;
  return loaded.emplace(key, std::move(s)).first->second;
}

// GMRockKit's `name` (e.g. "Snare-Med") at `rate`.
inline const KitSample& kit_sample(const std::string& name, int rate) {
  return drumkit_sample("GMRockKit/" + name + ".wav", rate);
}

class KitTake {
 public:
  // `seconds` of white noise at `noise_dbfs` RMS (from `seed`).
  KitTake(int rate, double seconds, double noise_dbfs, std::uint64_t seed)
      : rate_(rate), samples_(static_cast<std::size_t>(seconds * rate)) {
    std::mt19937_64 gen(seed);
    std::normal_distribution<float> gauss(0.0f,
                                          static_cast<float>(std::pow(10.0, noise_dbfs / 20)));
    for (float& v : samples_) v = gauss(gen);
  }
  // Adds `name` so that its attack falls on `frame`.
  void place(const std::string& name, std::int64_t frame, float gain = 1) {
    const KitSample& s = kit_sample(name, rate_);
    for (std::size_t i = 0; i < s.samples.size(); ++i) {
      const auto at = frame - s.attack + static_cast<std::int64_t>(i);
      if (at >= 0 && at < static_cast<std::int64_t>(samples_.size()))
        samples_[static_cast<std::size_t>(at)] += gain * s.samples[i];
    }
  }
  // Adds `signal` from the take's first frame on (what fits).
  void add(const std::vector<float>& signal) {
    for (std::size_t i = 0; i < std::min(signal.size(), samples_.size()); ++i)
      samples_[i] += signal[i];
  }
  const std::vector<float>& samples() const { return samples_; }
  int rate() const { return rate_; }

 private:
  int rate_;
  std::vector<float> samples_;
};

}  // namespace cacophony::test_support
