#include "cacophony/bpm/bpm.h"

#include <charconv>
#include <stdexcept>
#include <string>

namespace cacophony {

Bpm Bpm::of(std::int64_t value) {
  if (value < kMin || value > kMax)
    throw std::invalid_argument("bpm must lie in (0, 6000], got " + std::to_string(value));
  return Bpm(value);
}

Bpm Bpm::parse(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end)
    throw std::invalid_argument("bpm must be a whole number in (0, 6000], got '" +
                                std::string(text) + "'");
  if (ec == std::errc::result_out_of_range)
    throw std::invalid_argument("bpm must lie in (0, 6000], got " + std::string(text));
  return of(value);
}

}  // namespace cacophony
