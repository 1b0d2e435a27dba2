#include "cacophony/analysis/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace cacophony {
namespace {

double ms(runtime::Duration d) {
  return static_cast<double>(d.count()) / 1e6;
}
double us(runtime::Duration d) {
  return static_cast<double>(d.count()) / 1e3;
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

int chart_number(const Scenario& s) {
  const auto all = scenarios();
  return static_cast<int>(std::find(all.begin(), all.end(), &s) - all.begin()) + 1;
}

// Order, lag, intervals and stale volumes, from the beats in time order.
void measure_beats(const std::vector<const Event*>& beats, Bpm bpm, Metrics& m) {
  int highest = -1;
  double interval_sum = 0;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const Event& b = *beats[i];
    if (b.after_end) ++m.beats_after_return;
    if (b.number < highest) ++m.out_of_order;
    highest = std::max(highest, b.number);

    const double lag = ms(b.at - bpm.beat_time(b.number));
    if (i == 0) m.lag_ms.first = lag;
    m.lag_ms.last = lag;
    m.lag_ms.max = std::max(m.lag_ms.max.value_or(lag), lag);

    if (i > 0) {
      const double gap = ms(b.at - beats[i - 1]->at);
      interval_sum += gap;
      m.interval_ms.min = std::min(m.interval_ms.min.value_or(gap), gap);
      m.interval_ms.max = std::max(m.interval_ms.max.value_or(gap), gap);
      if (b.volume == beats[i - 1]->volume) ++m.stale_volume_beats;
    }
  }
  if (beats.size() > 1) m.interval_ms.mean = interval_sum / static_cast<double>(beats.size() - 1);
}

// Each beat against the grid anchored at the beat with the lowest count.
void measure_onsets(const std::vector<const Event*>& beats, Bpm bpm, Metrics& m) {
  if (beats.empty()) return;
  const Event& anchor = **std::min_element(beats.begin(), beats.end(),
                                           [](auto* a, auto* b) { return a->number < b->number; });
  std::vector<double> errors;
  errors.reserve(beats.size());
  for (const Event* b : beats) {
    const runtime::Time ideal = anchor.at + (b->number - anchor.number) * bpm.interval();
    errors.push_back(std::abs(us(b->at - ideal)));
  }
  std::sort(errors.begin(), errors.end());
  m.onset_error_us = {percentile(errors, 0.50), percentile(errors, 0.99), errors.back()};
}

// Pairs of measurements that run at the same time.
int overlaps(std::vector<const Event*> measurements) {
  std::sort(measurements.begin(), measurements.end(),
            [](auto* a, auto* b) { return a->at < b->at; });
  int count = 0;
  for (std::size_t i = 0; i < measurements.size(); ++i)
    for (std::size_t j = i + 1; j < measurements.size(); ++j) {
      if (measurements[j]->at >= measurements[i]->at + measurements[i]->duration) break;
      ++count;
    }
  return count;
}

}  // namespace

Metrics measure(const Run& run) {
  Metrics m;
  m.id = std::string(run.scenario->id);
  m.order = chart_number(*run.scenario);
  m.beats_expected = run.options.beats;
  m.busy_wait_cpu_ms = ms(run.busy_wait_cpu);

  std::vector<const Event*> beats, measurements;
  for (const Event& e : run.events) {
    if (e.category == Category::beat) beats.push_back(&e);
    if (e.category == Category::volume) measurements.push_back(&e);
    if (e.category == Category::end && !m.return_ms) m.return_ms = ms(e.at);
  }
  // Recording order is time order for one task; across tasks, sort (stable keeps ties in order).
  std::stable_sort(beats.begin(), beats.end(), [](auto* a, auto* b) { return a->at < b->at; });

  m.beats_performed = static_cast<int>(beats.size());
  m.measurements = static_cast<int>(measurements.size());
  measure_beats(beats, run.options.bpm, m);
  measure_onsets(beats, run.options.bpm, m);
  m.overlapping_measurements = overlaps(std::move(measurements));
  return m;
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

std::string summary_line(const Metrics& m) {
  auto f = [](const std::optional<double>& v, int digits) {
    return v ? fmt::format("{:.{}f}", *v, digits) : std::string("-");
  };
  return fmt::format(
      "{:2} {:<56} beats {:>2}/{:<2} lost {:<2} disorder {:<2} interval {}/{}/{} ms  lag {}..{} ms "
      " "
      "onset p99 {} us  stale {:<2} overlaps {:<2} busy {:.1f} ms  return {} ms",
      m.order, m.id, m.beats_performed - m.beats_after_return, m.beats_expected,
      m.beats_expected - (m.beats_performed - m.beats_after_return), m.out_of_order,
      f(m.interval_ms.min, 2), f(m.interval_ms.mean, 2), f(m.interval_ms.max, 2),
      f(m.lag_ms.first, 2), f(m.lag_ms.max, 2), f(m.onset_error_us.p99, 0), m.stale_volume_beats,
      m.overlapping_measurements, m.busy_wait_cpu_ms, f(m.return_ms, 2));
}

}  // namespace cacophony
