// Fuzzes the --meter spec: a choice, or UsageError; "jack" only when live. The file itself is not
// opened here (fuzz_file_meter reads recordings).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "options/meter_option.h"
#include "options/options.h"

using namespace cacophony::cli;

// The first byte's low bit says whether the command is live (play), the rest is the spec.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool live = data[0] & 1;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const MeterChoice choice = parse_meter(text, live);
    if (choice.kind == MeterChoice::Kind::jack && !live) std::abort();
    if (choice.kind == MeterChoice::Kind::file && choice.file.empty()) std::abort();
  } catch (const UsageError&) {
  }
  return 0;
}
