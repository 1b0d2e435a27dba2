// The main job and `run`: stage scenarios, print what each did, write the reports.

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cacophony/analysis/metrics.h"
#include "cacophony/explore/explore.h"
#include "cacophony/harness/harness.h"
#include "cacophony/report/page.h"
#include "cacophony/report/trace.h"
#include "cacophony/runtime/runtime.h"
#include "commands.h"
#include "io/output_file.h"
#include "io/schedule_words.h"
#include "io/signals.h"
#include "io/voice.h"
#include "options/command_model.h"
#include "options/options.h"
#include "options/procs_option.h"
#include "options/stack_size_option.h"

namespace cacophony::cli {
namespace {

struct RawOptions {
  std::vector<std::string> ids;
  std::string bpm = "6000";
  std::string beats = "15";
  std::string delay;
  std::string seed = "1";
  std::string time;    // "" when not given: real, or simulated with --replay
  std::string replay;  // run only
  std::string json;
  std::string report;
  std::string trace;
  std::string stack_size;  // "" when not given: the runtime's default
  std::string procs;       // "" when not given: the cores, for real time
  bool no_report = false;
  int verbose = 0;  // -v: the beats; -vv: every switch between tasks too
  bool explain = false;
  bool realtime = false;  // --rt
};

// What the main job writes when neither --report nor --no-report is given.
constexpr const char* kDefaultReport = "cacophony-report.html";

void add_options(CLI::App& cmd, RawOptions& raw) {
  cmd.add_option("--bpm", raw.bpm, "Tempo in beats per minute, 1..6000")->capture_default_str();
  cmd.add_option("--beats", raw.beats, "Beats per scenario, 1..10000000")->capture_default_str();
  takes_one_of(cmd.add_option("--delay", raw.delay,
                              "Measurement-time simulator: short, random or triangular "
                              "(default: each scenario's own)"),
               "short|random|triangular");
  cmd.add_option("--seed", raw.seed, "Seed of the random volumes and delays")
      ->capture_default_str();
  takes_one_of(cmd.add_option("--time", raw.time,
                              "Clock: real (fibers on --procs threads), threads (a thread per "
                              "task) or simulated (deterministic, instant)"),
               time_words("|", "|"))
      ->default_str(std::string(runtime::name(RunOptions{}.time)));
  takes_file(cmd.add_option("--json", raw.json, "Write the measured figures as JSON to FILE"))
      ->check(kOutputName);
  takes_file(cmd.add_option("--report", raw.report,
                            "Write the report page, one self-contained HTML file, to FILE"))
      ->check(kOutputName);
  takes_file(cmd.add_option("--trace", raw.trace,
                            "Write a Chrome trace (chrome://tracing, ui.perfetto.dev) to FILE"))
      ->check(kOutputName);
  add_stack_size_option(cmd, raw.stack_size);
  add_procs_option(cmd, raw.procs);
  cmd.add_flag("-v,--verbose", raw.verbose,
               "Print every beat as it is performed; twice (-vv), every switch between tasks too "
               "(simulated time)");
  cmd.add_flag("--explain", raw.explain,
               "After each run, print its schedule in words: at every choice, which ready task "
               "ran before which (simulated time)");
  cmd.add_flag("--rt", raw.realtime,
               fmt::format("Run the clock's thread at real-time priority (SCHED_FIFO {}) where "
                           "the system allows it (root, CAP_SYS_NICE or RLIMIT_RTPRIO), so busy "
                           "threads can't delay a beat's wake-up (real and threads time)",
                           runtime::Runtime::kRealtimePriority));
}

// The first Ctrl-C lets the running scenario finish; the second gives up at once.
constexpr OnStop kOnStop{"stopping after this scenario (Ctrl-C again to abort at once)", true};

RunOptions run_options(const RawOptions& raw) {
  RunOptions options;
  options.bpm = parse_bpm(raw.bpm);
  options.beats = static_cast<int>(parse_count("--beats", raw.beats, 1, RunOptions::kMaxBeats));
  options.seed = parse_seed(raw.seed);
  if (!raw.time.empty()) options.time = parse_time(raw.time);
  if (!raw.delay.empty()) options.delay = parse_delay_option(raw.delay);
  return options;
}

void print_header(FILE* log, const RunOptions& options, std::size_t scenarios, bool realtime) {
  const std::string priority =
      realtime ? fmt::format(", real-time priority {}", runtime::Runtime::kRealtimePriority) : "";
  const unsigned procs = runtime::Runtime::procs();
  const std::string workers = options.time == runtime::TimeMode::real && procs > 1
                                  ? fmt::format(" on {} worker threads", procs)
                                  : "";
  std::fprintf(log, "%s: %zu scenario%s at %lld bpm, %d beats, seed %llu, %.*s time%s%s\n",
               program_name().c_str(), scenarios, scenarios == 1 ? "" : "s",
               static_cast<long long>(options.bpm.value()), options.beats,
               static_cast<unsigned long long>(options.seed),
               static_cast<int>(runtime::name(options.time).size()),
               runtime::name(options.time).data(), workers.c_str(), priority.c_str());
  flush(log);
}

Tracker::Observer beat_printer(FILE* log, bool verbose) {
  if (!verbose) return {};
  return [log](const Event& e) {
    if (e.category == Category::beat)
      std::fprintf(log, "   %10.3f ms  %s%s\n", static_cast<double>(e.at.count()) / 1e6,
                   tooltip(e).c_str(), e.after_end ? "  (after the metronome returned)" : "");
  };
}

// What the runs leave for the files: the figures always, the runs themselves for the page or the
// trace.
struct Results {
  nlohmann::json figures = nlohmann::json::array();
  std::vector<Run> runs;
  std::vector<Metrics> metrics;
  std::vector<std::optional<Exploration>> often;  // how_often() of each run
};

void write_results(const OutputFiles& outputs, const RunOptions& options, const Results& results) {
  if (OutputFile* json = outputs.get(Output::json))
    outputs.finish(*json, results.figures.dump(2) + "\n");
  if (OutputFile* report = outputs.get(Output::report))
    outputs.finish(*report, report_page(results.runs, results.metrics, options, results.often));
  if (OutputFile* trace = outputs.get(Output::trace)) {
    // Written as it is made: a long trace never sits in memory whole.
    write_chrome_trace(results.runs, [trace](std::string_view piece) { trace->write(piece); });
    outputs.finish(*trace, "\n");
  }
}

// --replay: the schedule (from `explore`), run in simulated time with its own seed.
std::optional<runtime::Schedule> replay_schedule(const RawOptions& raw, RunOptions& options) {
  if (raw.replay.empty()) return std::nullopt;
  const auto schedule = runtime::Schedule::parse(raw.replay);
  if (!schedule)
    throw UsageError(
        fmt::format("--replay takes a schedule that `{} explore` printed "
                    "(e.g. random:3:17), got '{}'",
                    program_name(), raw.replay));
  if (options.time != runtime::TimeMode::simulated && !raw.time.empty())
    throw UsageError(fmt::format(
        "--replay runs in simulated time (a schedule orders simulated tasks), not --time {}",
        raw.time));
  options.time = runtime::TimeMode::simulated;
  options.seed = schedule->run_seed;
  return schedule;
}

// --rt: the runs' thread at real-time priority before any work, or one line why not.
void use_realtime(const RawOptions& raw, const RunOptions& options) {
  if (!raw.realtime) return;
  if (options.time == runtime::TimeMode::simulated)
    throw UsageError("--rt raises a real clock's thread: add --time real or --time threads");
  if (const int refused = runtime::Runtime::use_realtime_priority())
    throw UsageError(fmt::format(
        "--rt: this system refuses real-time priority {} ({}); it needs root, CAP_SYS_NICE or "
        "an RLIMIT_RTPRIO of at least {} (ulimit -r)",
        runtime::Runtime::kRealtimePriority, std::strerror(refused),
        runtime::Runtime::kRealtimePriority));
}

// The strategy of one run: the replayed schedule's, or none (FIFO), inside a Narrator when the
// schedule is told (-vv, --explain).
struct RunStrategy {
  std::unique_ptr<runtime::Strategy> replayed;
  std::unique_ptr<runtime::Narrator> narrator;
  runtime::Strategy* get() const { return narrator ? narrator.get() : replayed.get(); }
};

// Only a simulated run has a schedule to tell: the other clocks leave the order to the machine.
bool tells_schedule(const RawOptions& raw, const RunOptions& options) {
  if (raw.verbose < 2 && !raw.explain) return false;
  if (options.time != runtime::TimeMode::simulated)
    throw UsageError(fmt::format("{} tells a simulated run's schedule: add --time simulated",
                                 raw.explain ? "--explain" : "-vv"));
  return true;
}

RunStrategy run_strategy(const Scenario& s, const std::optional<runtime::Schedule>& replay,
                         const RunOptions& options, bool narrated, FILE* switches) {
  RunStrategy out;
  if (replay) out.replayed = replay_strategy(s, *replay, options);
  if (narrated)
    out.narrator = std::make_unique<runtime::Narrator>(
        out.replayed.get(),
        switches ? switch_printer(switches) : runtime::Narrator::SwitchObserver{});
  return out;
}

// How often each anomaly occurs, beside a run's own figures: the scenario explored over
// kHowOftenSchedules schedules (random order and timing, seeds --seed + i), in simulated time,
// at the run's beats and tempo. Runs longer than kHowOftenBeats are not explored: the main job
// stays within seconds.
constexpr std::size_t kHowOftenSchedules = 100;
constexpr int kHowOftenBeats = 1000;

std::optional<Exploration> how_often(const Scenario& s, const RunOptions& options) {
  if (options.beats > kHowOftenBeats) return std::nullopt;
  ExploreOptions o;
  o.schedules = kHowOftenSchedules;
  o.seed = options.seed;
  o.run = options;
  o.run.strategy = nullptr;
  return explore(s, o, {}, stop_requested);
}

// {"schedules": 100, "lost": 69, ...}: every class's count.
nlohmann::json how_often_json(const Exploration& x) {
  nlohmann::json out = {{"schedules", x.schedules}};
  for (std::size_t c = 0; c < x.outcomes.size(); ++c) out[kOutcomeNames[c]] = x.outcomes[c].count;
  return out;
}

// "   how often, 100 schedules: lost 74/100  disorder 93/100  overlap 100/100": every class met
// but clean.
std::string how_often_line(const Exploration& x) {
  std::string met;
  for (std::size_t c = 0; c < x.outcomes.size(); ++c) {
    if (x.outcomes[c].count == 0 || static_cast<Outcome>(c) == Outcome::clean) continue;
    met += fmt::format("{}{} {}/{}", met.empty() ? "" : "  ", kOutcomeNames[c], x.outcomes[c].count,
                       x.schedules);
  }
  return fmt::format("   how often, {} schedules: {}", x.schedules,
                     met.empty() ? "clean in every one" : met);
}

int run_scenarios(const RawOptions& raw, const std::vector<const Scenario*>& chosen) {
  RunOptions options = run_options(raw);
  use_stack_size(raw.stack_size);
  const std::optional<runtime::Schedule> replay = replay_schedule(raw, options);
  const bool narrated = tells_schedule(raw, options);
  use_procs(raw.procs, options.time);
  use_realtime(raw, options);
  // Opened before the runs start, so that a bad path costs no work.
  const OutputFiles outputs(
      {{Output::json, &raw.json}, {Output::report, &raw.report}, {Output::trace, &raw.trace}});
  const bool keep_runs = !raw.report.empty() || !raw.trace.empty();
  // The events the page or the trace show of each run; the figures count them all.
  const std::size_t window = !raw.trace.empty()    ? kMaxTraceEvents
                             : !raw.report.empty() ? kMaxChartEvents
                                                   : 0;
  catch_stop_signals({SIGINT, SIGTERM}, kOnStop);
  print_header(outputs.log(), options, chosen.size(), raw.realtime);

  const Tracker::Observer observer = beat_printer(outputs.log(), raw.verbose > 0);
  Results results;
  for (const Scenario* s : chosen) {
    if (stop_requested()) break;
    const RunStrategy strategy =
        run_strategy(*s, replay, options, narrated, raw.verbose > 1 ? outputs.log() : nullptr);
    options.strategy = strategy.get();
    std::optional<StopSignalsElsewhere> fibers_run_here(std::in_place);
    MeasuredRun measured = run_measured(*s, options, observer, window);
    options.strategy = nullptr;
    const Metrics& m = measured.metrics;
    if (raw.explain) print_schedule(outputs.log(), *strategy.narrator);
    std::fprintf(outputs.log(), "%s\n", summary_line(m).c_str());
    const std::optional<Exploration> often = how_often(*s, options);
    fibers_run_here.reset();
    if (often) std::fprintf(outputs.log(), "%s\n", how_often_line(*often).c_str());
    flush(outputs.log());
    results.figures.push_back(to_json(m));
    if (often) results.figures.back()["how_often"] = how_often_json(*often);
    std::optional<Stop> stopped = measured.run.stopped;
    if (stopped) results.figures.back()["stopped"] = stopped->error;
    if (keep_runs) {
      results.runs.push_back(std::move(measured.run));
      results.metrics.push_back(m);
      results.often.push_back(often);
    }
    // The files still show the run up to its stop; the error then ends the command as before.
    if (stopped) {
      write_results(outputs, options, results);
      throw std::runtime_error(stopped->error);
    }
  }
  write_results(outputs, options, results);
  return stop_requested() ? 130 : 0;
}

}  // namespace

const CLI::Validator kOutputName(
    [](const std::string& name) {
      return name.empty() ? std::string("needs a file name ('-' for standard output)")
                          : std::string();
    },
    "");

std::string anomalies_help() {
  std::string out = "The anomalies counted (N: the beats expected, numbered 0..N-1):\n";
  for (const Anomaly& a : kAnomalies) out += fmt::format("  {:<10} {}\n", a.name, a.definition);
  return out;
}

void add_run_commands(CLI::App& app, Action& action) {
  // The options live as long as the parsers that fill them and the actions that read them.
  auto all = std::make_shared<RawOptions>();
  add_options(app, *all);
  app.footer(anomalies_help());
  app.add_flag("--no-report", all->no_report,
               std::string("Don't write the report page (by default ") + kDefaultReport + ")");
  action = [all] {
    RawOptions options = *all;
    if (options.no_report && !options.report.empty())
      throw UsageError("--no-report and --report contradict each other: give one");
    if (options.report.empty() && !options.no_report) options.report = kDefaultReport;
    return run_scenarios(options,
                         std::vector<const Scenario*>(scenarios().begin(), scenarios().end()));
  };

  auto some = std::make_shared<RawOptions>();
  CLI::App* run = app.add_subcommand(
      "run", fmt::format("Run the named scenarios (see `{} list`)", program_name()));
  takes_scenarios(run->add_option("id", some->ids, "Scenario ids"))->required();
  add_options(*run, *some);
  run->footer(anomalies_help());
  run->add_option("--replay", some->replay,
                  fmt::format("Run exactly this schedule (printed by `{} explore`), in simulated "
                              "time; its seed replaces --seed",
                              program_name()));
  run->callback([some, &action] {
    action = [some] { return run_scenarios(*some, parse_scenarios(some->ids)); };
  });
}

void add_list_command(CLI::App& app, Action& action) {
  app.add_subcommand("list", "List the scenarios with a line on each")->callback([&action] {
    action = [] {
      int n = 0;
      for (const Scenario* s : scenarios()) {
        std::printf("%2d  %-56s %s\n", ++n, std::string(s->id).c_str(),
                    plain_text(s->description).c_str());
      }
      return 0;
    };
  });
}

}  // namespace cacophony::cli
