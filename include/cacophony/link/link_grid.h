#pragma once
// LinkGrid: the metronome's beats on a Link session's beat grid, frame by frame.
//
// Guarantees
// - At each block the grid captures the session once, with Link's audio-thread API (no lock, no
//   allocation), and maps the session's beat time onto the block's frames through the block's
//   BlockTime: beat b sounds at the frame nearest to the moment the session reaches beat b. A
//   tempo change from any peer therefore moves the next beat already, within one beat.
// - Beats are whole beats of the session. Without a pattern, the bar's first beat (phase 0 of the
//   quantum) sounds the accent; with one, beat phase p sounds pattern[p % its length] (an X the
//   accent, an x the normal click, a '.' nothing). Peers with the same quantum thus accent the
//   same beats.
// - Two clicks are never closer than half a beat: when the session's beat line jumps (on joining
//   a session, or as the clocks' estimates wobble at a block's edge) no beat sounds twice.
// - With start/stop sync, beats sound only while the session is playing, from the first bar that
//   begins once it started: a start always sounds the bar's first beat first.
// - A block without a BlockTime (no clock to map) sounds no beat.

#include <cstdint>
#include <memory>
#include <vector>

#include "cacophony/link/session.h"
#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/grid.h"

namespace cacophony::link {

class LinkGrid final : public sound::Grid {
 public:
  // `session` must outlive the grid.
  explicit LinkGrid(Session& session, std::vector<rhythm::Accent> pattern = {});
  ~LinkGrid() override;

  bool follows_clock() const override { return true; }
  void begin_block(std::int64_t first_frame, const sound::BlockTime& time) override;
  bool next_before(std::int64_t end, sound::Onset& onset) override;
  std::int64_t planned_onset(std::int64_t) const override { return kUnknown; }

 private:
  rhythm::Accent accent_at(std::int64_t phase) const;

  Session& session_;
  std::vector<rhythm::Accent> pattern_;
  struct Captured;  // the block's session state
  std::unique_ptr<Captured> captured_;
  std::int64_t first_frame_ = 0;
  sound::BlockTime time_;
  bool played_ = false;
  double last_us_ = 0;  // when the latest beat sounded
};

}  // namespace cacophony::link
