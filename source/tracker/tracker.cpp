#include "cacophony/tracker/tracker.h"

#include <fmt/format.h>

#include <utility>

#include "cacophony/runtime/runtime.h"

namespace cacophony {

std::string content(const Event& e) {
  switch (e.category) {
    case Category::ghost:
    case Category::beat:
      if (e.label == Label::count) return std::to_string(e.number);
      return e.number % 2 == 0 ? "I" : "O";
    case Category::volume:
      return std::to_string(e.volume);
    case Category::end:
      break;
  }
  return {};
}

std::string tooltip(const Event& e) {
  switch (e.category) {
    case Category::ghost:
      return fmt::format("ghost #{}", e.number);
    case Category::beat:
      return fmt::format("beat #{} at {} power", e.number, e.volume);
    case Category::volume:
      return fmt::format("volume {} measured", e.volume);
    case Category::end:
      return "the metronome returned";
  }
  return {};
}

Tracker::Tracker(Clock clock, bool keep, Sharing sharing)
    : clock_(std::move(clock)), keep_(keep), one_thread_(sharing == Sharing::one_thread) {}

std::unique_lock<std::mutex> Tracker::guard() const {
  return one_thread_ ? std::unique_lock<std::mutex>() : std::unique_lock<std::mutex>(lock_);
}

void Tracker::observe(Observer observer) {
  const auto lock = guard();
  observers_.push_back(std::move(observer));
}

void Tracker::ghosts(Bpm bpm, int beats) {
  for (int n = 0; n < beats; ++n)
    record(Category::ghost, bpm.beat_time(n), {}, n, -1, Label::io, false);
}

int Tracker::measurement(int volume, runtime::Duration took) {
  return record(Category::volume, {}, took, -1, volume, Label::io, true);
}

void Tracker::beat(int count, int volume, Label label, int measurement) {
  record(Category::beat, {}, {}, count, volume, label, true, measurement);
}

void Tracker::end() {
  record(Category::end, {}, {}, -1, -1, Label::io, true);
}

int Tracker::record(Category category, runtime::Time at, runtime::Duration duration, int number,
                    int volume, Label label, bool stamp, int measurement) {
  const auto lock = guard();
  // Written field by field where it is kept: an Event built on the stack and then copied whole
  // stalled on store forwarding, a good part of a simulated run's recording.
  Event& e = keep_ ? events_.emplace_back() : unkept_;
  e.category = category;
  // Stamped under the lock, so that recording order and time order agree.
  e.at = stamp ? clock_() - duration : at;
  e.duration = duration;
  e.number = number;
  e.volume = volume;
  e.label = label;
  e.after_end = ended_;
  e.task = runtime::task_number();
  // Numbered under the lock, so that numbering order and recording order agree.
  e.measurement = category == Category::volume ? measurements_++ : measurement;
  if (category == Category::end) ended_ = true;
  for (auto& observer : observers_) observer(e);
  return e.measurement;
}

std::vector<Event> Tracker::events() const {
  const auto lock = guard();
  return events_;
}

std::vector<Event> Tracker::take_events() {
  const auto lock = guard();
  return std::exchange(events_, {});
}

void Tracker::reserve(std::size_t events) {
  const auto lock = guard();
  if (keep_) events_.reserve(events);
}

}  // namespace cacophony
