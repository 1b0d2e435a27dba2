// Phases: bars marked one way or the other, then grouped into runs (phases.h says the rule).
#include "cacophony/practice/phases.h"

#include <cmath>

namespace cacophony::practice {
namespace {

// A bar with something measured: which way it leans (0: neither), and its value with a weight.
struct Mark {
  std::int64_t bar = 1;
  int kind = 0;
  double value = 0;
  double weight = 1;
};

struct Run {
  std::size_t from = 0;  // [from, to) in the marks
  std::size_t to = 0;
  int kind = 0;
  double value = 0;  // the weighted mean over its marks
  double weight = 0;
  std::int64_t first_bar = 1;
  std::int64_t last_bar = 1;
};

std::vector<Run> group(const std::vector<Mark>& marks) {
  std::vector<Run> out;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    if (out.empty() || out.back().kind != marks[i].kind) out.push_back({i, i, marks[i].kind});
    Run& r = out.back();
    r.to = i + 1;
    r.value += marks[i].value * marks[i].weight;
    r.weight += marks[i].weight;
  }
  for (Run& r : out) r.value = r.weight > 0 ? r.value / r.weight : 0;
  return out;
}

// Runs of the same kind, a leaning run shorter than kMinPhaseBars counted as neither.
std::vector<Run> runs(std::vector<Mark> marks) {
  for (const Run& r : group(marks))
    if (r.kind != 0 && static_cast<std::int64_t>(r.to - r.from) < kMinPhaseBars)
      for (std::size_t i = r.from; i < r.to; ++i) marks[i].kind = 0;
  std::vector<Run> out = group(marks);
  for (Run& r : out) {
    r.first_bar = marks[r.from].bar;
    r.last_bar = marks[r.to - 1].bar;
  }
  return out;
}

int lean_of(const Figures& f) {
  const double m = f.mean_offset_ms;
  const double error = f.sd_ms / std::sqrt(static_cast<double>(f.hits));
  if (f.hits < kMinLeaningHits || std::abs(m) < kLeanMs || std::abs(m) < kStandardErrors * error)
    return static_cast<int>(Lean::steady);
  return static_cast<int>(m < 0 ? Lean::rushed : Lean::dragged);
}

}  // namespace

std::vector<Phase> phases(const Result& result) {
  std::vector<Mark> marks;
  for (const BarFigures& b : result.bars)
    if (b.figures.hits > 0)
      marks.push_back({b.bar, lean_of(b.figures), b.figures.mean_offset_ms,
                       static_cast<double>(b.figures.hits)});
  std::vector<Phase> out;
  for (const Run& r : runs(marks))
    out.push_back({r.first_bar, r.last_bar, static_cast<Lean>(r.kind), r.value,
                   static_cast<std::size_t>(r.weight)});
  return out;
}

std::optional<double> fitted_bpm(const std::vector<Matched>& hits, double grid_bpm) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const Matched& m : hits) {
    const auto x = static_cast<double>(m.position.frame);
    const auto y = static_cast<double>(m.hit_frame);
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double var = n * sxx - sx * sx;
  if (n < 2 || var <= 0) return std::nullopt;
  const double slope = (n * sxy - sx * sy) / var;
  if (slope <= 0) return std::nullopt;
  return grid_bpm / slope;
}

std::vector<BarTempo> tempo_by_bar(const Result& result) {
  std::vector<BarTempo> out;
  // The hits are in the order of their positions, so each bar's are together.
  for (std::size_t i = 0; i < result.hits.size();) {
    std::size_t end = i;
    while (end < result.hits.size() && result.hits[end].position.bar == result.hits[i].position.bar)
      ++end;
    const std::vector<Matched> bar(result.hits.begin() + static_cast<std::ptrdiff_t>(i),
                                   result.hits.begin() + static_cast<std::ptrdiff_t>(end));
    if (const auto bpm = fitted_bpm(bar, result.grid_bpm))
      out.push_back({result.hits[i].position.bar, *bpm, bar.size()});
    i = end;
  }
  return out;
}

std::vector<TempoPhase> tempo_phases(const Result& result) {
  if (!(result.grid_bpm > 0)) return {};
  std::vector<Mark> marks;
  for (const BarTempo& t : tempo_by_bar(result)) {
    const double share = t.bpm / result.grid_bpm - 1;
    const Pace pace = share >= kTempoShare    ? Pace::faster
                      : share <= -kTempoShare ? Pace::slower
                                              : Pace::held;
    marks.push_back({t.bar, static_cast<int>(pace), t.bpm, 1});
  }
  std::vector<TempoPhase> out;
  for (const Run& r : runs(marks))
    out.push_back({r.first_bar, r.last_bar, static_cast<Pace>(r.kind), r.value});
  return out;
}

}  // namespace cacophony::practice
