#pragma once
// Internal: the machine's clocks as the real-clock runtimes read them, and the timer slack they
// sleep with.

#include <sys/prctl.h>
#include <time.h>

#include "cacophony/runtime/time.h"

namespace cacophony::runtime::detail {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

inline Duration read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return Duration(ts.tv_sec * kNanosPerSecond + ts.tv_nsec);
}

// `a + b` for non-negative b, held at the end of time instead of wrapping into the past.
inline Duration saturating_add(Duration a, Duration b) {
  return b > Duration::max() - a ? Duration::max() : a + b;
}

inline timespec to_timespec(Duration d) {
  return {static_cast<time_t>(d.count() / kNanosPerSecond),
          static_cast<long>(d.count() % kNanosPerSecond)};
}

// A 1 ns slack makes the kernel fire the calling thread's timers on time instead of batching them
// up to 50 µs late. Returns the slack it replaced.
inline unsigned long tighten_timer_slack() {
  const int previous = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  return previous > 0 ? static_cast<unsigned long>(previous) : 1UL;
}

inline void restore_timer_slack(unsigned long slack) {
  prctl(PR_SET_TIMERSLACK, slack, 0, 0, 0);
}

}  // namespace cacophony::runtime::detail
