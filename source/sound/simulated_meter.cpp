#include "cacophony/sound/simulated_meter.h"

#include "cacophony/sound/click.h"

namespace cacophony::sound {

int SimulatedMeter::volume_at(std::int64_t, std::int64_t, int) {
  return static_cast<int>(random_() % (kMaxVolume + 1));
}

}  // namespace cacophony::sound
