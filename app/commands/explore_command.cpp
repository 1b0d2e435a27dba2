// `explore`: scenarios run under many schedules, in simulated time, and what happened across
// them (explore/explore.h).

#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cacophony/analysis/metrics.h"
#include "cacophony/explore/explore.h"
#include "cacophony/report/page.h"
#include "commands.h"
#include "io/output_file.h"
#include "io/signals.h"
#include "io/voice.h"
#include "options/command_model.h"
#include "options/options.h"
#include "options/stack_size_option.h"

namespace cacophony::cli {
namespace {

struct RawExplore {
  std::vector<std::string> ids;
  std::string schedules = "1000";
  std::string strategy = "random";
  std::string vary = "both";
  std::string depth = "3";
  std::string seed = "1";
  std::string beats = "15";
  std::string bpm = "6000";
  std::string json;
  std::string report;
  std::string stack_size;
};

runtime::Schedule::Kind parse_strategy(const std::string& text) {
  if (text == "random") return runtime::Schedule::Kind::random;
  if (text == "pct") return runtime::Schedule::Kind::pct;
  if (text == "dfs") return runtime::Schedule::Kind::dfs;
  throw UsageError(fmt::format("--strategy must be random, pct or dfs, got '{}'", text));
}

Vary parse_vary(const std::string& text) {
  for (std::size_t k = 0; k < kVaryNames.size(); ++k)
    if (text == kVaryNames[k]) return static_cast<Vary>(k);
  throw UsageError(fmt::format("--vary must be order, timing or both, got '{}'", text));
}

ExploreOptions explore_options(const RawExplore& raw) {
  ExploreOptions o;
  o.strategy = parse_strategy(raw.strategy);
  o.vary = parse_vary(raw.vary);
  o.schedules = static_cast<std::size_t>(parse_count("--schedules", raw.schedules, 1, 10'000'000));
  o.depth = static_cast<int>(parse_count("--depth", raw.depth, 1, 100));
  o.seed = parse_seed(raw.seed);
  o.run.seed = o.seed;
  o.run.beats = static_cast<int>(parse_count("--beats", raw.beats, 1, 10'000));
  o.run.bpm = parse_bpm(raw.bpm);
  return o;
}

// "7 distinct task orders", and for dfs whether that is all of them: "all 7 orders" once it ran
// out of schedules to try, "stopped at the bound of 1000 schedules" before.
std::string orders_reached(const Exploration& x) {
  const bool one = x.distinct_orders == 1;
  std::string out = fmt::format("{} distinct task order{}", x.distinct_orders, one ? "" : "s");
  if (x.strategy != "dfs") return out;
  if (x.exhausted) return one ? "the only order" : fmt::format("all {} orders", x.distinct_orders);
  return out + fmt::format(" (stopped at the bound of {} schedules)", x.schedules);
}

// "async_naive: lost beats in 6312/10000 schedules (first: random:5:5)", one line per class seen.
void print_verdict(FILE* log, const Exploration& x) {
  const std::string id(x.scenario->id);
  for (std::size_t c = 0; c < x.outcomes.size(); ++c) {
    const OutcomeCount& o = x.outcomes[c];
    if (o.count == 0) continue;
    std::fprintf(log, "%s: %s in %zu/%zu schedules (first: %s)%s%s\n", id.c_str(),
                 std::string(kOutcomeNames[c]).c_str(), o.count, x.schedules, o.first.c_str(),
                 o.what.empty() ? "" : ": ", o.what.c_str());
  }
  std::string figures;
  for (const MetricRange& m : x.metrics)
    figures += fmt::format("  {} {:g}/{:g}/{:g}", m.name, m.min, m.median, m.max);
  std::fprintf(log, "%s: %zu schedules (%s, vary %s%s), %s; min/median/max:%s\n", id.c_str(),
               x.schedules, x.strategy.c_str(),
               std::string(kVaryNames[static_cast<std::size_t>(x.vary)]).c_str(),
               x.interrupted ? ", interrupted" : "", orders_reached(x).c_str(), figures.c_str());
  flush(log);
}

nlohmann::json to_json(const Exploration& x) {
  nlohmann::json outcomes = nlohmann::json::array();
  for (std::size_t c = 0; c < x.outcomes.size(); ++c)
    outcomes.push_back(
        {{"class", kOutcomeNames[c]},
         {"count", x.outcomes[c].count},
         {"first_schedule",
          x.outcomes[c].count ? nlohmann::json(x.outcomes[c].first) : nlohmann::json(nullptr)},
         {"first_error", x.outcomes[c].what.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(x.outcomes[c].what)}});
  nlohmann::json metrics = nlohmann::json::object();
  for (const MetricRange& m : x.metrics)
    metrics[m.name] = {{"min", m.min}, {"median", m.median}, {"max", m.max}};
  return {{"id", x.scenario->id},
          {"strategy", x.strategy},
          {"vary", kVaryNames[static_cast<std::size_t>(x.vary)]},
          {"schedules", x.schedules},
          {"distinct_orders", x.distinct_orders},
          {"exhausted", x.exhausted},
          {"interrupted", x.interrupted},
          {"outcomes", outcomes},
          {"metrics", metrics}};
}

// What the page shows a reader to draw a schedule's run again: `run` with the same beats and
// tempo (its own seed comes with the schedule).
std::string replay_command(const Scenario& s, const std::string& schedule,
                           const ExploreOptions& options) {
  return fmt::format("{} run {} --replay {} --beats {} --bpm {} --report {}.html", program_name(),
                     s.id, schedule, options.run.beats, options.run.bpm.value(), s.id);
}

// The page's chart of `x`: its representative schedule (explore/explore.h), replayed.
ExploredScenario explored(const Exploration& x, const ExploreOptions& options) {
  ExploredScenario e{x, std::nullopt, {}};
  if (const std::optional<Outcome> shown = representative(x)) {
    const std::string& first = x.outcomes[static_cast<std::size_t>(*shown)].first;
    e.run = replay_run(*x.scenario, *runtime::Schedule::parse(first), options.run);
    e.metrics = measure(*e.run);
  }
  return e;
}

// A stop signal ends the exploration between two schedules (exit 130); what was explored until
// then is still printed and written, each scenario cut short marked "interrupted", and the
// scenarios not begun left out.
int explore_command(const RawExplore& raw) {
  const ExploreOptions options = explore_options(raw);
  use_stack_size(raw.stack_size);
  const std::vector<const Scenario*> chosen = parse_scenarios(raw.ids);
  // Opened before the exploration starts, so that a bad path costs no work.
  const OutputFiles outputs({{Output::json, &raw.json}, {Output::report, &raw.report}});
  catch_stop_signals({SIGINT, SIGTERM});
  nlohmann::json all = nlohmann::json::array();
  std::vector<ExploredScenario> page;
  const bool terminal = isatty(STDERR_FILENO) != 0;
  {
    const StopSignalsElsewhere fibers_run_here;
    for (const Scenario* s : chosen) {
      if (stop_requested()) break;
      const Exploration x = explore(
          *s, options,
          [&](std::size_t done) {
            if (terminal && done % 500 == 0) std::fprintf(stderr, "\rexplore: %zu", done);
          },
          stop_requested);
      if (terminal) std::fprintf(stderr, "\r\x1b[K");
      print_verdict(outputs.log(), x);
      all.push_back(to_json(x));
      if (outputs.get(Output::report)) page.push_back(explored(x, options));
    }
  }
  if (OutputFile* json = outputs.get(Output::json)) outputs.finish(*json, all.dump(2) + "\n");
  if (OutputFile* report = outputs.get(Output::report))
    outputs.finish(*report,
                   explore_page(page, options,
                                {program_name() + " explore",
                                 [&options](const Scenario& s, const std::string& schedule) {
                                   return replay_command(s, schedule, options);
                                 }}));
  return stop_requested() ? 130 : 0;
}

}  // namespace

void add_explore_command(CLI::App& app, Action& action) {
  auto raw = std::make_shared<RawExplore>();
  CLI::App* cmd = app.add_subcommand(
      "explore",
      "Run scenarios under many schedules in simulated time and say what happened across them: "
      "every outcome class (a run is in an anomaly's class when it has at least one of it; "
      "deadlock, threw and clean besides) with its count and the first schedule that gave it "
      "(run ID --replay SCHEDULE draws it). Ctrl-C or SIGTERM "
      "stops it between two schedules: what was explored so far is printed and written, marked "
      "interrupted, and it exits with 130");
  cmd->footer(anomalies_help());
  takes_scenarios(cmd->add_option("id", raw->ids, "Scenario ids"))->required();
  cmd->add_option("--schedules", raw->schedules, "How many schedules, 1..10000000")
      ->capture_default_str();
  takes_one_of(
      cmd->add_option("--strategy", raw->strategy, "random, pct or dfs (bounded exhaustive)"),
      "random|pct|dfs")
      ->capture_default_str();
  takes_one_of(cmd->add_option("--vary", raw->vary,
                               "What varies between schedules: order (the run's seed, so its "
                               "delays and volumes, held; only the task order varies), timing "
                               "(the run's seed varies, under FIFO) or both; dfs walks the orders "
                               "of one run unless timing"),
               "order|timing|both")
      ->capture_default_str();
  cmd->add_option("--depth", raw->depth, "PCT's bug depth, 1..100")->capture_default_str();
  cmd->add_option("--seed", raw->seed, "First seed of the schedules' and the runs' draws")
      ->capture_default_str();
  cmd->add_option("--beats", raw->beats, "Beats per run, 1..10000")->capture_default_str();
  cmd->add_option("--bpm", raw->bpm, "Tempo, 1..6000")->capture_default_str();
  takes_file(cmd->add_option("--json", raw->json, "Write the whole exploration as JSON to FILE"))
      ->check(kOutputName);
  takes_file(cmd->add_option(
                 "--report", raw->report,
                 "Write the report page to FILE: a chart per scenario drawing one run (the "
                 "first schedule of the anomaly met in the most schedules, else of clean), and "
                 "every outcome's count, share and first schedule with the `run --replay` line "
                 "that draws it again"))
      ->check(kOutputName);
  add_stack_size_option(*cmd, raw->stack_size);
  cmd->callback([raw, &action] { action = [raw] { return explore_command(*raw); }; });
}

}  // namespace cacophony::cli
