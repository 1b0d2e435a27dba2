#include "cacophony/report/page.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "assets.h"
#include "cacophony/scenario/scenario.h"
#include "html.h"
#include "page_parts.h"
#include "scenario_sources.h"

namespace cacophony {
namespace {

using html::fill;
using html::script_json;
using nlohmann::json;
using report_parts::ChartParts;

// Run time in µs; on the chart, 1 µs of the run is 1 ms after the epoch.
double micros(runtime::Duration d) {
  return static_cast<double>(d.count()) / 1000.0;
}

// Lowercase copy, for finding a closing tag whatever its case.
std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An embedded library made safe to inline: its source-map comment (which would make a browser's
// developer tools look for a file beside the page) is dropped, and nothing in it can close the
// element it sits in early.
std::string inline_asset(std::string_view asset, std::string_view closing_tag) {
  std::string text(asset);
  for (std::string_view marker : {"//# sourceMappingURL=", "/*# sourceMappingURL="}) {
    const auto at = text.find(marker);
    if (at == std::string::npos) continue;
    auto stop = text.find('\n', at);
    text.erase(at, stop == std::string::npos ? std::string::npos : stop - at);
  }
  const std::string low = lower(text);
  std::string out;
  out.reserve(text.size());
  std::size_t from = 0;
  for (auto at = low.find(closing_tag); at != std::string::npos;
       at = low.find(closing_tag, at + 1)) {
    out.append(text, from, at + 1 - from);  // up to and including '<'
    out += "\\";                            // `<\/script`: the same in a JS string or regex
    from = at + 1;
  }
  out.append(text, from);
  return out;
}

// The caption, escaped, with its emphasised words in <b>.
std::string caption(Description description) {
  std::string text;
  for (const Words& words : description)
    text += words.emphasised ? "<b>" + html_escape(words.text) + "</b>" : html_escape(words.text);
  return text;
}

std::string ms(const std::optional<double>& value, int digits = 2) {
  return value ? fmt::format("{:.{}f} ms", *value, digits) : std::string("–");
}

struct Window {
  double start = std::numeric_limits<double>::infinity();
  double end = -std::numeric_limits<double>::infinity();
};

bool earlier(const Event& a, const Event& b) {
  return a.at < b.at;
}

json chart_data(const Run& run, Window& window, std::size_t& cut) {
  std::vector<const Event*> events;
  for (const Event& e : run.events) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(),
                   [](const Event* a, const Event* b) { return earlier(*a, *b); });
  // All the run recorded, also when `run` holds only a window of it (run_measured).
  const std::size_t recorded = events.size() + static_cast<std::size_t>(run.events_left_out);
  events.resize(std::min(events.size(), kMaxChartEvents));
  cut = recorded - events.size();

  json items = json::array();
  json end = nullptr;
  for (const Event* e : events) {
    const double start = micros(e->at);
    const double stop = micros(e->at + e->duration);
    window.start = std::min(window.start, start);
    window.end = std::max(window.end, stop);
    if (e->category == Category::end) {
      end = start;
      continue;
    }
    const char* kind = e->category == Category::ghost    ? "ghost"
                       : e->category == Category::volume ? "volume"
                                                         : "beat";
    std::string title = tooltip(*e);
    if (e->after_end) title += " (after the metronome returned)";
    json item = {{"kind", kind},
                 {"start", start},
                 {"content", content(*e)},
                 {"title", std::move(title)},
                 {"late", e->after_end}};
    if (e->category == Category::volume) item["end"] = stop;
    items.push_back(std::move(item));
  }
  json stop = nullptr;
  if (run.stopped) {
    stop = {{"at", micros(run.stopped->at)}, {"error", run.stopped->error}};
    window.end = std::max(window.end, micros(run.stopped->at));
  }
  return {{"id", std::string(run.scenario->id)},
          {"async", run.scenario->async},
          {"end", run.scenario->async ? end : json(nullptr)},
          {"stop", std::move(stop)},
          {"items", std::move(items)}};
}

// Which of a run's figures the page marks bad: one verdict each, for the chart's figures and the
// summary table alike. Any anomaly counts (analysis/metrics.h's kAnomalies, in their order); a lag
// over 1 ms and busy-waiting over 0.05 ms do.
struct Bad {
  std::array<bool, kAnomalies.size()> anomaly;
  bool lag, busy_wait;
};
Bad bad(const Metrics& m) {
  Bad is{};
  for (std::size_t k = 0; k < kAnomalies.size(); ++k)
    is.anomaly[k] = count(m, static_cast<AnomalyKind>(k)) > 0;
  is.lag = m.lag_ms.max && *m.lag_ms.max > 1.0;
  is.busy_wait = m.busy_wait_cpu_ms > 0.05;
  return is;
}

constexpr std::string_view kLagHint = "the largest delay of a beat behind its ideal time";
constexpr std::string_view kBusyHint = "time spent spinning instead of sleeping";

std::string figures(const Run& run, const Metrics& m) {
  const Bad is = bad(m);
  struct Figure {
    std::string name, value;
    std::string_view hint;
    bool bad;
  };
  std::vector<Figure> list;
  for (std::size_t k = 0; k < kAnomalies.size(); ++k)
    list.push_back({std::string(kAnomalies[k].name),
                    std::to_string(count(m, static_cast<AnomalyKind>(k))), kAnomalies[k].definition,
                    is.anomaly[k]});
  list.push_back({"lag", ms(m.lag_ms.max), kLagHint, is.lag});
  list.push_back(
      {"busy-wait CPU", fmt::format("{:.1f} ms", m.busy_wait_cpu_ms), kBusyHint, is.busy_wait});
  list.push_back({"performed", fmt::format("{}/{}", m.beats_performed, m.beats_expected),
                  "beats performed (also after the return) / beats expected", false});
  list.push_back({"returned at", ms(m.return_ms), "when the metronome returned", false});
  list.push_back(
      {"delay", std::string(name(run.delay)), "the measurement-time simulator used", false});
  std::string out = "<ul class=\"figures\">";
  for (const Figure& f : list)
    out += fmt::format("<li class=\"{}\" title=\"{}\"><span>{}</span> <b>{}</b></li>",
                       f.bad ? "bad" : "ok", html_escape(f.hint), html_escape(f.name),
                       html_escape(f.value));
  out += "</ul>\n";
  return out;
}

// The summary table's heads for the anomalies, each titled with its definition.
std::string anomaly_heads() {
  std::string out;
  for (const Anomaly& a : kAnomalies)
    out += fmt::format("<th title=\"{}\">{}</th>\n", html_escape(a.definition), a.name);
  return out;
}

// One row per chart for the summary table of page.html.
std::string summary_rows(const std::vector<ChartParts>& charts) {
  std::string out;
  for (std::size_t i = 0; i < charts.size(); ++i) {
    const std::string id = html_escape(charts[i].run->scenario->id);
    const char* stopped = charts[i].run->stopped ? " <span class=\"stopped\">stopped</span>" : "";
    out += fmt::format("<tr><td>{}</td><td><a href=\"#{}\">{}</a>{}</td>",
                       chart_number(*charts[i].run->scenario), id, id, stopped);
    if (!charts[i].metrics) {
      out +=
          fmt::format("<td colspan=\"{}\" class=\"none\">no run ended: nothing drawn</td></tr>\n",
                      kAnomalies.size() + 4);
      continue;
    }
    const Metrics& m = *charts[i].metrics;
    const Bad is = bad(m);
    const auto cell = [](auto value, bool bad) {
      return fmt::format("<td class=\"{}\">{}</td>", bad ? "bad" : "ok", value);
    };
    out += fmt::format("<td>{}/{}</td>", m.beats_performed, m.beats_expected);
    for (std::size_t k = 0; k < kAnomalies.size(); ++k)
      out += cell(count(m, static_cast<AnomalyKind>(k)), is.anomaly[k]);
    out += cell(ms(m.lag_ms.max), is.lag);
    out +=
        cell(m.onset_error_us.p99 ? fmt::format("{:.0f} µs", *m.onset_error_us.p99) : "–", false);
    out += cell(fmt::format("{:.1f} ms", m.busy_wait_cpu_ms), is.busy_wait);
    out += "</tr>\n";
  }
  return out;
}

// The metronome's code for the page: a built-in's embedded file, or one's own file when it can be
// read now; its text and the name it goes by.
struct Code {
  std::string name, text;
};
Code code_of(const Scenario& s) {
  const std::string_view built_in = scenario_sources::source_of(s.code);
  if (!built_in.empty())
    return {fmt::format("source/scenario/{}.cpp", s.code), std::string(built_in)};
  std::ifstream file{std::filesystem::path(s.code)};
  std::ostringstream text;
  if (file) text << file.rdbuf();
  return {std::string(s.code), text.str()};
}

// The chart's code, embedded, so that it reads wherever the page is opened; and its Go twin.
std::string code_section(const Scenario& s) {
  const Code code = code_of(s);
  std::string out =
      code.text.empty()
          ? fmt::format(
                "<p class=\"code\">The code: <code>{}</code> (not readable when this page "
                "was written)</p>\n",
                html_escape(code.name))
          : fmt::format(
                "<details class=\"code\"><summary>The code: <code>{}</code></summary>"
                "<pre><code>{}</code></pre></details>\n",
                html_escape(code.name), html_escape(code.text));
  if (!s.go_twin.empty())
    out += fmt::format("<p class=\"go-twin\">Its Go twin: <a href=\"{}\">{}</a></p>\n",
                       html_escape(s.go_twin), html_escape(s.go_twin));
  return out;
}

// One chart's <details> section, from chart.html.
std::string chart_section(const ChartParts& chart, std::size_t index, std::size_t cut) {
  const Scenario& s = *chart.run->scenario;
  const std::string note =
      cut == 0 ? std::string()
               : fmt::format(
                     "<p class=\"note\">Showing the first {} events; {} later ones are left "
                     "out of this chart (the figures count them all).</p>\n",
                     kMaxChartEvents, cut);
  const std::string stop = chart.run->stopped
                               ? fmt::format("<p class=\"stopped\">Stopped at {}: {}</p>\n",
                                             ms(micros(chart.run->stopped->at) / 1000.0),
                                             html_escape(chart.run->stopped->error))
                               : std::string();
  return fill(report_assets::chart_html(),
              {{"id", html_escape(s.id)},
               {"index", std::to_string(index)},
               {"number", std::to_string(chart_number(s))},
               {"caption", caption(s.description)},
               {"code", code_section(s)},
               {"exploration", chart.exploration},
               {"stop", stop},
               {"figures", chart.metrics ? figures(*chart.run, *chart.metrics) : std::string()},
               {"note", note}});
}

// "eighteen ways", "one way", "21 ways": how many scenarios the page shows.
std::string ways(std::size_t count) {
  constexpr std::array<std::string_view, 21> kWords{
      "no",       "one",     "two",     "three",     "four",     "five",     "six",
      "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",   "thirteen",
      "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
  const std::string number =
      count < kWords.size() ? std::string(kWords[count]) : std::to_string(count);
  return number + (count == 1 ? " way" : " ways");
}

}  // namespace

namespace report_parts {

std::string page(const std::vector<ChartParts>& charts, const RunOptions& options,
                 const PageParts& parts) {
  Window window;
  std::vector<std::size_t> cuts(charts.size());
  json data_charts = json::array();
  for (std::size_t i = 0; i < charts.size(); ++i) {
    json chart = chart_data(*charts[i].run, window, cuts[i]);
    if (!charts[i].data.is_null()) chart["exploration"] = charts[i].data;
    data_charts.push_back(std::move(chart));
  }
  if (!(window.start <= window.end)) window = {0, 1};
  const double pad = std::max(window.end - window.start, 1.0) * 0.01;
  const json data = {{"charts", std::move(data_charts)},
                     {"window", {{"start", window.start - pad}, {"end", window.end + pad}}}};

  std::string charts_html;
  for (std::size_t i = 0; i < charts.size(); ++i)
    charts_html += chart_section(charts[i], i, cuts[i]);
  const std::string delay =
      options.delay ? std::string(name(*options.delay)) : std::string("each scenario's own");
  return fill(report_assets::page_html(),
              {{"timeline_css", inline_asset(report_assets::timeline_css(), "</style")},
               {"style", report_assets::page_css()},
               {"ways", ways(charts.size())},
               {"bpm", std::to_string(options.bpm.value())},
               {"beats", std::to_string(options.beats)},
               {"seed", std::to_string(options.seed)},
               {"time", std::string(runtime::name(options.time))},
               {"delay", html_escape(delay)},
               {"exploration", parts.exploration},
               {"summary_title", html_escape(parts.summary_title)},
               {"anomaly_heads", anomaly_heads()},
               {"summary_rows", summary_rows(charts)},
               {"charts", charts_html},
               {"data", script_json(data)},
               {"timeline_js", inline_asset(report_assets::timeline_js(), "</script")},
               {"script", report_assets::page_js()}});
}

}  // namespace report_parts

std::string html_escape(std::string_view text) {
  return html::replace_each(
      text, {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}});
}

namespace {

// One run's "how often" line: every class met, with its count and share of the schedules.
std::string how_often_html(const Exploration& x) {
  std::string classes;
  for (std::size_t c = 0; c < x.outcomes.size(); ++c) {
    const std::size_t n = x.outcomes[c].count;
    if (n == 0) continue;
    const bool bad = static_cast<Outcome>(c) != Outcome::clean;
    classes +=
        fmt::format(" <span class=\"{}\" data-class=\"{}\" title=\"{}\">{} {}/{} ({:.0f}%)</span>",
                    bad ? "bad" : "ok", kOutcomeNames[c],
                    html_escape(meaning(static_cast<Outcome>(c))), kOutcomeNames[c], n, x.schedules,
                    100.0 * static_cast<double>(n) /
                        static_cast<double>(std::max<std::size_t>(x.schedules, 1)));
  }
  return fmt::format(
      "<p class=\"how-often\">How often, over <b>{}</b> schedules of this scenario (random task "
      "order and timing, in simulated time; <code>explore</code> gives more):{}</p>\n",
      x.schedules, classes);
}

}  // namespace

std::string report_page(const std::vector<Run>& runs, const std::vector<Metrics>& metrics,
                        const RunOptions& options,
                        const std::vector<std::optional<Exploration>>& often) {
  if (runs.size() != metrics.size() || (!often.empty() && often.size() != runs.size()))
    throw std::invalid_argument(
        fmt::format("report_page: {} runs but {} sets of metrics, {} of how often", runs.size(),
                    metrics.size(), often.size()));
  std::vector<ChartParts> charts;
  for (std::size_t i = 0; i < runs.size(); ++i)
    charts.push_back({&runs[i],
                      &metrics[i],
                      often.empty() || !often[i] ? std::string() : how_often_html(*often[i]),
                      {}});
  return report_parts::page(charts, options, {"All scenarios side by side", ""});
}

}  // namespace cacophony
