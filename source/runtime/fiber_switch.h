#pragma once
// Internal: tells ThreadSanitizer and AddressSanitizer about user-space stack switches, which
// they cannot see on their own. Without the sanitizers every call compiles to nothing.

#include <cstddef>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define CACOPHONY_TSAN 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define CACOPHONY_ASAN 1
#endif

namespace cacophony::runtime::fiber_switch {

// One execution context: a fiber, or the scheduler's own thread stack.
struct Context {
  void* tsan = nullptr;
  void* asan_fake_stack = nullptr;
  const void* stack_bottom = nullptr;
  std::size_t stack_size = 0;
};

// `c` becomes the calling thread's own stack: a worker's, or a scheduler's.
inline void adopt_current(Context& c) {
#ifdef CACOPHONY_TSAN
  c.tsan = __tsan_get_current_fiber();
#endif
#ifdef CACOPHONY_ASAN
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* bottom = nullptr;
    std::size_t size = 0;
    if (pthread_attr_getstack(&attr, &bottom, &size) == 0) {
      c.stack_bottom = bottom;
      c.stack_size = size;
    }
    pthread_attr_destroy(&attr);
  }
#endif
  (void)c;
}

inline void create(Context& c, const void* bottom, std::size_t size) {
#ifdef CACOPHONY_TSAN
  c.tsan = __tsan_create_fiber(0);
#endif
  c.stack_bottom = bottom;
  c.stack_size = size;
}

inline void destroy(Context& c) {
#ifdef CACOPHONY_TSAN
  __tsan_destroy_fiber(c.tsan);
#endif
  (void)c;
}

// Call right before switching from `from` to `to`; `from_ends` when `from` will never run again.
inline void before(Context& from, Context& to, bool from_ends = false) {
#ifdef CACOPHONY_ASAN
  __sanitizer_start_switch_fiber(from_ends ? nullptr : &from.asan_fake_stack, to.stack_bottom,
                                 to.stack_size);
#endif
#ifdef CACOPHONY_TSAN
  __tsan_switch_to_fiber(to.tsan, 0);
#endif
  (void)from, (void)to, (void)from_ends;
}

// Call first thing after arriving in `to`; records the stack we came from into `came_from`.
inline void after(Context& to, Context* came_from = nullptr) {
#ifdef CACOPHONY_ASAN
  const void* bottom = nullptr;
  std::size_t size = 0;
  __sanitizer_finish_switch_fiber(to.asan_fake_stack, &bottom, &size);
  if (came_from) {
    came_from->stack_bottom = bottom;
    came_from->stack_size = size;
  }
#endif
  (void)to, (void)came_from;
}

inline void unpoison_stack(void* bottom, std::size_t size) {
#ifdef CACOPHONY_ASAN
  ASAN_UNPOISON_MEMORY_REGION(bottom, size);
#endif
  (void)bottom, (void)size;
}

}  // namespace cacophony::runtime::fiber_switch
