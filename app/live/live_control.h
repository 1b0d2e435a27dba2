#pragma once
// LiveControl: what a player changes while `play` runs, from keys, typed lines or OSC, in one
// place. Alone, it changes the LiveGrid (the tempo from the next beat, the bar from the next bar);
// with --link, the tempo (and, with --start-stop-sync, start and stop) go to the session, and so
// to every peer. A rhythm from a map or with a ramp keeps its own tempo and bar.
//
// Every change returns an empty string when done, or why it was not (for the display, a typed
// line's error, or an OSC error reply). For the play command's main thread only.

#include <optional>
#include <string>

#include "cacophony/link/session.h"
#include "cacophony/rhythm/tap_tempo.h"
#include "cacophony/sound/engine.h"
#include "cacophony/sound/live_grid.h"
#include "cacophony/sound/meter.h"
#include "cacophony/sound/midi_clock_grid.h"
#include "cacophony/sound/setlist_grid.h"

namespace cacophony::cli {

struct LiveStatus {
  double tempo = 0;
  int beats = 4;  // per bar
  int unit = 4;
  int subdivide = 1;
  bool playing = true;
  bool muted = false;
  std::optional<int> volume;  // steady volume; none when followed
  std::optional<rhythm::TapTempo::Reading> tap;
  std::size_t peers = 0;
  std::string pattern;               // X, x and . a beat; empty: the bar's first beat accented
  std::optional<bool> clock_locked;  // following a MIDI clock: whether it is locked
  int clock_locked_after = 0;        // and after how many pulses
};

class LiveControl {
 public:
  // Any of `grid`, `session`, `steady` and `setlist` may be null: what they change is then
  // refused.
  LiveControl(sound::Engine& engine, sound::LiveGrid* grid, link::Session* session,
              sound::SteadyMeter* steady, sound::SetlistGrid* setlist = nullptr);
  // Following a MIDI clock: the status says its tempo and whether it is locked.
  void follow_clock(const sound::MidiClockGrid* clock) { clock_ = clock; }

  double min_tempo() const;
  double max_tempo() const;
  std::string set_tempo(double bpm);
  std::string nudge_tempo(double delta);
  std::string set_meter(int beats, int unit);
  std::string set_beats(int beats);
  std::string next_subdivision();
  std::string set_playing(bool playing);
  std::string toggle_playing();
  // klick's start: while playing, bar 1 again (a linked session only starts).
  std::string klick_start();
  // klick's /klick/simple/set_meter: as set_meter, but a new number of beats drops the pattern
  // and 0 beats is every beat even (one beat a bar, unaccented).
  std::string set_klick_meter(int beats, int unit);
  // X accent, x normal, . rest, one a beat of the bar (its length); "": the first beat accented.
  std::string set_pattern(const std::string& letters);
  std::string set_volume(int volume);
  // klick's gain (0..1, 1 the loudest): the volume nearest it in dB.
  std::string set_gain(double gain);
  std::string nudge_volume(int delta);
  void toggle_mute();
  // A tap at `seconds` (a steady clock's); from the third on, the tapped tempo is set.
  std::string tap(double seconds);
  // A tap of klick's: from the second on, the tapped tempo is set.
  std::string klick_tap(double seconds);
  // A setlist's next or previous song (`step` +1 or -1), from the next bar.
  std::string step_song(int step);
  // A setlist's song by its name, from the next bar.
  std::string go_to_song(const std::string& name);
  LiveStatus status() const;

 private:
  std::string tap_with(rhythm::TapTempo& taps, double seconds);
  sound::SetlistGrid* setlist_ = nullptr;
  int klick_beats() const;

  sound::Engine& engine_;
  sound::LiveGrid* grid_;
  link::Session* session_;
  sound::SteadyMeter* steady_;
  const sound::MidiClockGrid* clock_ = nullptr;
  rhythm::TapTempo taps_;
  rhythm::TapTempo klick_taps_{2};
  std::optional<rhythm::TapTempo::Reading> tapped_;
  bool stopped_ = false;  // with --link but no start/stop sync: stopped here only
};

}  // namespace cacophony::cli
