#pragma once
// `play`'s JACK transport options, in one place: --transport MODE and klick's letter for it (-j:
// follow), their help (and so the manual and the completion) and their checks.

#include <CLI/CLI.hpp>
#include <string>

#include "options/rhythm_options.h"

namespace cacophony::cli {

struct RawTransport {
  std::string mode;     // --transport
  bool follow = false;  // -j
};

enum class TransportMode { none, follow };

void add_transport_options(CLI::App& cmd, RawTransport& raw);
// The mode asked for. Throws UsageError for an unknown mode, two ways of asking, or what the
// mode cannot take: `rhythm` (follow plays the master's beats, no rhythm of its own) or `link`.
TransportMode transport_choice(const RawTransport& raw, const RawRhythm& rhythm, bool link);

}  // namespace cacophony::cli
