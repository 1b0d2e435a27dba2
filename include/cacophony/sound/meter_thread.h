#pragma once
// MeterThread: feeds a live engine's volume from a meter, on a thread of its own, one beat ahead
// of the sound. The audio thread only reads the volume (an atomic); the meter, which may block,
// allocate or read files, never runs there.
//
// Guarantees
// - The first beat's volume is set before the constructor returns.
// - As soon as the sink reports that beat n has started, the meter is asked for beat n+1, at the
//   frame the grid plans for it or, when the grid can't tell ahead (Link), at the latest onset.
// - Between beats the meter is polled about every millisecond (Meter::poll).
// - The destructor stops and joins the thread; the meter, engine and sink must outlive it.

#include <atomic>
#include <thread>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/jack_sink.h"
#include "cacophony/sound/meter.h"

namespace cacophony::sound {

class MeterThread {
 public:
  MeterThread(Meter& meter, Engine& engine, const JackSink& sink);
  ~MeterThread();
  MeterThread(const MeterThread&) = delete;
  MeterThread& operator=(const MeterThread&) = delete;

 private:
  void run();

  Meter& meter_;
  Engine& engine_;
  const JackSink& sink_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cacophony::sound
