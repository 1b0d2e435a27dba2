#pragma once
// Stop signals (Ctrl-C, SIGTERM) as a count the command polls: one handler for every command.
//
// The handler is installed without SA_RESTART, so that a system call blocked on a stop signal (a
// write to a FIFO whose reader stopped reading) returns EINTR and the command can end.
// The handler only does what is async-signal-safe: it counts the signal in a lock-free atomic
// and, as the command asked, writes a fixed note to stderr (write(2)) at the first signal and
// exits at once (_Exit, after removing the output files' temporaries) at the first or the second.
// The command polls stop_requested() from any thread, or waits on stop_signal_fd().

#include <atomic>
#include <chrono>
#include <csignal>
#include <initializer_list>
#include <stdexcept>
#include <string_view>

namespace cacophony::cli {

// A stop signal ended the command while it was blocked (exit code 130, nothing more said).
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

// How the process answers a stop signal beyond counting it.
struct OnStop {
  // Said on stderr at the first signal, when not empty, on a line of its own after the program's
  // name (voice.h): composed once, by catch_stop_signals, into a fixed buffer the handler writes.
  // Cut to fit that buffer (a few hundred bytes).
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

// From now on, the first stop signal also ends the process with 130 (temporaries removed) if it
// is still running `seconds` later: for a write that blocks and that a library retries when a
// signal interrupts it (libsndfile), which the command can't stop itself. 0 takes it back,
// cancelling a pending end.
void give_up_after_stop(unsigned seconds);

// While alive, keeps the stop signals off the thread that made it: a thread of their own, started
// at the first of these, takes them, and this thread learns of them through stop_requested().
// Threads started meanwhile inherit the mask and leave them to that thread too.
// For a thread that runs the runtime's fibers: ThreadSanitizer holds back a signal that lands on
// a fiber until that fiber next calls into the sanitizer, and drops it if the fiber ends first, so
// a Ctrl-C could go unheard in `make tsan`; a thread that only waits loses none.
// A system call this thread blocks in is no longer cut short by a stop signal (no EINTR): outputs
// are written after it is gone. Not thread-safe: made and destroyed by one thread, after
// catch_stop_signals(), never nested.
class StopSignalsElsewhere {
 public:
  StopSignalsElsewhere();
  ~StopSignalsElsewhere();
  StopSignalsElsewhere(const StopSignalsElsewhere&) = delete;
  StopSignalsElsewhere& operator=(const StopSignalsElsewhere&) = delete;

 private:
  sigset_t before_;
};

// The signals counted so far: nonzero once a stop was asked for.
const std::atomic<int>& stop_signals();
inline bool stop_requested() {
  return stop_signals().load() != 0;
}

// A descriptor that turns readable at the first stop signal (the handler writes to a pipe of its
// own, async-signal-safe), for a loop that sleeps in poll(2) instead of polling
// stop_requested(); -1 before catch_stop_signals(). Never to be read: it stays readable.
int stop_signal_fd();

// Sleeps up to `limit`, or less: a stop signal (after catch_stop_signals()) wakes it at once.
void sleep_unless_stopped(std::chrono::milliseconds limit);

// The process's set-up, for main() first thing, while it has a single thread: descriptors 0-2
// kept open (standard_input.h), SIGPIPE ignored (a closed pipe is a write error, reported like any
// other, and the files being written are still completed), and the output files' temporaries
// removed on the signals that end the process (output_file.h).
void prepare_process();

}  // namespace cacophony::cli
