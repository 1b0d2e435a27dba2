#pragma once
// Ticker: Go's time.Ticker (before Go 1.23, whose channel is synchronous).
//
// Guarantees
// - It does not fire at once: tick k is due at start + k·period, on a fixed grid from the moment
//   of construction (or of the last reset()); the grid never shifts otherwise.
// - `c` has one slot. A tick that finds the slot full is dropped, so a slow receiver gets the
//   stale tick at once and then waits for the next grid point; ticks never queue up. After a
//   stall past several grid points the next tick is the next grid point, never a backlog.
// - stop() ends future ticks and does not close `c`: once it returns, no tick is sent until a
//   reset(). The destructor stops.
// - reset(d) is Go's Ticker.Reset: it stops the ticker and restarts it with period d on a new
//   grid from now, so the next tick is due d after the reset. It restarts a stopped ticker too,
//   as Go's does. Once it returns no tick of the old grid is sent; a tick already in the slot
//   stays there (Go drains it only from 1.23 on).
// - A period <= 0 throws std::invalid_argument (Go panics), from the constructor and from
//   reset(), which then changes nothing.
// Thread safety: stop() and reset() may be called from any task of the run; the ticker's state
//   is under the run lock, and a tick is sent under it too.
// Memory ordering: as a channel's: what the ticker's task wrote before a tick is visible to the
//   task that receives it.

#include <memory>

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
  void reset(Duration period);

  // The tick channel (Go's `C <-chan Time`); each value is the time the tick was sent.
  RecvChan<Time> c{Chan<Time>(1)};

 private:
  struct State;
  static void tick(State& s, detail::ChannelCore& c);
  std::shared_ptr<State> state_;
};

}  // namespace cacophony::runtime
