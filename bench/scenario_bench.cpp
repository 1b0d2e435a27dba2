// Benchmarks of whole scenarios through the harness: real-time precision and simulated-time
// throughput, each measured with the same run_scenario + measure() the command line uses.

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "busy_load.h"
#include "cacophony/analysis/metrics.h"
#include "cacophony/harness/harness.h"
#include "cacophony/runtime/runtime.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const Scenario& services() {
  static const Scenario* s = find_scenario("async_with_channels_services");
  return *s;
}

RunOptions options(int beats, runtime::TimeMode time) {
  RunOptions o;
  o.bpm = Bpm::of(6000);
  o.beats = beats;
  o.time = time;
  return o;
}

// 5. Onset precision at 6000 bpm (10 ms), five ways, in the same run and interleaved: the
// services scenario with --time real (fibers; "real" at procs 1, "real2" at procs 2), the same
// with --time threads, the bare timer (bare_timer_lateness) and Go's time.Ticker (bench/go_ticker,
// built by `make bench`; skipped if
// absent). Each of them runs kRounds chunks of kChunk beats, idle and under two busy threads, in
// turn; a chunk's onset error is the distance from the grid anchored at its first beat, as in
// measure(). A wake-up more than a period late makes a ticker drop a tick, which shifts the rest of
// the chunk by whole periods (the bare timer never drops), so the phase error (the distance from
// the nearest grid point) is given too: it is the timing path's precision without the drops.
// Counters: <way>_<idle|busy>[_phase]_p50_us, _p99_us, _max_us. Goal: real p99 <= 1.25x the bare
// timer's and below Go's, idle and busy.
constexpr int kRounds = 10;
constexpr int kChunk = 200;
constexpr std::int64_t kPeriodNs = 10'000'000;

// Appends the onset errors of `ticks` (ns, one per beat, in beat order) to `grid_us`, and their
// distances from the nearest grid point to `phase_us`.
void add_onset_errors(const std::vector<std::int64_t>& ticks, std::vector<double>& grid_us,
                      std::vector<double>& phase_us) {
  for (std::size_t k = 0; k < ticks.size(); ++k) {
    const std::int64_t error = ticks[k] - ticks.front() - static_cast<std::int64_t>(k) * kPeriodNs;
    const std::int64_t past = ((error % kPeriodNs) + kPeriodNs) % kPeriodNs;
    grid_us.push_back(static_cast<double>(std::abs(error)) / 1e3);
    phase_us.push_back(static_cast<double>(std::min(past, kPeriodNs - past)) / 1e3);
  }
}

std::vector<std::int64_t> scenario_ticks(runtime::TimeMode time) {
  const cacophony::Run r = run_scenario(services(), options(kChunk, time));
  std::vector<const Event*> beats;
  for (const Event& e : r.events)
    if (e.category == Category::beat) beats.push_back(&e);
  std::sort(beats.begin(), beats.end(), [](auto* a, auto* b) { return a->number < b->number; });
  std::vector<std::int64_t> ticks;
  for (const Event* e : beats) ticks.push_back(e->at.count());
  return ticks;
}

std::vector<std::int64_t> bare_timer_ticks() {
  std::vector<std::int64_t> ticks;
  std::int64_t k = 0;
  for (std::int64_t late : bare_timer_lateness(kPeriodNs, kChunk))
    ticks.push_back(k++ * kPeriodNs + late);
  return ticks;
}

// Empty when the Go ticker was not built (no `go` on the machine).
std::vector<std::int64_t> go_ticker_ticks() {
  std::vector<std::int64_t> ticks;
  const std::string command = std::string(CACOPHONY_GO_TICKER) + " " +
                              std::to_string(kPeriodNs / 1000) + " " + std::to_string(kChunk);
  if (access(CACOPHONY_GO_TICKER, X_OK) != 0) return ticks;
  FILE* out = popen(command.c_str(), "r");
  if (out == nullptr) return ticks;
  long long ns = 0;
  while (std::fscanf(out, "%lld", &ns) == 1) ticks.push_back(ns);
  pclose(out);
  return ticks;
}

void BM_Precision_FourWay(benchmark::State& state) {
  const std::vector<std::pair<std::string, std::function<std::vector<std::int64_t>()>>> ways = {
      {"real", [] { return scenario_ticks(runtime::TimeMode::real); }},
      {"real2",  // --procs 2: the same fibers on two worker threads
       [] {
         runtime::Runtime::set_procs(2);
         std::vector<std::int64_t> ticks = scenario_ticks(runtime::TimeMode::real);
         runtime::Runtime::set_procs(1);
         return ticks;
       }},
      {"threads", [] { return scenario_ticks(runtime::TimeMode::threads); }},
      {"bare", bare_timer_ticks},
      {"go", go_ticker_ticks}};
  const std::vector<std::pair<std::string, int>> loads = {{"idle", 0}, {"busy", 2}};
  std::map<std::string, std::vector<double>> errors_us;  // by "<way>_<load>[_phase]"
  for (auto _ : state)
    for (int round = 0; round < kRounds; ++round)
      for (const auto& [load_name, threads] : loads) {
        BusyLoad load(threads);
        for (const auto& [way, ticks] : ways) {
          const std::string cell = way + "_" + load_name;
          add_onset_errors(ticks(), errors_us[cell], errors_us[cell + "_phase"]);
        }
      }
  for (auto& [cell, errors] : errors_us) {
    if (errors.empty()) continue;
    std::sort(errors.begin(), errors.end());
    state.counters[cell + "_p50_us"] = percentile(errors, 50);
    state.counters[cell + "_p99_us"] = percentile(errors, 99);
    state.counters[cell + "_max_us"] = errors.back();
  }
}
BENCHMARK(BM_Precision_FourWay)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

// 6a. Simulated-time throughput of async_with_channels_services with full tracing: beats per
// wall-clock second for run_scenario + measure of range(0) beats. Goal: >= 3 M beats/s.
void BM_Services_SimulatedThroughput(benchmark::State& state) {
  const int beats = static_cast<int>(state.range(0));
  int performed = 0;
  const auto start = Clock::now();
  for (auto _ : state) {
    const Metrics m =
        measure(run_scenario(services(), options(beats, runtime::TimeMode::simulated)));
    performed = m.beats_performed;
    benchmark::DoNotOptimize(performed);
  }
  const double elapsed = seconds_since(start);
  const auto total = static_cast<double>(state.iterations()) * beats;
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
  state.counters["beats_performed"] = performed;
  state.counters["beats_per_s"] = total / elapsed;
}
BENCHMARK(BM_Services_SimulatedThroughput)
    ->Arg(200'000)
    ->UseRealTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMillisecond);

// 6b. The whole suite (all fourteen scenarios) at 6000 bpm / 15 beats in simulated time, run and
// measured one after another. Goal: <= 100 ms per suite.
void BM_Suite_Simulated(benchmark::State& state) {
  const auto start = Clock::now();
  for (auto _ : state) {
    for (const Scenario* s : scenarios()) {
      const Metrics m = measure(run_scenario(*s, options(15, runtime::TimeMode::simulated)));
      benchmark::DoNotOptimize(m.beats_performed);
    }
  }
  const double elapsed = seconds_since(start);
  state.counters["scenarios"] = static_cast<double>(scenarios().size());
  state.counters["suite_ms"] = elapsed / static_cast<double>(state.iterations()) * 1e3;
}
BENCHMARK(BM_Suite_Simulated)->UseRealTime()->MinTime(1.0)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cacophony::bench
