#pragma once
// What the rhythm's commands share on the command line: the rhythm (klick's words, --map, or the
// --bpm/--beats shorthand) and its feel (--subdivide, --swing, --count-in, --scale), for all of
// render, play, practice and analyze; the click's sound (--volume, --sounds, --sound-set,
// --pitch) for those that play one; and what only render and play take: a followed loudness
// (--follow), klick's emphasis switches (-e, -E) and a start delay (-d). A command offers only
// the options that mean something for it.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/click.h"
#include "cacophony/sound/meter.h"
#include "cacophony/sound/setlist_grid.h"
#include "options/meter_option.h"

namespace cacophony::cli {

struct RawRhythm {
  std::vector<std::string> words;
  std::string map;
  std::string from;
  std::string bpm;
  std::string beats;
  std::string subdivide = "1";
  std::string swing = "50";
  std::string count_in;
  std::string volume;
  std::string follow;
  std::string seed = "1";
  std::string sounds;
  std::string scale;
  std::string delay;
  std::string sound_set;
  std::string pitch;
  bool no_accents = false;
  bool all_accents = false;
  std::string setlist;
  std::string song;
};

// The grammar, with examples, for the command's help.
std::string rhythm_help(const std::string& command);

// Where a command plays: `live` through JACK (play, which offers --follow jack), or not.
enum class Playing { offline, live };

// The commands that take a rhythm, each offered the options that mean something for it.
enum class RhythmCommand { play, render, practice, analyze };

// --setlist's songs, each with the options' feel, and the one --song names (default the first).
// Throws UsageError: a list's errors read "FILE:LINE: what is wrong".
struct Setlist {
  std::vector<sound::SetlistGrid::Song> songs;
  std::size_t first = 0;
};
Setlist setlist_of(const RawRhythm& raw);

// Adds the options above that `which` takes to `command`.
void add_rhythm_options(CLI::App& command, RawRhythm& raw, RhythmCommand which);

// What a command asks of the rhythm beyond the options.
struct RhythmRules {
  // Whether a rhythm without an end is refused (render).
  enum class Ending { may_be_endless, required } ending = Ending::may_be_endless;
  // The tempo when none is given, when > 0 (play --link).
  double fallback_bpm = 0;
};

// Adds -n/--name (klick's), the JACK client's name, default "cacophony", to a live command.
void add_client_name(CLI::App& command, std::string& name);

// The performance the options describe. Throws UsageError: a map's errors read
// "FILE:LINE: what is wrong".
rhythm::Performance performance_of(const RawRhythm& raw, RhythmRules rules = {});

// The click's sounds: the --sounds samples, or the synthesised clicks in --sound-set and --pitch.
// Throws UsageError for a bad value, or samples and a sound set at once.
struct ClickChoice {
  std::vector<std::filesystem::path> samples;  // none: synthesised in `style`
  sound::ClickStyle style;
};
ClickChoice click_choice(const RawRhythm& raw);
// The sounds at `rate`: UsageError for a pitch the rate can't carry.
sound::ClickSounds click_sounds(const ClickChoice& choice, int rate);

// Declares the files the rhythm options read (--map, --sounds, --follow file:PATH) as inputs
// (output_file.h), so that no output replaces them.
void declare_inputs(const RawRhythm& raw);

// Where the volume comes from: steady (the default, --volume), or a followed loudness.
struct VolumeChoice {
  bool follow = false;
  MeterChoice followed;    // with `follow`
  int volume = 80;         // without
  std::uint64_t seed = 1;  // --seed, checked whether or not it is used
};
VolumeChoice volume_of(const RawRhythm& raw, Playing playing);

// The meter for a choice other than --follow jack (made with the JACK sink by play).
std::unique_ptr<sound::Meter> make_volume_meter(const VolumeChoice& choice);

}  // namespace cacophony::cli
