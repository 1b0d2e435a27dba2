// `practice`: the click played through JACK while the player is heard on `cacophony:in`, each
// bar's figures shown as it ends; at the end (or Ctrl-C) everything measured is reported, as
// `analyze` reports a take. `practice --calibrate` measures the round trip through a loopback.

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/practice/practice.h"
#include "cacophony/rhythm/parse.h"
#include "cacophony/sound/engine.h"
#include "cacophony/sound/jack_sink.h"
#include "cacophony/sound/muted_grid.h"
#include "cacophony/sound/rhythm_grid.h"
#include "commands.h"
#include "options.h"
#include "practice_options.h"
#include "rhythm_options.h"
#include "signals.h"
#include "sound_errors.h"

namespace cacophony::cli {
namespace {

constexpr std::int64_t kMaxBeats = 200'000;  // an endless rhythm is measured up to this

struct RawPracticeCommand {
  RawRhythm rhythm;
  RawPractice practice;
  std::vector<std::string> connect;
  std::vector<std::string> listen_connect;
  bool calibrate = false;
};

// Where the calibration is kept: $XDG_CONFIG_HOME/cacophony/latency-ms, else ~/.config/...
std::filesystem::path calibration_file() {
  const char* config = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = config && *config ? std::filesystem::path(config)
                                     : home && *home   ? std::filesystem::path(home) / ".config"
                                                       : std::filesystem::path(".");
  return base / "cacophony" / "latency-ms";
}

// What the calibration measured beyond JACK's reported latency, in ms; 0 without one.
double stored_calibration() {
  std::ifstream in(calibration_file());
  double ms = 0;
  if (in >> ms && ms > -1000 && ms < 1000) return ms;
  return 0;
}

// The grid of what plays: an endless rhythm is measured up to kMaxBeats beats, cut at the end
// to what was heard.
std::vector<practice::Position> practice_grid(rhythm::Performance performance, int rate,
                                              const practice::MutePlan& plan) {
  if (performance.sections.back().beats == rhythm::kEndless)
    performance = rhythm::limit_beats(performance, kMaxBeats);
  return practice::positions(performance, rate, plan);
}

// Which bars the click is silent in, decided before it plays: MutePlan::muted seeds a generator
// for each bar (and allocates doing so), which the audio thread must not. Bars outside the grid
// (past an endless rhythm's measured stretch) sound.
class MutedBars {
 public:
  MutedBars(const practice::MutePlan& plan, const std::vector<practice::Position>& grid,
            std::int64_t lowest) {
    first_ = lowest;
    const std::int64_t last = grid.empty() ? lowest : grid.back().bar;
    for (std::int64_t bar = lowest; bar <= last; ++bar) muted_.push_back(plan.muted(bar));
  }
  static bool muted(const void* self, std::int64_t bar) {
    const auto* m = static_cast<const MutedBars*>(self);
    const std::int64_t i = bar - m->first_;
    return i >= 0 && i < static_cast<std::int64_t>(m->muted_.size()) &&
           m->muted_[static_cast<std::size_t>(i)];
  }

 private:
  std::int64_t first_ = 0;
  std::vector<bool> muted_;
};

// The click, heard as it goes and measured at the end.
struct Session {
  // A count-in's bars come before the performance's first (at most kMaxCountIn and one more).
  Session(const rhythm::Performance& performance, const practice::MutePlan& plan, int volume)
      : sink("cacophony", true),
        positions(practice_grid(performance, sink.rate(), plan)),
        muted(plan, positions, performance.first_bar - rhythm::Feel::kMaxCountIn - 1) {
    rhythm_grid = std::make_unique<sound::RhythmGrid>(performance, sink.rate());
    grid = std::make_unique<sound::MutedGrid>(*rhythm_grid, MutedBars::muted, &muted);
    engine = std::make_unique<sound::Engine>(sink.rate(), *grid, sound::Engine::kEndless);
    engine->set_volume(volume);
  }
  ~Session() {
    if (!sink.stop()) abandon();
  }
  // As Player::abandon in play: a wedged server's callback may still run on these.
  void abandon() {
    static_cast<void>(engine.release());
    static_cast<void>(grid.release());
    static_cast<void>(rhythm_grid.release());
  }

