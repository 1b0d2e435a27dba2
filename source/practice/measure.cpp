// Measure: the grid from the rhythm's timeline, hits matched to it nearest first, and the figures.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <random>
#include <stdexcept>
#include <utility>

#include "cacophony/practice/phases.h"
#include "cacophony/practice/practice.h"
#include "numbers.h"

namespace cacophony::practice {

bool MutePlan::muted(std::int64_t bar) const {
  if (on > 0 && off > 0) {
    const std::int64_t cycle = on + off;
    if (((bar - 1) % cycle + cycle) % cycle >= on) return true;
  }
  if (random <= 0) return false;
  // Seeded from (seed, bar) alone, so a bar's fate doesn't depend on which bars were asked first.
  const auto b = static_cast<std::uint64_t>(bar);
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32)};
  std::mt19937_64 gen(seq);
  return static_cast<double>(gen() >> 11) * 0x1.0p-53 < random;  // uniform in [0, 1)
}

std::vector<Position> positions(const rhythm::Performance& performance, int rate,
                                const MutePlan& plan) {
  const rhythm::Timeline timeline(performance, rate);
  if (timeline.last_click_frame() == rhythm::kEndless)
    throw std::invalid_argument("practice needs a performance that ends");
  std::vector<Position> out;
  rhythm::Timeline::Cursor cursor;
  rhythm::Event event;
  while (timeline.next(cursor, event)) {
    if (rhythm::counts_in(event.sound)) continue;  // the count-in is no player's
    // A voice's click on the beat's frame is one stroke with it: the beat's (it comes first).
    if (event.voice > 0 && !out.empty() && out.back().frame == event.frame) continue;
    out.push_back(
        {event.frame, event.bar, event.beat, event.sub, plan.muted(event.bar), event.voice});
  }
  return out;
}

namespace {

double frames_ms(double frames, int rate) {
  return frames * 1000.0 / rate;
}

// The figures of `offsets` (ms) with `missed` and `extra` beside them.
Figures figures(const std::vector<double>& offsets, std::size_t missed, std::size_t extra) {
  Figures f{offsets.size(), missed, extra, 0, 0, 0, 0};
  if (offsets.empty()) return f;
  const auto n = static_cast<double>(offsets.size());
  double sum = 0, squares = 0;
  for (const double o : offsets) {
    sum += o;
    f.within_10ms += std::abs(o) <= 10 ? 1 : 0;
    f.within_25ms += std::abs(o) <= 25 ? 1 : 0;
  }
  f.mean_offset_ms = sum / n;
  for (const double o : offsets) squares += (o - f.mean_offset_ms) * (o - f.mean_offset_ms);
  f.sd_ms = std::sqrt(squares / n);  // of the take itself, not an estimate of a population's
  f.within_10ms /= n;
  f.within_25ms /= n;
  return f;
}

struct Candidate {
  std::int64_t distance;  // |hit - position|, frames
  std::size_t position;
  std::size_t hit;
};

// Every (position, hit) pair within the position's window, nearest first. A hit can only lie in
// the windows of the two positions around it, as each window reaches half way to a neighbour.
std::vector<Candidate> candidates(const std::vector<Position>& grid,
                                  const std::vector<std::int64_t>& heard, int rate) {
  const double cap = kMaxOffsetMs * rate / 1000.0;
  std::vector<Candidate> out;
  for (std::size_t h = 0; h < heard.size(); ++h) {
    const auto after = std::partition_point(grid.begin(), grid.end(),
                                            [&](const Position& p) { return p.frame < heard[h]; });
    const auto k = static_cast<std::size_t>(after - grid.begin());
    for (std::size_t i = k > 0 ? k - 1 : 0; i < std::min(k + 1, grid.size()); ++i) {
      const std::int64_t d = heard[h] - grid[i].frame;
      const bool before = d < 0;
      const std::size_t j = before ? i - 1 : i + 1;
      const bool edge = before ? i == 0 : j >= grid.size();
      const double half =
          edge ? cap : std::abs(static_cast<double>(grid[j].frame - grid[i].frame)) / 2;
      if (std::abs(static_cast<double>(d)) <= std::min(cap, half))
        out.push_back({std::abs(d), i, h});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Candidate& a, const Candidate& b) { return a.distance < b.distance; });
  return out;
}

// The bar a frame falls in: that of the last position at or before it (the first bar before).
std::int64_t bar_of(const std::vector<Position>& grid, std::int64_t frame) {
  const auto after = std::partition_point(grid.begin(), grid.end(),
                                          [&](const Position& p) { return p.frame <= frame; });
  return after == grid.begin() ? grid.front().bar : (after - 1)->bar;
}

void add_bar_figures(Result& r) {
  for (const Position& p : r.grid)
    if (r.bars.empty() || r.bars.back().bar != p.bar) r.bars.push_back({p.bar, p.muted, {}});
  for (BarFigures& b : r.bars) {
    std::vector<double> offsets;
    for (const Matched& m : r.hits)
      if (m.position.bar == b.bar) offsets.push_back(m.offset_ms);
    const auto missed = std::count_if(r.missed.begin(), r.missed.end(),
                                      [&](const Position& p) { return p.bar == b.bar; });
    const auto extra = std::count_if(r.extra.begin(), r.extra.end(), [&](const Extra& e) {
      return bar_of(r.grid, e.frame) == b.bar;
    });
    b.figures = figures(offsets, static_cast<std::size_t>(missed), static_cast<std::size_t>(extra));
  }
}

}  // namespace

