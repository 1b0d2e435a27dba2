// Chart 18. Go twin: scenario/async_naive.go (AsynchronousButNaive) as the post warns against
// writing it, the goroutine closing over the loop variable instead of taking it as a parameter:
//
//   func(bpm param.Bpm, performer metronome.BeatPerformer) {
//     ticker := time.NewTicker(bpm.Interval())
//     defer ticker.Stop()
//     for beatCount := 0; beatCount < numberOfBeats; beatCount++ {
//       go func() {
//         volume := volumeMeter()
//         performer(beatCount, volume)  // the loop's variable, as it is now
//       }()
//       <-ticker.C
//     }
//   }
//
// "The most common bug of new Gophers" (before Go 1.22 gave each iteration its own variable):
// a task reads the count when its measurement ends, by then moved on by the loop, so beats play
// with repeated or skipped numbers, and with numbers past the last. In C++ the shared count is
// an atomic, so the bug stays a logical one: no data race, defined behaviour in every clock.

#include <atomic>
#include <memory>

#include "cacophony/runtime/ticker.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome asynchronous_sharing_the_loop_variable(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    Ticker ticker(bpm.interval());  // stopped on return
    // Outlives this call, as Go's captured variable does: the tasks may read it after return.
    const auto count = std::make_shared<std::atomic<int>>(0);
    for (*count = 0; *count < beats; ++*count) {
      go([=] {
        const Volume volume = meter();
        perform(count->load(std::memory_order_relaxed), volume);
      });
      ticker.c.recv();
    }
  };
}

static constexpr Words description[] = {
    {"Asynchronous, naive, each task reading the "},
    em("loop variable"),
    {" when it plays, not the count it was started for; measurement time random."}};

extern const Scenario go_loop_variable{
    .id = "go_loop_variable",
    .description = description,
    .delay = Delay::random,
    .label = Label::count,
    .async = true,
    .code = "go_loop_variable",
    .metronome = asynchronous_sharing_the_loop_variable,
};

}  // namespace cacophony::scenario
