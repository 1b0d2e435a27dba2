#pragma once
// Background load for the "busy" variants: one spinning std::thread per core, pinned, for as long
// as a BusyLoad lives. They never sleep and never touch the runtime.

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace cacophony::bench {

class BusyLoad {
 public:
  // `threads` spinning threads; 0 makes an idle (no-op) load.
  explicit BusyLoad(int threads);
  ~BusyLoad();
  BusyLoad(const BusyLoad&) = delete;
  BusyLoad& operator=(const BusyLoad&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// The bare timer, the floor for any timing on this machine: sleeps with clock_nanosleep(
// CLOCK_MONOTONIC, TIMER_ABSTIME) and 1 ns timer slack until each of `n` deadlines, the first
// `period` from now, and returns how late it woke from each, in ns.
std::vector<std::int64_t> bare_timer_lateness(std::int64_t period_ns, int n);

// Nearest-rank percentile of `sorted` (ascending, non-empty), p in [0, 100].
double percentile(const std::vector<double>& sorted, double p);

}  // namespace cacophony::bench
