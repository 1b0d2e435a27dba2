#pragma once
// LiveGrid: a steady rhythm that a player changes while it plays (keys, taps, OSC).
//
// Guarantees
// - Beats fall on a segment's exact grid: beat k of a segment starts at frame
//   round(start + k * rate * 60 * q / tempo), with q the beat's quarter notes and `start` the
//   segment's first frame (kept unrounded). A new segment begins at the beat where a tempo change
//   is taken, so nothing is summed beat by beat.
// - Changes come from any thread through atomics (no lock) and are taken in the audio thread:
//   - the tempo as a beat starts: that beat keeps its place, the interval after it has the new
//     tempo ("at the next beat");
//   - the beats per bar and the accent pattern as a bar starts ("at the next bar");
//   - the subdivisions as a beat starts;
//   - stop: no click starts from the next block on (a sounding click rings out); start: the next
//     block begins bar 1, beat 1 on its first frame; a restart while playing, the same;
//   A click is thus never cut off (the engine lets each ring to its end) nor doubled.
// - The pattern's beats are played (without one, an accent on the bar's first beat). A bar
//   shortened as it plays keeps the pattern's first beats; one lengthened adds normal beats after
//   it (rhythm::accent_in), so a meter key never drops the accents or the rests. A rest ('.') is
//   no click: it and its subdivisions are passed over, as in the rhythm's timeline, so that play
//   counts the clicks render does.
// - After `beats` beats (kEndless: never) the grid ends: ended() turns true.
//
// Thread safety: the setters and getters are thread-safe and lock-free, except that set_pattern()
// is for one thread at a time (it writes under a sequence lock, which the audio thread reads
// without waiting: a pattern caught half-written is taken at a later bar); begin_block() and
// next_before() are for the audio thread only (no lock, no allocation).

#include <atomic>
#include <cstdint>
#include <vector>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/grid.h"

namespace cacophony::sound {

class LiveGrid final : public Grid {
 public:
  static constexpr int kMaxSubdivide = 8;

  // `section` (a steady tempo; its beats, kEndless for no end) with `subdivide` clicks a beat,
  // at `rate`. Throws std::invalid_argument for a tempo that is not steady.
  LiveGrid(const rhythm::Section& section, int subdivide, int rate);

  void set_tempo(double bpm) { tempo_.store(bpm, std::memory_order_relaxed); }
  double tempo() const { return tempo_.load(std::memory_order_relaxed); }
  void set_beats_per_bar(int beats) { beats_per_bar_.store(beats, std::memory_order_relaxed); }
  int beats_per_bar() const { return beats_per_bar_.load(std::memory_order_relaxed); }
  void set_subdivide(int n) { subdivide_.store(n, std::memory_order_relaxed); }
  int subdivide() const { return subdivide_.load(std::memory_order_relaxed); }
  // Up to rhythm::Meter::kMaxBeats accents, one a beat; empty: the bar's first beat accented.
  void set_pattern(const std::vector<rhythm::Accent>& pattern);
  std::vector<rhythm::Accent> pattern() const;
  void set_playing(bool playing) { playing_.store(playing, std::memory_order_relaxed); }
  bool playing() const { return playing_.load(std::memory_order_relaxed); }
  // While playing: bar 1, beat 1 again from the next block, as a start after a stop.
  void restart() { restarts_.fetch_add(1, std::memory_order_relaxed); }
  int unit() const { return unit_; }

  bool follows_clock() const override { return false; }
  void begin_block(std::int64_t first_frame, const BlockTime& time) override;
  bool next_before(std::int64_t end, Onset& onset) override;
  std::int64_t planned_onset(std::int64_t) const override { return kUnknown; }
  bool ended() const override { return ended_.load(std::memory_order_relaxed); }

 private:
  long double frame_at(double x) const;  // x: beats since the segment began
  // A pattern as bits, beat i at bit i (Meter::kMaxBeats is 64).
  struct PatternBits {
    std::uint64_t accents = 0;
    std::uint64_t rests = 0;
    int size = 0;
    rhythm::Accent at(int beat) const;
  };
  bool load_pattern(PatternBits& bits) const;  // false: caught half-written
  void take_changes();                         // as beat_ starts
  void shape_bar();                            // bar_shape_ from the bar's length and pattern
  void step();                                 // past the click at beat_, sub_

  const int rate_;
  const int unit_;
  const std::int64_t total_;
  std::atomic<std::uint32_t> pattern_version_{0};  // odd while set_pattern() writes
  std::atomic<std::uint64_t> pattern_accents_{0};
  std::atomic<std::uint64_t> pattern_rests_{0};
  std::atomic<int> pattern_size_{0};
  std::atomic<double> tempo_;
  std::atomic<int> beats_per_bar_;
  std::atomic<int> subdivide_;
  std::atomic<bool> playing_{true};
  std::atomic<bool> ended_{false};
  std::atomic<std::uint32_t> restarts_{0};

  // The audio thread's own.
  long double segment_start_ = 0;  // frames
  double segment_tempo_;
  std::int64_t segment_beat_ = 0;  // beat_ when the segment began
  std::int64_t beat_ = 0;          // beats started since the start
  int sub_ = 0;                    // the next click's subdivision of beat_
  int subs_ = 1;
  int bar_beats_;
  PatternBits bar_pattern_;
  rhythm::BarShape bar_shape_;  // for the display: once a bar, not once a click
  int in_bar_ = 0;
  std::int64_t bar_ = 1;
  std::int64_t block_first_ = 0;
  bool was_playing_ = true;
  std::uint32_t restarts_seen_ = 0;
};

}  // namespace cacophony::sound
