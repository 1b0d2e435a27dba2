#pragma once
// Loudness: the EBU R128 momentary loudness (the last 400 ms) of the frames fed to it, through
// libebur128. The one place that holds a libebur128 state, for FileMeter and JackMeter.
//
// Not thread-safe: one thread feeds and asks. add() may allocate (libebur128's history), so not
// for the audio thread.

#include <cstddef>
#include <memory>

namespace cacophony::sound {

class Loudness {
 public:
  // Below this rate a recording holds no loudness worth measuring, and libebur128 is not safe:
  // at 16 and 17 Hz it corrupts its own heap (found by fuzz_file_meter). The render's own floor.
  static constexpr int kMinRate = 8000;

  // Interleaved frames of `channels` channels at `rate` samples per second. Throws Unmeasurable
  // (error.h) below kMinRate, and when libebur128 does not take that format.
  Loudness(int channels, int rate);
  ~Loudness();
  Loudness(const Loudness&) = delete;
  Loudness& operator=(const Loudness&) = delete;

  // Feeds `count` frames (count * channels floats).
  void add(const float* frames, std::size_t count);
  // In LUFS; -inf for silence, and when libebur128 can't tell.
  double momentary();

 private:
  struct State;  // libebur128's, kept out of this header
  std::unique_ptr<State> state_;
};

}  // namespace cacophony::sound
