#include "cacophony/analysis/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "cacophony/tracker/window.h"

namespace cacophony {
namespace {

double ms(runtime::Duration d) {
  return static_cast<double>(d.count()) / 1e6;
}
double us(runtime::Duration d) {
  return static_cast<double>(d.count()) / 1e3;
}

// The index of the nearest-rank percentile `q` among `size` sorted values.
std::size_t rank(std::size_t size, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(size)));
  return std::max<std::size_t>(rank, 1) - 1;
}

using Beat = Measurer::Beat;
using Span = Measurer::Span;

// Which numbers 0..N-1 were played, and how often, from the beats in time order.
void measure_numbers(const std::vector<Beat>& beats, int expected, Metrics& m) {
  enum Played : unsigned char { never, after_return, heard };
  std::vector<Played> played(static_cast<std::size_t>(std::max(expected, 0)), never);
  for (const Beat& b : beats) {
    if (b.number < 0 || b.number >= expected) {
      ++m.beyond_beats;
      continue;
    }
    Played& p = played[static_cast<std::size_t>(b.number)];
    if (p != never) ++m.duplicate_beats;
    if (!b.after_end) p = heard;
    if (p == never) p = after_return;
  }
  m.skipped_beats = static_cast<int>(std::count(played.begin(), played.end(), never));
  m.lost_beats =
      std::max(expected, 0) - static_cast<int>(std::count(played.begin(), played.end(), heard));
}

// Order, lag, intervals and stale volumes, from the beats in time order.
void measure_beats(const std::vector<Beat>& beats, Bpm bpm, Metrics& m) {
  int highest = -1;
  int newest_measurement = -1;  // the latest-ended measurement a beat has played so far
  double interval_sum = 0;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const Beat& b = beats[i];
    if (b.after_end) ++m.beats_after_return;
    if (b.number < highest) ++m.out_of_order;
    highest = std::max(highest, b.number);
    if (b.measurement >= 0 && b.measurement <= newest_measurement) ++m.stale_volume_beats;
    newest_measurement = std::max(newest_measurement, b.measurement);

    const double lag = ms(b.at - bpm.beat_time(b.number));
    if (i == 0) m.lag_ms.first = lag;
    m.lag_ms.last = lag;
    m.lag_ms.max = std::max(m.lag_ms.max.value_or(lag), lag);

    if (i > 0) {
      const double gap = ms(b.at - beats[i - 1].at);
      interval_sum += gap;
      m.interval_ms.min = std::min(m.interval_ms.min.value_or(gap), gap);
      m.interval_ms.max = std::max(m.interval_ms.max.value_or(gap), gap);
    }
  }
  if (beats.size() > 1) m.interval_ms.mean = interval_sum / static_cast<double>(beats.size() - 1);
}

// Each beat against the grid anchored at the beat with the lowest count.
void measure_onsets(const std::vector<Beat>& beats, Bpm bpm, Metrics& m) {
  if (beats.empty()) return;
  const Beat& anchor = *std::min_element(
      beats.begin(), beats.end(), [](const Beat& a, const Beat& b) { return a.number < b.number; });
  std::vector<double> errors;
  errors.reserve(beats.size());
  for (const Beat& b : beats) {
    const runtime::Time ideal = anchor.at + (b.number - anchor.number) * bpm.interval();
    errors.push_back(std::abs(us(b.at - ideal)));
  }
  // The values sorting would put at p50 and p99, and the largest, found without sorting them all
  // (a long run's errors took a tenth of its measuring time to sort). Each step searches only
  // the part after the previous one, where everything is no smaller.
  const auto at = [&](std::size_t i) { return errors.begin() + static_cast<std::ptrdiff_t>(i); };
  const std::size_t p50 = rank(errors.size(), 0.50), p99 = rank(errors.size(), 0.99);
  std::nth_element(errors.begin(), at(p50), errors.end());
  const double median = errors[p50];  // read now: the next step reorders from p50 on
  std::nth_element(at(p50), at(p99), errors.end());
  m.onset_error_us = {median, errors[p99], *std::max_element(at(p99), errors.end())};
}

// Pairs of measurements that run at the same time.
int overlaps(std::vector<Span>& measurements) {
  const auto by_start = [](const Span& a, const Span& b) { return a.at < b.at; };
  // Measurements that started in strictly increasing order (one measuring task) have only one
  // sorted order, so sorting them would change nothing; with ties it could, so then it runs.
  const bool strictly_increasing = std::adjacent_find(measurements.begin(), measurements.end(),
                                                      [](const Span& a, const Span& b) {
                                                        return a.at >= b.at;
                                                      }) == measurements.end();
  if (!strictly_increasing) std::sort(measurements.begin(), measurements.end(), by_start);
  int count = 0;
  for (std::size_t i = 0; i < measurements.size(); ++i)
    for (std::size_t j = i + 1; j < measurements.size(); ++j) {
      if (measurements[j].at >= measurements[i].at + measurements[i].duration) break;
      ++count;
    }
  return count;
}

}  // namespace

Measurer::Measurer(const Scenario& scenario, const RunOptions& options)
    : scenario_(scenario), options_(options) {
  // A run performs about its expected beats, and measures about as often: no regrowing.
  const auto expected = static_cast<std::size_t>(std::max(options.beats, 0));
  beats_.reserve(expected);
  measurements_.reserve(expected);
}

