// The report page and the Chrome trace, checked as data (the page's behaviour in a browser is
// tests/page/page.test.mjs).

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cacophony/analysis/metrics.h"
#include "cacophony/explore/explore.h"
#include "cacophony/harness/harness.h"
#include "cacophony/report/page.h"
#include "cacophony/report/trace.h"
#include "cacophony/runtime/channel.h"
#include "cacophony/runtime/runtime.h"
#include "cacophony/scenario/scenario.h"
#include "support/command.h"
#include "support/page_data.h"

namespace cacophony {
namespace {

using nlohmann::json;

RunOptions simulated() {
  RunOptions options;
  options.time = runtime::TimeMode::simulated;
  return options;
}

const std::vector<Run>& all_runs() {
  static const std::vector<Run> runs = [] {
    std::vector<Run> out;
    for (const Scenario* s : scenarios()) out.push_back(run_scenario(*s, simulated()));
    return out;
  }();
  return runs;
}

std::vector<Metrics> measure_all(const std::vector<Run>& runs) {
  std::vector<Metrics> out;
  for (const cacophony::Run& r : runs) out.push_back(measure(r));
  return out;
}

double micros(runtime::Duration d) {
  return static_cast<double>(d.count()) / 1000.0;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The data the page's script draws from.
// The runs' trace, as written and read back.
json chrome_trace(const std::vector<cacophony::Run>& runs) {
  std::string text;
  write_chrome_trace(runs, [&text](std::string_view piece) { text += piece; });
  return json::parse(text);
}

json page_data(const std::string& page) {
  return test_support::page_data(page, "cacophony-data");
}

TEST(ReportTrace, RoundTripsAndEveryEventIsComplete) {
  const json trace = chrome_trace(all_runs());
  EXPECT_EQ(trace.at("displayTimeUnit"), "ns");
  const json& events = trace.at("traceEvents");
  ASSERT_TRUE(events.is_array());
  ASSERT_FALSE(events.empty());
  for (const json& e : events) {
    for (const char* key : {"name", "ph", "ts", "pid", "tid"})
      ASSERT_TRUE(e.contains(key)) << key << " missing in " << e.dump();
    EXPECT_TRUE(e.at("ts").is_number());
    const std::string ph = e.at("ph");
    EXPECT_TRUE(ph == "M" || ph == "X" || ph == "i" || ph == "C") << ph;
    if (ph == "X") {
      EXPECT_GE(e.at("dur").get<double>(), 0.0);
    }
    if (ph == "i") {
      EXPECT_EQ(e.at("s"), "t");
    }
  }
}

TEST(ReportTrace, OneNamedProcessPerRunAndNamedTracks) {
  const json trace = chrome_trace(all_runs());
  std::map<int, std::string> processes;
  std::map<std::pair<int, int>, std::string> threads;
  for (const json& e : trace.at("traceEvents")) {
    if (e.at("name") == "process_name") processes[e.at("pid")] = e.at("args").at("name");
    if (e.at("name") == "thread_name")
      threads[{e.at("pid"), e.at("tid")}] = e.at("args").at("name");
  }
  ASSERT_EQ(processes.size(), all_runs().size());
  for (std::size_t i = 0; i < all_runs().size(); ++i) {
    const int pid = static_cast<int>(i) + 1;
    EXPECT_EQ(processes[pid], all_runs()[i].scenario->id);
    EXPECT_EQ(threads[std::make_pair(pid, trace_tid::ghosts)], "ideal beats");
    EXPECT_EQ(threads[std::make_pair(pid, trace_tid::beats)], "beats");
    EXPECT_EQ(threads[std::make_pair(pid, trace_tid::end)], "metronome returned");
    EXPECT_EQ(threads[std::make_pair(pid, trace_tid::first_measurements)], "measurements 1");
  }
  // Every track an event uses is named.
  for (const json& e : trace.at("traceEvents"))
    if (e.at("ph") == "X" || e.at("ph") == "i") {
      EXPECT_TRUE(threads.contains({e.at("pid"), e.at("tid")})) << e.dump();
    }
}

TEST(ReportTrace, TimesInMicrosecondsMatchTheEvents) {
  const json trace = chrome_trace(all_runs());
  for (std::size_t i = 0; i < all_runs().size(); ++i) {
    const cacophony::Run& run = all_runs()[i];
    const int pid = static_cast<int>(i) + 1;
    std::map<std::string, std::vector<double>> expected, seen;  // kind -> times in µs
    std::vector<std::pair<double, double>> expected_slices, seen_slices;
    for (const Event& e : run.events) {
      switch (e.category) {
        case Category::ghost:
          expected["ghost"].push_back(micros(e.at));
          break;
        case Category::beat:
          expected["beat"].push_back(micros(e.at));
          break;
        case Category::end:
          expected["end"].push_back(micros(e.at));
          break;
        case Category::volume:
          expected_slices.emplace_back(micros(e.at), micros(e.duration));
          break;
      }
    }
    // Each measurement, beat and return also sits on the track of the task that recorded it.
    std::map<int, std::vector<double>> expected_tasks, seen_tasks;  // task -> times in µs
    for (const Event& e : run.events)
      if (e.category != Category::ghost) {
        EXPECT_GE(e.task, 0) << run.scenario->id;
        expected_tasks[e.task].push_back(micros(e.at));
      }
    for (const json& e : trace.at("traceEvents")) {
      if (e.at("pid") != pid) continue;
      if (e.at("ph") != "M" && e.at("tid").get<int>() >= trace_tid::first_task) {
        seen_tasks[e.at("tid").get<int>() - trace_tid::first_task].push_back(e.at("ts"));
        continue;
      }
      const double ts = e.at("ts");
      if (e.at("ph") == "X") seen_slices.emplace_back(ts, e.at("dur").get<double>());
      if (e.at("ph") != "i") continue;
      const int tid = e.at("tid");
      seen[tid == trace_tid::ghosts  ? "ghost"
           : tid == trace_tid::beats ? "beat"
                                     : "end"]
          .push_back(ts);
    }
    EXPECT_EQ(seen, expected) << run.scenario->id;
    std::sort(expected_slices.begin(), expected_slices.end());
    std::sort(seen_slices.begin(), seen_slices.end());
    EXPECT_EQ(seen_slices, expected_slices) << run.scenario->id;
    EXPECT_EQ(seen_tasks, expected_tasks) << run.scenario->id;
  }
}

TEST(ReportTrace, MeasurementsOnOneTrackNeverOverlap) {
  const json trace = chrome_trace(all_runs());
  std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> tracks;
  bool some_overlap_in_the_runs = false;
  for (const cacophony::Run& run : all_runs())
    some_overlap_in_the_runs |= measure(run).overlapping_measurements > 0;
  for (const json& e : trace.at("traceEvents"))
    if (e.at("ph") == "X") tracks[{e.at("pid"), e.at("tid")}].emplace_back(e.at("ts"), e.at("dur"));
  int lanes_beyond_first = 0;
  for (auto& [track, slices] : tracks) {
    EXPECT_GE(track.second, trace_tid::first_measurements);
    lanes_beyond_first += track.second > trace_tid::first_measurements;
    std::sort(slices.begin(), slices.end());
    for (std::size_t n = 1; n < slices.size(); ++n)
      EXPECT_LE(slices[n - 1].first + slices[n - 1].second, slices[n].first + 1e-6)
          << "pid " << track.first << " tid " << track.second;
  }
  // The async scenarios do measure concurrently, so the lanes are really exercised.
  EXPECT_TRUE(some_overlap_in_the_runs);
  EXPECT_GT(lanes_beyond_first, 0);
}

TEST(ReportTrace, EmptyRunsGiveAnEmptyTrace) {
  const json trace = chrome_trace({});
  EXPECT_TRUE(trace.at("traceEvents").empty());
}

TEST(ReportPage, OneSelfContainedPageWithAChartPerScenario) {
  const std::string page = report_page(all_runs(), measure_all(all_runs()), simulated());
  EXPECT_EQ(page.rfind("<!doctype html>", 0), 0u);
  EXPECT_EQ(count(page, "<details class=\"chart\""), all_runs().size());
  // Nothing is loaded from elsewhere: no external script, style sheet, image or frame.
  for (const char* loader : {"<script src", "<link", "<img", "<iframe", "@import", "src=\"http"})
    EXPECT_EQ(count(page, loader), 0u) << loader;
  EXPECT_EQ(count(page, "sourceMappingURL"), 0u);
  EXPECT_NE(page.find("vis.Timeline"), std::string::npos);
  // The chart library is really inlined.
  EXPECT_GT(page.size(), 300'000u);
  EXPECT_NE(page.find("<h1>One metronome, eighteen ways:"), std::string::npos);
  // Captions in order, numbered, with their emphasis kept; each metronome's code in the page
  // (no link that works only beside the sources) and a link to its Go twin.
  std::size_t at = 0;
  for (std::size_t i = 0; i < all_runs().size(); ++i) {
    const Scenario& s = *all_runs()[i].scenario;
    const auto found = page.find("id=\"" + std::string(s.id) + "\"", at);
    ASSERT_NE(found, std::string::npos) << s.id;
    at = found;
    std::string caption = std::to_string(i + 1) + ". ";
    for (const Words& words : s.description)
      caption += words.emphasised ? "<b>" + std::string(words.text) + "</b>" : words.text;
    EXPECT_NE(page.find(caption), std::string::npos) << s.id;
    EXPECT_EQ(page.find("href=\"source/scenario/"), std::string::npos);
    std::ifstream file(std::filesystem::path(CACOPHONY_SOURCE_DIR) / "source/scenario" /
                       (std::string(s.code) + ".cpp"));
    std::ostringstream text;
    text << file.rdbuf();
    ASSERT_FALSE(text.str().empty()) << s.code;
    EXPECT_NE(
        page.find("<summary>The code: <code>source/scenario/" + std::string(s.code) +
                  ".cpp</code></summary><pre><code>" + html_escape(text.str()) + "</code></pre>"),
        std::string::npos)
        << s.code;
    // The original's fourteen link the files they port; the post's examples have no file in
    // outo/metronome (their Go is in their top comment, embedded above), so they link none.
    if (chart_number(s) <= 14) {
      EXPECT_TRUE(s.go_twin.starts_with("https://github.com/outo/metronome/blob/HEAD/scenario/"))
          << s.id;
      EXPECT_NE(page.find("<a href=\"" + std::string(s.go_twin) + "\">"), std::string::npos);
    } else {
      EXPECT_TRUE(s.go_twin.empty()) << s.id;
    }
  }
  EXPECT_EQ(count(page, "Its Go twin: <a href="), 14u);
  for (const char* text : {"Expand all", "Collapse all", "Reset view", "Redraw", "6000 bpm",
                           "seed <b>1</b>", "simulated"})
    EXPECT_NE(page.find(text), std::string::npos) << text;
}

TEST(ReportPage, ChartDataHasEveryEventAndOneSharedWindow) {
  const json data = page_data(report_page(all_runs(), measure_all(all_runs()), simulated()));
  const json& charts = data.at("charts");
  ASSERT_EQ(charts.size(), all_runs().size());
  double first = 1e300, last = -1e300;
  for (std::size_t i = 0; i < charts.size(); ++i) {
    const cacophony::Run& run = all_runs()[i];
    const json& chart = charts[i];
    EXPECT_EQ(chart.at("id"), run.scenario->id);
    std::map<std::string, int> kinds;
    for (const json& item : chart.at("items")) {
      ++kinds[item.at("kind")];
      first = std::min(first, item.at("start").get<double>());
      last = std::max(last, item.value("end", item.at("start").get<double>()));
    }
    std::map<std::string, int> expected;
    for (const Event& e : run.events)
      if (e.category != Category::end)
        ++expected[e.category == Category::ghost    ? "ghost"
                   : e.category == Category::volume ? "volume"
                                                    : "beat"];
    EXPECT_EQ(kinds, expected) << run.scenario->id;
    // The red line only for a metronome that may return before its work ends.
    EXPECT_EQ(!chart.at("end").is_null(), run.scenario->async) << run.scenario->id;
    if (run.scenario->async) last = std::max(last, chart.at("end").get<double>());
  }
  const double pad = (last - first) * 0.01;
  EXPECT_NEAR(data.at("window").at("start").get<double>(), first - pad, 1e-6);
  EXPECT_NEAR(data.at("window").at("end").get<double>(), last + pad, 1e-6);
}

TEST(ReportPage, EscapesTextAndKeepsOnlyTheEmphasis) {
  static constexpr Words words[] = {em("bold"), {" & <i>not</i> </script><script>x()</script>"}};
  static const Scenario odd{.id = "odd\"id<script>",
                            .description = words,
                            .delay = Delay::short_,
                            .label = Label::io,
                            .async = false,
                            .code = "a&b",
                            .metronome = nullptr};
  cacophony::Run run{&odd, simulated(), Delay::short_, {}, {}};
  run.events.push_back(
      {.category = Category::beat, .at = runtime::Time(1000), .number = 0, .volume = 7});
  const std::string page = report_page({run}, {measure(run)}, simulated());
  EXPECT_NE(page.find(std::to_string(chart_number(odd)) +
                      ". <b>bold</b> &amp; &lt;i&gt;not&lt;/i&gt; &lt;/script&gt;"),
            std::string::npos);
  EXPECT_EQ(page.find("<script>x()"), std::string::npos);
  EXPECT_EQ(page.find("odd\"id"), std::string::npos);
  EXPECT_NE(page.find("id=\"odd&quot;id&lt;script&gt;\""), std::string::npos);
  EXPECT_NE(page.find("The code: <code>a&amp;b</code> (not readable"), std::string::npos);
  EXPECT_EQ(page.find("Its Go twin"), std::string::npos) << "it names none";
  // In the data, '<' is never raw, and the JSON still reads back the same.
  const json charts = page_data(page).at("charts");
  ASSERT_EQ(charts.size(), 1u);
  ASSERT_EQ(charts[0].at("items").size(), 1u);
  EXPECT_EQ(charts[0].at("id"), "odd\"id<script>");
  EXPECT_EQ(charts[0].at("items")[0].at("title"), "beat #0 at 7 power");
}

TEST(ReportPage, OnesOwnScenarioHasItsCodeFromItsFileItsGoTwinAndItsOwnCount) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / "cacophony_report_test_own.cpp";
  std::ofstream(file) << "// mine & <only>\n";
  const std::string path = file.string();
  static constexpr Words words[] = {{"mine"}};
  const Scenario own{.id = "own",
                     .description = words,
                     .delay = Delay::short_,
                     .label = Label::count,
                     .async = false,
                     .code = path,
                     .metronome = nullptr,
                     .go_twin = "https://example.org/twin.go?a=1&b=2"};
  cacophony::Run run{&own, simulated(), Delay::short_, {}, {}};
  const std::string page = report_page({run}, {measure(run)}, simulated());
  std::filesystem::remove(file);
  EXPECT_NE(page.find("<title>cacophony: the metronome, one way</title>"), std::string::npos);
  EXPECT_NE(page.find("<h1>One metronome, one way:"), std::string::npos);
  EXPECT_NE(page.find("<summary>The code: <code>" + html_escape(path) +
                      "</code></summary><pre><code>// mine &amp; &lt;only&gt;\n</code></pre>"),
            std::string::npos);
  EXPECT_NE(page.find("Its Go twin: <a href=\"https://example.org/twin.go?a=1&amp;b=2\">"),
            std::string::npos);
  // Not registered, it counts after all that are: never 1 when the built-in ones come first.
  EXPECT_EQ(chart_number(own), static_cast<int>(scenarios().size()) + 1);
  EXPECT_NE(page.find("<span class=\"title\">" + std::to_string(chart_number(own)) + ". mine"),
            std::string::npos);
}

TEST(ReportPage, ALongRunIsCutAndSaysHowMuch) {
  RunOptions options = simulated();
  options.beats = 8000;
  const cacophony::Run run = run_scenario(*find_scenario("sync_ticker"), options);
  const Metrics m = measure(run);
  ASSERT_GT(run.events.size(), kMaxChartEvents);
  const std::string note = "Showing the first " + std::to_string(kMaxChartEvents) + " events; " +
                           std::to_string(run.events.size() - kMaxChartEvents) + " later ones";
  // Measured as it ran, with only the page's window kept: the same figures, the same page.
  const MeasuredRun windowed =
      run_measured(*find_scenario("sync_ticker"), options, {}, kMaxChartEvents);
  EXPECT_EQ(windowed.run.events.size(), kMaxChartEvents);
  EXPECT_EQ(windowed.run.events_left_out,
            static_cast<std::int64_t>(run.events.size() - kMaxChartEvents));
  EXPECT_EQ(to_json(windowed.metrics), to_json(m));
  bool labelled = false;
  const json trace = chrome_trace({windowed.run});
  for (const json& e : trace.at("traceEvents"))
    labelled = labelled || (e.at("name") == "process_labels" &&
                            e.at("args").at("labels").get<std::string>().starts_with("trace cut"));
  EXPECT_TRUE(labelled) << "the trace says it was cut";
  const std::string full_page = report_page({run}, {m}, options);
  EXPECT_EQ(report_page({windowed.run}, {windowed.metrics}, options), full_page);
  for (const cacophony::Run& r : {run, windowed.run}) {
    const std::string page = report_page({r}, {m}, options);
    EXPECT_NE(page.find(note), std::string::npos);
    const json charts = page_data(page).at("charts");
    ASSERT_EQ(charts.size(), 1u);
    EXPECT_EQ(charts[0].at("items").size(), kMaxChartEvents);
  }
}

// Two beats (at 5 and 20 ms: each measures 5 ms), then a receive nobody sends to: every task
// blocked, the run deadlocks at 30 ms.
Metronome two_beats_then_stuck(VolumeMeter meter, int) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    for (int count = 0; count < 2; ++count) {
      perform(count, meter());
      runtime::sleep_until(runtime::now() + bpm.interval());
    }
    runtime::Chan<int> never;
    never.recv();
  };
}
constexpr Words kStuckWords[] = {{"stuck"}};
const Scenario kStuck{"stuck", kStuckWords, Delay::short_,       Label::count,
                      false,   "stuck",     two_beats_then_stuck};

TEST(ReportPage, ADeadlockedRunIsDrawnUpToTheDeadlockAndMarked) {
  RunOptions options = simulated();
  options.bpm = Bpm::of(6000);  // 10 ms a beat
  try {
    run_scenario(kStuck, options);
    FAIL() << "no deadlock";
  } catch (const RunStopped& e) {
    EXPECT_TRUE(std::string_view(e.what()).starts_with("deadlock")) << e.what();
    ASSERT_TRUE(e.run().stopped.has_value());
    EXPECT_EQ(e.run().stopped->error, e.what());
    EXPECT_EQ(e.run().stopped->at, std::chrono::milliseconds(30));
  }
  const MeasuredRun measured = run_measured(kStuck, options, {}, kMaxChartEvents);
  ASSERT_TRUE(measured.run.stopped.has_value());
  EXPECT_EQ(measured.metrics.beats_performed, 2);
  const std::string page = report_page({measured.run}, {measured.metrics}, options);
  const json chart = page_data(page).at("charts")[0];
  EXPECT_EQ(chart.at("stop").at("at"), 30000.0) << "µs of run time";
  EXPECT_EQ(chart.at("stop").at("error"), measured.run.stopped->error);
  int beats = 0;
  for (const json& item : chart.at("items")) beats += item.at("kind") == "beat";
  EXPECT_EQ(beats, 2);
  EXPECT_NE(page.find("<p class=\"stopped\">Stopped at 30.00 ms: deadlock"), std::string::npos);
  // A run that ended has no stop.
  const cacophony::Run ended = run_scenario(*find_scenario("sync_ticker"), options);
  EXPECT_TRUE(page_data(report_page({ended}, {measure(ended)}, options))
                  .at("charts")[0]
                  .at("stop")
                  .is_null());
}

TEST(ReportPage, MismatchedMetricsAreRejected) {
  EXPECT_THROW(report_page(all_runs(), {}, simulated()), std::invalid_argument);
}

// The explore page: explorations of their own, each with the run of its representative schedule.
ExploredScenario explored_scenario(std::string_view id, const ExploreOptions& options) {
  const Exploration x = explore(*find_scenario(id), options);
  ExploredScenario e{x, std::nullopt, {}};
  const std::optional<Outcome> shown = representative(x);
  EXPECT_TRUE(shown.has_value()) << id;
  const std::string& first = x.outcomes[static_cast<std::size_t>(*shown)].first;
  e.run = replay_run(*x.scenario, *runtime::Schedule::parse(first), options.run);
  e.metrics = measure(*e.run);
  return e;
}

std::string replay_line(const Scenario& s, const std::string& schedule) {
  return "again " + std::string(s.id) + " " + schedule + " <&>";
}

CommandLine commands() {
  return {"find <&>", replay_line};
}

TEST(ExplorePage, EachChartShowsEveryOutcomeAndDrawsItsRepresentativeRun) {
  ExploreOptions options;
  options.schedules = 40;
  const std::vector<ExploredScenario> all = {explored_scenario("async_naive", options),
                                             explored_scenario("async_with_mutex", options)};
  const std::string page = explore_page(all, options, commands());
  EXPECT_EQ(count(page, "<details class=\"chart\""), 2u);
  EXPECT_EQ(count(page, "<table class=\"outcomes\">"), 2u);
  EXPECT_NE(page.find("Strategy <b>random</b>"), std::string::npos);
  EXPECT_NE(page.find("(<code>find &lt;&amp;&gt;</code>)"), std::string::npos);
  const json charts = page_data(page).at("charts");
  ASSERT_EQ(charts.size(), 2u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Exploration& x = all[i].exploration;
    const json& data = charts[i].at("exploration");
    EXPECT_EQ(data.at("schedules"), 40);
    EXPECT_EQ(data.at("strategy"), "random");
    EXPECT_EQ(data.at("exhausted"), false);
    for (std::size_t c = 0; c < kOutcomeNames.size(); ++c) {
      const json& o = data.at("outcomes")[c];
      EXPECT_EQ(o.at("class"), kOutcomeNames[c]);
      EXPECT_EQ(o.at("count"), x.outcomes[c].count);
      if (x.outcomes[c].count == 0) continue;
      EXPECT_EQ(o.at("first_schedule"), x.outcomes[c].first);
      EXPECT_NE(page.find("again " + std::string(x.scenario->id) + " " + x.outcomes[c].first +
                          " &lt;&amp;&gt;"),
                std::string::npos);
    }
    const auto shown = static_cast<std::size_t>(*representative(x));
    EXPECT_EQ(data.at("shown").at("class"), kOutcomeNames[shown]);
    EXPECT_EQ(data.at("shown").at("schedule"), x.outcomes[shown].first);
    // The chart draws the run it says: the same items as a run page of that run.
    const json alone = page_data(report_page({*all[i].run}, {all[i].metrics}, all[i].run->options));
    EXPECT_EQ(charts[i].at("items"), alone.at("charts")[0].at("items"));
  }
}

TEST(ExplorePage, AChartWithNoRunToDrawSaysSoAndMismatchesAreRejected) {
  ExploreOptions options;
  Exploration stuck;
  stuck.scenario = find_scenario("async_naive");
  stuck.strategy = "dfs";
  stuck.schedules = 6;
  stuck.exhausted = true;
  stuck.distinct_orders = 5;
  stuck.outcomes[static_cast<std::size_t>(Outcome::deadlock)] = {6, "dfs:1:0.1",
                                                                 "deadlock: <all> blocked"};
  ASSERT_FALSE(representative(stuck).has_value());
  const std::string page = explore_page({{stuck, std::nullopt, {}}}, options, commands());
  EXPECT_NE(page.find("nothing is drawn"), std::string::npos);
  EXPECT_NE(page.find("6 (all)"), std::string::npos);
  EXPECT_NE(page.find("(dfs, vary both, all 5 orders): <b>5</b> distinct task orders; choice "
                      "points a run – (min/median/max)"),
            std::string::npos);
  EXPECT_EQ(page_data(page).at("charts")[0].at("exploration").at("distinct_orders"), 5);
  EXPECT_NE(page.find("<div class=\"error\">deadlock: &lt;all&gt; blocked</div>"),
            std::string::npos);
  const json deadlock = page_data(page).at("charts")[0].at("exploration").at("outcomes")[7];
  EXPECT_EQ(deadlock.at("first_error"), "deadlock: <all> blocked");
  EXPECT_TRUE(page_data(page).at("charts")[0].at("items").empty());
  EXPECT_TRUE(page_data(page).at("charts")[0].at("exploration").at("shown").is_null());
  // A run where none can be, none where one must be, and one of another scenario.
  const cacophony::Run other = run_scenario(*find_scenario("sync_ticker"), simulated());
  EXPECT_THROW(explore_page({{stuck, other, measure(other)}}, options, commands()),
               std::invalid_argument);
  options.schedules = 5;
  const ExploredScenario naive = explored_scenario("async_naive", options);
  EXPECT_THROW(explore_page({{naive.exploration, std::nullopt, {}}}, options, commands()),
               std::invalid_argument);
  EXPECT_THROW(explore_page({{naive.exploration, other, measure(other)}}, options, commands()),
               std::invalid_argument);
}

// The command line: run `cacophony` and read what it wrote.
using Result = cacophony::test_support::CommandResult;

Result cacophony(const std::string& args, const std::filesystem::path& folder) {
  return cacophony::test_support::run_cacophony(args, "cd '" + folder.string() + "' && ");
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ReportCli : testing::Test {
  void SetUp() override {
    folder = std::filesystem::temp_directory_path() /
             ("cacophony-report-" + std::to_string(::getpid()) + "-" +
              testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
  }
  void TearDown() override { std::filesystem::remove_all(folder); }
  std::filesystem::path folder;
};

TEST_F(ReportCli, TheMainJobWritesTheReportByDefault) {
  const Result r = cacophony("--time simulated", folder);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("wrote cacophony-report.html"), std::string::npos) << r.out;
  EXPECT_EQ(count(slurp(folder / "cacophony-report.html"), "<details class=\"chart\""), 18u);
}

TEST_F(ReportCli, NoReportSkipsIt) {
  const Result r = cacophony("--time simulated --no-report", folder);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("wrote"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(folder / "cacophony-report.html"));
}

TEST_F(ReportCli, RunWritesTheReportAndTraceItIsAskedFor) {
  const Result r = cacophony(
      "run async_naive sync_ticker --time simulated --report p.html --trace t.json", folder);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("wrote p.html"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wrote t.json"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(folder / "cacophony-report.html"));
  const std::string page = slurp(folder / "p.html");
  EXPECT_EQ(count(page, "<details class=\"chart\""), 2u);
  EXPECT_LT(page.find("id=\"async_naive\""), page.find("id=\"sync_ticker\""));
  const json trace = json::parse(slurp(folder / "t.json"));
  EXPECT_FALSE(trace.at("traceEvents").empty());
}

// Memory does not grow with the beats: the page and the trace keep a window of each run, and the
// figures are measured as the run goes. Under the sanitizers an address-space limit can't apply
// (their shadow memory alone reserves terabytes), so this is built into the plain suite only,
// where make test runs it, rather than skipped in the sanitizers' suites.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
TEST_F(ReportCli, TenMillionBeatsWithTraceAndReportFitInTwoGigabytes) {
  const Result r = cacophony::test_support::run_cacophony(
      "run sync_ticker_fire_immediately --time simulated --beats 10000000 --trace t.json "
      "--report p.html --json f.json",
      "cd '" + folder.string() + "' && prlimit --as=2147483648 ");
  ASSERT_EQ(r.code, 0) << r.out;
  const json figures = json::parse(slurp(folder / "f.json"));
  ASSERT_EQ(figures.size(), 1u);
  EXPECT_EQ(figures[0].at("beats_performed"), 10'000'000);
  EXPECT_EQ(figures[0].at("onset_error_us").at("max"), 0.0);
  EXPECT_LT(std::filesystem::file_size(folder / "t.json"), 100'000'000u);
  EXPECT_NE(slurp(folder / "t.json").find("trace cut: the "), std::string::npos);
  EXPECT_NE(slurp(folder / "p.html").find("Showing the first 20000 events"), std::string::npos);
}
#endif

TEST_F(ReportCli, AnUnwritableReportFailsBeforeAnyWork) {
  const Result r = cacophony("--time simulated --report /no/such/folder/r.html", folder);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(r.out.find("beats"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cacophony
