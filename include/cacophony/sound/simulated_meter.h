#pragma once
// SimulatedMeter: a seeded random volume in 0..100 for each beat, the same for the same seed.

#include <cstdint>
#include <random>

#include "cacophony/sound/meter.h"

namespace cacophony::sound {

class SimulatedMeter final : public Meter {
 public:
  explicit SimulatedMeter(std::uint64_t seed) : random_(seed) {}
  int volume_at(std::int64_t beat, std::int64_t frame, int rate) override;

 private:
  std::mt19937_64 random_;
};

}  // namespace cacophony::sound
