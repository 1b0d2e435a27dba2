#pragma once
// Ticker: Go's time.Ticker (as of 2018).
//
// Guarantees
// - It does not fire at once: tick k is due at start + k·period, on a fixed grid from the moment
//   of construction; the grid never shifts.
// - `c` has one slot. A tick that finds the slot full is dropped, so a slow receiver gets the
//   stale tick at once and then waits for the next grid point; ticks never queue up. After a
//   stall past several grid points the next tick is the next grid point, never a backlog.
// - stop() ends future ticks and does not close `c`. The destructor stops.
// - A period <= 0 throws std::invalid_argument (Go panics).

#include "cacophony/runtime/channel.h"
#include "cacophony/runtime/time.h"

namespace cacophony::runtime {

class Ticker {
 public:
  explicit Ticker(Duration period);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  void stop();

  // The tick channel; each value is the time the tick was sent.
  Chan<Time> c{1};

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace cacophony::runtime