void Measurer::add(const Event& e) {
  if (e.category == Category::beat)
    beats_.push_back({e.at, e.number, e.volume, e.measurement, e.after_end});
  if (e.category == Category::volume) measurements_.push_back({e.at, e.duration});
  if (e.category == Category::end && !return_ms_) return_ms_ = ms(e.at);
}

Metrics Measurer::finish(runtime::Duration busy_wait_cpu) {
  Metrics m;
  m.id = std::string(scenario_.id);
  m.order = chart_number(scenario_);
  m.beats_expected = options_.beats;
  m.busy_wait_cpu_ms = ms(busy_wait_cpu);
  m.return_ms = return_ms_;
  // Recording order is time order for one task; across tasks, sort (stable keeps ties in order).
  const auto by_time = [](const Beat& a, const Beat& b) { return a.at < b.at; };
  // They usually come sorted; a stable sort of sorted beats is the identity, and its buffer costs.
  if (!std::is_sorted(beats_.begin(), beats_.end(), by_time))
    std::stable_sort(beats_.begin(), beats_.end(), by_time);
  m.beats_performed = static_cast<int>(beats_.size());
  m.measurements = static_cast<int>(measurements_.size());
  measure_numbers(beats_, options_.beats, m);
  measure_beats(beats_, options_.bpm, m);
  measure_onsets(beats_, options_.bpm, m);
  m.overlapping_measurements = overlaps(measurements_);
  return m;
}

Metrics measure(const Run& run) {
  Measurer measurer(*run.scenario, run.options);
  for (const Event& e : run.events) measurer.add(e);
  return measurer.finish(run.busy_wait_cpu);
}

MeasuredRun run_measured(const Scenario& scenario, const RunOptions& options,
                         const Tracker::Observer& observer, std::size_t window) {
  Measurer measurer(scenario, options);
  EventWindow kept(window);
  const auto record = [&](const Event& e) {
    measurer.add(e);
    kept.add(e);
    if (observer) observer(e);
  };
  Run run = [&] {
    try {
      return run_scenario(scenario, options, record, false);
    } catch (const RunStopped& stopped) {
      return std::move(stopped.run());
    }
  }();
  run.events = kept.take();
  run.events_left_out = kept.recorded() - static_cast<std::int64_t>(run.events.size());
  Metrics metrics = measurer.finish(run.busy_wait_cpu);
  return {std::move(run), std::move(metrics)};
}

namespace {
template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json to_json(const Metrics& m) {
  return {
      {"id", m.id},
      {"order", m.order},
      {"beats_expected", m.beats_expected},
      {"beats_performed", m.beats_performed},
      {"beats_after_return", m.beats_after_return},
      {"lost_beats", m.lost_beats},
      {"skipped_beats", m.skipped_beats},
      {"duplicate_beats", m.duplicate_beats},
      {"beyond_beats", m.beyond_beats},
      {"out_of_order", m.out_of_order},
      {"interval_ms",
       {{"min", opt(m.interval_ms.min)},
        {"mean", opt(m.interval_ms.mean)},
        {"max", opt(m.interval_ms.max)}}},
      {"lag_ms",
       {{"first", opt(m.lag_ms.first)}, {"last", opt(m.lag_ms.last)}, {"max", opt(m.lag_ms.max)}}},
      {"onset_error_us",
       {{"p50", opt(m.onset_error_us.p50)},
        {"p99", opt(m.onset_error_us.p99)},
        {"max", opt(m.onset_error_us.max)}}},
      {"stale_volume_beats", m.stale_volume_beats},
      {"overlapping_measurements", m.overlapping_measurements},
      {"measurements", m.measurements},
      {"busy_wait_cpu_ms", m.busy_wait_cpu_ms},
      {"return_ms", opt(m.return_ms)},
  };
}

int count(const Metrics& m, AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::lost:
      return m.lost_beats;
    case AnomalyKind::skipped:
      return m.skipped_beats;
    case AnomalyKind::duplicate:
      return m.duplicate_beats;
    case AnomalyKind::beyond:
      return m.beyond_beats;
    case AnomalyKind::disorder:
      return m.out_of_order;
    case AnomalyKind::stale:
      return m.stale_volume_beats;
    case AnomalyKind::overlap:
      return m.overlapping_measurements;
  }
  return 0;
}

std::string summary_line(const Metrics& m) {
  auto f = [](const std::optional<double>& v, int digits) {
    return v ? fmt::format("{:.{}f}", *v, digits) : std::string("-");
  };
  return fmt::format(
      "{:2} {:<56} beats {:>2}/{:<2} lost {:<2} skipped {:<2} duplicate {:<2} beyond {:<2} "
      "disorder {:<2} interval {}/{}/{} ms  lag {}..{} ms  "
      "onset p99 {} us  stale {:<2} overlap {:<2}  busy {:.1f} ms  return {} ms",
      m.order, m.id, m.beats_performed - m.beats_after_return, m.beats_expected, m.lost_beats,
      m.skipped_beats, m.duplicate_beats, m.beyond_beats, m.out_of_order, f(m.interval_ms.min, 2),
      f(m.interval_ms.mean, 2), f(m.interval_ms.max, 2), f(m.lag_ms.first, 2), f(m.lag_ms.max, 2),
      f(m.onset_error_us.p99, 0), m.stale_volume_beats, m.overlapping_measurements,
      m.busy_wait_cpu_ms, f(m.return_ms, 2));
}

}  // namespace cacophony
