#include "cacophony/runtime/runtime.h"

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "scheduler.h"

namespace cacophony::runtime {
namespace {
thread_local detail::Scheduler* current_scheduler = nullptr;
thread_local detail::Task* current_task = nullptr;

[[noreturn]] void outside_a_task() {
  throw std::logic_error("cacophony runtime: called outside a task of a run");
}

std::atomic<unsigned> procs_setting{1};
}  // namespace

void Runtime::set_procs(unsigned procs) {
  if (procs < 1 || procs > kMaxProcs)
    throw std::invalid_argument("procs must be between 1 and " + std::to_string(kMaxProcs));
  procs_setting.store(procs, std::memory_order_relaxed);
}

unsigned Runtime::procs() {
  return procs_setting.load(std::memory_order_relaxed);
}

std::unique_ptr<Runtime> Runtime::create(TimeMode mode, std::uint64_t seed) {
  if (mode == TimeMode::threads) return detail::make_thread_runtime(seed);
  if (mode == TimeMode::real && procs() > 1) return detail::make_worker_runtime(seed, procs());
  return detail::make_fiber_runtime(mode, seed);
}

std::unique_ptr<Runtime> Runtime::create(TimeMode mode, std::uint64_t seed, Strategy& strategy) {
  if (mode == TimeMode::threads)
    throw std::invalid_argument("a schedule strategy needs a fiber runtime (real or simulated)");
  return detail::make_fiber_runtime(mode, seed, &strategy);
}

int task_number() {
  return current_task ? current_task->number : -1;
}

int Runtime::use_realtime_priority() {
  sched_param param{};
  param.sched_priority = kRealtimePriority;
  return pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
}

Runtime& Runtime::current() {
  return detail::Scheduler::current();
}

namespace detail {

Scheduler::Scheduler(TimeMode mode, std::uint64_t seed, bool parallel)
    : Runtime(mode, !parallel), lock_(parallel), random_lock_(parallel), random_(seed) {}

Scheduler& Scheduler::current() {
  if (current_scheduler == nullptr) outside_a_task();
  return *current_scheduler;
}

Task& Scheduler::self() {
  // The fiber scheduler's own loop has a runtime but is no task.
  if (current_task == nullptr) outside_a_task();
  return *current_task;
}

void Scheduler::set_current(Scheduler* rt, Task* task) {
  current_scheduler = rt;
  current_task = task;
}

void Scheduler::sleep_until(Time t) {
  Task& me = self();
  stop_spinning(me);
  while (now() < t) park_until(t);
}

void Scheduler::yield() {
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

Duration Scheduler::busy_wait_cpu() const {
  return Duration(busy_ns_.load());
}

std::uint64_t Scheduler::random_below(std::uint64_t n) {
  std::scoped_lock lock(random_lock_);
  return random_.below(n);
}

double Scheduler::random_unit() {
  std::scoped_lock lock(random_lock_);
  return random_.unit();
}

void Scheduler::fail(std::exception_ptr e) {
  std::scoped_lock lock(failure_lock_);
  if (!failure_) failure_ = std::move(e);
}

void Scheduler::rethrow_failure() {
  std::scoped_lock lock(failure_lock_);
  if (failure_) std::rethrow_exception(failure_);
}

}  // namespace detail
}  // namespace cacophony::runtime
