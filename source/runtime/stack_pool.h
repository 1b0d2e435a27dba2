// Fiber stacks: mapped once, committed lazily by the kernel, and reused, so starting a task costs
// no system call. Safe to share between threads (a mutex guards it: starting a task is not on the
// audio path), so a scheduler may keep one pool per worker or one for all.
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <mutex>
#include <vector>

namespace cacophony::runtime::detail {

class StackPool {
 public:
  static constexpr std::size_t kSize = 256 * 1024;

  StackPool() = default;
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;
  ~StackPool();

  // Throws std::runtime_error saying why when the kernel refuses a new stack.
  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sc);

 private:
  [[noreturn]] void refused(const char* call) const;

  std::mutex mutex_;
  std::vector<void*> free_;
  std::size_t mapped_ = 0;
};

// The allocator boost::context takes; it keeps the stack it handed out (`given`) for the
// sanitizers, which are told about every fiber's stack.
struct PooledStack {
  StackPool* pool;
  boost::context::stack_context* given;
  boost::context::stack_context allocate() { return *given = pool->allocate(); }
  void deallocate(boost::context::stack_context& sc) { pool->deallocate(sc); }
};

}  // namespace cacophony::runtime::detail
