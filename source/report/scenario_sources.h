#pragma once
// The built-in scenarios' source files (source/scenario/<code>.cpp), embedded at build time by
// cmake/embed_assets.cmake (cmake/report_assets.cmake lists them), so that a page carries each
// chart's code.

#include <string_view>

namespace cacophony::scenario_sources {

// The text of source/scenario/<code>.cpp; empty when no built-in scenario has that file.
std::string_view source_of(std::string_view code);

}  // namespace cacophony::scenario_sources
