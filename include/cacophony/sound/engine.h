#pragma once
// Engine: the metronome's one audio path. Offline render and live play both pull blocks of
// samples from process(); the sinks differ, the clicks don't.
//
// Guarantees
// - Clicks start where the engine's Grid says (grid.h): a RhythmGrid for a musician's rhythm
//   (rhythm_grid.h), a LinkGrid for a tempo shared with other machines. The engine counts the
//   clicks it starts, and stops starting them after `beats` (kEndless: when the grid ends).
// - Each click sounds its onset's kind (click.h), from the engine's ClickSounds, at the gain of
//   the volume times the onset's level. A click that crosses the end of a block continues in the
//   next one; clicks that overlap are added. Up to kVoices sound at once; a new click takes the
//   oldest voice's place.
// - The volume reaches the engine through an atomic (set_volume, from any thread) and is read
//   once, at the start of each click: a click keeps its volume to its end.
// - process() never locks and never allocates: the sounds are made before the engine runs and
//   the sounding clicks live in a fixed array. The beat hook, when set, is called from process()
//   at each beat's start, before the volume is read; it must keep to the same rules when process()
//   runs in real time (offline, it is where the render sets the volume it metered).
// - The track ends when the last click has ended and, where the grid knows it ahead, the last
//   beat's interval is over (Grid::end_frame, or the onset after the last when `beats` counts);
//   for a grid that only finds out (Grid::ended), at the block where it does, or when the last
//   click has rung out.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/click.h"
#include "cacophony/sound/grid.h"

namespace cacophony::sound {

class Engine {
 public:
  // Called as the `count`th beat (from 0) starts.
  using BeatHook = void (*)(void* context, std::int64_t count, const Onset& onset);
  // No end: the rhythm's own (rhythm.h).
  static constexpr std::int64_t kEndless = rhythm::kEndless;

  // `beats` clicks (kEndless: until the grid ends or it is stopped) where `grid` places them,
  // `rate` samples per second, sounding `sounds` (made at `rate`). `grid` must outlive the engine.
  Engine(int rate, Grid& grid, std::int64_t beats);
  Engine(int rate, Grid& grid, std::int64_t beats, ClickSounds sounds);

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
  // Muted, clicks keep their places and counts, silent; read at each click's start. Any thread.
  void set_muted(bool muted) { muted_.store(muted, std::memory_order_relaxed); }
  bool muted() const { return muted_.load(std::memory_order_relaxed); }
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
  // Synthesised clicks last 20 ms; with 8 subdivisions at 1000 bpm one starts every 7.5 ms, and
  // samples may be longer.
  static constexpr std::size_t kVoices = 16;

  static void play(Voice& voice, float* out, std::size_t frames);
  std::int64_t click_frames() const;

  int rate_;
  Grid& grid_;
  std::int64_t beats_;
  ClickSounds sounds_;
  std::array<float, kMaxVolume + 1> gains_{};
  std::int64_t total_frames_ = 0;

  std::atomic<int> volume_{kMaxVolume};
  std::atomic<bool> muted_{false};
  BeatHook hook_ = nullptr;
  void* hook_context_ = nullptr;

  std::array<Voice, kVoices> voices_{};
  std::size_t next_voice_ = 0;
  std::int64_t position_ = 0;
  std::int64_t next_beat_ = 0;
  std::int64_t last_click_end_ = 0;  // where the latest click started rings out
};

}  // namespace cacophony::sound
