// `analyze`: a recording of a performance measured offline, with practice's figures and reports.

#include <fmt/format.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cacophony/practice/align.h"
#include "cacophony/practice/click_track.h"
#include "cacophony/practice/practice.h"
#include "cacophony/rhythm/parse.h"
#include "cacophony/sound/samples.h"
#include "commands.h"
#include "io/output_file.h"
#include "io/signals.h"
#include "io/sound_errors.h"
#include "io/voice.h"
#include "options/command_model.h"
#include "options/options.h"
#include "options/practice_options.h"
#include "options/rhythm_options.h"

namespace cacophony::cli {
namespace {

constexpr double kMaxTakeSeconds = 3600;

struct RawAnalyze {
  std::string take;
  RawRhythm rhythm;
  RawPractice practice;
  std::string start;
  std::string click_track;
};

// The rhythm over the take: a rhythm without an end is cut where the take ends.
void cut_to_take(rhythm::Performance& p, double seconds) {
  rhythm::Section& last = p.sections.back();
  if (last.beats == rhythm::kEndless) {
    const double beats_a_second = last.tempo.from / 60 / last.meter.quarters();
    last.beats = static_cast<std::int64_t>(std::ceil(seconds * beats_a_second)) + 1;
  }
}

// The hits in the recording at `path`, read and detected a block at a time, so that memory does
// not grow with the take's length; told the click heard in it, when `bleed` has clicks.
struct Detected {
  int rate = 0;
  std::int64_t frames = 0;
  std::vector<practice::Hit> hits;
  std::optional<std::int64_t> click_delay;  // how late the click told was heard, when found
};

Detected detect_in(const std::string& path, const practice::ClickBleed& bleed = {}) {
  sound::RecordingReader reader(path, kMaxTakeSeconds);
  Detected d{reader.rate(), 0, {}, std::nullopt};
  practice::OnsetDetector detector(d.rate, bleed);
  for (std::vector<float> block; reader.read(block);) {
    detector.feed(block.data(), block.size(), d.hits);
    d.frames += static_cast<std::int64_t>(block.size());
  }
  detector.finish(d.hits);
  d.click_delay = detector.click_delay();
  return d;
}

// --click-track: its clicks, and the click as the take's microphone may hear it (a click track
// beside a take recorded with speakers): the detector takes it out of the take.
struct ClickTrack {
  int rate = 0;
  std::int64_t first = 0;  // the first click's frame
  practice::ClickBleed bleed;
};

ClickTrack read_click_track(const std::string& path) {
  const Detected clicks = detect_in(path);
  if (clicks.hits.empty()) throw UsageError(fmt::format("no clicks in '{}'", path));
  practice::ClickTrackCutter cutter(clicks.hits, clicks.rate);
  sound::RecordingReader reader(path, kMaxTakeSeconds);
  for (std::vector<float> block; reader.read(block);) cutter.feed(block.data(), block.size());
  return {clicks.rate, clicks.hits.front().frame, cutter.finish()};
}

// The take's hits, told the click track's click when there is one (at the take's rate).
Detected detect_take(const RawAnalyze& raw, const std::optional<ClickTrack>& clicks) {
  if (!clicks) return detect_in(raw.take);
  const int rate = sound::RecordingReader(raw.take, kMaxTakeSeconds).rate();
  if (clicks->rate != rate)
    throw UsageError(fmt::format("--click-track '{}' is at {} Hz and the take at {} Hz",
                                 raw.click_track, clicks->rate, rate));
  return detect_in(raw.take, clicks->bleed);
}

// Where the rhythm starts in the take, and what said so (Alignment::found_by).
struct Placement {
  std::int64_t start = 0;  // frames
  std::string found_by;
};

// Where the rhythm starts, found from the take's hits (align.h), and said on stderr.
Placement found_start(const rhythm::Performance& performance,
                      const std::vector<practice::Position>& grid, const Detected& take) {
  const auto found = practice::find_start(performance, grid, take.hits, take.rate, take.frames);
  if (!found) return {0, "none"};
  const bool count_in = found->from == practice::Start::From::count_in;
  const std::string count_in_first =
      performance.feel.count_in == rhythm::Feel::kNoCountIn ? "" : ", its count-in first";
  note(fmt::format("the rhythm starts at {:.3f} s in the take{} ({})",
                   static_cast<double>(found->frame) / take.rate, count_in_first,
                   count_in ? "found from its count-in; give --start to set it"
                            : "found from the hits, so their median is on the beat: give "
                              "--start or --click-track to measure lateness"));
  return {found->frame, count_in ? "count-in" : "hits"};
}

// Where the rhythm starts in the take: --start, the first click of --click-track, or found.
Placement place_grid(const RawAnalyze& raw, const std::optional<ClickTrack>& clicks,
                     const rhythm::Performance& performance,
                     const std::vector<practice::Position>& grid, const Detected& take) {
  if (clicks) return {clicks->first, "--click-track"};
  if (raw.start.empty()) return found_start(performance, grid, take);
  return {std::llround(parse_real("--start", raw.start, 0, kMaxTakeSeconds) * take.rate),
          "--start"};
}

// How the hits fit the grid, and what to try when they fit it poorly (said on stderr).
practice::Alignment alignment(const practice::Result& result, const Placement& placed) {
  const practice::Fit fit = practice::judge_fit(result);
  practice::Alignment a{static_cast<double>(placed.start) / result.rate, placed.found_by, !fit.poor,
                        ""};
  if (!fit.poor) return a;
  if (fit.tempo_off)
    a.advice = fmt::format(
        "the hits are at {:.0f} bpm and the rhythm at {:g}: is its tempo right? try it at {:.0f}",
        *fit.hits_bpm, result.grid_bpm, *fit.hits_bpm);
  else if (placed.found_by == "--start")
    a.advice = "most hits are far from the grid: is --start right?";
  else if (placed.found_by == "--click-track")
    a.advice = "most hits are far from the grid: is the rhythm right?";
  else
    a.advice =
        "most hits are far from the grid: is the rhythm right? give --start or "
        "--click-track to place it";
  note(a.advice);
  return a;
}

int analyze_command(const RawAnalyze& raw) {
  // The options first: a mistake in them is told before a long take is read.
  rhythm::Performance performance = performance_of(raw.rhythm);
  declare_input("the take", raw.take);
  if (!raw.click_track.empty()) declare_input("--click-track", raw.click_track);
  declare_inputs(raw.rhythm);
  if (!raw.start.empty() && !raw.click_track.empty())
    throw UsageError("--start and --click-track: give one");
  const OutputFiles outputs = practice_outputs(raw.practice);
  // Stopped, it has nothing to report: it ends at once, with 130 as the other commands.
  catch_stop_signals({SIGINT, SIGTERM},
                     OnStop{.note = {}, .second_exits = false, .first_exits = true});
  const practice::MutePlan plan = mute_plan(raw.practice, parse_seed(raw.rhythm.seed));
  const double latency = latency_ms(raw.practice).value_or(0);
  std::optional<ClickTrack> clicks;
  if (!raw.click_track.empty()) clicks = read_click_track(raw.click_track);
  Detected take = detect_take(raw, clicks);
  if (take.click_delay)
    note(
        fmt::format("the click track's clicks were heard in the take {:.1f} ms after the track's, "
                    "and taken out",
                    frames_ms(*take.click_delay, take.rate)));
  cut_to_take(performance, static_cast<double>(take.frames) / take.rate);
  const std::vector<practice::Position> grid = practice::positions(performance, take.rate, plan);
  const Placement placed = place_grid(raw, clicks, performance, grid, take);
  practice::drop_count_in(take.hits, performance, take.rate, placed.start, latency);
  for (practice::Hit& h : take.hits) h.frame -= placed.start;
  const double bpm = performance.sections.front().tempo.from;
  practice::Result result = practice::measure(grid, take.hits, take.rate, latency, bpm);
  result.alignment = alignment(result, placed);
  for (const practice::BarFigures& bar : result.bars)
    std::fprintf(outputs.log(), "%s\n", bar_line(bar).c_str());
  report_result(result, outputs, raw.take, fmt::format("{}", fmt::join(raw.rhythm.words, " ")));
  return 0;
}

}  // namespace

void add_analyze_command(CLI::App& app, Action& action) {
  auto raw = std::make_shared<RawAnalyze>();
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "Measure a recording of a performance against its rhythm: each hit's offset, misses, "
      "extras, steadiness and the tempo played, as practice does live. A take without hits says "
      "\"no hits found\" and exits 0 (its reports are empty)");
  takes_file(cmd->add_option("take", raw->take, "The recording (WAV, FLAC, ...)"))->required();
  add_rhythm_options(*cmd, raw->rhythm, RhythmCommand::analyze);
  add_practice_options(*cmd, raw->practice);
  cmd->add_option("--start", raw->start,
                  "Where the rhythm (its count-in first, with --count-in) starts in the take, "
                  "seconds (default: found from the take's hits)");
  takes_file(cmd->add_option("--click-track", raw->click_track,
                             "Align the rhythm to the first click of this recording of the "
                             "click for the same take (at its rate), and take that click out "
                             "of the take where it bleeds into the microphone"));
  cmd->callback([raw, &action] {
    action = [raw] { return with_sound_errors([&raw] { return analyze_command(*raw); }); };
  });
}

}  // namespace cacophony::cli
