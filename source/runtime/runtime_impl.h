#pragma once
// Internal: the two runtimes behind Runtime::create.

#include "cacophony/runtime/runtime.h"

namespace cacophony::runtime {

std::unique_ptr<Runtime> make_real_runtime(std::uint64_t seed);
std::unique_ptr<Runtime> make_simulated_runtime(std::uint64_t seed);

}  // namespace cacophony::runtime
