#pragma once
// Grid: where the metronome's beats fall, in frames. The Engine asks its grid, block by block,
// which beats start in the block; the grid decides nothing about sound.
//
// - RhythmGrid (rhythm_grid.h): a musician's rhythm, its clicks where the rhythm's timeline puts
//   them, known ahead.
// - Other grids (link/link_grid.h) follow a clock outside the engine; they learn, at each block,
//   when its first frame will be heard (BlockTime).
//
// Rules for every grid: next_before() returns each beat once, in order of frames, never a frame
// before the block it is asked for. It runs inside process(), so in the audio thread when live:
// no lock, no allocation, no I/O.

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/click.h"

namespace cacophony::sound {

// A click about to sound.
struct Onset {
  std::int64_t frame = 0;  // its first frame, counted from the engine's first
  std::int64_t beat = 0;   // the grid's number for it (for a shared grid, the session's beat)
  int phase = 0;           // its place in the bar: 0 is the bar's first beat
  int quantum = 4;         // beats in the bar
  ClickKind kind = ClickKind::accent;
  float level = 1.0f;      // scales the click's gain (a section's volume)
  std::int64_t bar = 1;    // the bar it is in, as a musician counts (a count-in's are <= 0)
  int sub = 0;             // its subdivision of the beat, 0 on the beat
  double tempo = 0;        // quarter notes per minute where it sounds
  rhythm::BarShape shape;  // its bar's accents and rests, for a display
  // Its section's name (rhythm::Event::section), owned by the grid; nullptr when none.
  const std::string* section = nullptr;
  int count_in_bar = 0;               // in a count-in: its bar, from 1; 0 elsewhere
  int voice = 0;                      // 0: the beat; 1.. a polyrhythm's voice (ClickSounds::of)
  const std::string* song = nullptr;  // a setlist's song (setlist_grid.h), owned by the grid
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
  // Not a frame: distinct from every frame and from kNoClick.
  static constexpr std::int64_t kUnknown = std::numeric_limits<std::int64_t>::min();
  // last_click_frame() of a grid that ends without a click (a rhythm of rests).
  static constexpr std::int64_t kNoClick = -1;

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
  // For a grid that ends on its own: where its last beat's interval ends, and where its last
  // click starts (kNoClick: none sounds); kUnknown otherwise.
  virtual std::int64_t end_frame() const { return kUnknown; }
  virtual std::int64_t last_click_frame() const { return kUnknown; }
  // For a grid that ends when it finds it has (live_grid.h): whether it has. Audio thread.
  virtual bool ended() const { return false; }
};

}  // namespace cacophony::sound
