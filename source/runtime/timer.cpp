#include "cacophony/runtime/timer.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "clock.h"
#include "scheduler.h"

namespace cacophony::runtime {

// Shared by the Timer and its task; `due`, `pending` and `task` are guarded by the run lock. A
// task waits for the due time while the timer is pending, and ends when it fires or is stopped;
// reset() after that starts another.
struct Timer::State {
  detail::Scheduler& runtime;
  std::function<void()> fn;  // AfterFunc's; none: send on the channel
  Time due{0};
  bool pending = false;
  detail::Task* task = nullptr;
};

// Waits for the due time (a stop or a reset wakes it early); true when the timer fires now.
bool Timer::wait_for_due(const std::shared_ptr<State>& s) {
  detail::Scheduler& rt = s->runtime;
  for (;;) {
    Time due;
    {
      std::scoped_lock lock(rt.lock());
      if (!s->pending) {
        s->task = nullptr;
        return false;
      }
      if (rt.now() >= s->due) {
        s->pending = false;
        s->task = nullptr;
        return true;
      }
      s->task = &rt.self();
      due = s->due;
    }
    rt.park_until(due);
  }
}

Timer::Timer(Duration d) : Timer(d, nullptr) {}

Timer::Timer(Duration d, std::function<void()> f) {
  detail::Scheduler& rt = detail::Scheduler::current();
  state_ = std::make_shared<State>(State{rt, std::move(f)});
  state_->due = detail::saturating_add(rt.now(), std::max(d, Duration::zero()));
  state_->pending = true;
  arm();
}

Timer::~Timer() {
  stop();
}

void Timer::arm() {
  state_->runtime.go([s = state_, c = fire_]() mutable {
    if (!wait_for_due(s)) return;
    if (s->fn)
      s->fn();
    else
      c.try_send(s->runtime.now());
  });
}

bool Timer::stop() {
  detail::Scheduler& rt = state_->runtime;
  std::scoped_lock lock(rt.lock());
  const bool was = state_->pending;
  state_->pending = false;
  if (state_->task) rt.unpark(*state_->task);
  return was;
}

bool Timer::reset(Duration d) {
  detail::Scheduler& rt = state_->runtime;
  bool was, waiting;
  {
    std::scoped_lock lock(rt.lock());
    was = state_->pending;
    waiting = state_->task != nullptr || was;  // a task is still there to see the new due time
    state_->due = detail::saturating_add(rt.now(), std::max(d, Duration::zero()));
    state_->pending = true;
    if (state_->task) rt.unpark(*state_->task);
  }
  if (!waiting) arm();
  return was;
}

RecvChan<Time> after(Duration d) {
  Chan<Time> c(1);
  go([c, d]() mutable {
    sleep(d);
    c.try_send(now());
  });
  return c;
}

}  // namespace cacophony::runtime
