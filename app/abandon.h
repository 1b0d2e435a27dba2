#pragma once
// A JACK sink stopped, or else abandoned: once JackSink::stop() has given up on a server that
// does not answer (jack_sink.h), the client's callback may still run on the sink and on what it
// plays (the engine, its grids, what they read), so none of that may ever be destroyed. play and
// practice stop their sink here, which leaks those parts on purpose then: the process is about to
// exit. LeakSanitizer does not count them, as libjack's client thread, still alive, reaches them.

#include <memory>

#include "cacophony/sound/jack_sink.h"
#include "voice.h"

namespace cacophony::cli {

// Stops `sink` (JackSink::stop, which is idempotent). When the server did not let the client go,
// says so on stderr and leaks the sink and every one of `parts`, which the caller must name in
// full: everything the callback may reach. Returns stop()'s answer; a sink already abandoned (null)
// counts as let go, so that a second call says nothing more.
template <typename... Parts>
bool stop_or_abandon(std::unique_ptr<sound::JackSink>& sink, std::unique_ptr<Parts>&... parts) {
  if (!sink || sink->stop()) return true;
  note("the JACK server does not answer: leaving it");
  static_cast<void>(sink.release());
  (static_cast<void>(parts.release()), ...);
  return false;
}

}  // namespace cacophony::cli
