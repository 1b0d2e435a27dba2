#include "options/transport_options.h"

#include <fmt/format.h>

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
  takes_one_of(cmd.add_option("--transport", raw.mode,
                              "Play with JACK transport: follow (no rhythm of your own: click "
                              "on the bars and beats the timebase master publishes, a DAW or "
                              "jack_transport, through its starts, stops, relocations and "
                              "tempo changes)"),
               "follow");
  cmd.add_flag("-j", raw.follow, "--transport follow, as klick's -j");
}

TransportMode transport_choice(const RawTransport& raw, const RawRhythm& rhythm, bool link) {
  if (!raw.mode.empty() && raw.follow) throw UsageError("-j is --transport follow: give one");
  const std::string mode = raw.follow ? "follow" : raw.mode;
  if (mode.empty()) return TransportMode::none;
  if (mode != "follow") throw UsageError(fmt::format("--transport takes follow, got '{}'", mode));
  if (link) throw UsageError("--transport and --link each set the beat: give one");
  if (rhythm_given(rhythm))
    throw UsageError(
        "--transport follow clicks on the timebase master's bars and beats: give no rhythm "
        "(words, --map, --bpm, --beats, --setlist or its feel) with it");
  return TransportMode::follow;
}

}  // namespace cacophony::cli
