#include "cacophony/explore/explore.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "cacophony/analysis/metrics.h"

namespace cacophony {
namespace {

using runtime::Schedule;

// A run's figures that explore gathers, by name: the anomalies' counts, in kAnomalies' order,
// then the largest lag and the run's choice points.
constexpr std::array<std::string_view, 9> kMetricNames{
    "lost_beats",   "skipped_beats",      "duplicate_beats",          "beyond_beats",
    "out_of_order", "stale_volume_beats", "overlapping_measurements", "lag_max_ms",
    "choice_points"};

constexpr std::size_t kAnomalyCount = kAnomalies.size();

std::array<double, kMetricNames.size()> figures_of(const Metrics& m) {
  std::array<double, kMetricNames.size()> out{};
  for (std::size_t k = 0; k < kAnomalyCount; ++k)
    out[k] = static_cast<double>(count(m, static_cast<AnomalyKind>(k)));
  out[kAnomalyCount] = m.lag_ms.max.value_or(0);
  return out;
}

// What one run under `strategy` came to: its outcome classes and, unless it failed, its figures.
struct Tried {
  std::array<bool, kOutcomeNames.size()> in{};
  std::optional<std::array<double, kMetricNames.size()>> figures;
  std::uint64_t order = 0;  // the tasks' order, hashed (Strategy::order())
  std::string what;         // the exception's text, when one escaped
};

Tried try_run(const Scenario& scenario, RunOptions options, runtime::Strategy& strategy) {
  options.time = runtime::TimeMode::simulated;
  options.strategy = &strategy;
  Tried t;
  try {
    const Metrics m = measure(run_scenario(scenario, options));
    for (std::size_t k = 0; k < kAnomalyCount; ++k)
      t.in[k] = count(m, static_cast<AnomalyKind>(k)) > 0;
    t.figures = figures_of(m);
  } catch (const std::runtime_error& e) {
    const bool deadlock = std::string_view(e.what()).starts_with("deadlock");
    t.in[static_cast<std::size_t>(deadlock ? Outcome::deadlock : Outcome::threw)] = true;
    t.what = e.what();
  } catch (const std::exception& e) {
    t.in[static_cast<std::size_t>(Outcome::threw)] = true;
    t.what = e.what();
  }
  t.in[static_cast<std::size_t>(Outcome::clean)] =
      std::none_of(t.in.begin(), t.in.end() - 1, [](bool b) { return b; });
  if (t.figures) t.figures->back() = static_cast<double>(strategy.choices().size());
  t.order = strategy.order();
  return t;
}

// How many choices a FIFO run makes: pct spreads its change points over them.
// The schedule of a FIFO run: dfs' first option at every choice.
Schedule fifo_schedule(std::uint64_t run_seed) {
  return {Schedule::Kind::dfs, run_seed, 0, 0, {}};
}

std::size_t fifo_steps(const Scenario& scenario, const RunOptions& options) {
  auto fifo = runtime::replay(fifo_schedule(options.seed));
  try_run(scenario, options, *fifo);
  return std::max<std::size_t>(fifo->choices().size(), 1);
}

std::vector<MetricRange> ranges(std::vector<std::array<double, kMetricNames.size()>>& all) {
  std::vector<MetricRange> out;
  if (all.empty()) return out;
  for (std::size_t k = 0; k < kMetricNames.size(); ++k) {
    std::vector<double> values;
    for (const auto& f : all) values.push_back(f[k]);
    std::sort(values.begin(), values.end());
    out.push_back({std::string(kMetricNames[k]), values.front(), values[(values.size() - 1) / 2],
                   values.back()});
  }
  return out;
}

// The outcome classes begin with the anomalies, in the same order.
static_assert(static_cast<std::size_t>(Outcome::overlap) + 1 == kAnomalyCount);
static_assert(static_cast<std::size_t>(AnomalyKind::overlap) + 1 == kAnomalyCount);

}  // namespace

std::string_view meaning(Outcome o) {
  const auto c = static_cast<std::size_t>(o);
  if (c < kAnomalyCount) return kAnomalies[c].definition;
  return o == Outcome::deadlock ? kDeadlockMeans : o == Outcome::threw ? kThrewMeans : kCleanMeans;
}

namespace {

// The strategy of schedule `i` and its schedule (`schedule`'s seeds set), or nullptr for dfs'
// own, which walks the interleavings of one run.
std::unique_ptr<runtime::Strategy> next_strategy(const ExploreOptions& o, std::size_t i,
                                                 std::size_t steps, Schedule& schedule) {
  schedule.seed = o.seed + i;
  // order holds the run's draws; dfs walks the interleavings of one run whatever `vary` says.
  if (o.vary != Vary::order && o.strategy != Schedule::Kind::dfs)
    schedule.run_seed = o.run.seed + i;
  if (o.vary == Vary::timing) {
    schedule = fifo_schedule(o.run.seed + i);
    return runtime::replay(schedule);
  }
  if (o.strategy == Schedule::Kind::random) return runtime::random_strategy(schedule.seed);
  if (o.strategy == Schedule::Kind::pct)
    return runtime::pct_strategy(schedule.seed, o.depth, steps);
  return nullptr;
}

// "random", "pct3", "dfs", or "fifo" when only the timing varies.
std::string strategy_name(const ExploreOptions& o, const Schedule& schedule) {
  if (o.vary == Vary::timing) return "fifo";
  const std::string text = schedule.to_string();
  return text.substr(0, text.find(':'));
}

}  // namespace

Exploration explore(const Scenario& scenario, const ExploreOptions& o,
                    const std::function<void(std::size_t)>& progress,
                    const std::function<bool()>& stop) {
  Exploration x;
  x.scenario = &scenario;
  x.vary = o.vary;
  Schedule schedule{o.strategy, o.run.seed, 0, o.depth, {}};
  x.strategy = strategy_name(o, schedule);
  const bool walks = o.strategy == Schedule::Kind::dfs && o.vary != Vary::timing;
  const std::size_t steps = o.strategy == Schedule::Kind::pct ? fifo_steps(scenario, o.run) : 0;
  runtime::DfsStrategy dfs;
  std::vector<std::array<double, kMetricNames.size()>> figures;
  std::unordered_set<std::uint64_t> orders;
  RunOptions run = o.run;
  for (std::size_t i = 0; i < o.schedules; ++i) {
    if (stop && stop()) {
      x.interrupted = true;
      break;
    }
    const std::unique_ptr<runtime::Strategy> seeded = next_strategy(o, i, steps, schedule);
    run.seed = schedule.run_seed;
    runtime::Strategy& strategy = seeded ? *seeded : dfs;
    const Tried t = try_run(scenario, run, strategy);
    if (!seeded) schedule.path = dfs.choices();
    for (std::size_t c = 0; c < t.in.size(); ++c)
      if (t.in[c] && x.outcomes[c].count++ == 0) {
        x.outcomes[c].first = schedule.to_string();
        x.outcomes[c].what = t.what;
      }
    if (t.figures) figures.push_back(*t.figures);
    orders.insert(t.order);
    ++x.schedules;
    if (progress) progress(x.schedules);
    if (walks && !dfs.advance()) {
      x.exhausted = true;
      break;
    }
  }
  x.distinct_orders = orders.size();
  x.metrics = ranges(figures);
  return x;
}

std::optional<Outcome> representative(const Exploration& x) {
  std::optional<Outcome> best;
  std::size_t most = 0;
  for (std::size_t k = 0; k < kAnomalyCount; ++k) {
    const std::size_t n = x.outcomes[k].count;
    if (n > most) best = static_cast<Outcome>(k), most = n;
  }
  if (!best && x.outcomes[static_cast<std::size_t>(Outcome::clean)].count > 0)
    best = Outcome::clean;
  return best;
}

std::unique_ptr<runtime::Strategy> replay_strategy(const Scenario& scenario,
                                                   const Schedule& schedule,
                                                   const RunOptions& options) {
  std::size_t steps = 1;
  if (schedule.kind == Schedule::Kind::pct) steps = fifo_steps(scenario, options);
  return runtime::replay(schedule, steps);
}

Run replay_run(const Scenario& scenario, const Schedule& schedule, RunOptions options) {
  options.time = runtime::TimeMode::simulated;
  options.seed = schedule.run_seed;
  const auto strategy = replay_strategy(scenario, schedule, options);
  options.strategy = strategy.get();
  Run run = run_scenario(scenario, options);
  run.options.strategy = nullptr;  // gone with this function
  return run;
}

}  // namespace cacophony
