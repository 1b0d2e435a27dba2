#include "cacophony/runtime/wait_group.h"

#include <stdexcept>
#include <vector>

#include "scheduler.h"

namespace cacophony::runtime {

WaitGroup::WaitGroup() : runtime_(detail::Scheduler::current()) {}

void WaitGroup::add(int delta) {
  std::scoped_lock lock(runtime_.lock());
  count_ += delta;
  if (count_ < 0) throw std::logic_error("negative WaitGroup counter");
  if (count_ != 0) return;
  // A released waiter may return and destroy this group at once, so take them all off the queue
  // before waking the first.
  std::vector<detail::Waiter*> released;
  while (detail::Waiter* w = waiters_.pop_live()) released.push_back(w);
  for (detail::Waiter* w : released) detail::complete(runtime_, *w);
}

void WaitGroup::wait() {
  std::unique_lock lock(runtime_.lock());
  if (count_ == 0) return;
  detail::wait_on(runtime_, lock, waiters_, "a wait group");
}

}  // namespace cacophony::runtime
