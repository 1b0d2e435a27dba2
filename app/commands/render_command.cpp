// `render`: the metronome offline, into an audio file whose extension picks its format.

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <utility>

#include "cacophony/sound/output_formats.h"
#include "cacophony/sound/render.h"
#include "cacophony/sound/samples.h"
#include "commands.h"
#include "io/output_file.h"
#include "io/signals.h"
#include "io/sound_errors.h"
#include "io/terminal_text.h"
#include "options/command_model.h"
#include "options/options.h"
#include "options/rhythm_options.h"

namespace cacophony::cli {
namespace {

struct RawRender {
  RawRhythm rhythm;
  std::string out;
  std::string rate = "48000";
  bool mix = false;
};

int parse_rate(const std::string& text) {
  std::int64_t rate = 0;
  try {
    rate = parse_count("--rate", text, INT64_MIN, INT64_MAX);
  } catch (const UsageError&) {
    throw UsageError(
        fmt::format("unsupported rate '{}': --rate must be a whole number of Hz in "
                    "[{}, {}]",
                    text, sound::kMinRate, sound::kMaxRate));
  }
  sound::check_rate(rate);
  return static_cast<int>(rate);
}

// The render's clock, from before its recording is read, and its progress line: for a render
// that takes more than a second, "\rrender: NN%" on stderr whenever the percent changes, ended
// by a newline; only on a terminal, where \r rewrites the line (a log would keep every one).
class Progress {
 public:
  void operator()(std::int64_t frames, std::int64_t total, bool done) {
    const int percent = static_cast<int>(frames * 100 / total);
    if (done) {
      if (shown_percent_ >= 0) std::fprintf(stderr, "\rrender: %3d%%\n", percent);
      return;
    }
    if (on_terminal_ && elapsed() > std::chrono::seconds(1) && percent != shown_percent_) {
      std::fprintf(stderr, "\rrender: %3d%%", percent);
      std::fflush(stderr);
      shown_percent_ = percent;
    }
  }
  std::chrono::duration<double> elapsed() const {
    return std::chrono::steady_clock::now() - started_;
  }

 private:
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  int shown_percent_ = -1;  // none shown yet
  bool on_terminal_ = isatty(STDERR_FILENO) != 0;
};

sound::RenderOptions render_options(const RawRender& raw) {
  sound::RenderOptions options;
  if (raw.rhythm.setlist.empty()) {
    options.performance = performance_of(raw.rhythm, {.ending = RhythmRules::Ending::required});
  } else {
    Setlist set = setlist_of(raw.rhythm);
    options.songs = std::move(set.songs);
    options.first_song = set.first;
  }
  options.rate = parse_rate(raw.rate);
  options.out = raw.out;
  options.stop = &stop_signals();
  return options;
}

std::filesystem::path recording_to_mix(const VolumeChoice& volume) {
  if (!volume.follow || volume.followed.kind != MeterChoice::Kind::file)
    throw UsageError("--mix needs a recording to mix: --follow file:PATH");
  return volume.followed.file;
}

int render_command(const RawRender& raw) {
  declare_inputs(raw.rhythm);
  sound::RenderOptions options = render_options(raw);
  // A second stop ends the render at once.
  catch_stop_signals({SIGINT, SIGTERM}, {"", true});
  Progress progress;
  options.progress = std::ref(progress);
  // In the order the checks have always come: the output's name, then the volume, then the mix.
  sound::check_output(options.out, options.rate);
  const VolumeChoice volume = volume_of(raw.rhythm, Playing::offline);
  const std::unique_ptr<sound::Meter> meter = make_volume_meter(volume);
  if (raw.mix) options.mix = recording_to_mix(volume);
  options.sounds = click_sounds(click_choice(raw.rhythm), options.rate);

  const OutputFiles outputs({{Output::out, &raw.out}});
  OutputFile& out = *outputs.get(Output::out);
  options.fd = out.fd();
  // libsndfile retries a write a stop interrupted: a FIFO whose reader stopped reading would hold
  // the render forever, so a stop ends it 2 s later if it has not stopped by itself.
  struct stat st {};
  const bool may_block = fstat(out.fd(), &st) == 0 && !S_ISREG(st.st_mode);
  if (may_block) give_up_after_stop(2);
  const int rate = options.rate;
  const sound::RenderResult r = sound::render(std::move(options), *meter);
  if (may_block) give_up_after_stop(0);
  out.commit();
  std::printf("wrote %s: %lld clicks, %.3f s of audio at %d Hz, in %.3f s%s\n",
              escaped(raw.out, Keep::utf8).c_str(), static_cast<long long>(r.beats),
              static_cast<double>(r.frames) / rate, rate, progress.elapsed().count(),
              r.interrupted ? " (interrupted)" : "");
  return r.interrupted ? 130 : 0;
}

// `render --formats`: one line a format, "EXT  CONTAINER, CODEC", and whether it streams into a
// FIFO; then the command ends, as --help does, whatever else it was given.
void print_formats() {
  for (const sound::OutputFormat& f : sound::output_formats())
    std::printf("%-6s %s%s\n", f.extension.c_str(), f.name.c_str(),
                sound::streams(f) ? " (streams into a FIFO)" : "");
  throw CLI::Success();
}

}  // namespace

void add_render_command(CLI::App& app, Action& action) {
  auto raw = std::make_shared<RawRender>();
  CLI::App* cmd = app.add_subcommand(
      "render",
      "Render the metronome offline to an audio file (mono; 16-bit where the format takes it)");
  cmd->footer(rhythm_help("render"));
  add_rhythm_options(*cmd, raw->rhythm, RhythmCommand::render);
  takes_file(cmd->add_option("--out", raw->out,
                             "Output file (a file, not -); its extension picks the format, any "
                             "libsndfile writes: .wav .flac .ogg .opus .mp3 .aiff .caf ... "
                             "(--formats lists them)"))
      ->required();
  cmd->add_flag_callback("--formats", print_formats,
                         "List the formats --out takes, by extension, and exit");
  cmd->add_option("--rate", raw->rate, "Sample rate in Hz, 8000..192000")->capture_default_str();
  cmd->add_flag("--mix", raw->mix,
                "Mix the followed recording (--follow file:PATH) under the clicks");
  cmd->callback([raw, &action] {
    action = [raw] { return with_sound_errors([&raw] { return render_command(*raw); }); };
  });
}

}  // namespace cacophony::cli
