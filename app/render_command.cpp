// `render`: the metronome offline, into a WAV or FLAC file.

#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "cacophony/sound/error.h"
#include "cacophony/sound/render.h"
#include "commands.h"
#include "options.h"

namespace cacophony::cli {
namespace {

struct RawRender {
  std::string bpm;
  std::string beats;
  std::string out;
  std::string rate = "48000";
  std::string meter = "simulated";
  std::string seed = "1";
  bool mix = false;
};

std::atomic<int> stop_render{0};

extern "C" void on_render_signal(int) {
  stop_render.store(1);
}

int parse_rate(const std::string& text) {
  try {
    const std::int64_t rate = parse_count("--rate", text, INT64_MIN, INT64_MAX);
    sound::check_rate(rate);
    return static_cast<int>(rate);
  } catch (const UsageError&) {
    throw UsageError(
        fmt::format("unsupported rate '{}': --rate must be a whole number of Hz in "
                    "[{}, {}]",
                    text, sound::kMinRate, sound::kMaxRate));
  } catch (const sound::BadInput& e) {
    throw UsageError(e.what());
  }
}

int render_command(const RawRender& raw) {
  sound::RenderOptions options;
  options.bpm = parse_bpm(raw.bpm);
  options.beats = parse_count("--beats", raw.beats, 1, 10'000'000);
  options.rate = parse_rate(raw.rate);
  options.seed = parse_seed(raw.seed);
  options.out = raw.out;
  options.meter = raw.meter;
  options.mix = raw.mix;
  options.stop = &stop_render;
  options.progress = true;
  std::signal(SIGINT, on_render_signal);
  std::signal(SIGTERM, on_render_signal);

  sound::RenderResult r;
  try {
    r = sound::render(options);
  } catch (const sound::BadInput& e) {
    throw UsageError(e.what());
  }
  std::printf("wrote %s: %lld beats, %.3f s of audio at %d Hz, in %.3f s%s\n", raw.out.c_str(),
              static_cast<long long>(r.beats), static_cast<double>(r.frames) / options.rate,
              options.rate, r.seconds, r.interrupted ? " (interrupted)" : "");
  return r.interrupted ? 130 : 0;
}

}  // namespace

void add_render_command(CLI::App& app, Action& action) {
  static RawRender raw;
  CLI::App* cmd = app.add_subcommand(
      "render", "Render the metronome offline to a WAV or FLAC file (16-bit mono)");
  cmd->add_option("--bpm", raw.bpm, "Tempo in beats per minute, 1..6000")->required();
  cmd->add_option("--beats", raw.beats, "Beats to render, 1..10000000")->required();
  cmd->add_option("--out", raw.out, "Output file, .wav or .flac")->required();
  cmd->add_option("--rate", raw.rate, "Sample rate in Hz, 8000..192000")->capture_default_str();
  cmd->add_option("--meter", raw.meter,
                  "Volume source: simulated (seeded random) or file:PATH (the recording's "
                  "momentary loudness)")
      ->capture_default_str();
  cmd->add_option("--seed", raw.seed, "Seed of the simulated meter")->capture_default_str();
  cmd->add_flag("--mix", raw.mix, "Mix the metered recording under the clicks");
  cmd->callback([&action] { action = [] { return render_command(raw); }; });
}

}  // namespace cacophony::cli
