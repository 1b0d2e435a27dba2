// Align: the offset that fits the most hits to the timeline's clicks, refined by their median;
// the fit judged by how near the hits are and by the tempo of their spacing.
#include "cacophony/practice/align.h"

#include "numbers.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace cacophony::practice {
namespace {

// A click the take may hold: the count-in's (which the player doesn't play) or a position's.
struct Click {
  std::int64_t frame = 0;  // from the timeline's first frame
  bool count_in = false;
};

std::vector<Click> clicks_of(const rhythm::Performance& performance,
                             const std::vector<Position>& grid, int rate) {
  std::vector<Click> out;
  if (performance.feel.count_in != rhythm::Feel::kNoCountIn) {
    const rhythm::Timeline timeline(performance, rate);
    rhythm::Timeline::Cursor cursor;
    rhythm::Event event;
    while (timeline.next(cursor, event) && rhythm::counts_in(event.sound))
      out.push_back({event.frame, true});
  }
  for (const Position& p : grid) out.push_back({p.frame, false});
  return out;
}

// The hits, in order, and how near to a click a hit must be to fit it.
struct Take {
  std::vector<std::int64_t> hits;
  std::int64_t frames = 0;
  std::int64_t tolerance = 0;
};

// The hit nearest to `frame` (the take has hits).
std::int64_t nearest(const std::vector<std::int64_t>& hits, std::int64_t frame) {
  const auto after = std::lower_bound(hits.begin(), hits.end(), frame);
  if (after == hits.end()) return hits.back();
  if (after == hits.begin() || *after - frame < frame - *(after - 1)) return *after;
  return *(after - 1);
}

// Clicks with a hit near them, less grid positions without one, up to the take's end.
std::int64_t score(const std::vector<Click>& clicks, const Take& take, std::int64_t offset) {
  std::int64_t value = 0;
  for (const Click& c : clicks) {
    if (c.frame + offset >= take.frames) break;
    if (std::abs(nearest(take.hits, c.frame + offset) - c.frame - offset) <= take.tolerance)
      ++value;
    else if (!c.count_in)
      --value;
  }
  return value;
}

// The median of how far the hits near the clicks (the count-in's alone, if `count_in`) are from
// them; nothing when none is near.
std::optional<std::int64_t> median_residual(const std::vector<Click>& clicks, const Take& take,
                                            std::int64_t offset, bool count_in,
                                            std::size_t* matched = nullptr) {
  std::vector<std::int64_t> residuals;
  for (const Click& c : clicks) {
    if (c.frame + offset >= take.frames || (count_in && !c.count_in)) continue;
    const std::int64_t residual = nearest(take.hits, c.frame + offset) - c.frame - offset;
    if (std::abs(residual) <= take.tolerance) residuals.push_back(residual);
  }
  if (matched) *matched = residuals.size();
  if (residuals.empty()) return std::nullopt;
  return median(residuals);
}

// The best-scoring offset among those that put one of the first hits on one of the first clicks;
// the earliest among equals.
std::int64_t best_offset(const std::vector<Click>& clicks, const Take& take) {
  std::vector<std::int64_t> tried;
  for (std::size_t h = 0; h < std::min(kAlignHits, take.hits.size()); ++h)
    for (std::size_t c = 0; c < std::min(kAlignClicks, clicks.size()); ++c)
      tried.push_back(take.hits[h] - clicks[c].frame);
  std::sort(tried.begin(), tried.end());
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();
  std::int64_t best = tried.front(), best_score = kNone, last = kNone;
  for (const std::int64_t offset : tried) {
    // Offsets within a tenth of the tolerance score alike: the median refines them anyway.
    if (last != kNone && offset - last < take.tolerance / 10) continue;
    last = offset;
    if (const std::int64_t s = score(clicks, take, offset); s > best_score)
      best = offset, best_score = s;
  }
  return best;
}

}  // namespace

