#pragma once
// `play`'s MIDI options (--midi-clock, --midi-clock-offset, --midi-notes, --midi-keys,
// --midi-channel, --midi-connect, and --follow-midi-clock in), in one place: their help (and so
// the manual and the completion) and their checks.

#include <CLI/CLI.hpp>
#include <array>
#include <string>
#include <vector>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/midi_out.h"

namespace cacophony::cli {

struct RawMidi {
  bool clock = false;
  std::string clock_offset;
  bool notes = false;
  std::string keys;
  std::string channel;
  std::vector<std::string> connect;
  std::string follow_clock;  // a JACK MIDI output port
};

struct MidiChoice {
  bool clock = false;
  double clock_offset_ms = 0;  // negative: earlier
  bool notes = false;
  std::array<int, 4> keys = sound::MidiSettings::kDefaultKeys;
  int channel = 10;
  std::vector<std::string> connect;
  std::string follow_clock;  // the port whose clock the clicks follow; empty: none
  bool any() const { return clock || notes; }
};

void add_midi_options(CLI::App& cmd, RawMidi& raw);
// The options, checked: throws UsageError (an option that needs another, a value out of range,
// --midi-clock or --follow-midi-clock with `clockless`, the option given that a clock cannot go
// with, when not empty).
MidiChoice midi_choice(const RawMidi& raw, const std::string& clockless);
// What the MidiOut is made with: the clock on `timeline` (when asked), at `rate`.
sound::MidiSettings midi_settings(const MidiChoice& choice, const rhythm::Timeline* timeline,
                                  int rate);

}  // namespace cacophony::cli
