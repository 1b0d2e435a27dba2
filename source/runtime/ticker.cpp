#include "cacophony/runtime/ticker.h"

#include <stdexcept>

#include "scheduler.h"

namespace cacophony::runtime {

// Shared by the Ticker and its task; `stopped` and `task` are guarded by the runtime lock.
struct Ticker::State {
  detail::Scheduler& runtime;
  Duration period;
  Time start;
  bool stopped = false;
  detail::Task* task = nullptr;
};

Ticker::Ticker(Duration period) {
  if (period <= Duration::zero()) throw std::invalid_argument("non-positive interval for Ticker");
  detail::Scheduler& rt = detail::Scheduler::current();
  state_ = std::make_shared<State>(State{rt, period, rt.now()});
  rt.go([state = state_, c = c]() mutable {
    detail::Scheduler& rt = state->runtime;
    {
      std::scoped_lock lock(rt.lock());
      if (state->stopped) return;
      state->task = &rt.self();
    }
    for (std::int64_t k = 1;;) {
      const Time due = state->start + k * state->period;
      rt.park_until(due);  // returns early only when stop() wakes us
      {
        std::scoped_lock lock(rt.lock());
        if (state->stopped) return;
      }
      const Time now = rt.now();
      if (now < due) continue;
      c.try_send(now);                               // a full slot drops the tick, as Go does
      k = (now - state->start) / state->period + 1;  // the next grid point, never a backlog
    }
  });
}

Ticker::~Ticker() {
  stop();
}

void Ticker::stop() {
  detail::Scheduler& rt = state_->runtime;
  std::scoped_lock lock(rt.lock());
  if (state_->stopped) return;
  state_->stopped = true;
  if (state_->task) rt.unpark(*state_->task);
}

}  // namespace cacophony::runtime