  sound::JackSink sink;
  std::vector<practice::Position> positions;  // what is measured
  MutedBars muted;
  std::unique_ptr<sound::RhythmGrid> rhythm_grid;
  std::unique_ptr<sound::MutedGrid> grid;
  std::unique_ptr<sound::Engine> engine;
  std::vector<float> heard;
  std::vector<practice::Hit> hits;
};

void connect(Session& s, const RawPracticeCommand& raw) {
  std::vector<std::string> targets = raw.connect;
  if (targets.empty()) targets = s.sink.playback_ports();
  for (const std::string& port : targets) s.sink.connect(port);
  for (const std::string& port : raw.listen_connect) s.sink.connect_input(port);
}

// Moves what came in to `heard`, through the onset detector.
void take_input(Session& s, practice::OnsetDetector& detector) {
  const std::size_t from = s.heard.size();
  float sample = 0;
  while (s.sink.pop_input(sample)) s.heard.push_back(sample);
  if (s.heard.size() > from) detector.feed(s.heard.data() + from, s.heard.size() - from, s.hits);
}

// Plays until the end (0), a stop signal (130) or the server's going (1), printing each bar's
// figures once the bar and the matching window after it have been heard.
int listen(Session& s, const std::vector<practice::Position>& grid, double latency_ms, double bpm) {
  practice::OnsetDetector detector(s.sink.rate());
  const auto window = static_cast<std::int64_t>(practice::kMaxOffsetMs * s.sink.rate() / 1000);
  std::size_t next_bar = 0;  // into the grid: the first position of the bar not yet shown
  sound::BeatEvent event;
  int code = 0;
  while (true) {
    while (s.sink.pop(event)) {
    }
    take_input(s, detector);
    std::size_t end = next_bar;
    while (end < grid.size() && grid[end].bar == grid[next_bar].bar) ++end;
    const bool bar_heard =
        end < grid.size() && grid[end].frame + window < static_cast<std::int64_t>(s.heard.size());
    if (bar_heard && next_bar < grid.size()) {
      const std::vector<practice::Position> so_far(grid.begin(), grid.begin() + end);
      const practice::Result r = practice::measure(so_far, s.hits, s.sink.rate(), latency_ms, bpm);
      if (!r.bars.empty()) std::printf("%s\n", bar_line(r.bars.back()).c_str());
      std::fflush(stdout);
      next_bar = end;
    }
    if (s.sink.finished()) break;
    if (stop_requested()) {
      code = 130;
      break;
    }
    if (s.sink.server_gone()) {
      std::fprintf(stderr, "cacophony: failed: the JACK server went away\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  take_input(s, detector);
  detector.finish(s.hits);
  return code;
}

double latency_of(const RawPracticeCommand& raw, const Session& s) {
  if (const auto given = latency_ms(raw.practice)) return *given;
  return static_cast<double>(s.sink.reported_round_trip()) * 1000 / s.sink.rate() +
         stored_calibration();
}

// The values practice takes besides the rhythm, checked before anything plays: with --calibrate
// too, which plays a rhythm of its own and uses none of them.
struct PracticeValues {
  practice::MutePlan plan;
  int volume = 80;
};

PracticeValues practice_values(const RawPracticeCommand& raw) {
  PracticeValues values;
  values.plan = mute_plan(raw.practice, parse_seed(raw.rhythm.seed));
  const VolumeChoice volume = volume_of(raw.rhythm, false);
  if (volume.follow) throw UsageError("practice plays a steady click: --follow is not taken");
  values.volume = volume.volume;
  static_cast<void>(latency_ms(raw.practice));
  check_unused(raw.rhythm);
  return values;
}

int practice_command(const RawPracticeCommand& raw) {
  const rhythm::Performance performance = performance_of(raw.rhythm, false);
  const PracticeValues values = practice_values(raw);
  declare_inputs(raw.rhythm);
  const OutputFiles outputs = practice_outputs(raw.practice);
  Session s(performance, values.plan, values.volume);
  catch_stop_signals({SIGINT, SIGTERM});
  s.sink.start(*s.engine);
  connect(s, raw);
  const double latency = latency_of(raw, s);
  std::vector<practice::Position> grid = s.positions;
  s.sink.play();
  const int code = listen(s, grid, latency, performance.sections.front().tempo.from);
  if (code == 1) return code;
  const auto heard = static_cast<std::int64_t>(s.heard.size());
  std::erase_if(grid, [heard](const practice::Position& p) { return p.frame >= heard; });
  const practice::Result result = practice::measure(grid, s.hits, s.sink.rate(), latency,
                                                    performance.sections.front().tempo.from);
  report_result(result, outputs, "practice (cacophony:in)",
                fmt::format("{}", fmt::join(raw.rhythm.words, " ")));
  return code;
}

// Plays two bars of 4/4 at 120 into its own input (the user connects cacophony:out to
// cacophony:in, by cable or jack_connect) and keeps what the round trip takes beyond what JACK
// reports.
int calibrate(const RawPracticeCommand& raw) {
  static_cast<void>(practice_values(raw));
  rhythm::Performance p = rhythm::parse_words(std::vector<std::string>{"2", "4/4", "120"});
  Session s(p, practice::MutePlan{}, 80);
  catch_stop_signals({SIGINT, SIGTERM});
  s.sink.start(*s.engine);
  connect(s, raw);
  const std::vector<practice::Position>& grid = s.positions;
  s.sink.play();
  if (const int code = listen(s, grid, 0, 120); code != 0) return code;
  const practice::Result r = practice::measure(grid, s.hits, s.sink.rate(), 0, 120);
  if (r.overall.hits < grid.size() / 2)
    throw std::runtime_error(
        fmt::format("calibration heard {} of {} clicks: connect cacophony:out to cacophony:in "
                    "(a cable, or jack_connect cacophony:out cacophony:in) and try again",
                    r.overall.hits, grid.size()));
  const double reported = static_cast<double>(s.sink.reported_round_trip()) * 1000 / s.sink.rate();
  const double beyond = r.overall.mean_offset_ms - reported;
  const std::filesystem::path file = calibration_file();
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << fmt::format("{:.3f}\n", beyond);
  std::printf("round trip %.2f ms (JACK reports %.2f ms): %.2f ms kept in %s\n",
              r.overall.mean_offset_ms, reported, beyond, file.c_str());
  return 0;
}

}  // namespace

void add_practice_command(CLI::App& app, Action& action) {
  auto raw = std::make_shared<RawPracticeCommand>();
  CLI::App* cmd = app.add_subcommand(
      "practice",
      "Play the click through JACK and measure the player heard on cacophony:in: each hit's "
      "offset, misses, extras, steadiness and tempo, bar by bar; Ctrl-C reports what was "
      "measured. --calibrate measures the round trip through a loopback first");
  cmd->footer(rhythm_help("practice"));
  add_rhythm_options(*cmd, raw->rhythm, false);
  add_practice_options(*cmd, raw->practice);
  cmd->add_option("--connect", raw->connect, "JACK port to play the click to, repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--listen-connect", raw->listen_connect,
                  "JACK output port to listen to on cacophony:in, repeatable (e.g. "
                  "system:capture_1)")
      ->allow_extra_args(false);
  cmd->add_flag("--calibrate", raw->calibrate,
                "Measure the round trip out to in (connect cacophony:out to cacophony:in) and "
                "keep it in $XDG_CONFIG_HOME/cacophony/latency-ms");
  cmd->callback([raw, &action] {
    action = [raw] {
      return with_sound_errors(
          [&raw] { return raw->calibrate ? calibrate(*raw) : practice_command(*raw); });
    };
  });
}

}  // namespace cacophony::cli
