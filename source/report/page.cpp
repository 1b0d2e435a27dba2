#include "cacophony/report/page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cacophony/scenario/scenario.h"
#include "assets.h"

namespace cacophony {
namespace {

using nlohmann::json;

// Run time in µs; on the chart, 1 µs of the run is 1 ms after the epoch.
double micros(runtime::Duration d) {
  return static_cast<double>(d.count()) / 1000.0;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
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

// JSON that can sit inside <script type="application/json">: no '<', '>' or '&' appear raw.
std::string script_json(const json& value) {
  std::string text = value.dump(-1, ' ', true);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The caption with its <b>…</b> emphasis kept and everything else escaped.
std::string caption(std::string_view description) {
  std::string text = html_escape(description);
  replace_all(text, "&lt;b&gt;", "<b>");
  replace_all(text, "&lt;/b&gt;", "</b>");
  return text;
}

std::string ms(const std::optional<double>& value, int digits = 2) {
  return value ? fmt::format("{:.{}f} ms", *value, digits) : std::string("–");
}

int lost(const Metrics& m) {
  return m.beats_expected - (m.beats_performed - m.beats_after_return);
}

struct Window {
  double start = std::numeric_limits<double>::infinity();
  double end = -std::numeric_limits<double>::infinity();
};

bool earlier(const Event& a, const Event& b) {
  return a.at < b.at;
}

json chart_data(const Run& run, const Metrics& m, Window& window, std::size_t& cut) {
  std::vector<const Event*> events;
  for (const Event& e : run.events) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(),
                   [](const Event* a, const Event* b) { return earlier(*a, *b); });
  // All the run recorded: the ghosts, beats, measurements and the end, even when `run` was
  // trimmed by trimmed_for_page.
  const std::size_t recorded =
      std::max<std::size_t>(events.size(), static_cast<std::size_t>(m.beats_expected) +
                                               static_cast<std::size_t>(m.beats_performed) +
                                               static_cast<std::size_t>(m.measurements) + 1);
  events.resize(std::min(events.size(), kMaxChartEvents));
  cut = recorded > events.size() && recorded > kMaxChartEvents ? recorded - events.size() : 0;

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
  return {{"id", std::string(run.scenario->id)},
          {"async", run.scenario->async},
          {"end", run.scenario->async ? end : json(nullptr)},
          {"items", std::move(items)}};
}

void figures(std::string& out, const Run& run, const Metrics& m) {
  struct Figure {
    std::string name, value, hint;
    bool bad;
  };
  const std::vector<Figure> list = {
      {"lost", std::to_string(lost(m)), "beats expected but not performed before the return",
       lost(m) > 0},
      {"out of order", std::to_string(m.out_of_order),
       "beats whose count is lower than one performed before them", m.out_of_order > 0},
      {"lag", ms(m.lag_ms.max), "the largest delay of a beat behind its ideal time",
       m.lag_ms.max && *m.lag_ms.max > 1.0},
      {"stale", std::to_string(m.stale_volume_beats),
       "beats that reuse the volume of the beat before them", m.stale_volume_beats > 0},
      {"overlaps", std::to_string(m.overlapping_measurements),
       "pairs of volume measurements running at the same time", m.overlapping_measurements > 0},
      {"busy-wait CPU", fmt::format("{:.1f} ms", m.busy_wait_cpu_ms),
       "time spent spinning instead of sleeping", m.busy_wait_cpu_ms > 0.05},
      {"performed", fmt::format("{}/{}", m.beats_performed, m.beats_expected),
       "beats performed (also after the return) / beats expected", false},
      {"returned at", ms(m.return_ms), "when the metronome returned", false},
      {"delay", std::string(name(run.delay)), "the measurement-time simulator used", false},
  };
  out += "<ul class=\"figures\">";
  for (const Figure& f : list)
    out += fmt::format("<li class=\"{}\" title=\"{}\"><span>{}</span> <b>{}</b></li>",
                       f.bad ? "bad" : "ok", html_escape(f.hint), html_escape(f.name),
                       html_escape(f.value));
  out += "</ul>\n";
}

void summary(std::string& out, const std::vector<Run>& runs, const std::vector<Metrics>& metrics) {
  out += R"(<section id="summary"><h2>All scenarios side by side</h2>
<table><thead><tr><th>#</th><th>scenario</th>
<th title="beats performed, also after the return / beats expected">performed</th>
<th title="beats expected but not performed before the metronome returned">lost</th>
<th title="beats whose count is lower than one performed before them">out of order</th>
<th title="largest delay of a beat behind its ideal time">max lag</th>
<th title="p99 distance of a beat from its place on the grid">onset error p99</th>
<th title="beats that reuse the volume of the beat before them">stale</th>
<th title="pairs of volume measurements running at the same time">overlaps</th>
<th title="time spent spinning instead of sleeping">busy-wait CPU</th></tr></thead><tbody>
)";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Metrics& m = metrics[i];
    const auto cell = [](auto value, bool bad) {
      return fmt::format("<td class=\"{}\">{}</td>", bad ? "bad" : "ok", value);
    };
    out += fmt::format("<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}/{}</td>", i + 1,
                       html_escape(runs[i].scenario->id), html_escape(runs[i].scenario->id),
                       m.beats_performed, m.beats_expected);
    out += cell(lost(m), lost(m) > 0);
    out += cell(m.out_of_order, m.out_of_order > 0);
    out += cell(ms(m.lag_ms.max), m.lag_ms.max && *m.lag_ms.max > 1.0);
    out +=
        cell(m.onset_error_us.p99 ? fmt::format("{:.0f} µs", *m.onset_error_us.p99) : "–", false);
    out += cell(m.stale_volume_beats, m.stale_volume_beats > 0);
    out += cell(m.overlapping_measurements, m.overlapping_measurements > 0);
    out += cell(fmt::format("{:.1f} ms", m.busy_wait_cpu_ms), m.busy_wait_cpu_ms > 0.05);
    out += "</tr>\n";
  }
  out += "</tbody></table></section>\n";
}

constexpr std::string_view kStyle = R"css(
:root { --ink: #1d2330; --muted: #5d6675; --line: #d9dde5; --paper: #fbfbfd; --accent: #2f5ea8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--ink); background: var(--paper); }
header, main, #summary { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 18px 0 8px; }
.params { color: var(--muted); margin: 0 0 10px; }
.params b { color: var(--ink); }
.tools { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
.tools .hint { color: var(--muted); font-size: 13px; }
button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid #b8c0cc;
         border-radius: 5px; background: white; cursor: pointer; }
button:hover { background: #eef2f8; }
table { border-collapse: collapse; width: 100%; font-size: 13px; background: white; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; }
th { color: var(--muted); font-weight: 600; cursor: help; }
th:nth-child(2), td:nth-child(2) { text-align: left; }
td.bad { color: #b3261e; font-weight: 600; }
a { color: var(--accent); }
details.chart { background: white; border: 1px solid var(--line); border-radius: 8px;
                margin: 10px 0; }
details.chart > summary { cursor: pointer; padding: 10px 14px; display: flex; gap: 12px;
                          align-items: baseline; list-style: none; }
details.chart > summary::-webkit-details-marker { display: none; }
details.chart > summary::before { content: "▸"; color: var(--muted); }
details.chart[open] > summary::before { content: "▾"; }
details.chart > summary .title { flex: 1; }
details.chart > summary .title b { color: var(--accent); }
details.chart > summary a { font-size: 13px; white-space: nowrap; }
.body { padding: 0 14px 12px; }
ul.figures { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 8px;
             padding: 0; font-size: 12.5px; }
ul.figures li { border: 1px solid var(--line); border-radius: 12px; padding: 1px 9px;
                background: #f3f5f8; cursor: help; }
ul.figures li span { color: var(--muted); }
ul.figures li.bad { background: #fdecea; border-color: #f2b8b5; }
ul.figures li.bad b { color: #b3261e; }
.controls { display: flex; gap: 6px; margin-bottom: 6px; }
.note { color: #8a5a00; font-size: 13px; }
.missing { color: #b3261e; padding: 12px; border: 1px dashed #f2b8b5; }
.timeline { min-height: 60px; }
.vis-timeline { border-color: var(--line); font-size: 12px; }
.vis-item.ghost { background: #f1f2f4; border: 1px dashed #9aa3b0; color: #6b7380; }
.vis-item.vis-line.ghost { border-style: dashed; border-color: #c4cad3; }
.vis-item.vis-dot.ghost { border-color: #9aa3b0; }
.vis-item.beat { background: #2f5ea8; border-color: #1f3f73; color: white; }
.vis-item.vis-line.beat, .vis-item.vis-dot.beat { border-color: #2f5ea8; }
.vis-item.beat.late { background: #c0392b; border-color: #7d241b; }
.vis-item.vis-line.beat.late, .vis-item.vis-dot.beat.late { border-color: #c0392b; }
.vis-item.vis-background.volume { background: rgba(230, 150, 40, 0.22);
                                  border-left: 1px solid rgba(200, 120, 20, 0.7); color: #7a4a00; }
.vis-custom-time.end { background-color: red; width: 2px; pointer-events: none; }
.vis-custom-time.end > * { pointer-events: none; }
.vis-labelset .vis-label .vis-inner { font-weight: 600; color: var(--muted); }
div.vis-tooltip { font: 12.5px system-ui, sans-serif; }
footer { max-width: 1180px; margin: 24px auto; padding: 0 20px; color: var(--muted);
         font-size: 12.5px; }
)css";

constexpr std::string_view kScript = R"js(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('cacophony-data').textContent);
  var haveVis = typeof vis !== 'undefined' && typeof vis.Timeline === 'function';
  var built = {};
  // 1 µs of a run is 1 ms after the epoch on the chart; labels show run time.
  function runTime(us) {
    var ms = us / 1000;
    if (Math.abs(ms) >= 1000) return +(ms / 1000).toFixed(3) + ' s';
    if (Math.abs(ms) >= 1 || ms === 0) return +ms.toFixed(3) + ' ms';
    return +us.toFixed(0) + ' µs';
  }
  function windowStart() { return new Date(data.window.start); }
  function windowEnd() { return new Date(data.window.end); }

  function build(details) {
    var id = details.id;
    if (built[id]) return built[id];
    var chart = data.charts[Number(details.getAttribute('data-index'))];
    var box = details.querySelector('.timeline');
    if (!haveVis) {
      box.className = 'missing';
      box.textContent = 'The chart library is missing from this page: it was built without ' +
          'node_modules. Run scripts/setup, rebuild, and write the report again.';
      built[id] = null;
      return null;
    }
    var groups = new vis.DataSet([
      { id: 'ghost', content: 'ideal', order: 1 },
      { id: 'volume', content: 'volume', order: 2 },
      { id: 'beat', content: 'beats', order: 3 }
    ]);
    var items = new vis.DataSet(chart.items.map(function (it, n) {
      var item = { id: n, group: it.kind, start: new Date(it.start), content: it.content,
                   title: it.title, className: it.kind + (it.late ? ' late' : '') };
      if (it.kind === 'volume') { item.type = 'background'; item.end = new Date(it.end); }
      else item.type = 'box';
      return item;
    }));
    var timeline;
    // The shared window is set once the first draw is done: given as the start and end options,
    // vis-timeline would wait for a range change that never comes and keep its loading cover.
    function ready() {
      details.removeAttribute('data-ready');
      timeline.on('changed', function done() {
        timeline.off('changed', done);
        details.setAttribute('data-ready', '');
      });
      timeline.setWindow(windowStart(), windowEnd(), { animation: false });
    }
    timeline = new vis.Timeline(box, items, groups, {
      onInitialDrawComplete: ready,
      stack: false, selectable: false, showCurrentTime: false, groupOrder: 'order',
      orientation: { axis: 'bottom' }, zoomKey: 'ctrlKey', zoomMin: 5,
      showMajorLabels: false,
      format: { minorLabels: function (date) { return runTime(date.valueOf()); } },
      tooltip: { followMouse: true, overflowMethod: 'cap', delay: 50 },
      margin: { item: { horizontal: 0, vertical: 6 }, axis: 4 }
    });
    if (chart.async && chart.end !== null) {
      timeline.addCustomTime(new Date(chart.end), 'end');
      timeline.setCustomTimeTitle('the metronome returned at ' + runTime(chart.end), 'end');
    }
    details.querySelector('button.reset').addEventListener('click', function () {
      timeline.setWindow(windowStart(), windowEnd(), { animation: false });
    });
    details.querySelector('button.redraw').addEventListener('click', function () {
      timeline.redraw();
    });
    details.querySelector('button.zoom-in').addEventListener('click', function () {
      timeline.zoomIn(0.5, { animation: false });
    });
    details.querySelector('button.zoom-out').addEventListener('click', function () {
      timeline.zoomOut(0.5, { animation: false });
    });
    built[id] = timeline;
    return timeline;
  }

  var sections = Array.prototype.slice.call(document.querySelectorAll('details.chart'));
  sections.forEach(function (details) {
    details.addEventListener('toggle', function () {
      if (!details.open) return;
      var timeline = build(details);
      if (timeline) timeline.redraw();
    });
  });
  document.getElementById('expand-all').addEventListener('click', function () {
    sections.forEach(function (d) { d.open = true; build(d); });
  });
  document.getElementById('collapse-all').addEventListener('click', function () {
    sections.forEach(function (d) { d.open = false; });
  });

  function followHash() {
    var id = decodeURIComponent(location.hash.replace(/^#/, ''));
    var target = id && document.getElementById(id);
    if (!target || !target.matches('details.chart')) return;
    target.open = true;
    build(target);
    target.scrollIntoView({ block: 'start' });
  }
  window.addEventListener('hashchange', followHash);
  followHash();
})();
)js";

}  // namespace

Run trimmed_for_page(Run run) {
  if (run.events.size() <= kMaxChartEvents) return run;
  std::stable_sort(run.events.begin(), run.events.end(), earlier);
  run.events.resize(kMaxChartEvents);
  run.events.shrink_to_fit();
  return run;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string report_page(const std::vector<Run>& runs, const std::vector<Metrics>& metrics,
                        const RunOptions& options) {
  if (runs.size() != metrics.size())
    throw std::invalid_argument(
        fmt::format("report_page: {} runs but {} sets of metrics", runs.size(), metrics.size()));

  Window window;
  std::vector<std::size_t> cuts(runs.size());
  json charts = json::array();
  for (std::size_t i = 0; i < runs.size(); ++i)
    charts.push_back(chart_data(runs[i], metrics[i], window, cuts[i]));
  if (!(window.start <= window.end)) window = {0, 1};
  const double pad = std::max(window.end - window.start, 1.0) * 0.01;
  const json data = {{"charts", std::move(charts)},
                     {"window", {{"start", window.start - pad}, {"end", window.end + pad}}}};

  const char* time = options.time == runtime::TimeMode::real ? "real" : "simulated";
  const std::string delay =
      options.delay ? std::string(name(*options.delay)) : std::string("each scenario's own");

  std::string out;
  out.reserve(report_assets::timeline_js().size() + 200'000);
  out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>cacophony: the metronome, fourteen ways</title>\n<style>\n";
  out += inline_asset(report_assets::timeline_css(), "</style");
  out += "\n</style>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<header>\n";
  out += "<h1>One metronome, fourteen ways: the cacophony, measured</h1>\n";
  out += fmt::format(
      "<p class=\"params\">Tempo <b>{} bpm</b> &middot; <b>{}</b> beats per scenario &middot; "
      "seed <b>{}</b> &middot; <b>{}</b> time &middot; delay: <b>{}</b></p>\n",
      options.bpm.value(), options.beats, options.seed, time, html_escape(delay));
  out +=
      "<p>Each chart has three rows: the <b>ideal</b> beats where a perfect metronome would "
      "tick, the <b>volume</b> measurements as shaded ranges, and the <b>beats</b> as they "
      "were performed. A red line marks the moment a metronome returned while its work was "
      "still running; beats drawn in red came after it and would have been lost.</p>\n";
  out +=
      "<div class=\"tools\"><button id=\"expand-all\" type=\"button\">Expand all</button>"
      "<button id=\"collapse-all\" type=\"button\">Collapse all</button>"
      "<span class=\"hint\">Drag to pan, Ctrl + wheel to zoom. Every chart starts on the "
      "same time window.</span></div>\n</header>\n";
  summary(out, runs, metrics);
  out += "<main id=\"charts\">\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Scenario& s = *runs[i].scenario;
    const std::string code = html_escape(fmt::format("source/scenario/{}.cpp", s.code));
    out += fmt::format(
        "<details class=\"chart\" id=\"{}\" data-index=\"{}\">\n<summary><span class=\"title\">"
        "{}. {}</span><a class=\"code\" href=\"{}\" title=\"the metronome's code\">{}</a>"
        "</summary>\n<div class=\"body\">\n",
        html_escape(s.id), i, i + 1, caption(s.description), code, code);
    figures(out, runs[i], metrics[i]);
    out +=
        "<div class=\"controls\"><button class=\"reset\" type=\"button\">Reset view</button>"
        "<button class=\"redraw\" type=\"button\">Redraw</button>"
        "<button class=\"zoom-in\" type=\"button\">Zoom in</button>"
        "<button class=\"zoom-out\" type=\"button\">Zoom out</button></div>\n"
        "<div class=\"timeline\"></div>\n";
    if (cuts[i] > 0)
      out += fmt::format(
          "<p class=\"note\">Showing the first {} events; {} later ones are left "
          "out of this chart (the figures count them all).</p>\n",
          kMaxChartEvents, cuts[i]);
    out += "</div>\n</details>\n";
  }
  out +=
      "</main>\n<footer>Written by cacophony, a C++ port of the Go blog series "
      "&ldquo;Metronome&rsquo;s Cacophony&rdquo;. Charts drawn with vis-timeline, inlined "
      "in this file.</footer>\n";
  out += "<script type=\"application/json\" id=\"cacophony-data\">";
  out += script_json(data);
  out += "</script>\n<script>\n";
  out += inline_asset(report_assets::timeline_js(), "</script");
  out += "\n</script>\n<script>";
  out += kScript;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace cacophony
