#pragma once
// `play`'s JACK transport options, in one place: --transport MODE and klick's letters for the
// modes (-j follow, -t sync, -T master), their help (and so the manual and the completion) and
// their checks.

#include <CLI/CLI.hpp>
#include <string>

#include "options/rhythm_options.h"

namespace cacophony::cli {

struct RawTransport {
  std::string mode;     // --transport
  bool follow = false;  // -j
  bool sync = false;    // -t
  bool master = false;  // -T
};

enum class TransportMode { none, follow, sync, master };

void add_transport_options(CLI::App& cmd, RawTransport& raw);
// The mode asked for. Throws UsageError for an unknown mode, two modes asked, or what the mode
// cannot take: --link (any mode), a rhythm (follow plays the master's beats), --setlist (sync and
// master play one rhythm on the transport's frames).
TransportMode transport_choice(const RawTransport& raw, const RawRhythm& rhythm, bool link);

}  // namespace cacophony::cli
