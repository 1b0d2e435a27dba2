// Internal: telling a task's stack overflow from any other fault (Runtime::set_stack_size,
// runtime.h). Stack pools register the address ranges they reserve; a SIGSEGV handler, run on an
// alternate signal stack of the thread's own, looks the fault's address up among their guards.
#pragma once

#include <cstddef>

namespace cacophony::runtime::detail::stack_guard {

// One reserved range of `slots` stack slots, each `slot` bytes, the lowest `guard` bytes of each
// its guard, above which `stack` bytes are the task's. False when the table is full (the range
// then can't be told apart: its caller must not use it).
bool watch_range(const void* begin, std::size_t slot, std::size_t guard, std::size_t slots,
                 std::size_t stack);
void forget_range(const void* begin);

// Installs the SIGSEGV handler (once per process) and, unless the calling thread has one, an
// alternate signal stack for it: an overflowed stack has no room left to run the handler on.
// Every thread that runs fibers calls it before it resumes one.
void watch_this_thread();

}  // namespace cacophony::runtime::detail::stack_guard
