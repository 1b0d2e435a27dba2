// Chart 16. Go twin: the post's second snippet (the bedtime steps with `go` before each):
//
//   func main() {
//     go log.Println("walk into bathroom")
//     go log.Println("undress")
//     go log.Println("take shower")
//     go log.Println("put pyjamas on")
//     go log.Println("hug your parents and say good night")
//     log.Println("program ends")
//   }
//
// main does not wait, so the program ends before any step prints. Here the run goes on after the
// metronome returns, so the steps are drawn after the end line: every one of them lost.

#include "cacophony/runtime/runtime.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome bedtime_steps_with_go(VolumeMeter meter, int beats) {
  return [=](Bpm, const BeatPerformer& perform) {
    for (int step = 0; step < beats; ++step) {
      go([=] {  // go log.Println(step)
        const Volume volume = meter();
        perform(step, volume);
      });
    }
  };  // log.Println("program ends")
}

static constexpr Words description[] = {
    {"The post: the bedtime steps with "},
    em("go"),
    {" before each: nothing waits for them, so the program ends before any step is done."}};

extern const Scenario bedtime_go{
    .id = "bedtime_go",
    .description = description,
    .delay = Delay::short_,
    .label = Label::count,
    .async = true,
    .code = "bedtime_go",
    .metronome = bedtime_steps_with_go,
};

}  // namespace cacophony::scenario
