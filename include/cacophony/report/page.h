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
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cacophony/analysis/metrics.h"
#include "cacophony/explore/explore.h"
#include "cacophony/harness/harness.h"

namespace cacophony {

inline constexpr std::size_t kMaxChartEvents = 20'000;

// `often`, when given (one per run, or none), puts beside each run's figures how often each
// outcome class occurred when its scenario was explored: count and share of the schedules.
std::string report_page(const std::vector<Run>& runs, const std::vector<Metrics>& metrics,
                        const RunOptions& options,
                        const std::vector<std::optional<Exploration>>& often = {});

// The explore page: the same page, with a chart per explored scenario (in the given order), each
// drawing one run, and above it how often each outcome class occurred across the schedules.
//
// Guarantees
// - Above the charts, a table of every scenario's outcome counts; in each chart, every class with
//   its count, its share of the schedules run, its first schedule and
//   `commands.replay(scenario, schedule)` (how to draw that run again: the caller knows its
//   command line), the strategy, and whether DFS ran every interleaving. The page's data holds the
//   same per chart under "exploration".
// - `explored[i].run` must be the replay (replay_run, with the exploration's run options) of the
//   first schedule of representative(explored[i].exploration), measured by `metrics`; it is none
//   when that has no class, and the chart then says that nothing ended to draw. Throws
//   std::invalid_argument when a run is missing, unexpected, or of another scenario.
struct ExploredScenario {
  Exploration exploration;
  std::optional<Run> run;
  Metrics metrics;
};
using ReplayCommand = std::function<std::string(const Scenario&, const std::string& schedule)>;
// The caller's command line, as the page tells its reader to use it: the page names no program.
struct CommandLine {
  std::string explore;   // the command that explored, e.g. "cacophony explore"
  ReplayCommand replay;  // the command that draws a schedule's run again
};

std::string explore_page(const std::vector<ExploredScenario>& explored,
                         const ExploreOptions& options, const CommandLine& commands);

// Text made safe to put between HTML tags or in a quoted attribute.
std::string html_escape(std::string_view text);

}  // namespace cacophony
