#include "busy_load.h"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#include <cmath>
#include <cstddef>

namespace cacophony::bench {

BusyLoad::BusyLoad(int threads) {
  const unsigned cores =
      std::thread::hardware_concurrency() == 0 ? 1 : std::thread::hardware_concurrency();
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      // Ordinary load even when the benchmark runs under chrt (SCHED_FIFO is inherited).
      const sched_param ordinary{};
      pthread_setschedparam(pthread_self(), SCHED_OTHER, &ordinary);
      // A dependent chain the optimiser cannot drop, checked against the flag now and then.
      volatile unsigned long sink = 0;
      while (!stop_.load(std::memory_order_relaxed))
        for (int k = 0; k < 10'000; ++k) sink = sink + 1;
    });
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<unsigned>(i) % cores, &set);
    pthread_setaffinity_np(threads_.back().native_handle(), sizeof(set), &set);
  }
}

BusyLoad::~BusyLoad() {
  stop_.store(true, std::memory_order_relaxed);
  for (auto& t : threads_) t.join();
}

std::vector<std::int64_t> bare_timer_lateness(std::int64_t period_ns, int n) {
  constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
  const auto read = [] {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * kNanosPerSecond + ts.tv_nsec;
  };
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  std::vector<std::int64_t> late;
  late.reserve(static_cast<std::size_t>(n));
  const std::int64_t start = read() + period_ns;
  for (int k = 0; k < n; ++k) {
    const std::int64_t deadline = start + k * period_ns;
    const timespec at{static_cast<time_t>(deadline / kNanosPerSecond),
                      static_cast<long>(deadline % kNanosPerSecond)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) != 0) {
    }
    late.push_back(read() - deadline);
  }
  return late;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (p <= 0) return sorted.front();
  const auto rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[rank == 0 ? 0 : rank - 1];
}

}  // namespace cacophony::bench
