#pragma once
// Meter: where the metronome's volume comes from, asked once per click. The meters: SteadyMeter
// (below, the default), and the loudness followed with --follow: SimulatedMeter
// (simulated_meter.h), FileMeter (file_meter.h) and, live, JackMeter (jack_meter.h).
//
// Loudness to volume: volume = clamp(round((lufs + 60) * 100 / 60), 0, 100): -60 LUFS or below
// -> 0, -30 LUFS -> 50, 0 LUFS -> 100; silence (-inf) -> 0.

#include <atomic>
#include <cstdint>

namespace cacophony::sound {

int loudness_to_volume(double lufs);

// A meter is used by one thread at a time: the render's, or live the MeterThread's.
class Meter {
 public:
  virtual ~Meter() = default;
  // The volume for beat `beat`, which starts at `frame` of a track at `rate` samples per second.
  // Beats come in order.
  virtual int volume_at(std::int64_t beat, std::int64_t frame, int rate) = 0;
  // Called often (about every millisecond) on the meter's thread between beats, for meters that
  // must keep up with a live input.
  virtual void poll() {}
};

// The same volume for every click, the musician's steady click; set() changes it from any
// thread (lock-free), from the next click on.
class SteadyMeter final : public Meter {
 public:
  explicit SteadyMeter(int volume) : volume_(volume) {}
  int volume_at(std::int64_t, std::int64_t, int) override { return get(); }
  void set(int volume) { volume_.store(volume, std::memory_order_relaxed); }
  int get() const { return volume_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> volume_;
};

}  // namespace cacophony::sound
