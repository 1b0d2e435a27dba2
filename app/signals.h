#pragma once
// Stop signals (Ctrl-C, SIGTERM) as a count the command polls: one handler for every command.
//
// The handler only does what is async-signal-safe: it counts the signal in a lock-free atomic
// and, as the command asked, writes a fixed note to stderr (write(2)) at the first signal and
// exits at once (_Exit, after removing the output files' temporaries) at the first or the second.
// The command polls stop_requested() from any thread.

#include <atomic>
#include <initializer_list>
#include <string_view>

namespace cacophony::cli {

// How the process answers a stop signal beyond counting it.
struct OnStop {
  // Written to stderr at the first signal, when not empty. Must outlive the process (a literal).
  std::string_view note;
  // A second signal exits at once with code 130.
  bool second_exits = false;
  // The first signal exits at once with code 130: for a command that has nothing to finish or
  // report once stopped (analyze), and polls nothing.
  bool first_exits = false;
};

// Installs the handler for each of `signals` (SIGINT, SIGTERM, ...). Once per process, before
// any of them can arrive.
void catch_stop_signals(std::initializer_list<int> signals, OnStop how = {});

// The signals counted so far: nonzero once a stop was asked for.
const std::atomic<int>& stop_signals();
inline bool stop_requested() {
  return stop_signals().load() != 0;
}

}  // namespace cacophony::cli
