#pragma once
// LiveRig: everything a live JACK session needs, in one owner, for `play` and `practice` alike:
// the sink (the JACK client "cacophony"), what its callback plays (the engine, its grids and what
// they read), the volume's meter and the thread that feeds it, and the connections.
//
// Guarantees
// - Built in this order: the rig (the client opened), the parts the callback will read (keep()),
//   the engine (make_engine()), the meter (feed_volume()), then start() and play(). The parts are
//   destroyed in the reverse order, after the sink has stopped, so no callback runs on a part
//   that is gone.
// - When the server does not let the client go (JackSink::stop() gives up, jack_sink.h), stop()
//   says so on stderr and abandons the sink, the engine and every part kept: none of them is ever
//   destroyed, since the client's thread may still run on them. They stay reachable from a global
//   list, so LeakSanitizer does not count them. The process is about to exit then.
// - A steady volume needs no thread: the engine takes it at once and the live control sets it as
//   it changes (live_control.h). Any other meter is fed by a MeterThread (meter_thread.h).
//
// Threads (in the style of Ableton Link's Link.hpp):
// - The constructor, keep(), make_engine(), feed_volume(), start(), play(), stop() and the
//   destructor: for the one application thread that owns the rig. Not thread-safe; not
//   real-time safe (they allocate, lock and talk to the server).
// - sink(), engine(), rate(): thread-safe (they read what does not change after construction);
//   real-time safe. What the sink's own methods allow is jack_sink.h's.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/jack_sink.h"
#include "cacophony/sound/meter.h"
#include "cacophony/sound/meter_thread.h"
#include "cacophony/sound/samples.h"

namespace cacophony::cli {

// Where the rig's ports go.
struct RigConnections {
  std::vector<std::string> outputs;  // ports `out` plays to; none: the server's playback ports
  std::vector<std::string> inputs;   // ports heard on `in`
  // Say on stderr when there is nowhere to play to (no --connect, no playback port).
  bool say_when_unheard = false;
};

class LiveRig {
 public:
  enum class Input { none, in };
  // Opens the client `name` (JackSink; JACK may add a number if it is taken), with the input port
  // `in` or without. Throws JackError.
  LiveRig(Input input, const std::string& name);
  // Stops (stop()); destroys what it may.
  ~LiveRig();
  LiveRig(const LiveRig&) = delete;
  LiveRig& operator=(const LiveRig&) = delete;

  int rate() const { return rate_; }
  sound::JackSink& sink() { return *sink_view_; }
  const sound::JackSink& sink() const { return *sink_view_; }
  // After make_engine().
  sound::Engine& engine() { return *engine_view_; }

  // Keeps `part`, which the callback reads (a grid, what a grid reads), until after the sink has
  // stopped, or for ever when it is abandoned. Returns it.
  template <typename T>
  T& keep(std::unique_ptr<T> part) {
    T& kept = *part;
    parts_.push_back(std::shared_ptr<void>(std::move(part)));
    return kept;
  }
  // The engine on `grid` (a part kept, or one the rig outlives), `beats` clicks long.
  sound::Engine& make_engine(sound::Grid& grid, std::int64_t beats, sound::ClickSounds sounds);
  // The engine's volume from `meter` (a steady one at once, any other by a MeterThread) until
  // stop(). After make_engine(), before start().
  void feed_volume(std::unique_ptr<sound::Meter> meter);
  // Activates the client with the engine and connects its ports (JackError when JACK refuses).
  void start(const RigConnections& connections);
  // The engine plays from the next period on (JackSink::play).
  void play() { sink_->play(); }
  // Stops the meter's thread and the sink, or abandons (above). True when the client let go.
  // Idempotent: a second call says nothing more.
  bool stop();

 private:
  std::unique_ptr<sound::JackSink> sink_;  // null once abandoned
  sound::JackSink* sink_view_;             // the sink, abandoned or not
  int rate_;
  std::vector<std::shared_ptr<void>> parts_;
  std::unique_ptr<sound::Engine> engine_;  // null once abandoned
  sound::Engine* engine_view_ = nullptr;
  std::unique_ptr<sound::Meter> meter_;
  std::optional<sound::MeterThread> metering_;
  bool stopped_ = false;
  bool let_go_ = true;
};

}  // namespace cacophony::cli
