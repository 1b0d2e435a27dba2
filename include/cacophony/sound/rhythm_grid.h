#pragma once
// RhythmGrid: a musician's rhythm (rhythm/rhythm.h) as the engine's grid. Its clicks fall where
// the rhythm's Timeline puts them, each computed from its section's start, so a section change
// lands on its exact frame whatever block it falls in.
//
// - Onsets carry the click's kind (accent, normal, subdivision, count-in), its section's volume
//   as the level, its bar, its beat in the bar (phase + 1), its subdivision and its tempo; `beat`
//   counts the grid's clicks from 0.
// - The grid ends with the rhythm: end_frame() and last_click_frame() are known ahead unless the
//   rhythm plays until stopped.
// - next_before() never locks or allocates (the Timeline's rule): it runs in the audio thread.

#include <cstdint>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/grid.h"

namespace cacophony::sound {

// The onset of a timeline's event: the `count`th the grid gives, `offset` frames later.
Onset onset_of(const rhythm::Event& event, std::int64_t count, std::int64_t offset = 0);

class RhythmGrid final : public Grid {
 public:
  // Throws std::invalid_argument for a performance the Timeline refuses (rhythm::check).
  RhythmGrid(rhythm::Performance performance, int rate);

  const rhythm::Timeline& timeline() const { return timeline_; }

  bool follows_clock() const override { return false; }
  void begin_block(std::int64_t, const BlockTime&) override {}
  bool next_before(std::int64_t end, Onset& onset) override;
  std::int64_t planned_onset(std::int64_t) const override { return kUnknown; }
  std::int64_t end_frame() const override;
  std::int64_t last_click_frame() const override;

 private:
  rhythm::Timeline timeline_;
  rhythm::Timeline::Cursor cursor_;
  rhythm::Event pending_;
  bool has_pending_ = false;
  std::int64_t count_ = 0;
};

}  // namespace cacophony::sound
