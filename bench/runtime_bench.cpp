// Benchmarks of the runtime alone: channel round trips, task spawning and timer wake-ups.
// Figures are reported as counters computed from a steady clock around the measured loop, so
// they do not depend on how Google Benchmark turns CPU or real time into rates.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "busy_load.h"
#include "cacophony/runtime/channel.h"
#include "cacophony/runtime/runtime.h"
#include "cacophony/runtime/wait_group.h"

namespace cacophony::bench {
namespace {

using namespace runtime;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Two tasks ping-pong one int over two unbuffered channels: one iteration is one round trip
// (main sends on `ping`, the echo task receives it and sends it back on `pong`). Each side parks
// once per round trip, so a round trip is two task switches.
void ping_pong(benchmark::State& state, TimeMode mode) {
  double elapsed = 0;
  auto rt = Runtime::create(mode, 1);
  rt->run([&] {
    Chan<int> ping;
    Chan<int> pong;
    go([=]() mutable {
      for (int v : ping) pong.send(v);
      pong.close();
    });
    int i = 0;
    const auto start = Clock::now();
    for (auto _ : state) {
      ping.send(i++);
      benchmark::DoNotOptimize(pong.recv());
    }
    elapsed = seconds_since(start);
    ping.close();
    pong.recv();  // nullopt: the echo task has ended
  });
  const auto n = static_cast<double>(state.iterations());
  state.counters["ns_per_round_trip"] = elapsed / n * 1e9;
  state.counters["round_trips_per_s"] = n / elapsed;
  state.counters["switches_per_s"] = 2 * n / elapsed;
}

// 1. Channel round trip across two OS threads (--time threads). Goal: <= 2 µs.
void BM_ChanRoundTrip_Threads(benchmark::State& state) {
  ping_pong(state, TimeMode::threads);
}
BENCHMARK(BM_ChanRoundTrip_Threads)->UseRealTime()->MinTime(1.0);

// 1b. The same between two fibers on the real clock (--time real).
void BM_ChanRoundTrip_Real(benchmark::State& state) {
  ping_pong(state, TimeMode::real);
}
BENCHMARK(BM_ChanRoundTrip_Real)->UseRealTime()->MinTime(1.0);

// 1c. The same on the real clock at procs 2 (--procs 2): the two tasks may run on two workers.
void BM_ChanRoundTrip_RealProcs2(benchmark::State& state) {
  Runtime::set_procs(2);
  ping_pong(state, TimeMode::real);
  Runtime::set_procs(1);
}
BENCHMARK(BM_ChanRoundTrip_RealProcs2)->UseRealTime()->MinTime(1.0);

// The primes below `n`, by trial division: real work that touches no memory.
int primes_below(int n) {
  int count = 0;
  for (int k = 2; k < n; ++k) {
    bool prime = true;
    for (int d = 2; d * d <= k && prime; ++d) prime = k % d != 0;
    count += prime ? 1 : 0;
  }
  return count;
}

// 6. A CPU-bound fan-out and fan-in on the real clock at procs range(0): 10,000 tasks each count
// the primes below 3,000 and send the count on one channel, which main sums. Per run, from the
// first go() to the last receive; the speed-up from procs 1 to procs 2 is the ratio of two rows.
void BM_FanOut(benchmark::State& state) {
  constexpr int kTasks = 10'000;
  Runtime::set_procs(static_cast<unsigned>(state.range(0)));
  double elapsed = 0;
  long sum = 0;
  for (auto _ : state) {
    auto rt = Runtime::create(TimeMode::real, 1);
    const auto start = Clock::now();
    rt->run([&] {
      Chan<int> counts;
      for (int i = 0; i < kTasks; ++i) go([=]() mutable { counts.send(primes_below(3'000)); });
      for (int i = 0; i < kTasks; ++i) sum += *counts.recv();
    });
    elapsed += seconds_since(start);
  }
  Runtime::set_procs(1);
  benchmark::DoNotOptimize(sum);
  state.counters["ms_per_run"] = elapsed / static_cast<double>(state.iterations()) * 1e3;
}
BENCHMARK(BM_FanOut)->Arg(1)->Arg(2)->UseRealTime()->MinTime(2.0);

// 4. The same ping-pong between two fibers in simulated time.
void BM_ChanRoundTrip_Simulated(benchmark::State& state) {
  ping_pong(state, TimeMode::simulated);
}
BENCHMARK(BM_ChanRoundTrip_Simulated)->UseRealTime()->MinTime(1.0);

// 2a. Threads: a fresh run starts range(0) tasks that each only call wg.done(); main waits on
// the WaitGroup and run() joins every thread. Per task, including the run's set-up and join.
void BM_Spawn_Threads_Batch(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const auto start = Clock::now();
  for (auto _ : state) {
    auto rt = Runtime::create(TimeMode::threads, 1);
    rt->run([&] {
      auto wg = std::make_shared<WaitGroup>();
      wg->add(batch);
      for (int i = 0; i < batch; ++i) go([wg] { wg->done(); });
      wg->wait();
    });
  }
  const double elapsed = seconds_since(start);
  const auto tasks = static_cast<double>(state.iterations()) * batch;
  state.SetItemsProcessed(static_cast<std::int64_t>(tasks));
  state.counters["ns_per_task"] = elapsed / tasks * 1e9;
}
BENCHMARK(BM_Spawn_Threads_Batch)->Arg(100)->UseRealTime()->MinTime(1.0);

// 2b. Threads, one at a time inside one run: go, then wait for it on a WaitGroup. The run keeps
// every ended thread until it returns, so the iteration count is fixed.
void BM_Spawn_Threads_GoWait(benchmark::State& state) {
  double elapsed = 0;
  auto rt = Runtime::create(TimeMode::threads, 1);
  rt->run([&] {
    auto wg = std::make_shared<WaitGroup>();
    const auto start = Clock::now();
    for (auto _ : state) {
      wg->add(1);
      go([wg] { wg->done(); });
      wg->wait();
    }
    elapsed = seconds_since(start);
  });
  state.counters["ns_per_task"] = elapsed / static_cast<double>(state.iterations()) * 1e9;
}
BENCHMARK(BM_Spawn_Threads_GoWait)->Iterations(2000)->UseRealTime();

// 2c. Simulated time: go of an empty task. Main yields every 1024 spawns so the spawned fibers
// run and end inside the measurement; per task this is create + schedule + run + free.
void BM_Spawn_Simulated(benchmark::State& state) {
  double elapsed = 0;
  auto rt = Runtime::create(TimeMode::simulated, 1);
  rt->run([&] {
    std::int64_t n = 0;
    const auto start = Clock::now();
    for (auto _ : state) {
      go([] {});
      if ((++n & 1023) == 0) yield();
    }
    yield();
    elapsed = seconds_since(start);
  });
  const auto n = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.counters["ns_per_task"] = elapsed / n * 1e9;
  state.counters["tasks_per_s"] = n / elapsed;
}
BENCHMARK(BM_Spawn_Simulated)->UseRealTime()->MinTime(1.0);

// 3. Lateness of real-time wake-ups: 2000 sleep_until calls on absolute deadlines start + k·period;
// lateness is now() right after the wake-up minus the deadline. range(0): the period in µs;
// range(1): spinning background threads (0 idle, 2 busy on both cores).
void BM_TimerLateness(benchmark::State& state) {
  constexpr int kWakeups = 2000;
  const Duration period = std::chrono::microseconds(state.range(0));
  std::vector<double> late_us;
  late_us.reserve(kWakeups);
  for (auto _ : state) {
    BusyLoad load(static_cast<int>(state.range(1)));
    auto rt = Runtime::create(TimeMode::real, 1);
    rt->run([&] {
      const Time start = now() + period;
      for (int k = 0; k < kWakeups; ++k) {
        const Time deadline = start + k * period;
        sleep_until(deadline);
        late_us.push_back(static_cast<double>((now() - deadline).count()) / 1e3);
      }
    });
  }
  std::sort(late_us.begin(), late_us.end());
  state.counters["wakeups"] = static_cast<double>(late_us.size());
  state.counters["late_p50_us"] = percentile(late_us, 50);
  state.counters["late_p99_us"] = percentile(late_us, 99);
  state.counters["late_max_us"] = late_us.back();
}
BENCHMARK(BM_TimerLateness)
    ->ArgNames({"period_us", "busy"})
    ->Args({1000, 0})
    ->Args({1000, 2})
    ->Args({5000, 0})
    ->Args({5000, 2})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// 3b. Baseline for 3: the same deadlines slept on with a bare clock_nanosleep(TIMER_ABSTIME) on
// CLOCK_MONOTONIC and 1 ns timer slack, no runtime. What the kernel (and hypervisor) alone give.
void BM_TimerLateness_Baseline(benchmark::State& state) {
  constexpr int kWakeups = 2000;
  const std::int64_t period = state.range(0) * 1000;
  std::vector<double> late_us;
  late_us.reserve(kWakeups);
  for (auto _ : state) {
    BusyLoad load(static_cast<int>(state.range(1)));
    for (std::int64_t late : bare_timer_lateness(period, kWakeups))
      late_us.push_back(static_cast<double>(late) / 1e3);
  }
  std::sort(late_us.begin(), late_us.end());
  state.counters["wakeups"] = static_cast<double>(late_us.size());
  state.counters["late_p50_us"] = percentile(late_us, 50);
  state.counters["late_p99_us"] = percentile(late_us, 99);
  state.counters["late_max_us"] = late_us.back();
}
BENCHMARK(BM_TimerLateness_Baseline)
    ->ArgNames({"period_us", "busy"})
    ->Args({1000, 0})
    ->Args({1000, 2})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cacophony::bench
