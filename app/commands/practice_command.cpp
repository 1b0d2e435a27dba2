// `practice`: the click played through JACK while the player is heard on `cacophony:in`, each
// bar's figures shown as it ends; at the end (or Ctrl-C) everything measured is reported, as
// `analyze` reports a take. `practice --calibrate` measures the round trip through a loopback.

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cacophony/practice/align.h"
#include "cacophony/practice/click_track.h"
#include "cacophony/practice/practice.h"
#include "cacophony/rhythm/parse.h"
#include "cacophony/sound/engine.h"
#include "cacophony/sound/muted_grid.h"
#include "cacophony/sound/rhythm_grid.h"
#include "commands.h"
#include "io/output_file.h"
#include "io/signals.h"
#include "io/sound_errors.h"
#include "io/voice.h"
#include "live/live_rig.h"
#include "options/options.h"
#include "options/practice_options.h"
#include "options/rhythm_options.h"

namespace cacophony::cli {
namespace {

constexpr std::int64_t kMaxBeats = 200'000;  // an endless rhythm is measured up to this

struct RawPracticeCommand {
  RawRhythm rhythm;
  RawPractice practice;
  std::vector<std::string> connect;
  std::vector<std::string> listen_connect;
  bool calibrate = false;
  bool speakers = false;
  std::string name = "cacophony";
};

// Where the calibration is kept: $XDG_CONFIG_HOME/cacophony/latency-ms, else ~/.config/...
std::filesystem::path calibration_file() {
  return config_file("latency-ms");
}

// What the calibration measured beyond JACK's reported latency, in ms; 0 without one. Only a
// regular file is read, and opened without blocking: a FIFO or a device in its place would hang
// practice at its start, so it is said and left alone.
double stored_calibration() {
  const std::filesystem::path file = calibration_file();
  const int fd = open(file.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      note(fmt::format("the calibration in {} cannot be read ({}): none taken", file.string(),
                       std::strerror(errno)));
    return 0;
  }
  struct stat st {};
  std::array<char, 64> text{};
  ssize_t n = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    n = read(fd, text.data(), text.size());
  else
    note(fmt::format("{} is not a regular file: no calibration taken", file.string()));
  close(fd);
  std::string_view kept(text.data(), static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  while (!kept.empty() && std::isspace(static_cast<unsigned char>(kept.back())))
    kept.remove_suffix(1);
  const std::optional<double> ms = read_number(kept);
  return ms && std::abs(*ms) < kMaxLatencyMs ? *ms : 0;
}

// Keeps `ms` as the calibration, the file replaced atomically (OutputFile). Throws
// std::runtime_error (exit 1) when it can't: the measurement would be lost unsaid otherwise.
void keep_calibration(double ms) {
  const std::filesystem::path file = calibration_file();
  const auto lost = [](const std::string& why) {
    return std::runtime_error("the calibration was not kept: " + why);
  };
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  if (error)
    throw lost(fmt::format("cannot make '{}': {}", file.parent_path().string(), error.message()));
  const auto status = std::filesystem::status(file, error);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw lost(fmt::format("'{}' is not a regular file", file.string()));
  try {
    OutputFile out(file.string());
    out.write(fmt::format("{:.3f}\n", ms));
    out.commit();
  } catch (const std::exception& e) {
    throw lost(e.what());
  }
}

// What is measured of what plays: an endless rhythm up to kMaxBeats beats.
rhythm::Performance measured(rhythm::Performance performance) {
  if (performance.sections.back().beats == rhythm::kEndless)
    performance = rhythm::limit_beats(performance, kMaxBeats);
  return performance;
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

// The values practice takes besides the rhythm, checked before anything plays: with --calibrate
// too, which plays a rhythm of its own and uses none of them.
struct PracticeValues {
  practice::MutePlan plan;
  int volume = 80;
  ClickChoice sounds;
  std::string name = "cacophony";
  bool speakers = false;
};

// --speakers: the clicks the engine plays, told to the detector (ClickBleed) so that what the
// microphone hears of them is not taken for the player: each where the engine starts it, its
// sound at the gain it plays at (a muted bar's clicks are silent, so left out). One sound for each
// kind, voice and level played. How late the microphone hears them (the round trip, and the
// speaker's distance) is ClickBleed::max_delay's, set once the round trip is known.
practice::ClickBleed played_clicks(const rhythm::Performance& performance, int rate,
                                   const MutedBars& muted, const sound::ClickSounds& sounds,
                                   float gain) {
  sound::RhythmGrid rhythm_grid(measured(performance), rate);
  sound::MutedGrid grid(rhythm_grid, MutedBars::muted, &muted);
  practice::ClickBleed bleed;
  std::map<std::tuple<sound::ClickKind, int, float>, std::size_t> sound_of;
  for (sound::Onset o; grid.next_before(std::numeric_limits<std::int64_t>::max(), o);) {
    if (o.level <= 0) continue;
    const auto [at, fresh] = sound_of.try_emplace({o.kind, o.voice, o.level}, bleed.sounds.size());
    if (fresh) {
      std::vector<float> heard = sounds.of(o.kind, o.voice);
      for (float& v : heard) v *= gain * o.level;
      bleed.sounds.push_back(std::move(heard));
    }
    bleed.clicks.push_back({o.frame, at->second});
  }
  return bleed;
}

// A take: the click on a live rig (live_rig.h), heard as it goes and measured at the end.
struct Take {
  // A count-in's bars come before the performance's first (at most kMaxCountIn and one more).
  Take(const rhythm::Performance& performance, const PracticeValues& values)
      : rig(LiveRig::Input::in, values.name),
        rate(rig.rate()),
        positions(practice::positions(measured(performance), rate, values.plan)),
        performance(performance) {
    const MutedBars& muted = rig.keep(std::make_unique<MutedBars>(
        values.plan, positions, performance.first_bar - rhythm::Feel::kMaxCountIn - 1));
    sound::RhythmGrid& rhythm_grid =
        rig.keep(std::make_unique<sound::RhythmGrid>(performance, rate));
    sound::MutedGrid& grid =
        rig.keep(std::make_unique<sound::MutedGrid>(rhythm_grid, MutedBars::muted, &muted));
    sound::ClickSounds sounds = click_sounds(values.sounds, rate);
    if (values.speakers)
      bleed = played_clicks(performance, rate, muted, sounds, sound::volume_gain(values.volume));
    rig.make_engine(grid, sound::Engine::kEndless, std::move(sounds));
    rig.feed_volume(std::make_unique<sound::SteadyMeter>(values.volume));
  }

  LiveRig rig;
  const int rate;
  std::vector<practice::Position> positions;  // what is measured
  std::int64_t heard = 0;                     // input frames taken: only their count is kept
  std::vector<practice::Hit> hits;
  std::size_t bars_shown = 0;  // bars whose line was printed as they ended
  const rhythm::Performance performance;
  practice::ClickBleed bleed;  // --speakers: the clicks played, until the detector takes them
};

// Takes what came in through the onset detector, a block at a time.
void take_input(Take& s, practice::OnsetDetector& detector) {
  std::array<float, 4096> block;
  std::size_t n = 0;
  const auto feed = [&] {
    detector.feed(block.data(), n, s.hits);
    s.heard += static_cast<std::int64_t>(n);
    n = 0;
  };
  while (s.rig.sink().pop_input(block[n]))
    if (++n == block.size()) feed();
  if (n > 0) feed();
}

// The count-in's clicks heard (a loopback, a click bleeding into the microphone) are the click,
// not the player: the hits from `from` on lose them.
void drop_count_in(Take& s, std::size_t from, double latency_ms) {
  if (from == s.hits.size()) return;  // most turns of the loop bring no hit
  std::vector<practice::Hit> fresh(s.hits.begin() + static_cast<std::ptrdiff_t>(from),
                                   s.hits.end());
  if (practice::drop_count_in(fresh, s.performance, s.rate, 0, latency_ms) == 0) return;
  s.hits.resize(from);
  s.hits.insert(s.hits.end(), fresh.begin(), fresh.end());
}

// Plays until the end (0), a stop signal (130) or the server's going (1), printing each bar's
// figures on `log` (when there is one) once every hit up to the next bar is known (BarMeasure);
// then stops the rig.
int play_and_measure(Take& s, double latency_ms, double bpm, FILE* log) {
  // The clicks are heard the round trip later, and up to kBleedDelayMs more from a speaker afar.
  s.bleed.max_delay = std::llround(std::max(0.0, latency_ms) * s.rate / 1000) +
                      std::llround(practice::kBleedDelayMs * s.rate / 1000);
  practice::OnsetDetector detector(s.rate, std::move(s.bleed));
  practice::BarMeasure bars(s.positions, s.rate, latency_ms, bpm);
  std::size_t measured = 0;  // hits given to `bars`
  sound::BeatEvent event;
  int code = 0;
  while (true) {
    while (s.rig.sink().pop(event)) {
    }
    take_input(s, detector);
    drop_count_in(s, measured, latency_ms);
    for (; measured < s.hits.size(); ++measured) bars.add(s.hits[measured]);
    for (const practice::BarFigures& bar : bars.complete(detector.settled())) {
      if (log) std::fprintf(log, "%s\n", bar_line(bar).c_str());
      ++s.bars_shown;
    }
    if (log) flush(log);
    if (s.rig.sink().finished()) break;
    if (stop_requested()) {
      code = 130;
      break;
    }
    if (s.rig.sink().server_gone()) {
      say("failed", "the JACK server went away");
      return 1;
    }
    // The input ring holds seconds: a bar's figures may wait for the display's rate (50 Hz).
    sleep_unless_stopped(std::chrono::milliseconds(20));
  }
  s.rig.stop();
  take_input(s, detector);
  detector.finish(s.hits);
  drop_count_in(s, measured, latency_ms);
  if (const auto late = detector.click_delay())
    note(
        fmt::format("the click was heard {:.1f} ms after it went out (the round trip taken: "
                    "{:.1f} ms), and taken out",
                    frames_ms(*late, s.rate), latency_ms));
  return code;
}

double latency_of(const RawPracticeCommand& raw, const Take& s) {
  if (const auto given = latency_ms(raw.practice)) return *given;
  return frames_ms(s.rig.sink().reported_round_trip(), s.rate) + stored_calibration();
}

PracticeValues practice_values(const RawPracticeCommand& raw) {
  PracticeValues values;
  values.plan = mute_plan(raw.practice, parse_seed(raw.rhythm.seed));
  values.volume = volume_of(raw.rhythm, Playing::offline).volume;
  values.sounds = click_choice(raw.rhythm);
  values.name = parse_client_name(raw.name);
  values.speakers = raw.speakers;
  static_cast<void>(latency_ms(raw.practice));
  return values;
}

int practice_command(const RawPracticeCommand& raw) {
  const rhythm::Performance performance = performance_of(raw.rhythm);
  const PracticeValues values = practice_values(raw);
  declare_inputs(raw.rhythm);
  const OutputFiles outputs = practice_outputs(raw.practice);
  Take s(performance, values);
  catch_stop_signals({SIGINT, SIGTERM});
  s.rig.start(RigConnections{raw.connect, raw.listen_connect});
  const double latency = latency_of(raw, s);
  s.rig.play();
  const int code =
      play_and_measure(s, latency, performance.sections.front().tempo.from, outputs.log());
  if (code == 1) return code;
  std::vector<practice::Position> grid = s.positions;
  std::erase_if(grid, [&s](const practice::Position& p) { return p.frame >= s.heard; });
  const practice::Result result =
      practice::measure(grid, s.hits, s.rate, latency, performance.sections.front().tempo.from);
  // The bars BarMeasure could not complete, measured with the whole take: the last (it has no
  // next bar), and the one a stop cut short.
  for (std::size_t i = s.bars_shown; i < result.bars.size(); ++i)
    std::fprintf(outputs.log(), "%s\n", bar_line(result.bars[i]).c_str());
  report_result(result, outputs, "practice (cacophony:in)",
                fmt::format("{}", fmt::join(raw.rhythm.words, " ")));
  return code;
}

// Plays two bars of 4/4 at 120 into its own input (the user connects cacophony:out to
// cacophony:in, by cable or jack_connect) and keeps what the round trip takes beyond what JACK
// reports; prints the round trip it measured (no bar lines: the clicks are no player's).
int calibrate(const RawPracticeCommand& raw) {
  PracticeValues values;
  values.name = practice_values(raw).name;
  rhythm::Performance p = rhythm::parse_words(std::vector<std::string>{"2", "4/4", "120"});
  Take s(p, values);
  catch_stop_signals({SIGINT, SIGTERM});
  s.rig.start(RigConnections{raw.connect, raw.listen_connect});
  const std::vector<practice::Position>& grid = s.positions;
  const double reported = frames_ms(s.rig.sink().reported_round_trip(), s.rate);
  s.rig.play();
  if (const int code = play_and_measure(s, 0, 120, nullptr); code != 0) return code;
  const practice::Result r = practice::measure(grid, s.hits, s.rate, 0, 120);
  if (r.overall.hits < grid.size() / 2)
    throw std::runtime_error(
        fmt::format("calibration heard {} of {} clicks: connect cacophony:out to cacophony:in "
                    "(a cable, or jack_connect cacophony:out cacophony:in) and try again",
                    r.overall.hits, grid.size()));
  const double beyond = r.overall.mean_offset_ms - reported;
  keep_calibration(beyond);
  const auto [low, high] = std::minmax_element(
      r.hits.begin(), r.hits.end(), [](const practice::Matched& a, const practice::Matched& b) {
        return a.offset_ms < b.offset_ms;
      });
  std::printf(
      "round trip %.2f ms (%zu clicks, spread %.2f ms; JACK reports %.2f ms): %.2f ms kept "
      "in %s\n",
      r.overall.mean_offset_ms, r.overall.hits, high->offset_ms - low->offset_ms, reported, beyond,
      calibration_file().c_str());
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
  add_rhythm_options(*cmd, raw->rhythm, RhythmCommand::practice);
  add_practice_options(*cmd, raw->practice);
  add_client_name(*cmd, raw->name);
  cmd->add_option("--connect", raw->connect, "JACK port to play the click to, repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--listen-connect", raw->listen_connect,
                  "JACK output port to listen to on cacophony:in, repeatable (e.g. "
                  "system:capture_1)")
      ->allow_extra_args(false);
  CLI::Option* calibrating =
      cmd->add_flag("--calibrate", raw->calibrate,
                    "Measure the round trip out to in (connect cacophony:out to cacophony:in) and "
                    "keep it in $XDG_CONFIG_HOME/cacophony/latency-ms");
  cmd->add_flag("--speakers", raw->speakers,
                "The click plays through speakers the microphone hears: take it out of what is "
                "heard, so that it is not taken for the player")
      ->excludes(calibrating);
  cmd->callback([raw, &action] {
    action = [raw] {
      return with_sound_errors(
          [&raw] { return raw->calibrate ? calibrate(*raw) : practice_command(*raw); });
    };
  });
}

}  // namespace cacophony::cli
