// `play`: the metronome live, through a running JACK server, alone or in an Ableton Link session.
// Three steps: the options, checked; the player, built; the play, until the end, a signal or
// the server's going.

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/link/link_grid.h"
#include "cacophony/link/session.h"
#include "cacophony/sound/engine.h"
#include "cacophony/sound/jack_meter.h"
#include "cacophony/sound/jack_sink.h"
#include "cacophony/sound/meter_thread.h"
#include "commands.h"
#include "meter_option.h"
#include "options.h"
#include "play_link.h"
#include "signals.h"
#include "sound_errors.h"

namespace cacophony::cli {
namespace {

struct RawPlay {
  std::string bpm;
  std::string beats;
  std::string meter = "simulated";
  std::string seed = "1";
  std::vector<std::string> connect;
  std::vector<std::string> meter_connect;
  bool link = false;
  std::string quantum = "4";
  bool start_stop_sync = false;
};

struct PlayOptions {
  Bpm bpm = Bpm::unchecked(120);
  std::int64_t quantum = 4;
  std::int64_t beats = sound::Engine::kEndless;
  bool live_meter = false;              // --meter jack
  std::unique_ptr<sound::Meter> meter;  // the others'; --meter jack's is made with the sink
  std::vector<std::string> connect;
  std::vector<std::string> meter_connect;
  bool link = false;
  bool start_stop_sync = false;
};

// The tempo, and the options only --link takes.
Bpm play_bpm(const RawPlay& raw) {
  if (!raw.link && raw.bpm.empty()) throw UsageError("--bpm is required (or --link)");
  if (!raw.link && (raw.start_stop_sync || raw.quantum != "4"))
    throw UsageError(raw.start_stop_sync ? "--start-stop-sync needs --link"
                                         : "--quantum needs --link");
  const Bpm bpm = parse_bpm(raw.bpm.empty() ? "120" : raw.bpm);
  if (raw.link && (bpm.value() < link::kMinBpm || bpm.value() > link::kMaxBpm))
    throw UsageError(fmt::format("--bpm must be in [{:.0f}, {:.0f}] with --link, got {}",
                                 link::kMinBpm, link::kMaxBpm, bpm.value()));
  return bpm;
}

// Checked in the order the errors have always come; the simulated or file meter is made here,
// so a recording it can't use is reported before JACK is asked for anything.
PlayOptions play_options(const RawPlay& raw) {
  PlayOptions o;
  o.bpm = play_bpm(raw);
  o.quantum = parse_count("--quantum", raw.quantum, 1, 16);
  if (!raw.beats.empty()) o.beats = parse_count("--beats", raw.beats, 1, 10'000'000);
  const std::uint64_t seed = parse_seed(raw.seed);
  const MeterChoice meter = parse_meter(raw.meter, true);
  o.live_meter = meter.kind == MeterChoice::Kind::jack;
  if (!o.live_meter) o.meter = make_meter(meter, seed);
  if (!o.live_meter && !raw.meter_connect.empty())
    throw UsageError("--meter-connect needs --meter jack");
  o.connect = raw.connect;
  o.meter_connect = raw.meter_connect;
  o.link = raw.link;
  o.start_stop_sync = raw.start_stop_sync;
  return o;
}

// What plays, built in that order (the meter taken from the options); no JACK callback runs
// once it is gone.
struct Player {
  explicit Player(PlayOptions& o) : meter(std::move(o.meter)) {
    sink = std::make_unique<sound::JackSink>("cacophony", o.live_meter);
    if (o.live_meter) meter = std::make_unique<sound::JackMeter>(*sink);
    if (o.link) {
      session = std::make_unique<link::Session>(static_cast<double>(o.bpm.value()),
                                                static_cast<double>(o.quantum), o.start_stop_sync);
      grid = std::make_unique<link::LinkGrid>(*session);
    } else {
      grid = std::make_unique<sound::FixedGrid>(sink->rate(), o.bpm);
    }
    engine = std::make_unique<sound::Engine>(sink->rate(), *grid, o.beats);
  }
  ~Player() {
    if (sink && !sink->stop()) abandon();
  }
  // For a server that did not let the client go (JackSink::stop): its callback may still run on
  // the sink, the engine, the grid and the session, so they are leaked on purpose; the process is
  // about to exit.
  void abandon() {
    static_cast<void>(sink.release());
    static_cast<void>(engine.release());
    static_cast<void>(grid.release());
    static_cast<void>(session.release());
  }
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  std::unique_ptr<sound::JackSink> sink;
  std::unique_ptr<sound::Meter> meter;
  std::unique_ptr<link::Session> session;
  std::unique_ptr<sound::Grid> grid;
  std::unique_ptr<sound::Engine> engine;
};

void print(const sound::BeatEvent& e, bool link) {
  if (link)
    std::printf("beat #%lld at %d power (frame %lld, link beat %lld, phase %d/%d, jack frame %u)\n",
                static_cast<long long>(e.beat), e.volume, static_cast<long long>(e.onset.frame),
                static_cast<long long>(e.onset.beat), e.onset.phase, e.onset.quantum, e.jack_frame);
  else
    std::printf("beat #%lld at %d power (frame %lld)\n", static_cast<long long>(e.beat), e.volume,
                static_cast<long long>(e.onset.frame));
  std::fflush(stdout);
}

// `out` to the --connect ports, or else to the server's playback ports; --meter-connect to `in`.
void connect(sound::JackSink& sink, const PlayOptions& o) {
  std::vector<std::string> targets = o.connect;
  if (targets.empty()) {
    targets = sink.playback_ports();
    if (targets.empty())
      std::fprintf(stderr, "cacophony: no playback ports: connect %s yourself\n",
                   sink.port_name().c_str());
  }
  for (const std::string& port : targets) sink.connect(port);
  for (const std::string& port : o.meter_connect) sink.connect_input(port);
}

// Prints the beats as they sound until the engine is done (0), a stop signal (130) or the
// server's going (1).
int follow(sound::JackSink& sink, bool link, LinkConsole* console) {
  sound::BeatEvent event;
  auto next_report = std::chrono::steady_clock::now();
  while (true) {
    while (sink.pop(event)) print(event, link);
    if (console && std::chrono::steady_clock::now() >= next_report) {
      console->poll();
      next_report += std::chrono::milliseconds(50);
    }
    if (sink.finished()) return 0;
    if (stop_requested()) return 130;
    if (sink.server_gone()) {
      std::fprintf(stderr, "cacophony: failed: the JACK server went away\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void report_dropped(const sound::JackSink& sink) {
  if (sink.dropped_input() > 0)
    std::fprintf(stderr, "cacophony: %lld input frames not metered (the meter fell behind)\n",
                 static_cast<long long>(sink.dropped_input()));
  if (sink.dropped_events() > 0)
    std::fprintf(stderr, "cacophony: %lld beats not printed (the printer fell behind)\n",
                 static_cast<long long>(sink.dropped_events()));
}

int play(Player& p, const PlayOptions& o) {
  int code = 0;
  bool let_go = true;
  {
    sound::MeterThread metering(*p.meter, *p.engine, *p.sink);
    p.sink->start(*p.engine);
    connect(*p.sink, o);
    std::optional<LinkConsole> console;
    if (p.session) console.emplace(*p.session).join();
    p.sink->play();
    code = follow(*p.sink, o.link, console ? &*console : nullptr);
    let_go = p.sink->stop();
    sound::BeatEvent event;
    while (p.sink->pop(event)) print(event, o.link);
  }
  report_dropped(*p.sink);
  if (!let_go) {
    std::fprintf(stderr, "cacophony: the JACK server does not answer: leaving it\n");
    p.abandon();
  }
  return code;
}

int play_command(const RawPlay& raw) {
  PlayOptions options = play_options(raw);
  Player player(options);
  catch_stop_signals({SIGINT, SIGTERM});
  return play(player, options);
}

}  // namespace

void add_play_command(CLI::App& app, Action& action) {
  auto raw = std::make_shared<RawPlay>();
  CLI::App* cmd = app.add_subcommand(
      "play",
      "Play the metronome live through a running JACK server (port cacophony:out). With --link, "
      "type a tempo (and, with --start-stop-sync, start or stop) and Enter to change the session "
      "for every peer");
  cmd->add_option("--bpm", raw->bpm,
                  "Tempo in beats per minute, 1..6000 (required without --link; with --link, "
                  "20..999, proposed when no session exists, default 120)");
  cmd->add_option("--beats", raw->beats, "Beats to play, 1..10000000 (default: until Ctrl-C)");
  cmd->add_option("--meter", raw->meter,
                  "Volume source: simulated (seeded random), file:PATH (the recording's "
                  "momentary loudness) or jack (the momentary loudness of the input port "
                  "cacophony:in)")
      ->capture_default_str();
  cmd->add_option("--seed", raw->seed, "Seed of the simulated meter")->capture_default_str();
  cmd->add_option("--connect", raw->connect,
                  "JACK input port to connect to, repeatable (default: the system's playback "
                  "ports)");
  cmd->add_option("--meter-connect", raw->meter_connect,
                  "JACK output port to connect to cacophony:in, repeatable (with --meter jack)");
  cmd->add_flag("--link", raw->link,
                "Join (or start) an Ableton Link session: take its tempo, click on its beat grid "
                "and follow its tempo changes");
  cmd->add_option("--quantum", raw->quantum,
                  "With --link: beats in a bar, 1..16; the bar's first beat (phase 0) is accented")
      ->capture_default_str();
  cmd->add_flag("--start-stop-sync", raw->start_stop_sync,
                "With --link: follow the session's start and stop");
  cmd->callback([raw, &action] {
    action = [raw] { return with_sound_errors([&raw] { return play_command(*raw); }); };
  });
}

}  // namespace cacophony::cli
