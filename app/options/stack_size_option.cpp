#include "options/stack_size_option.h"

#include <fmt/format.h>

#include <charconv>

#include "cacophony/runtime/runtime.h"
#include "io/voice.h"
#include "options/options.h"

namespace cacophony::cli {

using runtime::Runtime;

CLI::Option* add_stack_size_option(CLI::App& cmd, std::string& raw) {
  return cmd
      .add_option("--stack-size", raw,
                  fmt::format("Stack of each task (real and simulated time), {}k..{}m: address "
                              "space, resident only as a task uses it; a task that overflows "
                              "it ends the program",
                              Runtime::kMinStackSize / 1024, Runtime::kMaxStackSize >> 20))
      ->type_name("SIZE")
      ->default_str(fmt::format("{}k", Runtime::kDefaultStackSize / 1024));
}

std::size_t parse_stack_size(const std::string& text) {
  std::size_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
  const int shift = unit.empty()                 ? 0
                    : unit == "k" || unit == "K" ? 10
                    : unit == "m" || unit == "M" ? 20
                                                 : -1;
  if (text.empty() || ec != std::errc() || shift < 0 || value > (Runtime::kMaxStackSize >> shift) ||
      (value << shift) < Runtime::kMinStackSize)
    throw UsageError(
        fmt::format("--stack-size must be {}k..{}m (bytes, or k or m for KiB or "
                    "MiB), got '{}'",
                    Runtime::kMinStackSize / 1024, Runtime::kMaxStackSize >> 20, text));
  return value << shift;
}

void use_stack_size(const std::string& raw) {
  if (!raw.empty()) Runtime::set_stack_size(parse_stack_size(raw));
  // Written by a signal handler, so made now, and kept for the process's life.
  static std::string line;
  line = fmt::format(
      "{}: failed: a task overflowed its {} KiB stack; give it more with "
      "--stack-size\n",
      program_name(), Runtime::stack_size() / 1024);
  Runtime::set_overflow_message(line.c_str());
}

}  // namespace cacophony::cli