Result measure(const std::vector<Position>& grid, const std::vector<Hit>& hits, int rate,
               double latency_ms, double grid_bpm) {
  Result r;
  r.rate = rate;
  r.grid = grid;
  r.grid_bpm = grid_bpm;
  const std::int64_t latency = ms_frames(latency_ms, rate);
  std::vector<std::int64_t> heard;
  for (const Hit& h : hits) heard.push_back(h.frame - latency);
  std::vector<bool> position_taken(grid.size(), false), hit_taken(hits.size(), false);
  for (const Candidate& c : candidates(grid, heard, rate)) {
    if (position_taken[c.position] || hit_taken[c.hit]) continue;
    position_taken[c.position] = hit_taken[c.hit] = true;
    const std::int64_t d = heard[c.hit] - grid[c.position].frame;
    r.hits.push_back({grid[c.position], heard[c.hit], frames_ms(static_cast<double>(d), rate)});
  }
  std::sort(r.hits.begin(), r.hits.end(),
            [](const Matched& a, const Matched& b) { return a.position.frame < b.position.frame; });
  for (std::size_t i = 0; i < grid.size(); ++i)
    if (!position_taken[i]) r.missed.push_back(grid[i]);
  for (std::size_t h = 0; h < hits.size(); ++h)
    if (!hit_taken[h])
      r.extra.push_back({heard[h], frames_ms(static_cast<double>(heard[h]), rate)});
  std::vector<double> offsets;
  for (const Matched& m : r.hits) offsets.push_back(m.offset_ms);
  r.overall = figures(offsets, r.missed.size(), r.extra.size());
  if (!grid.empty()) add_bar_figures(r);
  r.player_bpm = fitted_bpm(r.hits, grid_bpm);
  std::vector<Matched> muted;
  std::copy_if(r.hits.begin(), r.hits.end(), std::back_inserter(muted),
               [](const Matched& m) { return m.position.muted; });
  r.muted_bpm = fitted_bpm(muted, grid_bpm);
  return r;
}

BarMeasure::BarMeasure(std::vector<Position> grid, int rate, double latency_ms, double grid_bpm)
    : grid_(std::move(grid)),
      rate_(rate),
      latency_ms_(latency_ms),
      latency_(ms_frames(latency_ms, rate)),
      grid_bpm_(grid_bpm) {}

void BarMeasure::add(const Hit& hit) {
  held_.push_back(hit);
}

// A bar's figures depend on its positions, the neighbour on each side (how far each window
// reaches) and the hits from the one neighbour to the other: measure() over that stretch alone
// finds them, as a hit reaches no position beyond its two nearest.
std::vector<BarFigures> BarMeasure::complete(std::int64_t settled) {
  std::vector<BarFigures> out;
  while (next_ < grid_.size()) {
    std::size_t end = next_;
    while (end < grid_.size() && grid_[end].bar == grid_[next_].bar) ++end;
    // The next bar's first position, and every hit heard up to it, must be known.
    if (end == grid_.size() || settled - latency_ <= grid_[end].frame) break;
    const std::size_t from = next_ > 0 ? next_ - 1 : 0;
    const std::vector<Position> stretch(grid_.begin() + static_cast<std::ptrdiff_t>(from),
                                        grid_.begin() + static_cast<std::ptrdiff_t>(end + 1));
    std::vector<Hit> hits;
    for (const Hit& h : held_)
      if ((next_ == 0 || h.frame - latency_ >= grid_[from].frame) &&
          h.frame - latency_ <= grid_[end].frame)
        hits.push_back(h);
    const Result r = measure(stretch, hits, rate_, latency_ms_, grid_bpm_);
    for (const BarFigures& b : r.bars)
      if (b.bar == grid_[next_].bar) out.push_back(b);
    // The next stretch starts at this bar's last position.
    std::erase_if(held_, [&](const Hit& h) { return h.frame - latency_ < grid_[end - 1].frame; });
    next_ = end;
  }
  return out;
}

}  // namespace cacophony::practice
