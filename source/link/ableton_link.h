#pragma once
// The one place that includes Ableton Link (and with it asio): session.cpp and link_grid.cpp.

#include <ableton/Link.hpp>

#include "cacophony/link/session.h"

namespace cacophony::link {

struct Session::Link {
  explicit Link(double bpm) : link(bpm) {}
  ableton::Link link;
};

}  // namespace cacophony::link
