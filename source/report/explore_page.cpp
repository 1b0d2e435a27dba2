// The explore page: the run page's parts (page_parts.h), with what explore found in each chart
// (explored.html) and across the scenarios (explore.html).

#include <fmt/format.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assets.h"
#include "cacophony/report/page.h"
#include "html.h"
#include "page_parts.h"

namespace cacophony {
namespace {

using html::fill;
using nlohmann::json;
using report_parts::ChartParts;

// What class `c` means, for the tables' headers.
std::string hint(std::size_t c) {
  return html_escape(meaning(static_cast<Outcome>(c)));
}

// "<b>lost</b> (a beat number ...), ..., or <b>clean</b> (none of the above)": every class with
// what it means, for the text above the table.
std::string classes_text() {
  std::string out;
  for (std::size_t c = 0; c < kOutcomeNames.size(); ++c)
    out += fmt::format("{}<b>{}</b> ({})",
                       c == 0                          ? ""
                       : c + 1 == kOutcomeNames.size() ? ", or "
                                                       : ", ",
                       kOutcomeNames[c], hint(c));
  return out;
}

bool anomaly(std::size_t c) {
  return c != static_cast<std::size_t>(Outcome::clean);
}

// "1 schedule", "200 schedules".
std::string schedules_text(std::size_t n) {
  return fmt::format("{} schedule{}", n, n == 1 ? "" : "s");
}

std::string share(std::size_t count, std::size_t schedules) {
  return fmt::format(
      "{:.1f}%",
      schedules ? 100.0 * static_cast<double>(count) / static_cast<double>(schedules) : 0.0);
}

std::string_view vary_name(Vary v) {
  return kVaryNames[static_cast<std::size_t>(v)];
}

// "0/15/16": a run's choice points, min/median/max; "–" when no run ended.
std::string choice_points(const Exploration& x) {
  for (const MetricRange& m : x.metrics)
    if (m.name == "choice_points") return fmt::format("{:g}/{:g}/{:g}", m.min, m.median, m.max);
  return "–";
}

std::string strategy_name(const ExploreOptions& o) {
  switch (o.strategy) {
    case runtime::Schedule::Kind::pct:
      return fmt::format("PCT, depth {}", o.depth);
    case runtime::Schedule::Kind::dfs:
      return "DFS (bounded exhaustive)";
    default:
      return "random";
  }
}

// The chart's run and the class whose first schedule it replays, checked against the exploration.
std::optional<Outcome> shown(const ExploredScenario& e) {
  const std::optional<Outcome> wanted = representative(e.exploration);
  if (wanted.has_value() != e.run.has_value() ||
      (e.run && e.run->scenario != e.exploration.scenario))
    throw std::invalid_argument(fmt::format(
        "explore_page: {}: {}", e.exploration.scenario->id,
        wanted ? "needs the run of its representative schedule" : "has no run to draw"));
  return wanted;
}

// The chart's data under "exploration": the classes as `explore --json` gives them.
json exploration_data(const Exploration& x, std::optional<Outcome> drawn) {
  json outcomes = json::array();
  for (std::size_t c = 0; c < x.outcomes.size(); ++c)
    outcomes.push_back(
        {{"class", kOutcomeNames[c]},
         {"count", x.outcomes[c].count},
         {"first_schedule", x.outcomes[c].count ? json(x.outcomes[c].first) : json(nullptr)},
         {"first_error", x.outcomes[c].what.empty() ? json(nullptr) : json(x.outcomes[c].what)}});
  json shown_data = nullptr;
  if (drawn) {
    const auto c = static_cast<std::size_t>(*drawn);
    shown_data = {{"class", kOutcomeNames[c]}, {"schedule", x.outcomes[c].first}};
  }
  return {{"strategy", x.strategy},   {"vary", vary_name(x.vary)},
          {"schedules", x.schedules}, {"distinct_orders", x.distinct_orders},
          {"exhausted", x.exhausted}, {"interrupted", x.interrupted},
          {"shown", shown_data},      {"outcomes", outcomes}};
}

// One row per class for a chart's table of explored.html.
std::string outcome_rows(const Exploration& x, const ReplayCommand& replay_command) {
  std::string out;
  for (std::size_t c = 0; c < x.outcomes.size(); ++c) {
    const OutcomeCount& o = x.outcomes[c];
    const std::string pct = share(o.count, x.schedules);
    const char* kind = o.count == 0 ? "none" : anomaly(c) ? "bad" : "ok";
    std::string first =
        o.count ? fmt::format("<code>{}</code>", html_escape(o.first)) : std::string("–");
    if (!o.what.empty()) first += fmt::format("<div class=\"error\">{}</div>", html_escape(o.what));
    const std::string command = o.count
                                    ? fmt::format("<code class=\"command\">{}</code>",
                                                  html_escape(replay_command(*x.scenario, o.first)))
                                    : std::string("–");
    out += fmt::format(
        "<tr class=\"{}\" data-class=\"{}\"><th title=\"{}\">{}</th><td>{}/{}</td><td>{}</td>"
        "<td class=\"bar\"><span style=\"width: {}\"></span></td><td>{}</td><td>{}</td></tr>\n",
        kind, kOutcomeNames[c], hint(c), kOutcomeNames[c], o.count, x.schedules, pct, pct, first,
        command);
  }
  return out;
}

// A chart's part of the page: explored.html, filled.
std::string explored_section(const Exploration& x, std::optional<Outcome> drawn,
                             const ReplayCommand& replay_command) {
  std::string said = "every schedule deadlocked or threw: no run ended, nothing is drawn.";
  if (drawn) {
    const auto c = static_cast<std::size_t>(*drawn);
    said = fmt::format(
        "the chart draws schedule <code>{}</code>, the first with <b>{}</b>, {}.",
        html_escape(x.outcomes[c].first), kOutcomeNames[c],
        anomaly(c) ? "the anomaly met in the most schedules" : "as no anomaly occurred");
  }
  const bool dfs = x.strategy == "dfs";
  const std::string exhausted =
      x.interrupted ? ", interrupted"
      : !dfs        ? ""
      : x.exhausted ? fmt::format(", all {} orders", x.distinct_orders)
                    : fmt::format(", stopped at the bound of {}", schedules_text(x.schedules));
  return fill(report_assets::explored_html(), {{"schedules", schedules_text(x.schedules)},
                                               {"strategy", html_escape(x.strategy)},
                                               {"vary", std::string(vary_name(x.vary))},
                                               {"exhausted", exhausted},
                                               {"orders", std::to_string(x.distinct_orders)},
                                               {"points", choice_points(x)},
                                               {"shown", said},
                                               {"rows", outcome_rows(x, replay_command)}});
}

// One row per scenario for the table of explore.html.
std::string summary_rows(const std::vector<ExploredScenario>& explored,
                         const std::vector<std::optional<Outcome>>& drawn) {
  std::string out;
  for (std::size_t i = 0; i < explored.size(); ++i) {
    const Exploration& x = explored[i].exploration;
    const std::string id = html_escape(x.scenario->id);
    out += fmt::format("<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}{}</td><td>{}</td>",
                       i + 1, id, id, x.schedules,
                       x.interrupted ? " (interrupted)"
                       : x.exhausted ? " (all)"
                                     : "",
                       x.distinct_orders);
    for (std::size_t c = 0; c < x.outcomes.size(); ++c) {
      const std::size_t n = x.outcomes[c].count;
      out +=
          fmt::format("<td class=\"{}\" data-class=\"{}\">{} ({})</td>",
                      n && anomaly(c) ? "bad" : "ok", kOutcomeNames[c], n, share(n, x.schedules));
    }
    out += fmt::format(
        "<td>{}</td></tr>\n",
        drawn[i] ? kOutcomeNames[static_cast<std::size_t>(*drawn[i])] : std::string_view("–"));
  }
  return out;
}

// What each schedule varies, in words.
std::string seeds_text(const ExploreOptions& o) {
  if (o.vary == Vary::timing)
    return fmt::format(
        "vary <b>timing</b>: FIFO order, schedule <i>i</i>'s delays and volumes from seed "
        "<b>{}</b> + <i>i</i>",
        o.run.seed);
  if (o.strategy == runtime::Schedule::Kind::dfs)
    return fmt::format("every task order of one run, delays and volumes from seed <b>{}</b>",
                       o.run.seed);
  if (o.vary == Vary::order)
    return fmt::format(
        "vary <b>order</b>: schedule <i>i</i> draws its choices from seed <b>{}</b> + <i>i</i>; "
        "every run's delays and volumes from seed <b>{}</b>",
        o.seed, o.run.seed);
  return fmt::format(
      "vary <b>both</b>: schedule <i>i</i> draws its choices from seed <b>{}</b> + <i>i</i>, its "
      "run's delays and volumes from seed <b>{}</b> + <i>i</i>",
      o.seed, o.run.seed);
}

// The part above the charts: explore.html, filled.
std::string explore_section(const std::vector<ExploredScenario>& explored,
                            const std::vector<std::optional<Outcome>>& drawn,
                            const ExploreOptions& o, const std::string& explore_command) {
  std::string heads;
  for (std::size_t c = 0; c < kOutcomeNames.size(); ++c)
    heads += fmt::format("<th title=\"{}\">{}</th>", hint(c), kOutcomeNames[c]);
  const std::string seeds = seeds_text(o);
  return fill(report_assets::explore_html(), {{"explore_command", html_escape(explore_command)},
                                              {"strategy", html_escape(strategy_name(o))},
                                              {"schedules", schedules_text(o.schedules)},
                                              {"seeds", seeds},
                                              {"classes", classes_text()},
                                              {"outcome_heads", heads},
                                              {"rows", summary_rows(explored, drawn)}});
}

}  // namespace

std::string explore_page(const std::vector<ExploredScenario>& explored,
                         const ExploreOptions& options, const CommandLine& commands) {
  std::vector<std::optional<Outcome>> drawn;
  std::vector<Run> placeholders;  // a chart with nothing to draw shows an empty run
  placeholders.reserve(explored.size());
  std::vector<ChartParts> charts;
  for (const ExploredScenario& e : explored) {
    const Exploration& x = e.exploration;
    drawn.push_back(shown(e));
    if (!e.run) placeholders.push_back(Run{x.scenario, options.run, x.scenario->delay, {}, {}});
    charts.push_back({e.run ? &*e.run : &placeholders.back(), e.run ? &e.metrics : nullptr,
                      explored_section(x, drawn.back(), commands.replay),
                      exploration_data(x, drawn.back())});
  }
  RunOptions run = options.run;
  run.time = runtime::TimeMode::simulated;
  return report_parts::page(charts, run,
                            {"The runs the charts draw, side by side (one schedule each)",
                             explore_section(explored, drawn, options, commands.explore)});
}

}  // namespace cacophony
