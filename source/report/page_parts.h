#pragma once
// The report page's parts that the run page (page.cpp) and the explore page (explore_page.cpp)
// share (private to the report layer): page() fills page.html around a chart section (chart.html)
// per ChartParts, in order, with the figures of each run beside it and one time window for all
// (report/page.h says how).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cacophony/analysis/metrics.h"
#include "cacophony/harness/harness.h"

namespace cacophony::report_parts {

// One chart: its run, what is shown beside it, and what its data adds.
struct ChartParts {
  const Run* run = nullptr;
  const Metrics* metrics = nullptr;  // none: `run` is empty, nothing ended to draw
  std::string exploration;           // explore pages: what explore found (explored.html)
  nlohmann::json data;               // explore pages: the same as the chart's "exploration" data
};

// What differs between the page of `run` and the page of `explore`.
struct PageParts {
  std::string summary_title;  // plain text
  std::string exploration;    // HTML above the charts (explore.html), or empty
};

std::string page(const std::vector<ChartParts>& charts, const RunOptions& options,
                 const PageParts& parts);

}  // namespace cacophony::report_parts
