// Fiber stacks, reserved in bulk: one mapping ("chunk") holds up to thousands of stack slots
// (the first 16, each next one twice as many), committed lazily by the kernel (a parked task's
// stack is resident only where it has run), so a run can hold a million tasks without a mapping
// each. The lowest bytes of every slot are a guard
// (stack_guard.h tells its fault from others); where the kernel can put guards in the page tables
// (MADV_GUARD_INSTALL, Linux 6.13) a chunk stays one mapping, else each guard is an mprotect'ed
// mapping of its own, and vm.max_map_count (65530 by default) bounds a run to about 32,000 tasks.
// Stacks handed back stay resident up to 64 MiB of them, for reuse; the pages of the others go
// back to the kernel, 256 stacks at a time.
//
// Safe to share between threads (a mutex guards it: starting a task is not on the audio path), so
// a scheduler may keep one pool per worker or one for all.
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <mutex>
#include <vector>

namespace cacophony::runtime::detail {

class StackPool {
 public:
  // Stacks of `stack_size` bytes (a multiple of the page size) each.
  explicit StackPool(std::size_t stack_size);
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;
  ~StackPool();

  // Throws std::runtime_error saying why when the kernel refuses a new stack.
  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sc);

 private:
  char* carve();
  void add_chunk();
  void install_guard(char* slot);
  void trim(std::vector<char*>& slots) const;
  [[noreturn]] void refused(const char* call) const;

  const std::size_t stack_;
  const std::size_t warm_;       // free stacks kept resident
  const std::size_t slot_;       // guard + stack
  const std::size_t max_slots_;  // in one chunk
  struct Chunk {
    char* base;
    std::size_t slots;
  };
  std::mutex mutex_;
  std::vector<Chunk> chunks_;
  std::size_t carved_ = 0;          // slots handed out at least once, over all chunks
  std::size_t carved_in_last_ = 0;  // of them, in the newest chunk
  std::vector<char*> free_;         // slots handed back, resident as they were left
  std::vector<char*> cold_;         // slots handed back beyond warm_, to be trimmed
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
