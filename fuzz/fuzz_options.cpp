// Fuzzes the number and option parsers: each either returns a value its help allows or throws
// UsageError; anything else (another exception, a crash, undefined behaviour) is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "options/options.h"

using namespace cacophony;
using namespace cacophony::cli;

namespace {

void parse(std::uint8_t which, const std::string& text) {
  switch (which % 7) {
    case 0: {
      const Bpm bpm = parse_bpm(text);
      (void)bpm;
      break;
    }
    case 1:
      if (const auto n = parse_count("--beats", text, 1, 10'000'000); n < 1 || n > 10'000'000)
        std::abort();
      break;
    case 2:
      if (const auto n = parse_count("--quantum", text, 1, 16); n < 1 || n > 16) std::abort();
      break;
    case 3:
      parse_count("--rate", text, INT64_MIN, INT64_MAX);
      break;
    case 4:
      parse_seed(text);
      break;
    case 5:
      parse_delay_option(text);
      break;
    default:
      parse_time(text);
  }
}

}  // namespace

// The first byte picks the parser, the rest is the option's text.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    parse(data[0], text);
  } catch (const UsageError&) {
  }
  return 0;
}
