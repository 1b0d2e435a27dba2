// Benchmarks of whole scenarios through the harness: real-time precision and simulated-time
// throughput, each measured with the same run_scenario + measure() the command line uses.

#include <benchmark/benchmark.h>

#include <chrono>
#include <limits>

#include "busy_load.h"
#include "cacophony/analysis/metrics.h"
#include "cacophony/harness/harness.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double or_nan(const std::optional<double>& v) {
  return v.value_or(std::numeric_limits<double>::quiet_NaN());
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

// 5. Real-time precision of async_with_channels_services at 6000 bpm (10 ms) for 2000 beats:
// onset_error_us from measure(). range(0): spinning background threads (0 idle, 2 busy).
// Goal: p99 <= 50 µs.
void BM_Services_RealPrecision(benchmark::State& state) {
  Metrics m;
  for (auto _ : state) {
    BusyLoad load(static_cast<int>(state.range(0)));
    m = measure(run_scenario(services(), options(2000, runtime::TimeMode::real)));
  }
  state.counters["beats"] = m.beats_performed;
  state.counters["out_of_order"] = m.out_of_order;
  state.counters["onset_p50_us"] = or_nan(m.onset_error_us.p50);
  state.counters["onset_p99_us"] = or_nan(m.onset_error_us.p99);
  state.counters["onset_max_us"] = or_nan(m.onset_error_us.max);
}
BENCHMARK(BM_Services_RealPrecision)
    ->ArgName("busy")
    ->Arg(0)
    ->Arg(2)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

// 6a. Simulated-time throughput of async_with_channels_services with full tracing: beats per
// wall-clock second for run_scenario + measure of range(0) beats. Goal: >= 3 M beats/s.
void BM_Services_SimulatedThroughput(benchmark::State& state) {
  const int beats = static_cast<int>(state.range(0));
  int performed = 0;
  const auto start = Clock::now();
  for (auto _ : state) {
    const Metrics m = measure(run_scenario(services(), options(beats, runtime::TimeMode::simulated)));
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
