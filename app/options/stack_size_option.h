#pragma once
// --stack-size: the stack of every task a run starts in fibers (real and simulated time).

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

namespace cacophony::cli {

// `raw` keeps what was given; "" leaves the runtime's default.
CLI::Option* add_stack_size_option(CLI::App& cmd, std::string& raw);
// Bytes (65536), or KiB or MiB with k or m (64k, 1m), in the runtime's range; else UsageError.
std::size_t parse_stack_size(const std::string& text);
// The runtime's stack size, from `raw` or its default, and the line a task's overflow writes,
// naming that size and this option.
void use_stack_size(const std::string& raw);

}  // namespace cacophony::cli
