#pragma once
// TransportGrid: `play --transport follow`. No rhythm of its own: it clicks on the bars and beats
// that JACK transport's timebase master publishes (a DAW, jack_transport), beat 1 of each bar
// accented.
//
// Guarantees
// - Each period it reads the transport once (jack_transport_query: the position at the period's
//   first frame) and places every beat that begins in the period from that position alone: beat
//   k after the one under way begins (k * ticks_per_beat - tick) ticks after the period's first
//   frame, a tick being frame_rate * 60 / (beats_per_minute * ticks_per_beat) frames, rounded to
//   the nearest frame (half a frame up). So a click falls on the master's beat frame exactly, and
//   a start, stop, relocation, loop or tempo change is followed from the first period that shows
//   it: nothing is carried over from the periods before but the beat last clicked.
// - No click while the transport is not rolling or the master publishes no BBT (JackPositionBBT
//   unset, or values no tempo can have: ticks_per_beat or beats_per_minute not > 0, a tick not in
//   [0, ticks_per_beat), beats_per_bar < 1, beats under a frame long).
// - A beat is clicked once: when a master's rounding puts a beat clicked at the end of one
//   period at the start of the next, it is not clicked again (unless the transport jumped between
//   the two: a relocation plays the beat it lands on).
// - Onsets carry the master's bar and beat (phase = beat - 1, quantum = beats per bar), its tempo
//   in quarter notes per minute (beats_per_minute * 4 / beat_type), and count the clicks from 0
//   in `beat`. The grid never ends.
//
// Thread safety: begin_block() and next_before() are for the audio thread (the JACK process
// callback) only: they never lock, allocate or do I/O (jack_transport_query is real-time safe).
// The reader must outlive the grid.

#include <jack/jack.h>

#include <cstdint>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/grid.h"

namespace cacophony::sound {

// The transport as a timebase master published it for one period.
struct TransportPosition {
  bool rolling = false;
  bool bbt = false;  // whether the fields below were published
  std::int64_t frame = 0;
  int rate = 0;
  std::int32_t bar = 1;   // from 1
  std::int32_t beat = 1;  // in the bar, from 1
  double tick = 0;
  double ticks_per_beat = 0;
  double beats_per_minute = 0;
  double beats_per_bar = 0;
  double beat_type = 4;
};

class TransportGrid final : public Grid {
 public:
  // Reads the transport for the period about to be made; real-time safe.
  using Reader = TransportPosition (*)(void* context);
  TransportGrid(Reader read, void* context) : read_(read), context_(context) {}

  bool follows_clock() const override { return false; }
  void begin_block(std::int64_t first_frame, const BlockTime& time) override;
  bool next_before(std::int64_t end, Onset& onset) override;
  std::int64_t planned_onset(std::int64_t) const override { return kUnknown; }

  // Whether `p` holds a BBT position the grid can click on (above).
  static bool usable(const TransportPosition& p);

 private:
  Reader read_;
  void* context_;
  TransportPosition at_;          // this period's
  bool playing_ = false;          // rolling with a usable BBT in this period
  std::int64_t first_frame_ = 0;  // this period's first engine frame
  double first_beat_ = 0;         // frames from the period's start to the beat under way's start
  double beat_frames_ = 0;
  std::int64_t next_ = 0;  // the next beat to place, counted from the one under way
  // The latest click: its bar and beat, and the engine frame and transport frame of the period
  // it was in, to tell a continuous transport from a jump.
  bool clicked_ = false;
  std::int32_t clicked_bar_ = 0;
  std::int32_t clicked_beat_ = 0;
  std::int64_t clicked_engine_ = 0;
  std::int64_t clicked_transport_ = 0;
  std::int64_t count_ = 0;
};

// TransportRhythmGrid: `play --transport sync` and `master`. Our rhythm, on the transport's
// frames: the rhythm's frame is the transport's, so it plays while the transport rolls, is silent
// while it stops, and a relocation (or a start) moves it to the transport's frame. Each period
// its clicks fall where the rhythm's timeline puts them, counted from the period's transport
// frame (RhythmGrid's onsets otherwise). A relocation seeks the timeline from its start: time in
// the audio thread that grows with the clicks before the new frame (no lock, no allocation).
// Thread safety as TransportGrid's.
class TransportRhythmGrid final : public Grid {
 public:
  // Throws std::invalid_argument for a performance the Timeline refuses (rhythm::check).
  TransportRhythmGrid(TransportGrid::Reader read, void* context, rhythm::Performance performance,
                      int rate);

  const rhythm::Timeline& timeline() const { return timeline_; }

  bool follows_clock() const override { return false; }
  void begin_block(std::int64_t first_frame, const BlockTime& time) override;
  bool next_before(std::int64_t end, Onset& onset) override;
  std::int64_t planned_onset(std::int64_t) const override { return kUnknown; }

 private:
  TransportGrid::Reader read_;
  void* context_;
  rhythm::Timeline timeline_;
  rhythm::Timeline::Cursor cursor_;
  rhythm::Event pending_;
  bool has_pending_ = false;
  bool rolling_ = false;
  bool located_ = false;  // the cursor is at the transport's frame
  std::int64_t first_frame_ = 0;
  std::int64_t transport_frame_ = 0;  // this period's
  std::int64_t count_ = 0;
};

// Makes the client `client` JACK's timebase master (jack_set_timebase_callback, unconditionally):
// each period its BBT is `timeline`'s place at the transport frame (Timeline::place_at): bar,
// beat, tick (1920 a beat), the beats per minute of the bar's beat (quarter notes per minute * d
// / 4), the meter n/d. `timeline` must outlive the client. Throws std::runtime_error when JACK
// refuses. The callback never locks, allocates or does I/O.
void become_timebase_master(jack_client_t* client, const rhythm::Timeline& timeline);

// The transport of the JACK client `client` (a jack_client_t*, as `context`), for TransportGrid.
TransportPosition read_jack_transport(void* client);

}  // namespace cacophony::sound
