#include "cacophony/report/practice_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "assets.h"
#include "cacophony/practice/phases.h"
#include "cacophony/report/page.h"
#include "cacophony/report/practice_words.h"
#include "html.h"

namespace cacophony {
namespace {

using nlohmann::json;
using practice::Figures;
using practice::Position;
using practice::Result;

// A figure: null where it is absent or not finite, as JSON has no NaN.
json number(std::optional<double> value) {
  return value && std::isfinite(*value) ? json(*value) : json(nullptr);
}

double ms(std::int64_t frame, int rate) {
  return static_cast<double>(frame) * 1000.0 / rate;
}

json place(const Position& p, int rate) {
  return {{"bar", p.bar},
          {"beat", p.beat},
          {"sub", p.sub},
          {"voice", p.voice},
          {"time_ms", ms(p.frame, rate)},
          {"muted", p.muted}};
}

// The figures over some hits; the ones measured on the hits are null when there are none (a
// mean over nothing is not 0).
json figures(const Figures& f) {
  const auto measured = [&f](double v) { return number(f.hits ? std::optional(v) : std::nullopt); };
  return {{"hits", f.hits},
          {"missed", f.missed},
          {"extra", f.extra},
          {"mean_offset_ms", measured(f.mean_offset_ms)},
          {"sd_ms", measured(f.sd_ms)},
          {"within_10ms", measured(f.within_10ms)},
          {"within_25ms", measured(f.within_25ms)}};
}

struct Span {
  double start = 0;
  double end = 0;
};

// Where each bar lies in time: from its first position to the next bar's first (the last
// position of the take lasts as long as the gap before it), for shading it on the page.
std::map<std::int64_t, Span> bar_spans(const std::vector<Position>& grid, int rate) {
  std::map<std::int64_t, Span> spans;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const double at = ms(grid[i].frame, rate);
    const double next = i + 1 < grid.size() ? ms(grid[i + 1].frame, rate)
                        : i > 0             ? 2 * at - ms(grid[i - 1].frame, rate)
                                            : at;
    const auto [span, fresh] = spans.try_emplace(grid[i].bar, Span{at, next});
    if (fresh) continue;
    span->second.start = std::min(span->second.start, at);
    span->second.end = std::max(span->second.end, next);
  }
  return spans;
}

// Each bar's figures, whether its click was muted, and where it lies in time.
json bars(const Result& result) {
  const auto spans = bar_spans(result.grid, result.rate);
  json out = json::array();
  for (const practice::BarFigures& b : result.bars) {
    json bar = figures(b.figures);
    bar["bar"] = b.bar;
    bar["muted"] = b.muted;
    const auto span = spans.find(b.bar);
    bar["start_ms"] = span == spans.end() ? json(nullptr) : json(span->second.start);
    bar["end_ms"] = span == spans.end() ? json(nullptr) : json(span->second.end);
    out.push_back(std::move(bar));
  }
  return out;
}

const char* lean_name(practice::Lean lean) {
  switch (lean) {
    case practice::Lean::rushed:
      return "rushed";
    case practice::Lean::dragged:
      return "dragged";
    case practice::Lean::steady:
      break;
  }
  return "steady";
}

const char* pace_name(practice::Pace pace) {
  switch (pace) {
    case practice::Pace::faster:
      return "faster";
    case practice::Pace::slower:
      return "slower";
    case practice::Pace::held:
      break;
  }
  return "held";
}

// The phases of the take and its tempo over time (practice/phases.h), with their words.
void add_shape(const Result& result, json& data) {
  json phases = json::array(), tempo = json::array(), tempo_phases = json::array();
  for (const practice::Phase& p : practice::phases(result))
    phases.push_back({{"first_bar", p.first_bar},
                      {"last_bar", p.last_bar},
                      {"lean", lean_name(p.lean)},
                      {"mean_offset_ms", number(p.mean_offset_ms)},
                      {"hits", p.hits},
                      {"words", phase_words(p)}});
  for (const practice::BarTempo& t : practice::tempo_by_bar(result))
    tempo.push_back({{"bar", t.bar}, {"bpm", number(t.bpm)}, {"hits", t.hits}});
  for (const practice::TempoPhase& t : practice::tempo_phases(result))
    tempo_phases.push_back({{"first_bar", t.first_bar},
                            {"last_bar", t.last_bar},
                            {"pace", pace_name(t.pace)},
                            {"bpm", number(t.bpm)}});
  data["phases"] = std::move(phases);
  data["tempo"] = std::move(tempo);
  data["tempo_phases"] = std::move(tempo_phases);
  data["tempo_words"] = tempo_words(result);
}

// The take's data, as practice_page.h lists it; the page's script draws from it.
json practice_data(const Result& result) {
  if (result.rate <= 0)
    throw std::invalid_argument(fmt::format("practice report: rate {}", result.rate));
  json grid = json::array(), hits = json::array(), missed = json::array(), extra = json::array();
  for (const Position& p : result.grid) grid.push_back(place(p, result.rate));
  for (const practice::Matched& m : result.hits) {
    json hit = place(m.position, result.rate);
    hit["hit_ms"] = ms(m.hit_frame, result.rate);
    hit["offset_ms"] = number(m.offset_ms);
    hits.push_back(std::move(hit));
  }
  for (const Position& p : result.missed) missed.push_back(place(p, result.rate));
  for (const practice::Extra& e : result.extra) extra.push_back({{"time_ms", number(e.time_ms)}});
  json summary = figures(result.overall);
  summary["player_bpm"] = number(result.player_bpm);
  summary["muted_bpm"] = number(result.muted_bpm);
  json data = {{"rate", result.rate},
               {"grid_bpm", number(result.grid_bpm)},
               {"player_bpm", summary["player_bpm"]},
               {"muted_bpm", summary["muted_bpm"]},
               {"summary", std::move(summary)},
               {"grid", std::move(grid)},
               {"hits", std::move(hits)},
               {"missed", std::move(missed)},
               {"extra", std::move(extra)},
               {"bars", bars(result)}};
  add_shape(result, data);
  return data;
}

std::string share(const Figures& f, double value) {
  return f.hits ? fmt::format("{:.0f} %", value * 100) : "–";
}

std::string bpm(std::optional<double> value) {
  return value && std::isfinite(*value) ? fmt::format("{:.1f} bpm", *value) : "–";
}

// The summary table's rows: one figure each, with what it means as the row's hint.
std::string summary_rows(const Result& result) {
  const Figures& f = result.overall;
  const std::string mean = f.hits ? offset_words(f.mean_offset_ms) : "–";
  const std::vector<std::array<std::string, 3>> rows = {
      {"hits", fmt::format("{} of {}", f.hits, result.grid.size()),
       "grid positions the player hit"},
      {"on average", mean,
       "the hits' mean distance from the grid: rushing (early) or dragging (late)"},
      {"steadiness", f.hits ? fmt::format("±{:.1f} ms", f.sd_ms) : "–",
       "how far the hits strayed from their own average, typically (the standard deviation)"},
      {"within ±10 ms", share(f, f.within_10ms), "the share of hits within 10 ms of the grid"},
      {"within ±25 ms", share(f, f.within_25ms), "the share of hits within 25 ms of the grid"},
      {"missed", std::to_string(f.missed), "grid positions without a hit"},
      {"extra", std::to_string(f.extra), "hits that belong to no grid position"},
      {"player tempo", bpm(result.player_bpm), "the tempo fitted to the player's hits"},
      {"muted tempo", bpm(result.muted_bpm), "the same over the hits in muted bars only"},
      {"grid tempo", bpm(result.grid_bpm > 0 ? std::optional(result.grid_bpm) : std::nullopt),
       "the rhythm's first tempo"}};
  std::string out;
  for (const auto& [name, value, hint] : rows)
    out += fmt::format("<tr title=\"{}\"><th>{}</th><td>{}</td></tr>\n", html_escape(hint),
                       html_escape(name), html_escape(value));
  return out;
}

// The take at a glance, in words: its phases, then its tempo over time.
std::string glance_items(const Result& result) {
  std::string out;
  for (const std::string& line : phases_words(result))
    out += fmt::format("<li class=\"phase\">{}</li>\n", html_escape(line));
  for (const std::string& line : tempo_words(result))
    out += fmt::format("<li class=\"tempo\">{}</li>\n", html_escape(line));
  return out.empty() ? "<li>no hits to read</li>\n" : out;
}

// The muted bars' key, only when some bar was muted.
std::string muted_legend(const Result& result) {
  const bool any = std::any_of(result.bars.begin(), result.bars.end(),
                               [](const practice::BarFigures& b) { return b.muted; });
  return any ? " <span id=\"muted-legend\">Shaded bars were <span class=\"key muted-key\">"
               "muted</span>: the click was silent and the player kept time alone.</span>"
             : "";
}

}  // namespace

std::string practice_json(const Result& result) {
  json data = practice_data(result);
  if (const auto& a = result.alignment)
    data["alignment"] = {{"start_s", number(a->start_s)},
                         {"found_by", a->found_by},
                         {"fit", a->good_fit ? "good" : "poor"},
                         {"advice", a->advice}};
  return data.dump(2);
}

std::string practice_page(const Result& result, const PracticePageInfo& info) {
  return html::fill(report_assets::practice_html(),
                    {{"take", html_escape(info.take)},
                     {"rhythm", html_escape(info.rhythm)},
                     {"style", report_assets::practice_css()},
                     {"summary_rows", summary_rows(result)},
                     {"glance", glance_items(result)},
                     {"muted_legend", muted_legend(result)},
                     {"data", html::script_json(practice_data(result))},
                     {"script", report_assets::practice_js()}});
}

}  // namespace cacophony
