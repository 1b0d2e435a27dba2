#include "stack_pool.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "fiber_switch.h"

namespace cacophony::runtime::detail {

StackPool::~StackPool() {
  for (void* s : free_) munmap(s, kSize);
}

boost::context::stack_context StackPool::allocate() {
  const std::lock_guard lock(mutex_);
  void* base;
  if (free_.empty()) {
    base = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                -1, 0);
    if (base == MAP_FAILED) refused("mmap");
    // Without its guard page a stack that overflows would write over its neighbour's.
    if (mprotect(base, 4096, PROT_NONE) != 0) {
      const int error = errno;
      munmap(base, kSize);
      errno = error;
      refused("mprotect");
    }
    ++mapped_;
  } else {
    base = free_.back();
    free_.pop_back();
  }
  boost::context::stack_context sc;
  sc.size = kSize;
  sc.sp = static_cast<char*>(base) + kSize;
  return sc;
}

// A stack the kernel would not map: the task is not started, and the run fails with why.
void StackPool::refused(const char* call) const {
  throw std::runtime_error(std::string("cannot start a task: the kernel refused its stack (") +
                           call + ": " + std::strerror(errno) + ") with " +
                           std::to_string(mapped_) +
                           " stacks mapped; each takes two of the process's memory maps, "
                           "which vm.max_map_count bounds");
}

void StackPool::deallocate(boost::context::stack_context& sc) {
  void* base = static_cast<char*>(sc.sp) - sc.size;
  fiber_switch::unpoison_stack(base, sc.size);
  const std::lock_guard lock(mutex_);
  free_.push_back(base);
}

}  // namespace cacophony::runtime::detail
