#pragma once
// Time as scenarios see it: offsets from the start of their run, in whole nanoseconds.

#include <chrono>

namespace cacophony::runtime {

using Duration = std::chrono::nanoseconds;

// A point in a run: the offset from the moment the run started.
using Time = std::chrono::nanoseconds;

// Which clock a run uses. Scenario code is the same for both.
enum class TimeMode {
  real,       // the machine's monotonic clock; tasks are OS threads
  simulated,  // Go's synctest rule: time jumps only when every task is blocked
};

}  // namespace cacophony::runtime
