#pragma once
// A small seeded generator (xoshiro256**), identical on every platform, so that a simulated run
// is a pure function of its seed. Not thread-safe: the runtime guards the shared instance.

#include <cstdint>

namespace cacophony::runtime {

class Random {
 public:
  explicit Random(std::uint64_t seed);

  std::uint64_t next();
  // Uniform in [0, n); n must be positive.
  std::uint64_t below(std::uint64_t n);
  // Uniform in [0, 1), with 53 random bits.
  double unit();

 private:
  std::uint64_t s_[4];
};

}  // namespace cacophony::runtime
