#include "cacophony/sound/setlist_grid.h"

#include "cacophony/sound/rhythm_grid.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace cacophony::sound {
SetlistGrid::SetlistGrid(std::vector<Song> songs, std::size_t first, int rate, bool live) {
  if (songs.empty() || first >= songs.size()) throw std::invalid_argument("no such song");
  timelines_.reserve(songs.size());
  for (Song& song : songs) {
    names_.push_back(std::move(song.name));
    timelines_.emplace_back(std::move(song.performance), rate);
    if (timelines_.back().end_frame() == rhythm::kEndless)
      throw std::invalid_argument("a setlist's song must end");
  }
  begin_song(first, 0);
  if (live) return;
  // Nothing asks in a render: the songs from `first` on, back to back.
  std::int64_t at = 0;
  for (std::size_t s = first; s < timelines_.size(); ++s) {
    const std::int64_t last = timelines_[s].last_click_frame();
    if (last >= 0) last_click_ = at + last;
    at += timelines_[s].end_frame();
  }
  end_ = at;
  if (last_click_ == kUnknown) last_click_ = kNoClick;
}

void SetlistGrid::begin_song(std::size_t song, std::int64_t at) {
  playing_.store(song, std::memory_order_relaxed);
  cursor_ = {};
  has_pending_ = false;
  offset_ = at;
  began_ = false;
}

// The first bar start of the playing song after its last click given, not before the block.
std::int64_t SetlistGrid::next_boundary() const {
  if (!began_) return std::max(offset_, block_);  // nothing of it heard yet: at once
  const rhythm::Timeline& t = timelines_[playing()];
  std::int64_t bar = bar_ + 1;
  std::int64_t at = offset_ + t.bar_start(bar);
  while (at < block_ && at < offset_ + t.end_frame()) at = offset_ + t.bar_start(++bar);
  return at;
}

bool SetlistGrid::next_before(std::int64_t end, Onset& onset) {
  while (true) {
    const rhythm::Timeline& t = timelines_[playing()];
    if (!has_pending_) has_pending_ = t.next(cursor_, pending_);
    long asked = asked_.load(std::memory_order_relaxed);
    if (asked != kNone) {
      const std::int64_t at = next_boundary();
      if (at < end && (!has_pending_ || offset_ + pending_.frame >= at)) {
        // A newer ask that came meanwhile stays, for the next boundary.
        asked_.compare_exchange_strong(asked, kNone, std::memory_order_relaxed);
        begin_song(static_cast<std::size_t>(asked), at);
        continue;
      }
    }
    if (!has_pending_) {  // the song is over: the next one, or the end
      const std::int64_t at = offset_ + t.end_frame();
      if (playing() + 1 < songs() && at < end) {
        begin_song(playing() + 1, at);
        continue;
      }
      if (playing() + 1 >= songs()) ended_.store(true, std::memory_order_relaxed);
      return false;
    }
    if (offset_ + pending_.frame >= end) return false;
    return take(onset);
  }
}

bool SetlistGrid::take(Onset& onset) {
  has_pending_ = false;
  const rhythm::Event& e = pending_;
  if (e.voice == 0) bar_ = e.bar;
  began_ = true;
  onset = onset_of(e, count_++, offset_);
  onset.song = &names_[playing()];
  return true;
}

}  // namespace cacophony::sound
