#pragma once
// Engine: the metronome's one audio path. Offline render and, later, live play both pull blocks
// of samples from process(); the sinks differ, the clicks don't.
//
// Guarantees
// - Beat n starts at frame onset_frame(n) = round(n * rate * 60 / bpm), computed from n alone in
//   exact integer arithmetic (128-bit), never as a sum of intervals: at 110 bpm and 48 kHz beat
//   6600 starts at frame 172 800 000 exactly, one hour in.
// - Even beats sound the accent click "I", odd beats the normal "O" (see click.h). A click that
//   crosses the end of a block continues in the next one; clicks that overlap are added.
// - The volume reaches the engine through an atomic (set_volume, from any thread) and is read
//   once, at the start of each beat: a beat keeps its volume to its end.
// - process() never locks and never allocates: the clicks are synthesised in the constructor and
//   the sounding clicks live in a fixed array. The beat hook, when set, is called from process()
//   at each beat's start, before the volume is read; it must keep to the same rules when process()
//   runs in real time (offline, it is where the render sets the volume it metered).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "cacophony/bpm/bpm.h"
#include "cacophony/sound/click.h"

namespace cacophony::sound {

class Engine {
 public:
  // Called at beat `beat`, which starts at frame `frame`.
  using BeatHook = void (*)(void* context, std::int64_t beat, std::int64_t frame);
  static constexpr std::int64_t kEndless = std::numeric_limits<std::int64_t>::max();

  // `beats` beats (kEndless: until stopped) at `bpm`, `rate` samples per second.
  Engine(int rate, Bpm bpm, std::int64_t beats);

  static std::int64_t onset_frame(std::int64_t n, int rate, std::int64_t bpm);
  std::int64_t onset_frame(std::int64_t n) const { return onset_frame(n, rate_, bpm_.value()); }

  int rate() const { return rate_; }
  Bpm bpm() const { return bpm_; }
  std::int64_t beats() const { return beats_; }
  // Until the last click has ended and the last beat's interval is over.
  std::int64_t total_frames() const { return total_frames_; }
  // Frames produced so far, beats started so far.
  std::int64_t position() const { return position_; }
  std::int64_t beats_started() const { return next_beat_; }
  bool finished() const { return position_ >= total_frames_; }

  void set_volume(int volume) { volume_.store(volume, std::memory_order_relaxed); }
  int volume() const { return volume_.load(std::memory_order_relaxed); }
  // Not while process() runs.
  void set_beat_hook(BeatHook hook, void* context) {
    hook_ = hook;
    hook_context_ = context;
  }

  // Writes the next `frames` frames (mono) to `out` and returns how many belong to the track:
  // fewer than `frames` at its end, where the rest of `out` is silence.
  std::size_t process(float* out, std::size_t frames);

 private:
  struct Voice {
    const float* samples = nullptr;
    std::size_t length = 0;
    std::size_t at = 0;
    float gain = 0.0f;
  };
  // A click lasts at most 30 ms and beats come at least 10 ms apart: 4 can sound at once.
  static constexpr std::size_t kVoices = 8;

  static void play(Voice& voice, float* out, std::size_t frames);

  int rate_;
  Bpm bpm_;
  std::int64_t beats_;
  Click accent_;
  Click normal_;
  std::array<float, kMaxVolume + 1> gains_{};
  std::int64_t total_frames_ = 0;

  std::atomic<int> volume_{kMaxVolume};
  BeatHook hook_ = nullptr;
  void* hook_context_ = nullptr;

  std::array<Voice, kVoices> voices_{};
  std::size_t next_voice_ = 0;
  std::int64_t position_ = 0;
  std::int64_t next_beat_ = 0;
  std::int64_t next_onset_ = 0;
};

}  // namespace cacophony::sound
