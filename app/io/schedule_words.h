#pragma once
// A simulated run's schedule in words, from the runtime's Narrator (runtime/schedule.h): each
// switch as it happens (-vv) and each choice after the run (--explain).

#include <cstdio>

#include "cacophony/runtime/schedule.h"

namespace cacophony::cli {

// Prints "   12.500 ms  -> task 3 (go at async_naive.cpp:31)" at every switch, with the
// simulated clock's time, among the beats that -v prints.
runtime::Narrator::SwitchObserver switch_printer(FILE* log);

// Prints the run's choices, one line each:
// "   step 3: task 4 (go at async_naive.cpp:31) ran before task 1 (go at ...), task 2 (...)".
void print_schedule(FILE* log, const runtime::Narrator& narrator);

}  // namespace cacophony::cli
