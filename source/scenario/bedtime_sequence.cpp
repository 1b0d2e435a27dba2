// Chart 15. Go twin: the post's first snippet ("Goroutines", the bedtime sequence, no `go`):
//
//   func main() {
//     // sequence of activites I want to perform
//     log.Println("walk into bathroom")
//     log.Println("undress")
//     log.Println("take shower")
//     log.Println("put pyjamas on")
//     log.Println("hug your parents and say good night")
//     log.Println("program ends")
//   }
//
// Each step is a beat (the post has five: run it with 5 beats), done one after another by the one
// task; the metronome returns, as the program ends, after the last.

#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {

static Metronome bedtime_sequence_steps(VolumeMeter meter, int beats) {
  return [=](Bpm, const BeatPerformer& perform) {
    for (int step = 0; step < beats; ++step) {
      const Volume volume = meter();  // log.Println(step)
      perform(step, volume);
    }
  };  // log.Println("program ends")
}

static constexpr Words description[] = {
    {"The post: the bedtime steps "},
    em("in sequence"),
    {": one task does each step after the last, and the program ends after them."}};

extern const Scenario bedtime_sequence{
    .id = "bedtime_sequence",
    .description = description,
    .delay = Delay::short_,
    .label = Label::count,
    .async = false,
    .code = "bedtime_sequence",
    .metronome = bedtime_sequence_steps,
};

}  // namespace cacophony::scenario
