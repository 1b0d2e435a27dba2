// Chart 12. Go twin: scenario/async_with_mutex.go (AsynchronousWithMutex).
// The design of chart 11, with the shared state behind a mutex. Each method holds the lock for
// its whole body; the slow measurement stays outside it. (The original also declared a
// "first measurement done" field that nothing used; it is left out.)

#include <memory>
#include <mutex>

#include "cacophony/runtime/mutex.h"
#include "cacophony/runtime/ticker.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

namespace {
// Touch the fields only through the methods: they are what takes the lock.
class SharedState {
 public:
  bool keep_measuring() {
    std::scoped_lock lock(mutex_);
    return !termination_requested_;
  }
  void request_termination() {
    std::scoped_lock lock(mutex_);
    termination_requested_ = true;
  }
  bool volume_measured_at_least_once() {
    std::scoped_lock lock(mutex_);
    return volume_ != -1;
  }
  void new_volume_measurement(Volume volume) {
    std::scoped_lock lock(mutex_);
    volume_ = volume;
  }
  void measuring_finished() {
    std::scoped_lock lock(mutex_);
    measuring_finished_ = true;
  }
  bool has_measuring_finished() {
    std::scoped_lock lock(mutex_);
    return measuring_finished_;
  }
  Volume latest_volume() {
    std::scoped_lock lock(mutex_);
    return volume_;
  }

 private:
  Mutex mutex_;
  Volume volume_ = -1;
  bool termination_requested_ = false;
  bool measuring_finished_ = false;
};
}  // namespace

static Metronome asynchronous_with_mutex(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    auto shared_state = std::make_shared<SharedState>();

    go([shared_state, meter] {
      while (shared_state->keep_measuring()) shared_state->new_volume_measurement(meter());
      shared_state->measuring_finished();
    });

    while (!shared_state->volume_measured_at_least_once()) yield();

    Ticker ticker(bpm.interval());  // stopped on return
    for (int count = 0; count < beats; ++count) {
      perform(count, shared_state->latest_volume());
      ticker.c.recv();
    }

    shared_state->request_termination();

    while (!shared_state->has_measuring_finished()) yield();
  };
}

static constexpr Words description[] = {
    {"Asynchronous with a "},
    em("mutex"),
    {" guarding the state shared by the measuring task and the beat loop; measurement time "},
    em("random"),
    {"."}};

extern const Scenario async_with_mutex{
    .id = "async_with_mutex",
    .description = description,
    .delay = Delay::random,
    .label = Label::io,
    .async = true,
    .code = "async_with_mutex",
    .metronome = asynchronous_with_mutex,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/async_with_mutex.go",
};

}  // namespace cacophony::scenario
