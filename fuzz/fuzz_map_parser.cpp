// Fuzzes the tempo map parser: a map either parses to a performance check() accepts, or is
// refused with a RhythmError; anything else (another exception, a crash, undefined behaviour) is
// a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cacophony/rhythm/parse.h"

using namespace cacophony::rhythm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Performance performance;
  try {
    performance = parse_map(text, "fuzz");
  } catch (const RhythmError&) {
    return 0;  // a refusal is a fine answer to a bad map
  } catch (...) {
    std::abort();
  }
  try {
    check(performance);  // the parser must return only what a Timeline can play
  } catch (...) {
    std::abort();
  }
  return 0;
}
