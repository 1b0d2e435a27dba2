#include "cacophony/sound/rhythm_grid.h"

#include <utility>

namespace cacophony::sound {
namespace {

static_assert(kPolyVoices == rhythm::Section::kMaxVoices,
              "a sound for each voice a section may have");

ClickKind kind_of(rhythm::Sound sound) {
  switch (sound) {
    case rhythm::Sound::accent:
      return ClickKind::accent;
    case rhythm::Sound::normal:
      return ClickKind::normal;
    case rhythm::Sound::subdivision:
      return ClickKind::subdivision;
    case rhythm::Sound::count_in_accent:
      return ClickKind::count_in_accent;
    case rhythm::Sound::count_in:
      break;
  }
  return ClickKind::count_in;
}

std::int64_t known(std::int64_t frame) {
  return frame == rhythm::kEndless ? Grid::kUnknown : frame;
}

}  // namespace

Onset onset_of(const rhythm::Event& e, std::int64_t count, std::int64_t offset) {
  return Onset{offset + e.frame, count,          e.beat - 1, e.beats_in_bar, kind_of(e.sound),
               e.level,          e.bar,          e.sub,      e.tempo,        e.shape,
               e.section,        e.count_in_bar, e.voice};
}

RhythmGrid::RhythmGrid(rhythm::Performance performance, int rate)
    : timeline_(std::move(performance), rate) {}

bool RhythmGrid::next_before(std::int64_t end, Onset& onset) {
  if (!has_pending_) has_pending_ = timeline_.next(cursor_, pending_);
  if (!has_pending_ || pending_.frame >= end) return false;
  has_pending_ = false;
  onset = onset_of(pending_, count_++);
  return true;
}

std::int64_t RhythmGrid::end_frame() const {
  return known(timeline_.end_frame());
}

std::int64_t RhythmGrid::last_click_frame() const {
  const std::int64_t last = timeline_.last_click_frame();
  return last < 0 ? kNoClick : known(last);
}

}  // namespace cacophony::sound
