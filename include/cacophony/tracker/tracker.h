#pragma once
// Tracker: records what a run did, stamped with the run's clock.
//
// Guarantees
// - Thread-safe: any task may record at any time, also after the run has ended. A tracker made
//   for Sharing::one_thread is called from one thread only (a fiber run's: real or simulated
//   time), and skips its lock.
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
  // Who calls the tracker: tasks on many threads, or one thread only.
  enum class Sharing { threads, one_thread };

  // With `keep` false the tracker keeps no events (events() is empty): its observers see them
  // all, and are then the only record, so that a long run costs no memory here.
  explicit Tracker(Clock clock, bool keep = true, Sharing sharing = Sharing::threads);

  void observe(Observer observer);

  // The ideal beats 0..beats-1 at their exact times (the ghost row).
  void ghosts(Bpm bpm, int beats);
  // Returns the measurement's number: 0 for the run's first, then 1, 2... in recording order.
  int measurement(int volume, runtime::Duration took);
  // `measurement`: the number of the measurement the beat plays, -1 when unknown.
  void beat(int count, int volume, Label label, int measurement = -1);
  // The metronome has returned: stamps the red line.
  void end();

  std::vector<Event> events() const;
  // Moves the events out (events() is empty after): a finished run hands them over uncopied.
  std::vector<Event> take_events();
  // Room for `events` kept events, so that a long run's recording never reallocates.
  void reserve(std::size_t events);

 private:
  // Records an event of these fields; with `stamp` it is dated now, back-dated by its duration,
  // else at `at`. A measurement is numbered here (its `measurement` argument ignored). Returns
  // the event's `measurement`.
  int record(Category category, runtime::Time at, runtime::Duration duration, int number,
             int volume, Label label, bool stamp, int measurement = -1);
  // Holds the lock, unless one thread makes every call: a simulated run records a few events per
  // beat, and the lock was a twentieth of its time.
  std::unique_lock<std::mutex> guard() const;

  Clock clock_;
  mutable std::mutex lock_;  // guards all below; not taken with Sharing::one_thread
  const bool keep_;
  const bool one_thread_;
  bool ended_ = false;
  int measurements_ = 0;  // recorded so far
  std::vector<Event> events_;
  Event unkept_{};  // the event being recorded when `keep_` is false
  std::vector<Observer> observers_;
};

}  // namespace cacophony
