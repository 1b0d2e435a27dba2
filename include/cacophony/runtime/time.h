#pragma once
// Time as scenarios see it: offsets from the start of their run, in whole nanoseconds.

#include <array>
#include <chrono>
#include <string_view>

namespace cacophony::runtime {

using Duration = std::chrono::nanoseconds;

// A point in a run: the offset from the moment the run started.
using Time = std::chrono::nanoseconds;

// Which clock a run uses, and how its tasks run (runtime.h). Scenario code is the same for all.
enum class TimeMode {
  real,       // the machine's monotonic clock; tasks are fibers on one thread (GOMAXPROCS=1)
  threads,    // the machine's monotonic clock; tasks are OS threads, truly parallel
  simulated,  // fibers on one thread; Go's synctest rule: time jumps only when every task is
              // blocked
};

// Every mode, in the order the command line lists them.
inline constexpr std::array<TimeMode, 3> kTimeModes{TimeMode::real, TimeMode::threads,
                                                    TimeMode::simulated};

// The mode's name on the command line and in reports: "real", "threads" or "simulated".
constexpr std::string_view name(TimeMode mode) {
  switch (mode) {
    case TimeMode::real:
      return "real";
    case TimeMode::threads:
      return "threads";
    case TimeMode::simulated:
      return "simulated";
  }
  return "?";
}

}  // namespace cacophony::runtime
