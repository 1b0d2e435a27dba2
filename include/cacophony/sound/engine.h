#pragma once
// Engine: the metronome's one audio path. Offline render and live play both pull blocks of
// samples from process(); the sinks differ, the clicks don't.
//
// Guarantees
// - Beats start where the engine's Grid says (grid.h): a FixedGrid for a steady tempo, a LinkGrid
//   for a tempo shared with other machines. The engine counts the beats it starts, and stops
//   starting them after `beats`.
// - Each beat sounds the accent click "I" or the normal "O", as its onset says (see click.h). A
//   click that crosses the end of a block continues in the next one; clicks that overlap are
//   added.
// - The volume reaches the engine through an atomic (set_volume, from any thread) and is read
//   once, at the start of each beat: a beat keeps its volume to its end.
// - process() never locks and never allocates: the clicks are synthesised in the constructor and
//   the sounding clicks live in a fixed array. The beat hook, when set, is called from process()
//   at each beat's start, before the volume is read; it must keep to the same rules when process()
//   runs in real time (offline, it is where the render sets the volume it metered).
// - The track ends when the last click has ended and, where the grid knows it ahead, the last
//   beat's interval is over.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "cacophony/sound/click.h"
#include "cacophony/sound/grid.h"

namespace cacophony::sound {

class Engine {
 public:
  // Called as the `count`th beat (from 0) starts.
  using BeatHook = void (*)(void* context, std::int64_t count, const Onset& onset);
  static constexpr std::int64_t kEndless = std::numeric_limits<std::int64_t>::max();

  // `beats` beats (kEndless: until stopped) where `grid` places them, `rate` samples per second.
  // `grid` must outlive the engine.
  Engine(int rate, Grid& grid, std::int64_t beats);

  int rate() const { return rate_; }
  const Grid& grid() const { return grid_; }
  std::int64_t beats() const { return beats_; }
  // The track's length, or kEndless while it is not known.
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
  // fewer than `frames` at its end, where the rest of `out` is silence. `time` tells the grid when
  // the block will be heard (live sinks know; a file has no such time).
  std::size_t process(float* out, std::size_t frames, const BlockTime& time = {});

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
  std::int64_t click_frames() const;

  int rate_;
  Grid& grid_;
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
};

}  // namespace cacophony::sound
