#pragma once
// JackMeter: the EBU R128 momentary loudness (the last 400 ms) of what reaches a JackSink's
// input port `in`, turned into a volume by loudness_to_volume.
//
// Threads: the sink's callback fills the input ring; the meter drains it. Every method here is
// for the meter's thread (MeterThread, meter_thread.h) only, and may allocate (libebur128):
// never the audio thread.

#include <array>
#include <cstddef>
#include <cstdint>

#include "cacophony/sound/jack_sink.h"
#include "cacophony/sound/loudness.h"
#include "cacophony/sound/meter.h"

namespace cacophony::sound {

class JackMeter final : public Meter {
 public:
  // `sink` must have an input and outlive the meter; throws Unmeasurable (error.h) when
  // libebur128 refuses the sink's rate.
  explicit JackMeter(JackSink& sink);

  // Feeds the loudness with every input frame that has arrived.
  void poll() override;
  // The momentary loudness, in LUFS, of the last 400 ms that arrived (-inf for silence).
  double loudness();
  int volume_at(std::int64_t beat, std::int64_t frame, int rate) override;

 private:
  static constexpr std::size_t kBlock = 1024;

  JackSink& sink_;
  Loudness loudness_;
  std::array<float, kBlock> block_{};
};

}  // namespace cacophony::sound
