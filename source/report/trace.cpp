#include "cacophony/report/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "cacophony/scenario/scenario.h"

namespace cacophony {
namespace {

using nlohmann::json;

// The trace's events, written one by one as they are made: a long run's trace never sits in
// memory whole.
class Events {
 public:
  explicit Events(const TraceWrite& write) : write_(write) {}
  void push_back(const json& event) {
    write_(first_ ? "" : ",");
    write_(event.dump());
    first_ = false;
  }

 private:
  const TraceWrite& write_;
  bool first_ = true;
};

double micros(runtime::Duration d) {
  return static_cast<double>(d.count()) / 1000.0;
}

json metadata(const char* name, int pid, int tid, json args) {
  return {{"name", name}, {"ph", "M"},  {"ts", 0},
          {"pid", pid},   {"tid", tid}, {"args", std::move(args)}};
}

json instant(std::string name, const char* category, const Event& e, int pid, int tid, json args) {
  return {{"name", std::move(name)}, {"cat", category}, {"ph", "i"},  {"s", "t"},
          {"ts", micros(e.at)},      {"pid", pid},      {"tid", tid}, {"args", std::move(args)}};
}

// Measurements by start time, each on the first lane whose last slice has ended by then.
void add_measurements(Events& out, const Run& run, int pid) {
  std::vector<const Event*> measured;
  for (const Event& e : run.events)
    if (e.category == Category::volume) measured.push_back(&e);
  std::stable_sort(measured.begin(), measured.end(),
                   [](const Event* a, const Event* b) { return a->at < b->at; });
  std::vector<runtime::Time> lane_end;
  for (const Event* e : measured) {
    std::size_t lane = 0;
    while (lane < lane_end.size() && lane_end[lane] > e->at) ++lane;
    if (lane == lane_end.size()) {
      lane_end.push_back(e->at);
      out.push_back(metadata("thread_name", pid, trace_tid::first_measurements + int(lane),
                             {{"name", "measurements " + std::to_string(lane + 1)}}));
    }
    lane_end[lane] = e->at + e->duration;
    json args = {{"volume", e->volume}, {"after_end", e->after_end}};
    out.push_back({{"name", "measure volume"},
                   {"cat", "volume"},
                   {"ph", "X"},
                   {"ts", micros(e->at)},
                   {"dur", micros(e->duration)},
                   {"pid", pid},
                   {"tid", trace_tid::first_measurements + int(lane)},
                   {"args", args}});
    out.push_back({{"name", "volume"},
                   {"ph", "C"},
                   {"ts", micros(e->at + e->duration)},
                   {"pid", pid},
                   {"tid", trace_tid::first_measurements + int(lane)},
                   {"args", {{"volume", e->volume}}}});
  }
}

// One track per task: each measurement, beat and return on the track of the task that made it,
// so that the order in which the tasks ran reads along the tracks.
void add_tasks(Events& out, const Run& run, int pid) {
  std::vector<bool> named;
  for (const Event& e : run.events) {
    if (e.task < 0 || e.category == Category::ghost) continue;
    const auto task = static_cast<std::size_t>(e.task);
    const int tid = trace_tid::first_task + e.task;
    if (task >= named.size()) named.resize(task + 1, false);
    if (!named[task]) {
      named[task] = true;
      out.push_back(metadata("thread_name", pid, tid,
                             {{"name", e.task == 0 ? std::string("task 0 (main)")
                                                   : "task " + std::to_string(e.task)}}));
    }
    if (e.category == Category::volume)
      out.push_back({{"name", "measure volume"},
                     {"cat", "task"},
                     {"ph", "X"},
                     {"ts", micros(e.at)},
                     {"dur", micros(e.duration)},
                     {"pid", pid},
                     {"tid", tid},
                     {"args", {{"volume", e.volume}}}});
    else
      out.push_back(instant(tooltip(e), "task", e, pid, tid, json::object()));
  }
}

void add_run(Events& out, const Run& run, int pid) {
  out.push_back(metadata("process_name", pid, 0, {{"name", std::string(run.scenario->id)}}));
  out.push_back(metadata("process_sort_index", pid, 0, {{"sort_index", pid}}));
  out.push_back(metadata("thread_name", pid, trace_tid::ghosts, {{"name", "ideal beats"}}));
  out.push_back(metadata("thread_name", pid, trace_tid::beats, {{"name", "beats"}}));
  out.push_back(metadata("thread_name", pid, trace_tid::end, {{"name", "metronome returned"}}));
  if (run.events_left_out > 0)
    out.push_back(metadata("process_labels", pid, 0,
                           {{"labels", fmt::format("trace cut: the {} latest events are left out",
                                                   run.events_left_out)}}));
  add_measurements(out, run, pid);
  add_tasks(out, run, pid);

  for (const Event& e : run.events) {
    switch (e.category) {
      case Category::ghost:
        out.push_back(
            instant(tooltip(e), "ghost", e, pid, trace_tid::ghosts, {{"count", e.number}}));
        break;
      case Category::beat:
        out.push_back(instant(tooltip(e), "beat", e, pid, trace_tid::beats,
                              {{"count", e.number},
                               {"volume", e.volume},
                               {"label", content(e)},
                               {"after_end", e.after_end}}));
        break;
      case Category::end:
        out.push_back(instant(tooltip(e), "end", e, pid, trace_tid::end, json::object()));
        break;
      case Category::volume:
        break;  // above
    }
  }
}

}  // namespace

void write_chrome_trace(const std::vector<Run>& runs, const TraceWrite& write) {
  // As nlohmann::json would write {"traceEvents": [...], "displayTimeUnit": "ns"}: keys sorted.
  write(R"({"displayTimeUnit":"ns","traceEvents":[)");
  Events events(write);
  int pid = 0;
  for (const Run& run : runs) add_run(events, run, ++pid);
  write("]}");
}

}  // namespace cacophony
