#pragma once
// The play loop: every click shown as it sounds (live_display.h), what is typed (live_input.h)
// or sent over OSC (remote/osc.h) applied (live_control.h), until the rhythm's end (exit 0), q or
// Esc (0), a stop signal (130) or the JACK server's going (1). For the play command's main thread.

#include <string>

#include "cacophony/link/session.h"
#include "cacophony/remote/osc.h"
#include "cacophony/sound/live_grid.h"
#include "cacophony/sound/meter.h"
#include "cacophony/sound/midi_clock_grid.h"
#include "cacophony/sound/setlist_grid.h"
#include "live/live_display.h"
#include "live/live_rig.h"

namespace cacophony::cli {

struct PlayParts {
  LiveRig& rig;                                 // started, not yet playing
  sound::LiveGrid* live = nullptr;              // the grid, when a player may change it
  link::Session* session = nullptr;             // with --link
  sound::SteadyMeter* steady = nullptr;         // the volume, when it is steady
  remote::OscRemote* osc = nullptr;             // with --osc
  sound::SetlistGrid* setlist = nullptr;        // with --setlist
  const sound::MidiClockGrid* clock = nullptr;  // with --follow-midi-clock
};

// Plays and stops the rig at the end (LiveRig::stop, which abandons it on a server that does not
// answer). Returns the exit code.
int play_loop(const PlayParts& parts, LiveDisplay::Mode mode);

}  // namespace cacophony::cli
