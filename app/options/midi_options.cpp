#include "options/midi_options.h"

#include <fmt/format.h>

#include <cmath>
#include <cstddef>

#include "options/options.h"

namespace cacophony::cli {
namespace {

constexpr double kMaxOffsetMs = 100;

std::array<int, 4> parse_keys(const std::string& text) {
  std::array<int, 4> keys{};
  std::size_t from = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::size_t comma = text.find(',', from);
    const bool last = i + 1 == keys.size();
    if (last != (comma == std::string::npos))
      throw UsageError(fmt::format(
          "--midi-keys takes four notes, ACCENT,BEAT,SUBDIVISION,COUNT-IN, got '{}'", text));
    const std::string key = text.substr(from, last ? std::string::npos : comma - from);
    keys[i] = static_cast<int>(parse_count("a --midi-keys note", key, 0, 127));
    from = comma + 1;
  }
  return keys;
}

}  // namespace

void add_midi_options(CLI::App& cmd, RawMidi& raw) {
  cmd.add_flag("--midi-clock", raw.clock,
               "Send MIDI clock on the JACK MIDI port NAME:midi_out: 24 pulses a quarter note on "
               "the rhythm's tempo, ramps and maps included, each on its own frame; Start with "
               "the first pulse, Stop at the end or when play stops. With --transport, on the "
               "transport's frames (follow: on the master's bars, beats and tempo): Start when "
               "it rolls from 0, Song Position Pointer and Continue when it rolls from elsewhere "
               "or relocates, Stop when it stops. The rhythm then plays as written (keys do not "
               "change its tempo or bar)");
  cmd.add_option("--midi-clock-offset", raw.clock_offset,
                 "With --midi-clock: move the clock by this many ms, -100..100, negative earlier "
                 "(for a receiver that lags; what would fall before the start goes at the start)");
  cmd.add_flag("--midi-notes", raw.notes,
               "Send a MIDI note per click on NAME:midi_out (General MIDI percussion: 76 Hi Wood "
               "Block accents, 77 Low Wood Block beats, 42 Closed Hi-Hat subdivisions, 37 Side "
               "Stick count-in; velocities 112, 88, 64, 100 times the section's volume)");
  cmd.add_option("--midi-keys", raw.keys,
                 "With --midi-notes: the notes, 0..127, as ACCENT,BEAT,SUBDIVISION,COUNT-IN");
  cmd.add_option("--midi-channel", raw.channel, "With --midi-notes: the MIDI channel, 1..16")
      ->default_str("10");
  cmd.add_option("--midi-connect", raw.connect,
                 "JACK MIDI input port to connect NAME:midi_out to, repeatable (default: none)")
      ->allow_extra_args(false);
  cmd.add_option("--follow-midi-clock", raw.follow_clock,
                 "Click on the MIDI clock that this JACK MIDI output port sends (connected to "
                 "NAME:midi_in): its tempo, its Start, Stop, Continue and Song Position Pointer; "
                 "the meter and --subdivide (a divisor of 24) are yours");
}

MidiChoice midi_choice(const RawMidi& raw, const std::string& clockless) {
  if (raw.clock && !clockless.empty())
    throw UsageError(fmt::format(
        "--midi-clock follows the rhythm's own timeline: {} is not taken with it", clockless));
  if (!raw.follow_clock.empty() && !clockless.empty())
    throw UsageError(fmt::format(
        "--follow-midi-clock takes the tempo from the clock: {} is not taken with it", clockless));
  if (!raw.follow_clock.empty() && raw.clock)
    throw UsageError(
        "--follow-midi-clock and --midi-clock: one clock at a time (a clock in is not passed on)");
  MidiChoice choice;
  choice.clock = raw.clock;
  choice.notes = raw.notes;
  if (!raw.clock && !raw.clock_offset.empty())
    throw UsageError("--midi-clock-offset needs --midi-clock");
  if (!raw.notes && (!raw.keys.empty() || !raw.channel.empty()))
    throw UsageError(raw.keys.empty() ? "--midi-channel needs --midi-notes"
                                      : "--midi-keys needs --midi-notes");
  if (!choice.any() && !raw.connect.empty())
    throw UsageError("--midi-connect needs --midi-clock or --midi-notes");
  if (!raw.clock_offset.empty())
    choice.clock_offset_ms =
        parse_real("--midi-clock-offset", raw.clock_offset, -kMaxOffsetMs, kMaxOffsetMs);
  if (!raw.keys.empty()) choice.keys = parse_keys(raw.keys);
  if (!raw.channel.empty())
    choice.channel = static_cast<int>(parse_count("--midi-channel", raw.channel, 1, 16));
  choice.connect = raw.connect;
  choice.follow_clock = raw.follow_clock;
  return choice;
}

sound::MidiSettings midi_settings(const MidiChoice& choice, const rhythm::Timeline* timeline,
                                  int rate) {
  sound::MidiSettings s;
  s.clock = choice.clock ? timeline : nullptr;
  s.clock_shift = std::llround(choice.clock_offset_ms * rate / 1000);
  s.notes = choice.notes;
  s.keys = choice.keys;
  s.channel = choice.channel;
  return s;
}

}  // namespace cacophony::cli
