// A nineteenth metronome, written against cacophony's public API and given every command of
// cacophony's own: `my_metronome run my_metronome`, `my_metronome list`, `--report`, `--trace`.
//
// The idea: measure the volume on a task of its own, ahead of the beat, and hand it over on a
// buffered channel, so that the beat never waits for the meter. The beats keep their tempo; the
// volume they play was measured a beat ahead, each one fresh. The channel carries Volume, not
// int, so that the lab can follow each measurement to the beat that plays it.

#include <cacophony/cli.h>
#include <cacophony/runtime/channel.h>
#include <cacophony/runtime/runtime.h>
#include <cacophony/scenario/scenario.h>

namespace {

using namespace cacophony;
using namespace cacophony::runtime;

Metronome measure_ahead(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    Chan<Volume> volumes(1);  // one measurement waiting, at most
    go([=]() mutable {
      for (int count = 0; count < beats; ++count) volumes.send(meter());
      volumes.close();
    });
    Time next = now();
    for (int count = 0; count < beats; ++count) {
      const Volume volume = *volumes.recv();
      perform(count, volume);
      next += bpm.interval();
      sleep_until(next);
    }
  };
}

constexpr Words description[] = {
    {"My own: the volume is "},
    em("measured ahead"),
    {" on a task of its own and handed over on a buffered channel, so no beat waits for it."}};

const Scenario my_metronome{
    .id = "my_metronome",
    .description = description,
    .delay = Delay::short_,
    .label = Label::count,
    .async = false,
    .code = __FILE__,
    .metronome = measure_ahead,
};

}  // namespace

int main(int argc, char** argv) {
  add_scenario(my_metronome);
  return cli::main(argc, argv);
}
