#pragma once
// LinkRhythmGrid: a whole rhythm (a tempo map, ramps, a count-in, subdivisions, a polyrhythm's
// voices) played on a Link session's beat line, its tempo changes proposed to every peer.
//
// Guarantees
// - Positions are the rhythm's, in quarter notes: one Link beat is one quarter note, as in every
//   Link application, whatever the meter's unit. Click k sounds at the frame nearest to the moment
//   the session reaches beat start + x_k, x_k its position in the rhythm (count-in included), so
//   every click stays on the session's grid whoever changes the tempo.
// - The rhythm starts on a bar of the session: `start` is the first multiple of the quantum at or
//   after the first block with a time; with start/stop sync, the first bar that begins once the
//   session plays (and not before the block). A stop silences it; the next start plays it again
//   from its top, count-in included.
// - The map drives the session's tempo where the map's own tempo changes (a section boundary, each
//   click of a ramp or of a tempo list): the grid sets the session's tempo at that click's moment,
//   so the beat line does not jump and every peer follows from that click on. Between changes, a
//   peer may change the tempo and the clicks follow it; the map's next change overrides it.
// - A click the session has already passed when its block comes (a peer's beat line jumped ahead)
//   is not played late: within kLateUs it sounds at the block's first frame; beyond, it is skipped
//   (at most kSkipsPerBlock in one block, so a jump never stalls the audio thread).
// - Onsets are the rhythm's (sound::onset_of), but `beat` is the session's whole beat where the
//   click sounds and `tempo` the session's tempo there.
// - The grid ends with the rhythm (ended()).
// - Real-time safety: begin_block() and next_before() use Link's audio-thread API only
//   (captureAudioSessionState, commitAudioSessionState) and the rhythm's Timelines, which neither
//   lock nor allocate. Every method is for the audio thread, but the constructor.

#include <cstdint>
#include <memory>

#include "cacophony/link/session.h"
#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/grid.h"

namespace cacophony::link {

class LinkRhythmGrid final : public sound::Grid {
 public:
  static constexpr double kLateUs = 2000;
  static constexpr int kSkipsPerBlock = 64;

  // `session` must outlive the grid. Throws std::invalid_argument for a performance the Timeline
  // refuses, or one with a delay (the session's grid leaves no room for silence of our own).
  LinkRhythmGrid(Session& session, const rhythm::Performance& performance);
  ~LinkRhythmGrid() override;

  bool follows_clock() const override { return true; }
  void begin_block(std::int64_t first_frame, const sound::BlockTime& time) override;
  bool next_before(std::int64_t end, sound::Onset& onset) override;
  std::int64_t planned_onset(std::int64_t) const override { return kUnknown; }
  bool ended() const override { return ended_; }

 private:
  struct State;  // the Timelines, the cursors and the block's session state
  bool start_if_due();
  bool fetch();
  void propose_tempo(double bpm, double at_us);

  Session& session_;
  std::unique_ptr<State> s_;
  std::int64_t first_frame_ = 0;
  sound::BlockTime time_;
  bool ended_ = false;
};

}  // namespace cacophony::link
