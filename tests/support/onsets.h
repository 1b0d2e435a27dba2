#pragma once
// Test helper: where clicks start in a recording. The clicks are followed by exact silence, so an
// onset is the first non-zero sample after at least `gap` zeros (or at the start).

#include <cstddef>
#include <vector>

namespace cacophony::test_support {

template <typename Index = std::size_t>
std::vector<Index> onsets(const std::vector<float>& s, std::size_t gap) {
  std::vector<Index> out;
  std::size_t zeros = gap;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == 0.0f) {
      ++zeros;
      continue;
    }
    if (zeros >= gap) out.push_back(static_cast<Index>(i));
    zeros = 0;
  }
  return out;
}

}  // namespace cacophony::test_support
