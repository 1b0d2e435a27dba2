#pragma once
// EventWindow: the earliest events of a run, by time, out of any number recorded, in memory
// bounded by its capacity (48 bytes an event kept). The report page and the trace keep a run
// through one, so that a run of 10 000 000 beats costs them no more than a short one.
//
// Guarantees
// - Fed every event of a run in recording order, take() returns them all, in recording order,
//   when there were at most `capacity`; otherwise the `capacity` earliest by time (ties in
//   recording order), in that order. This is what a stable sort by time and a cut would give.
// - Not thread-safe: feed it from one thread at a time (a Tracker calls its observers under its
//   lock).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cacophony/tracker/event.h"

namespace cacophony {

class EventWindow {
 public:
  explicit EventWindow(std::size_t capacity) : capacity_(capacity) {}

  void add(const Event& e);
  // Events seen so far, kept or not.
  std::int64_t recorded() const { return recorded_; }
  // The window's events (see above); empties it.
  std::vector<Event> take();

 private:
  struct Kept {
    Event event;
    std::int64_t seq;  // its place in recording order
  };
  static bool earlier(const Kept& a, const Kept& b) {
    return a.event.at < b.event.at || (a.event.at == b.event.at && a.seq < b.seq);
  }

  std::size_t capacity_;
  std::int64_t recorded_ = 0;
  std::vector<Kept> heap_;  // a max-heap by `earlier`: the latest kept event on top
};

}  // namespace cacophony
