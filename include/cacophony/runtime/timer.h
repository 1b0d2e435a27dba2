#pragma once
// Timer and after(): Go's time.Timer, time.AfterFunc and time.After, over the run's clock.
//
// Guarantees (as in Go)
// - A Timer fires once, `d` after it was made or last reset: it sends the time on `c` (one slot,
//   so firing never blocks), or, made with a function, runs it in a task of its own (AfterFunc).
// - stop() keeps a pending timer from firing and returns true; false when it had already fired
//   or been stopped. It does not close or drain `c`.
// - reset(d) makes the timer fire `d` from now, pending or not, and returns whether it was
//   pending.
// - Unlike Go (whose timers outlive their variable), the destructor stops a pending timer, as
//   Ticker's does: a run waits for every task, and a forgotten timer would hold it until it fires.
// - after(d) is time.After: a channel that receives the time once, `d` from now; nothing can stop
//   it, so the run lasts at least that long.
// - A duration <= 0 fires at once (at the next turn of the scheduler).
// Thread safety: as the other primitives: any task of the run; the state is under the run lock.

#include <functional>
#include <memory>

#include "cacophony/runtime/channel.h"
#include "cacophony/runtime/time.h"

namespace cacophony::runtime {

class Timer {
  Chan<Time> fire_{1};  // before `c`, which is made from it

 public:
  explicit Timer(Duration d);
  Timer(Duration d, std::function<void()> f);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  bool stop();
  bool reset(Duration d);

  // The fire channel, Go's `C <-chan Time` (unused by a timer made with a function).
  RecvChan<Time> c{fire_};

 private:
  struct State;
  void arm();
  static bool wait_for_due(const std::shared_ptr<State>& s);
  std::shared_ptr<State> state_;
};

RecvChan<Time> after(Duration d);

}  // namespace cacophony::runtime
