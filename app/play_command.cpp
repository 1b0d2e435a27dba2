// `play`: the metronome live, through a running JACK server, alone or in an Ableton Link session.

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/link/link_grid.h"
#include "cacophony/link/session.h"
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
  bool link = false;
  std::string quantum = "4";
  bool start_stop_sync = false;
};

std::atomic<int> stop_play{0};

extern "C" void on_play_signal(int) {
  stop_play.store(1);
}

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

std::string peers_text(std::size_t peers) {
  return fmt::format("{} peer{}", peers, peers == 1 ? "" : "s");
}

// What `play --link` says about its session: once on joining, then on every change.
class LinkReport {
 public:
  explicit LinkReport(const link::Session& session) : session_(session) {}

  // Waits up to `patience` for peers, then says whom it plays with.
  link::Status join(std::chrono::milliseconds patience) {
    const auto until = std::chrono::steady_clock::now() + patience;
    link::Status s = session_.status();
    while (s.peers == 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      s = session_.status();
    }
    if (s.peers == 0)
      std::printf("link: no peers: playing alone at %.2f bpm\n", s.bpm);
    else
      std::printf("link: joined %s at %.2f bpm\n", peers_text(s.peers).c_str(), s.bpm);
    std::fflush(stdout);
    last_ = s;
    return s;
  }

  void update() {
    const link::Status s = session_.status();
    if (s.peers != last_.peers) std::printf("link: %s\n", peers_text(s.peers).c_str());
    if (std::abs(s.bpm - last_.bpm) >= 0.005) std::printf("link: tempo %.2f bpm\n", s.bpm);
    if (s.playing != last_.playing) std::printf("link: %s\n", s.playing ? "started" : "stopped");
    std::fflush(stdout);
    last_ = s;
  }

 private:
  const link::Session& session_;
  link::Status last_;
};

// Lines typed on stdin while playing with --link: a tempo, `start` or `stop`. Read without
// blocking, so the play loop keeps its pace.
class Commands {
 public:
  explicit Commands(link::Session& session) : session_(session) {}

  void poll_input() {
    if (closed_) return;
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    while (::poll(&fd, 1, 0) > 0 && (fd.revents & (POLLIN | POLLHUP))) {
      char chunk[256];
      const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n <= 0) {
        closed_ = true;
        return;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
      for (auto eol = buffer_.find('\n'); eol != std::string::npos; eol = buffer_.find('\n')) {
        run(buffer_.substr(0, eol));
        buffer_.erase(0, eol + 1);
      }
    }
  }

 private:
  void run(std::string line) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (line.empty()) return;
    if (line == "start" || line == "stop") {
      if (!session_.start_stop_sync())
        std::fprintf(stderr, "cacophony: '%s' needs --start-stop-sync\n", line.c_str());
      else
        session_.set_playing(line == "start");
      return;
    }
    char* end = nullptr;
    const double bpm = std::strtod(line.c_str(), &end);
    if (end == line.c_str() || *end != '\0' || !(bpm >= link::kMinBpm && bpm <= link::kMaxBpm)) {
      std::fprintf(stderr,
                   "cacophony: '%s' is not a command: type a tempo in [%.0f, %.0f], start or "
                   "stop\n",
                   line.c_str(), link::kMinBpm, link::kMaxBpm);
      return;
    }
    session_.set_tempo(bpm);
  }

  link::Session& session_;
  std::string buffer_;
  bool closed_ = false;
};

