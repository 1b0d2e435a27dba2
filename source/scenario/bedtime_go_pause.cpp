// Chart 17. Go twin: the post's third snippet (the bedtime steps with `go`, and a pause):
//
//   func main() {
//     go log.Println("walk into bathroom")
//     go log.Println("undress")
//     go log.Println("take shower")
//     go log.Println("put pyjamas on")
//     go log.Println("hug your parents and say good night")
//     time.Sleep(time.Second)
//     log.Println("program ended")
//   }
//
// The pause lets the steps run, but in whatever order the scheduler picks: "taking a shower in
// your pyjamas". Every step measures for the same time, so all of them are ready at one instant
// and the order is the scheduler's choice alone: explore can walk every order of the steps.

#include "cacophony/runtime/runtime.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome bedtime_steps_with_go_and_pause(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    for (int step = 0; step < beats; ++step) {
      go([=] {  // go log.Println(step)
        const Volume volume = meter();
        perform(step, volume);
      });
    }
    sleep(bpm.interval());  // time.Sleep(time.Second): longer than any step takes
  };                        // log.Println("program ended")
}

static constexpr Words description[] = {
    {"The post: the bedtime steps with go and a "},
    em("pause"),
    {" before the end: every step is done, in an order nobody chose."}};

extern const Scenario bedtime_go_pause{
    .id = "bedtime_go_pause",
    .description = description,
    .delay = Delay::short_,
    .label = Label::count,
    .async = true,
    .code = "bedtime_go_pause",
    .metronome = bedtime_steps_with_go_and_pause,
};

}  // namespace cacophony::scenario
