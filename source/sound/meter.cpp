#include "cacophony/sound/meter.h"

#include <algorithm>
#include <cmath>

#include "cacophony/sound/click.h"

namespace cacophony::sound {

int loudness_to_volume(double lufs) {
  if (!std::isfinite(lufs)) return lufs > 0 ? kMaxVolume : kMinVolume;
  const double v = std::round((lufs + 60.0) * 100.0 / 60.0);
  return static_cast<int>(std::clamp(v, 0.0, 100.0));
}

}  // namespace cacophony::sound
