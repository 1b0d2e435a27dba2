#include "busy_load.h"

#include <pthread.h>
#include <sched.h>

#include <cmath>
#include <cstddef>

namespace cacophony::bench {

BusyLoad::BusyLoad(int threads) {
  const unsigned cores = std::thread::hardware_concurrency() == 0 ? 1 : std::thread::hardware_concurrency();
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
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

double percentile(const std::vector<double>& sorted, double p) {
  if (p <= 0) return sorted.front();
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[rank == 0 ? 0 : rank - 1];
}

}  // namespace cacophony::bench
