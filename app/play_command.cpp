// `play`: the metronome live, through a running JACK server.

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/error.h"
#include "cacophony/sound/jack_sink.h"
#include "cacophony/sound/meter.h"
#include "commands.h"
#include "options.h"

namespace cacophony::cli {
namespace {

struct RawPlay {
  std::string bpm;
  std::string beats;
  std::string meter = "simulated";
  std::string seed = "1";
  std::vector<std::string> connect;
  std::vector<std::string> meter_connect;
};

std::atomic<int> stop_play{0};

extern "C" void on_play_signal(int) {
  stop_play.store(1);
}

void print(const sound::BeatEvent& e) {
  std::printf("beat #%lld at %d power (frame %lld)\n", static_cast<long long>(e.beat), e.volume,
              static_cast<long long>(e.frame));
  std::fflush(stdout);
}

int play_command(const RawPlay& raw) {
  const Bpm bpm = parse_bpm(raw.bpm);
  const std::int64_t beats = raw.beats.empty() ? sound::Engine::kEndless
                                               : parse_count("--beats", raw.beats, 1, 10'000'000);
  const std::uint64_t seed = parse_seed(raw.seed);
  const bool live_meter = raw.meter == "jack";
  if (!live_meter && !raw.meter_connect.empty())
    throw UsageError("--meter-connect needs --meter jack");
  std::unique_ptr<sound::Meter> meter;
  if (!live_meter) {
    try {
      meter = sound::make_meter(raw.meter, seed);
    } catch (const sound::BadInput& e) {
      if (raw.meter != "simulated" && !raw.meter.starts_with("file:"))
        throw UsageError(
            fmt::format("--meter must be simulated, file:PATH or jack, got '{}'", raw.meter));
      throw UsageError(e.what());
    }
  }

  std::unique_ptr<sound::JackSink> sink;
  try {
    sink = std::make_unique<sound::JackSink>("cacophony", live_meter);
  } catch (const sound::NoJackServer& e) {
    throw UsageError(e.what());
  }
  if (live_meter) meter = std::make_unique<sound::JackMeter>(*sink);
  sound::Engine engine(sink->rate(), bpm, beats);
  // No callback may run once the engine is gone, whatever way this function leaves.
  struct Deactivate {
    sound::JackSink& sink;
    ~Deactivate() { sink.stop(); }
  } deactivate{*sink};
  std::signal(SIGINT, on_play_signal);
  std::signal(SIGTERM, on_play_signal);

  int code = 0;
  {
    sound::MeterThread metering(*meter, engine, *sink);
    sink->start(engine);
    std::vector<std::string> targets = raw.connect;
    if (targets.empty()) {
      targets = sink->playback_ports();
      if (targets.empty())
        std::fprintf(stderr, "cacophony: no playback ports: connect %s yourself\n",
                     sink->port_name().c_str());
    }
    try {
      for (const std::string& port : targets) sink->connect(port);
      for (const std::string& port : raw.meter_connect) sink->connect_input(port);
    } catch (const std::runtime_error& e) {
      sink->stop();
      throw UsageError(e.what());
    }
    sink->play();

    sound::BeatEvent event;
    while (true) {
      while (sink->pop(event)) print(event);
      if (sink->finished()) break;
      if (stop_play.load()) {
        code = 130;
        break;
      }
      if (sink->server_gone()) {
        std::fprintf(stderr, "cacophony: failed: the JACK server went away\n");
        code = 1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    sink->stop();
    while (sink->pop(event)) print(event);
  }
  if (sink->dropped_input() > 0)
    std::fprintf(stderr, "cacophony: %lld input frames not metered (the meter fell behind)\n",
                 static_cast<long long>(sink->dropped_input()));
  if (sink->dropped_events() > 0)
    std::fprintf(stderr, "cacophony: %lld beats not printed (the printer fell behind)\n",
                 static_cast<long long>(sink->dropped_events()));
  return code;
}

}  // namespace

void add_play_command(CLI::App& app, Action& action) {
  static RawPlay raw;
  CLI::App* cmd = app.add_subcommand(
      "play", "Play the metronome live through a running JACK server (port cacophony:out)");
  cmd->add_option("--bpm", raw.bpm, "Tempo in beats per minute, 1..6000")->required();
  cmd->add_option("--beats", raw.beats, "Beats to play, 1..10000000 (default: until Ctrl-C)");
  cmd->add_option("--meter", raw.meter,
                  "Volume source: simulated (seeded random), file:PATH (the recording's "
                  "momentary loudness) or jack (the momentary loudness of the input port "
                  "cacophony:in)")
      ->capture_default_str();
  cmd->add_option("--seed", raw.seed, "Seed of the simulated meter")->capture_default_str();
  cmd->add_option("--connect", raw.connect,
                  "JACK input port to connect to, repeatable (default: the system's playback "
                  "ports)");
  cmd->add_option("--meter-connect", raw.meter_connect,
                  "JACK output port to connect to cacophony:in, repeatable (with --meter jack)");
  cmd->callback([&action] { action = [] { return play_command(raw); }; });
}

}  // namespace cacophony::cli
