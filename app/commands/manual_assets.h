#pragma once
// The manual page's hand-written sections (app/commands/manual/sections.roff: the tempo-map format,
// files, environment, examples), embedded at build time by cmake/embed_assets.cmake.

#include <string_view>

namespace cacophony::cli::manual_assets {

std::string_view sections_roff();

}  // namespace cacophony::cli::manual_assets
