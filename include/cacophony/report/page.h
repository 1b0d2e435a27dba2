#pragma once
// The report page: one self-contained HTML file (its chart library inlined, nothing fetched from
// the network) with a chart per run, in the given order, and the measured figures beside it.
//
// Guarantees
// - `runs[i]` is measured by `metrics[i]`; throws std::invalid_argument when the sizes differ.
// - Every chart shares one time window: the earliest start to the latest end over all charts,
//   padded by 1% on each side. 1 µs of a run is drawn as 1 ms of the chart's time axis; the axis
//   labels show run time.
// - Text from runs and scenarios is escaped; a description's emphasised words are set in <b>.
// - A chart holds at most kMaxChartEvents events (the earliest); the page says when it cut any.

#include <cstddef>
#include <string>
#include <vector>

#include "cacophony/analysis/metrics.h"
#include "cacophony/harness/harness.h"

namespace cacophony {

inline constexpr std::size_t kMaxChartEvents = 20'000;

std::string report_page(const std::vector<Run>& runs, const std::vector<Metrics>& metrics,
                        const RunOptions& options);


// Text made safe to put between HTML tags or in a quoted attribute.
std::string html_escape(std::string_view text);

}  // namespace cacophony
