#pragma once
// What render and play share on the command line: the rhythm (klick's words, --map, or the
// --bpm/--beats shorthand), its feel (--subdivide, --swing, --count-in), and the volume (steady
// at --volume, or following a loudness with --follow).

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/meter.h"
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
};

// The grammar, with examples, for the command's help.
std::string rhythm_help(const std::string& command);

// Where a command plays: `live` through JACK (play, which offers --follow jack), or not.
enum class Playing { offline, live };

// Adds the options above to `command`.
void add_rhythm_options(CLI::App& command, RawRhythm& raw, Playing playing);

// What a command asks of the rhythm beyond the options.
struct RhythmRules {
  // Whether a rhythm without an end is refused (render).
  enum class Ending { may_be_endless, required } ending = Ending::may_be_endless;
  // The tempo when none is given, when > 0 (play --link).
  double fallback_bpm = 0;
};

// The performance the options describe. Throws UsageError: a map's errors read
// "FILE:LINE: what is wrong".
rhythm::Performance performance_of(const RawRhythm& raw, RhythmRules rules = {});

// The --sounds files: none, or ACCENT[,NORMAL]. Throws UsageError for more or an empty name.
std::vector<std::filesystem::path> sample_files(const RawRhythm& raw);

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

// Checks the values of the options a command offers but does not use (analyze's --volume,
// --follow and --sounds; practice's --sounds), so that a bad one is refused, not ignored.
void check_unused(const RawRhythm& raw);

}  // namespace cacophony::cli
