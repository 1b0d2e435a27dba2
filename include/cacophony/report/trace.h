#pragma once
// The runs as a Chrome trace (Trace Event Format), for chrome://tracing or ui.perfetto.dev.
//
// Layout
// - one process per run (pid = its position, 1-based), named by the scenario id;
// - threads: 1 "ideal beats" (ghosts), 2 "beats", 3 "metronome returned" (the end marker), and
//   10, 11, ... "measurements k": a measurement goes on the first such track where it overlaps
//   nothing, since a viewer can't nest slices that merely overlap;
// - measurements are complete events ("X"), beats, ghosts and the end are thread-scoped instants
//   ("i", "s": "t"), and each measured value is also a "volume" counter ("C") at its end;
// - ts and dur are microseconds (fractional: exact to the nanosecond); every event, metadata
//   included, carries name, ph, ts, pid and tid.

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "cacophony/harness/harness.h"

namespace cacophony {

namespace trace_tid {
inline constexpr int ghosts = 1;
inline constexpr int beats = 2;
inline constexpr int end = 3;
inline constexpr int first_measurements = 10;
inline constexpr int first_task = 1000;  // task n's track: what it recorded, in its order
}  // namespace trace_tid

// The longest trace a run keeps (about 80 000 beats of it): its trace file stays under ~100 MB.
inline constexpr std::size_t kMaxTraceEvents = 250'000;

// Writes the runs' trace through `write`, piece by piece, so that memory does not grow with it.
// A run that holds only a window of its events (run_measured) says so in its process's label.
using TraceWrite = std::function<void(std::string_view)>;
void write_chrome_trace(const std::vector<Run>& runs, const TraceWrite& write);

}  // namespace cacophony
