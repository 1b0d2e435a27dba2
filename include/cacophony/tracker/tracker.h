#pragma once
// Tracker: records what a run did, stamped with the run's clock.
//
// Guarantees
// - Thread-safe: any task may record at any time, also after the run has ended.
// - A measurement reported at its end is back-dated to its start (at = now - duration).
// - Events recorded after end() (stragglers of a metronome that returned too early) are kept and
//   flagged `after_end`; they are never lost and never a crash.
// - Observers see each event, in recording order, as it is recorded (under the tracker's lock,
//   so they must be quick). They are how tracing stays out of the scenarios.

#include <functional>
#include <mutex>
#include <vector>

#include "cacophony/bpm/bpm.h"
#include "cacophony/tracker/event.h"

namespace cacophony {

class Tracker {
 public:
  using Clock = std::function<runtime::Time()>;
  using Observer = std::function<void(const Event&)>;

  // With `keep` false the tracker keeps no events (events() is empty): its observers see them
  // all, and are then the only record, so that a long run costs no memory here.
  explicit Tracker(Clock clock, bool keep = true);

  void observe(Observer observer);

  // The ideal beats 0..beats-1 at their exact times (the ghost row).
  void ghosts(Bpm bpm, int beats);
  void measurement(int volume, runtime::Duration took);
  void beat(int count, int volume, Label label);
  // The metronome has returned: stamps the red line.
  void end();

  std::vector<Event> events() const;

 private:
  // With `stamp`, the event is dated now, back-dated by its duration.
  void record(Event e, bool stamp);

  Clock clock_;
  mutable std::mutex lock_;
  const bool keep_;
  bool ended_ = false;
  std::vector<Event> events_;
  std::vector<Observer> observers_;
};

}  // namespace cacophony
