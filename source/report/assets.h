#pragma once
// The files the report pages are made of, embedded at build time by cmake/embed_assets.cmake
// (cmake/report_assets.cmake lists them):
// - page_html, chart_html: the page's template and one chart's section, from source/report/page/;
//   each {{name}} in them is a field that page.cpp fills in;
// - explore_html, explored_html: what an explore page adds, with {{name}} fields: above the
//   charts, the outcomes of every scenario side by side; in each chart, its scenario's outcomes;
// - page_css, page_js: the page's own style and script, inlined as they are;
// - practice_html, practice_css, practice_js: the practice take's page (practice_page.cpp), its
//   template with {{name}} fields, its style and its script;
// - timeline_js, timeline_css: vis-timeline's standalone build and its style sheet, from
//   node_modules; both are empty when node_modules was missing when the build ran.

#include <string_view>

namespace cacophony::report_assets {

std::string_view page_html();
std::string_view chart_html();
std::string_view explore_html();
std::string_view explored_html();
std::string_view page_css();
std::string_view page_js();
std::string_view practice_html();
std::string_view practice_css();
std::string_view practice_js();
std::string_view timeline_js();
std::string_view timeline_css();

}  // namespace cacophony::report_assets