std::optional<Start> find_start(const rhythm::Performance& performance,
                                const std::vector<Position>& grid, const std::vector<Hit>& hits,
                                int rate, std::int64_t take_frames) {
  const std::vector<Click> clicks = clicks_of(performance, grid, rate);
  if (hits.empty() || clicks.empty()) return std::nullopt;
  Take take{{}, take_frames, ms_frames(kAlignToleranceMs, rate)};
  for (const Hit& h : hits) take.hits.push_back(h.frame);
  // Closer clicks than four tolerances apart would share their hits.
  for (std::size_t i = 1; i < clicks.size(); ++i)
    take.tolerance = std::min(take.tolerance, (clicks[i].frame - clicks[i - 1].frame) / 4);
  Start start{best_offset(clicks, take), Start::From::hits};
  const auto count_in = static_cast<std::size_t>(
      std::count_if(clicks.begin(), clicks.end(), [](const Click& c) { return c.count_in; }));
  std::size_t heard = 0;
  static_cast<void>(median_residual(clicks, take, start.frame, true, &heard));
  if (count_in >= 2 && heard >= std::max<std::size_t>(2, count_in - 1))
    start.from = Start::From::count_in;
  // Twice: the first median may bring hits at the tolerance's edge in or out.
  for (int pass = 0; pass < 2; ++pass)
    if (const auto r =
            median_residual(clicks, take, start.frame, start.from == Start::From::count_in))
      start.frame += *r;
  return start;
}

std::size_t drop_count_in(std::vector<Hit>& hits, const rhythm::Performance& performance, int rate,
                          std::int64_t start, double latency_ms) {
  const std::vector<Click> clicks = clicks_of(performance, {}, rate);
  const std::int64_t tolerance = ms_frames(kAlignToleranceMs, rate);
  const std::int64_t shift = start + ms_frames(latency_ms, rate);
  return std::erase_if(hits, [&](const Hit& h) {
    return std::any_of(clicks.begin(), clicks.end(), [&](const Click& c) {
      return std::abs(h.frame - shift - c.frame) <= tolerance;
    });
  });
}

namespace {

// The hits' spacing against the grid's where they are, as a tempo: the median ratio of each
// spacing to the grid's spacing there, over the spacings within 0.6..1.6 of it (a missed beat,
// a flam or a ghost note is no tempo); nothing without four of them.
std::optional<double> spacing_bpm(const Result& r) {
  std::vector<std::int64_t> hits;
  for (const Matched& m : r.hits) hits.push_back(m.hit_frame);
  for (const Extra& e : r.extra) hits.push_back(e.frame);
  std::sort(hits.begin(), hits.end());
  if (r.grid.size() < 2) return std::nullopt;
  std::vector<double> ratios;
  for (std::size_t i = 1; i < hits.size(); ++i) {
    const auto at = std::partition_point(r.grid.begin(), r.grid.end() - 1,
                                         [&](const Position& p) { return p.frame <= hits[i - 1]; });
    const auto k = std::max<std::ptrdiff_t>(at - r.grid.begin(), 1);
    const auto spacing = static_cast<double>(r.grid[static_cast<std::size_t>(k)].frame -
                                             r.grid[static_cast<std::size_t>(k - 1)].frame);
    const double ratio = static_cast<double>(hits[i] - hits[i - 1]) / spacing;
    if (spacing > 0 && ratio >= 0.6 && ratio <= 1.6) ratios.push_back(ratio);
  }
  if (ratios.size() < 4) return std::nullopt;
  return r.grid_bpm / median(ratios);
}

}  // namespace

Fit judge_fit(const Result& r) {
  Fit fit;
  const std::size_t all = r.hits.size() + r.extra.size();
  if (all == 0) return fit;
  const auto near = std::count_if(r.hits.begin(), r.hits.end(), [](const Matched& m) {
    return std::abs(m.offset_ms) <= kNearMs;
  });
  fit.near_share = static_cast<double>(near) / static_cast<double>(all);
  fit.hits_bpm = spacing_bpm(r);
  fit.tempo_off =
      fit.hits_bpm && r.grid_bpm > 0 && std::abs(*fit.hits_bpm / r.grid_bpm - 1) > kTempoOffShare;
  fit.poor = fit.near_share < 0.5 || fit.tempo_off;
  return fit;
}

}  // namespace cacophony::practice
