// Chart 14. Go twin: scenario/async_with_channels_services.go (AsynchronousWithChannelsServices).
// Four services joined by channels: counting, volume measuring, timing and beat performing.
// Nothing is shared but channels, nothing spins, and shutdown is a cascade of closes:
//   1. counting closes `counts` after the last count;
//   2. beat performing plays the last beat and closes `termination` (a broadcast);
//   3. timing sends the tick it was waiting on (drained), sees termination, closes `timing`;
//   4. volume measuring finishes its measurement, sends it, sees termination, closes `volume`;
//   5. beat performing's drains end, and it closes `complete`;
//   6. the metronome, ranging over `complete`, returns.

#include <optional>
#include <utility>

#include "cacophony/runtime/channel.h"
#include "cacophony/runtime/ticker.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

namespace {
struct timing {};
struct terminate {};
struct ready {};
struct complete {};

Chan<int> counting_service(int max_count) {
  Chan<int> channel;
  go([=]() mutable {
    for (int count = 0; count < max_count; ++count) channel.send(count);
    channel.close();
  });
  return channel;
}

// True once `termination` is closed; never waits.
bool is_terminating(const Chan<terminate>& termination) {
  bool closed = false;
  select(case_recv(termination, [&](std::optional<terminate> v) { closed = !v; }),
         default_case([] {}));
  return closed;
}

Chan<timing> timing_service(Duration interval, Chan<ready> start_timing,
                            Chan<terminate> termination) {
  Chan<timing> channel;
  go([=]() mutable {
    start_timing.recv();

    channel.send(timing{});  // the first beat does not wait for the ticker

    Ticker ticker(interval);
    while (!is_terminating(termination)) {
      ticker.c.recv();
      channel.send(timing{});
    }

    ticker.stop();
    channel.close();
  });
  return channel;
}

// Unlike the original, the first value is put in the channel before `ready` is closed, so the
// first beat can never find it empty.
std::pair<Chan<Volume>, Chan<ready>> volume_measuring_service(VolumeMeter meter,
                                                              Chan<terminate> termination) {
  Chan<Volume> channel(5);
  Chan<ready> ready_channel;
  go([=]() mutable {
    channel.send(meter());
    ready_channel.close();

    while (!is_terminating(termination)) channel.send(meter());
    channel.close();
  });
  return {channel, ready_channel};
}

// The newest value waiting in `channel`, or `fallback` if none is. Stops at close, where the
// original would spin forever.
Volume most_recent_message(Chan<Volume>& channel, Volume fallback) {
  Volume most_recent = fallback;
  for (bool more = true; more;) {
    select(case_recv(channel,
                     [&](std::optional<Volume> v) {
                       if (v)
                         most_recent = *v;
                       else
                         more = false;
                     }),
           default_case([&] { more = false; }));
  }
  return most_recent;
}

Chan<complete> beat_performing_service(BeatPerformer perform, Chan<int> counts,
                                       Chan<timing> timing_channel, Chan<Volume> volume_channel,
                                       Chan<terminate> termination) {
  Chan<complete> channel;
  go([=]() mutable {
    Volume volume = 0;
    for (int count : counts) {
      timing_channel.recv();
      volume = most_recent_message(volume_channel, volume);
      perform(count, volume);
    }

    termination.close();

    for (auto t : timing_channel) (void)t;
    for (int v : volume_channel) (void)v;

    channel.close();
  });
  return channel;
}
}  // namespace

static Metronome asynchronous_with_channels_services(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    Chan<terminate> termination;  // only ever closed

    Chan<int> counts = counting_service(beats);
    auto [volume, first_volume_ready] = volume_measuring_service(meter, termination);
    Chan<timing> timing_channel = timing_service(bpm.interval(), first_volume_ready, termination);

    Chan<complete> performance_complete =
        beat_performing_service(perform, counts, timing_channel, volume, termination);

    for (auto done : performance_complete) (void)done;
  };
}

static constexpr Words description[] = {{"As chart 13, but "},
                                        em("all asynchronous"),
                                        {": four services joined only by "},
                                        em("channels"),
                                        {"; measurement time "},
                                        em("random"),
                                        {"."}};

extern const Scenario async_with_channels_services{
    .id = "async_with_channels_services",
    .description = description,
    .delay = Delay::random,
    .label = Label::io,
    .async = true,
    .code = "async_with_channels_services",
    .metronome = asynchronous_with_channels_services,
    .go_twin =
        "https://github.com/outo/metronome/blob/HEAD/scenario/async_with_channels_services.go",
};

}  // namespace cacophony::scenario
