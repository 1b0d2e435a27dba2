#pragma once
// MutedGrid: another grid's clicks, silent (level 0) in the bars a predicate names. They keep
// their places and their count, so the grid runs on through a muted bar (gap training).
// next_before() adds only the predicate's call to the inner grid's: the predicate must keep the
// audio thread's rules (no lock, no allocation, no I/O).

#include <cstdint>

#include "cacophony/sound/grid.h"

namespace cacophony::sound {

class MutedGrid final : public Grid {
 public:
  using Muted = bool (*)(const void* context, std::int64_t bar);
  // `inner` and `context` must outlive the grid.
  MutedGrid(Grid& inner, Muted muted, const void* context)
      : inner_(inner), muted_(muted), context_(context) {}

  bool follows_clock() const override { return inner_.follows_clock(); }
  void begin_block(std::int64_t first_frame, const BlockTime& time) override {
    inner_.begin_block(first_frame, time);
  }
  bool next_before(std::int64_t end, Onset& onset) override {
    if (!inner_.next_before(end, onset)) return false;
    if (muted_(context_, onset.bar)) onset.level = 0.0f;
    return true;
  }
  std::int64_t planned_onset(std::int64_t count) const override {
    return inner_.planned_onset(count);
  }
  std::int64_t end_frame() const override { return inner_.end_frame(); }
  std::int64_t last_click_frame() const override { return inner_.last_click_frame(); }
  bool ended() const override { return inner_.ended(); }

 private:
  Grid& inner_;
  Muted muted_;
  const void* context_;
};

}  // namespace cacophony::sound
