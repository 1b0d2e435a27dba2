#include "options/procs_option.h"

#include <fmt/format.h>
#include <sched.h>

#include <algorithm>

#include "options/options.h"

namespace cacophony::cli {
namespace {

using runtime::Runtime;

// The cores this process may run on (its affinity, as Go counts them), in the runtime's range.
unsigned cores() {
  cpu_set_t set;
  const int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  return std::clamp(static_cast<unsigned>(n), 1u, Runtime::kMaxProcs);
}

}  // namespace

CLI::Option* add_procs_option(CLI::App& cmd, std::string& raw) {
  return cmd
      .add_option("--procs", raw,
                  fmt::format("Worker threads that run real time's tasks, 1..{}, as Go's "
                              "GOMAXPROCS: 1 runs every task on one thread",
                              Runtime::kMaxProcs))
      ->type_name("N")
      ->default_str(fmt::format("{}, the cores", cores()));
}

void use_procs(const std::string& raw, runtime::TimeMode time) {
  if (!raw.empty() && time != runtime::TimeMode::real)
    throw UsageError("--procs sets real time's worker threads: add --time real");
  Runtime::set_procs(
      raw.empty() ? cores()
                  : static_cast<unsigned>(parse_count("--procs", raw, 1, Runtime::kMaxProcs)));
}

}  // namespace cacophony::cli
