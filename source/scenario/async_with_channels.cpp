// Chart 13. Go twin: scenario/async_with_channels.go (AsynchronousWithChannels).
// Requests and responses over two channels, and a select loop that never blocks: the beats stay
// on the ticker, each uses the latest response, and the empty default case spins.

#include "cacophony/runtime/channel.h"
#include "cacophony/runtime/ticker.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome asynchronous_with_channels(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    // Room for one request: two are sent at start-up, before the measuring task can be relied
    // on to be receiving.
    Chan<bool> volume_requests(1);
    // No room needed: the loop below receives promptly.
    Chan<Volume> volume_responses;

    // Measures once per request, answers, and closes the responses when requests end.
    go([=]() mutable {
      for (bool request : volume_requests) {
        (void)request;
        volume_responses.send(meter());
      }
      volume_responses.close();
    });

    volume_requests.send(true);  // the first volume tells us when to start the ticker
    volume_requests.send(true);  // and the next one is on its way meanwhile

    Volume volume = *volume_responses.recv();

    Ticker ticker(bpm.interval());  // stopped on return
    perform(0, volume);             // the first beat, at once

    // A while loop in effect: only a tick advances the count.
    for (int count = 1; count < beats;) {
      select(case_recv(ticker.c,
                       [&](auto) {
                         perform(count, volume);
                         ++count;
                       }),
             case_recv(volume_responses,
                       [&](std::optional<Volume> fresh) {
                         volume = *fresh;
                         volume_requests.send(true);
                       }),
             default_case([] { yield(); }));  // nothing ready: spin
    }

    volume_requests.close();                       // no more requests: the measuring task ends
    for (int last : volume_responses) (void)last;  // after delivering the one in flight
  };
}

static constexpr Words description[] = {
    {"Asynchronous with "},
    em("channels"),
    {" carrying requests for the volume and its values; measurement time "},
    em("random"),
    {"."}};

extern const Scenario async_with_channels{
    .id = "async_with_channels",
    .description = description,
    .delay = Delay::random,
    .label = Label::io,
    .async = true,
    .code = "async_with_channels",
    .metronome = asynchronous_with_channels,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/async_with_channels.go",
};

}  // namespace cacophony::scenario