int play_command(const RawPlay& raw) {
  if (!raw.link && raw.bpm.empty()) throw UsageError("--bpm is required (or --link)");
  if (!raw.link && (raw.start_stop_sync || raw.quantum != "4"))
    throw UsageError(raw.start_stop_sync ? "--start-stop-sync needs --link"
                                         : "--quantum needs --link");
  const Bpm bpm = parse_bpm(raw.bpm.empty() ? "120" : raw.bpm);
  if (raw.link && (bpm.value() < link::kMinBpm || bpm.value() > link::kMaxBpm))
    throw UsageError(fmt::format("--bpm must be in [{:.0f}, {:.0f}] with --link, got {}",
                                 link::kMinBpm, link::kMaxBpm, bpm.value()));
  const std::int64_t quantum = parse_count("--quantum", raw.quantum, 1, 16);
  const std::int64_t beats = raw.beats.empty() ? sound::Engine::kEndless
                                               : parse_count("--beats", raw.beats, 1, 10'000'000);
  const std::uint64_t seed = parse_seed(raw.seed);
  std::unique_ptr<sound::Meter> meter;
  bool live_meter = false;
  try {
    live_meter = sound::meter_kind(raw.meter, true) == sound::MeterKind::jack;
    if (!live_meter) meter = sound::make_meter(raw.meter, seed);
  } catch (const sound::BadInput& e) {
    throw UsageError(e.what());
  }
  if (!live_meter && !raw.meter_connect.empty())
    throw UsageError("--meter-connect needs --meter jack");

  std::unique_ptr<sound::JackSink> sink;
  try {
    sink = std::make_unique<sound::JackSink>("cacophony", live_meter);
  } catch (const sound::NoJackServer& e) {
    throw UsageError(e.what());
  }
  if (live_meter) meter = std::make_unique<sound::JackMeter>(*sink);
  std::unique_ptr<link::Session> session;
  std::unique_ptr<sound::Grid> grid;
  if (raw.link) {
    session = std::make_unique<link::Session>(static_cast<double>(bpm.value()),
                                              static_cast<double>(quantum), raw.start_stop_sync);
    grid = std::make_unique<link::LinkGrid>(*session);
  } else {
    grid = std::make_unique<sound::FixedGrid>(sink->rate(), bpm);
  }
  sound::Engine engine(sink->rate(), *grid, beats);
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
    std::optional<LinkReport> report;
    std::optional<Commands> commands;
    if (session) {
      report.emplace(*session);
      const link::Status joined = report->join(std::chrono::seconds(1));
      // Alone, starting is ours to do; in a session, its peers' start and stop are followed.
      if (session->start_stop_sync() && joined.peers == 0) session->set_playing(true);
      // Link shares start and stop as they happen: a peer that joins learns of the next one.
      if (session->start_stop_sync() && joined.peers > 0 && !joined.playing)
        std::printf("link: waiting for a peer to start or stop (type start to start them all)\n");
      commands.emplace(*session);
    }
    sink->play();

    sound::BeatEvent event;
    auto next_report = std::chrono::steady_clock::now();
    while (true) {
      while (sink->pop(event)) print(event, raw.link);
      if (report && std::chrono::steady_clock::now() >= next_report) {
        commands->poll_input();
        report->update();
        next_report += std::chrono::milliseconds(50);
      }
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
    while (sink->pop(event)) print(event, raw.link);
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
      "play",
      "Play the metronome live through a running JACK server (port cacophony:out). With --link, "
      "type a tempo (and, with --start-stop-sync, start or stop) and Enter to change the session "
      "for every peer");
  cmd->add_option("--bpm", raw.bpm,
                  "Tempo in beats per minute, 1..6000 (required without --link; with --link, "
                  "20..999, proposed when no session exists, default 120)");
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
  cmd->add_flag("--link", raw.link,
                "Join (or start) an Ableton Link session: take its tempo, click on its beat grid "
                "and follow its tempo changes");
  cmd->add_option("--quantum", raw.quantum,
                  "With --link: beats in a bar, 1..16; the bar's first beat (phase 0) is accented")
      ->capture_default_str();
  cmd->add_flag("--start-stop-sync", raw.start_stop_sync,
                "With --link: follow the session's start and stop");
  cmd->callback([&action] { action = [] { return play_command(raw); }; });
}

}  // namespace cacophony::cli
