#pragma once
// SetlistGrid: a setlist's songs as the engine's grid. The songs play one after another, each on
// its own timeline (rhythm.h) from where the one before it ended; a song asked for while another
// plays (ask()) begins at the next bar boundary of the one playing.
//
// Guarantees
// - A song's clicks fall where its timeline puts them, moved by the frame its song began at: a
//   song played whole sounds as it renders alone.
// - A switch takes effect at the first bar start (Timeline::bar_start) of the playing song that
//   is after its last click given and not before the block being asked for: every click before
//   it is the old song's, every one from it on the new one's (its count-in, when it has one,
//   first). No click is cut off (the engine lets each ring) nor doubled.
// - Onsets carry their song's name (Onset::song), which lives as long as the grid.
// - `live`: the grid ends only when it finds it has (ended()), since a switch moves the end.
//   Otherwise (a render, where nothing asks) the whole set's end is known ahead.
//
// Thread safety: ask() and playing() from any thread, lock-free; begin_block() and
// next_before() for the audio thread only (no lock, no allocation).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/grid.h"

namespace cacophony::sound {

class SetlistGrid final : public Grid {
 public:
  struct Song {
    std::string name;
    rhythm::Performance performance;  // must end
  };
  // Starts at song `first`. Throws std::invalid_argument for no songs, `first` out of range, or a
  // song its Timeline refuses or that has no end.
  SetlistGrid(std::vector<Song> songs, std::size_t first, int rate, bool live);

  std::size_t songs() const { return timelines_.size(); }
  const std::string& name(std::size_t song) const { return names_[song]; }
  // Go to `song` (< songs()) at the next bar boundary. The latest ask wins.
  void ask(std::size_t song) { asked_.store(static_cast<long>(song), std::memory_order_relaxed); }
  // The song whose clicks are being given out.
  std::size_t playing() const { return playing_.load(std::memory_order_relaxed); }

  bool follows_clock() const override { return false; }
  void begin_block(std::int64_t first_frame, const BlockTime&) override { block_ = first_frame; }
  bool next_before(std::int64_t end, Onset& onset) override;
  std::int64_t planned_onset(std::int64_t) const override { return kUnknown; }
  std::int64_t end_frame() const override { return end_; }
  std::int64_t last_click_frame() const override { return last_click_; }
  bool ended() const override { return ended_.load(std::memory_order_relaxed); }

 private:
  static constexpr long kNone = -1;
  void begin_song(std::size_t song, std::int64_t at);
  std::int64_t next_boundary() const;
  bool take(Onset& onset);

  std::vector<std::string> names_;
  std::vector<rhythm::Timeline> timelines_;
  std::atomic<long> asked_{kNone};
  std::atomic<std::size_t> playing_{0};
  std::atomic<bool> ended_{false};
  std::int64_t end_ = kUnknown;
  std::int64_t last_click_ = kUnknown;

  // The audio thread's own.
  rhythm::Timeline::Cursor cursor_;
  rhythm::Event pending_;
  bool has_pending_ = false;
  std::int64_t offset_ = 0;  // where the playing song began
  std::int64_t bar_ = 0;     // the bar of the last click given, in the playing song
  bool began_ = false;       // a click of the playing song has been given
  std::int64_t block_ = 0;
  std::int64_t count_ = 0;
};

}  // namespace cacophony::sound
