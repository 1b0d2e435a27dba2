#pragma once
// --procs: how many worker threads run real time's tasks (Go's GOMAXPROCS).

#include <CLI/CLI.hpp>
#include <string>

#include "cacophony/runtime/runtime.h"

namespace cacophony::cli {

// `raw` keeps what was given; "" leaves one worker a core.
CLI::Option* add_procs_option(CLI::App& cmd, std::string& raw);
// The runtime's worker threads: `raw` (1..Runtime::kMaxProcs), else one per core the process may
// run on, as Go counts them. UsageError if `raw` is out of range, or given for a clock other than
// real time, which has no workers.
void use_procs(const std::string& raw, runtime::TimeMode time);

}  // namespace cacophony::cli
