#include "cacophony/tracker/tracker.h"

#include <fmt/format.h>

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

Tracker::Tracker(Clock clock, bool keep) : clock_(std::move(clock)), keep_(keep) {}

void Tracker::observe(Observer observer) {
  std::scoped_lock lock(lock_);
  observers_.push_back(std::move(observer));
}

void Tracker::ghosts(Bpm bpm, int beats) {
  for (int n = 0; n < beats; ++n)
    record({.category = Category::ghost, .at = bpm.beat_time(n), .number = n}, false);
}

void Tracker::measurement(int volume, runtime::Duration took) {
  record({.category = Category::volume, .duration = took, .volume = volume}, true);
}

void Tracker::beat(int count, int volume, Label label) {
  record({.category = Category::beat, .number = count, .volume = volume, .label = label}, true);
}

void Tracker::end() {
  record({.category = Category::end}, true);
}

void Tracker::record(Event e, bool stamp) {
  std::scoped_lock lock(lock_);
  // Stamped under the lock, so that recording order and time order agree.
  if (stamp) e.at = clock_() - e.duration;
  e.after_end = ended_;
  if (e.category == Category::end) ended_ = true;
  if (keep_) events_.push_back(e);
  for (auto& observer : observers_) observer(e);
}

std::vector<Event> Tracker::events() const {
  std::scoped_lock lock(lock_);
  return events_;
}

}  // namespace cacophony
