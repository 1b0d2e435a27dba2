#include "cacophony/runtime/ticker.h"

#include <mutex>
#include <stdexcept>

#include "clock.h"
#include "scheduler.h"

namespace cacophony::runtime {

// Shared by the Ticker and its task; all but `runtime` guarded by the run lock.
struct Ticker::State {
  detail::Scheduler& runtime;
  Duration period{0};
  Time next{0};  // the grid point the next tick is due at
  bool stopped = false;
  bool running = false;          // a task ticks, or has been started to: reset() starts no other
  detail::Task* task = nullptr;  // that task, once it runs, for stop() and reset() to wake
};

// The ticker's task: ticks on the grid until stopped. It rereads the grid after every wake-up, so
// a reset() moves the grid under it. The tick is sent under the lock, so that once stop() or
// reset() holds it no tick of the old grid can follow.
void Ticker::tick(State& s, detail::ChannelCore& c) {
  detail::Scheduler& rt = s.runtime;
  std::unique_lock lock(rt.lock());
  s.task = &rt.self();
  while (!s.stopped) {
    Time now = rt.now();
    if (now < s.next) {
      const Time due = s.next;
      lock.unlock();
      rt.park_until(due);  // returns early when stop() or reset() wakes us
      lock.lock();
      continue;
    }
    detail::try_send_locked(c, &now);  // a full slot drops the tick, as Go does
    // The next grid point after now, never a backlog.
    s.next = detail::saturating_add(s.next, s.period * ((now - s.next) / s.period + 1));
  }
  s.running = false;
  s.task = nullptr;
}

Ticker::Ticker(Duration period) {
  if (period <= Duration::zero()) throw std::invalid_argument("non-positive interval for Ticker");
  state_ = std::make_shared<State>(State{detail::Scheduler::current()});
  reset(period);
}

Ticker::~Ticker() {
  stop();
}

void Ticker::stop() {
  detail::Scheduler& rt = state_->runtime;
  std::scoped_lock lock(rt.lock());
  state_->stopped = true;
  if (state_->task) rt.unpark(*state_->task);
}

void Ticker::reset(Duration period) {
  if (period <= Duration::zero())
    throw std::invalid_argument("non-positive interval for Ticker.reset");
  detail::Scheduler& rt = state_->runtime;
  bool start;
  {
    std::scoped_lock lock(rt.lock());
    state_->period = period;
    state_->next = detail::saturating_add(rt.now(), period);
    state_->stopped = false;
    start = !state_->running;
    state_->running = true;
    if (state_->task) rt.unpark(*state_->task);
  }
  if (start) {
    rt.go([s = state_, c = c] { tick(*s, *detail::ChanAccess::core(c)); });
  }
}

}  // namespace cacophony::runtime
