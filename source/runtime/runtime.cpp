#include "cacophony/runtime/runtime.h"

#include <stdexcept>

#include "runtime_impl.h"

namespace cacophony::runtime {
namespace {
thread_local Runtime* current_runtime = nullptr;
thread_local Task* current_task = nullptr;
}  // namespace

std::unique_ptr<Runtime> Runtime::create(TimeMode mode, std::uint64_t seed) {
  return mode == TimeMode::real ? make_real_runtime(seed) : make_simulated_runtime(seed);
}

Runtime::Runtime(TimeMode mode, std::uint64_t seed)
    : mode_(mode),
      lock_(mode == TimeMode::real),
      random_lock_(mode == TimeMode::real),
      random_(seed) {}

Runtime& Runtime::current() {
  if (current_runtime == nullptr)
    throw std::logic_error("cacophony runtime: called outside a task of a run");
  return *current_runtime;
}

Task& Runtime::self() {
  return *current_task;
}

void Runtime::set_current(Runtime* rt, Task* task) {
  current_runtime = rt;
  current_task = task;
}

void Runtime::sleep_until(Time t) {
  Task& me = self();
  stop_spinning(me);
  while (now() < t) park_until(t);
}

void Runtime::yield() {
  Task& me = self();
  // Spinning time is the loop body since the last yield plus the yield itself (where simulated
  // time passes).
  const Duration before = spin_clock();
  Duration spent = me.spinning_ ? before - me.spin_mark_ : Duration::zero();
  me.spinning_ = true;
  yield_now();
  me.spin_mark_ = spin_clock();
  spent += me.spin_mark_ - before;
  busy_ns_.fetch_add(spent.count(), std::memory_order_relaxed);
}

Duration Runtime::busy_wait_cpu() const {
  return Duration(busy_ns_.load());
}

std::uint64_t Runtime::random_below(std::uint64_t n) {
  std::scoped_lock lock(random_lock_);
  return random_.below(n);
}

double Runtime::random_unit() {
  std::scoped_lock lock(random_lock_);
  return random_.unit();
}

void Runtime::fail(std::exception_ptr e) {
  std::scoped_lock lock(failure_lock_);
  if (!failure_) failure_ = std::move(e);
}

void Runtime::rethrow_failure() {
  std::scoped_lock lock(failure_lock_);
  if (failure_) std::rethrow_exception(failure_);
}

}  // namespace cacophony::runtime
