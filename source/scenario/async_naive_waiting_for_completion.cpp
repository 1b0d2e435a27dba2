// Chart 10. Go twin: scenario/async_naive_waiting_for_completion.go
// (AsynchronousStillNaiveWithWaitGroup). As chart 9, but a WaitGroup holds the return until every
// beat is done: none is lost, yet the order and the overlaps are as broken as before.

#include "cacophony/runtime/defer.h"
#include "cacophony/runtime/ticker.h"
#include "cacophony/runtime/wait_group.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome asynchronous_still_naive_with_wait_group(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    WaitGroup group;
    Defer wait_for_all([&] { group.wait(); });  // declared first, so it runs last
    Ticker ticker(bpm.interval());              // stopped on return, before the wait
    for (int count = 0; count < beats; ++count) {
      group.add(1);
      go([=, &group] {
        const Volume volume = meter();
        perform(count, volume);
        group.done();
      });
      ticker.c.recv();
    }
  };
}

static constexpr Words description[] = {{"Asynchronous, naive, but it "},
                                        em("waits for the completion"),
                                        {" of every beat; measurement time "},
                                        em("random"),
                                        {"."}};

extern const Scenario async_naive_waiting_for_completion{
    .id = "async_naive_waiting_for_completion",
    .description = description,
    .delay = Delay::random,
    .label = Label::count,
    .async = true,
    .code = "async_naive_waiting_for_completion",
    .metronome = asynchronous_still_naive_with_wait_group,
    .go_twin =
        "https://github.com/outo/metronome/blob/HEAD/scenario/"
        "async_naive_waiting_for_completion.go",
};

}  // namespace cacophony::scenario
