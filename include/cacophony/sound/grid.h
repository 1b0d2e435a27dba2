#pragma once
// Grid: where the metronome's beats fall, in frames. The Engine asks its grid, block by block,
// which beats start in the block; the grid decides nothing about sound.
//
// - FixedGrid: a steady tempo. Beat n starts at frame round(n * rate * 60 / bpm), computed from n
//   alone in exact integer arithmetic (128-bit), never as a sum of intervals: at 110 bpm and
//   48 kHz beat 6600 starts at frame 172 800 000 exactly, one hour in. Accent on even beats.
// - Other grids (link/grid.h) follow a clock outside the engine; they learn, at each block, when
//   its first frame will be heard (BlockTime).
//
// Rules for every grid: next_before() returns each beat once, in order of frames, never a frame
// before the block it is asked for. It runs inside process(), so in the audio thread when live:
// no lock, no allocation, no I/O.

#include <chrono>
#include <cstdint>
#include <limits>

#include "cacophony/bpm/bpm.h"
#include "cacophony/sound/click.h"

namespace cacophony::sound {

// A beat about to sound.
struct Onset {
  std::int64_t frame = 0;  // its first frame, counted from the engine's first
  std::int64_t beat = 0;   // the grid's number for it (for a shared grid, the session's beat)
  int phase = 0;           // its place in the bar: 0 is the bar's first beat
  int quantum = 2;         // beats in the bar
  ClickKind kind = ClickKind::accent;
};

// When a block is heard, for grids that follow an outside clock. Host time is in microseconds of
// CLOCK_MONOTONIC_RAW, the clock Ableton Link keeps on Linux.
struct BlockTime {
  bool known = false;
  double first_frame_us = 0;  // when the block's first frame reaches the output
  double us_per_frame = 0;    // the sound card's actual pace, not the nominal rate
};

class Grid {
 public:
  static constexpr std::int64_t kUnknown = -1;

  virtual ~Grid() = default;
  // Whether begin_block() needs a BlockTime: live sinks read clocks for it only then.
  virtual bool follows_clock() const = 0;
  // A new block, which starts at frame `first_frame`, is about to be asked for.
  virtual void begin_block(std::int64_t first_frame, const BlockTime& time) = 0;
  // The next beat that starts before frame `end` into `onset`, or false when none does.
  virtual bool next_before(std::int64_t end, Onset& onset) = 0;
  // Where the `count`th beat (from 0) will start, when that is known ahead; kUnknown otherwise.
  // Safe from any thread.
  virtual std::int64_t planned_onset(std::int64_t count) const = 0;
};

class FixedGrid final : public Grid {
 public:
  FixedGrid(int rate, Bpm bpm);

  static std::int64_t onset_frame(std::int64_t n, int rate, std::int64_t bpm);
  std::int64_t onset_frame(std::int64_t n) const { return onset_frame(n, rate_, bpm_.value()); }

  bool follows_clock() const override { return false; }
  void begin_block(std::int64_t, const BlockTime&) override {}
  bool next_before(std::int64_t end, Onset& onset) override;
  std::int64_t planned_onset(std::int64_t count) const override { return onset_frame(count); }

 private:
  int rate_;
  Bpm bpm_;
  std::int64_t next_ = 0;
};

}  // namespace cacophony::sound
