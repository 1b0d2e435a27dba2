#include "options/transport_options.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "options/command_model.h"
#include "options/options.h"

namespace cacophony::cli {
namespace {

// Whether any option of the rhythm or its feel was given.
bool rhythm_given(const RawRhythm& r) {
  return !r.words.empty() || !r.map.empty() || !r.from.empty() || !r.bpm.empty() ||
         !r.beats.empty() || r.subdivide != "1" || r.swing != "50" || !r.count_in.empty() ||
         !r.scale.empty() || !r.delay.empty() || !r.setlist.empty() || !r.song.empty() ||
         r.no_accents || r.all_accents;
}

}  // namespace

void add_transport_options(CLI::App& cmd, RawTransport& raw) {
  takes_one_of(
      cmd.add_option("--transport", raw.mode,
                     "Play with JACK transport: follow (no rhythm of your own: click on the bars "
                     "and beats the timebase master publishes, a DAW or jack_transport, through "
                     "its starts, stops, relocations and tempo changes); sync (your rhythm, on "
                     "the transport's frames: it plays while the transport rolls, from where it "
                     "is); master (sync, and be the timebase master: publish your rhythm's bar, "
                     "beat, tempo and meter)"),
      "follow|sync|master");
  cmd.add_flag("-j", raw.follow, "--transport follow, as klick's -j");
  cmd.add_flag("-t", raw.sync, "--transport sync, as klick's -t");
  cmd.add_flag("-T", raw.master, "--transport master, as klick's -T");
}

TransportMode transport_choice(const RawTransport& raw, const RawRhythm& rhythm, bool link) {
  std::vector<std::string> asked;
  if (!raw.mode.empty()) asked.push_back("--transport " + raw.mode);
  if (raw.follow) asked.emplace_back("-j");
  if (raw.sync) asked.emplace_back("-t");
  if (raw.master) asked.emplace_back("-T");
  if (asked.empty()) return TransportMode::none;
  if (asked.size() > 1)
    throw UsageError(fmt::format("{} and {}: give one transport mode", asked[0], asked[1]));
  const std::string mode = raw.follow   ? "follow"
                           : raw.sync   ? "sync"
                           : raw.master ? "master"
                                        : raw.mode;
  if (mode != "follow" && mode != "sync" && mode != "master")
    throw UsageError(fmt::format("--transport takes follow, sync or master, got '{}'", mode));
  if (link) throw UsageError("--transport and --link each set the beat: give one");
  if (mode == "follow" && rhythm_given(rhythm))
    throw UsageError(
        "--transport follow clicks on the timebase master's bars and beats: give no rhythm "
        "(words, --map, --bpm, --beats, --setlist or its feel) with it");
  if (mode != "follow" && !rhythm.setlist.empty())
    throw UsageError(
        fmt::format("--transport {} plays one rhythm: --setlist is not taken with it", mode));
  return mode == "follow" ? TransportMode::follow
         : mode == "sync" ? TransportMode::sync
                          : TransportMode::master;
}

}  // namespace cacophony::cli
