#include "cacophony/runtime/mutex.h"

#include <stdexcept>

#include "scheduler.h"

namespace cacophony::runtime {

Mutex::Mutex() : runtime_(detail::Scheduler::current()) {}

void Mutex::lock() {
  std::unique_lock lock(runtime_.lock());
  if (!locked_) {
    locked_ = true;
    return;
  }
  detail::wait_on(runtime_, lock, waiters_,
                  "a mutex");  // unlock() hands the mutex over, still locked
}

void Mutex::unlock() {
  std::scoped_lock lock(runtime_.lock());
  if (!locked_) throw std::logic_error("unlock of unlocked mutex");
  if (detail::Waiter* w = waiters_.pop_live())
    detail::complete(runtime_, *w);
  else
    locked_ = false;
}

}  // namespace cacophony::runtime
