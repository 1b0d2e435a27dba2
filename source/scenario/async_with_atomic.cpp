// Chart 11. Go twin: scenario/async_with_atomic.go (AsynchronousWithAtomic).
// A task measures without pause and swaps each value into an atomic; the beats read the latest.
// Both waits are busy-waits: they burn a core (yield() lets the runtime count what they burn).

#include <atomic>
#include <cstdint>

#include "cacophony/runtime/ticker.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

namespace {
enum Stage : std::int32_t {
  need_volume,
  first_volume_provided,
  need_termination,
  terminated,
};
}  // namespace

static Metronome asynchronous_with_atomic(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    // Sequentially consistent, like Go's sync/atomic. The measuring task touches them last when
    // it stores `terminated`, and this function waits for that before they go out of scope.
    std::atomic<std::int32_t> stage{need_volume};
    std::atomic<Volume> volume{-1};

    go([&, meter] {
      while (stage.load() != need_termination) {
        const Volume measured = meter();
        if (volume.exchange(measured) == -1) stage.store(first_volume_provided);
      }
      stage.store(terminated);
    });

    while (stage.load() != first_volume_provided) yield();

    Ticker ticker(bpm.interval());  // stopped on return
    for (int count = 0; count < beats; ++count) {
      perform(count, volume.load());
      ticker.c.recv();
    }

    stage.store(need_termination);
    while (stage.load() != terminated) yield();
  };
}

static constexpr Words description[] = {
    {"Asynchronous with "},
    em("atomic variables"),
    {" shared between the measuring task and the beat loop; measurement time "},
    em("random"),
    {"."}};

extern const Scenario async_with_atomic{
    .id = "async_with_atomic",
    .description = description,
    .delay = Delay::random,
    .label = Label::io,
    .async = true,
    .code = "async_with_atomic",
    .metronome = asynchronous_with_atomic,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/async_with_atomic.go",
};

}  // namespace cacophony::scenario
