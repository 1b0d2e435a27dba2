#pragma once
// The chart library the report page inlines: vis-timeline's standalone build and its style sheet,
// embedded at build time from node_modules (pinned by package-lock.json) by
// cmake/embed_assets.cmake. Both are empty when node_modules was missing when the build ran.

#include <string_view>

namespace cacophony::report_assets {

std::string_view timeline_js();
std::string_view timeline_css();

}  // namespace cacophony::report_assets
