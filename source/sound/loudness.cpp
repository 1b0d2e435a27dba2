#include "cacophony/sound/loudness.h"

#include <ebur128.h>

#include <cmath>

#include "cacophony/sound/error.h"

namespace cacophony::sound {

struct Loudness::State {
  ebur128_state* handle = nullptr;
  ~State() {
    if (handle) ebur128_destroy(&handle);
  }
};

Loudness::Loudness(int channels, int rate) : state_(std::make_unique<State>()) {
  if (rate < kMinRate) throw Unmeasurable(channels, rate);
  state_->handle = ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(rate),
                                EBUR128_MODE_M);
  if (!state_->handle) throw Unmeasurable(channels, rate);
}

Loudness::~Loudness() = default;

void Loudness::add(const float* frames, std::size_t count) {
  ebur128_add_frames_float(state_->handle, frames, count);
}

double Loudness::momentary() {
  double lufs = -HUGE_VAL;
  if (ebur128_loudness_momentary(state_->handle, &lufs) != EBUR128_SUCCESS) return -HUGE_VAL;
  return lufs;
}

}  // namespace cacophony::sound
