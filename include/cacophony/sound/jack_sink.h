#pragma once
// JackSink: the Engine played live through a running JACK server.
//
// Guarantees
// - One JACK client with one output port, `out`. Its process callback calls Engine::process on the
//   port's buffer and nothing else that could block: no lock, no allocation, no I/O. The engine
//   counts frames from the first callback, so beat n sounds exactly onset_frame(n) frames after
//   the first frame played, whatever the period. The engine starts only once `out` is connected
//   (play()), so the first click is heard whole.
// - What the callback has to tell (each beat's number, frame and volume) goes through a
//   single-producer single-consumer ring of fixed size (SpscRing); another thread pops and
//   prints. When the ring is full the event is dropped and counted, never waited for.
// - Each period the callback tells the engine's grid when the period's first frame will be heard
//   (BlockTime): JACK's filtered cycle start plus the port's playback latency, moved onto
//   CLOCK_MONOTONIC_RAW by reading both clocks there and then. A shared grid (Ableton Link) turns
//   that into frame-exact onsets.
// - The volume arrives through Engine::set_volume (an atomic) from a MeterThread
//   (meter_thread.h), which asks the meter for beat n+1 as soon as the callback reports that beat
//   n has started. When two beats start in the same period, the second keeps the first's volume.
// - The sink never starts a server (JackNoStartServer): with none running, the constructor throws
//   JackError (no_server).
// - With an input (for `--follow jack`, and practice) it also registers the input port `in`; from
//   the engine's first period on, the callback copies its frames into a second SPSC ring of
//   floats, dropping (and counting) what does not fit, so that input frame n came in with engine
//   frame n going out; a JackMeter (jack_meter.h) or the practice command drains that ring.
// - With a MidiOut attached (attach_midi()), the MIDI output port `midi_out` too, written by the
//   same callback under the same rules (midi_out.h).
// - Stopping never hangs on a sick server: stop() gives a stopped or wedged server a second, then
//   leaves the client to it (see stop()).
// - Threads: the constructor, start(), connect*(), play() and stop() are for one application
//   thread; the "for the consumer thread" and "for the meter thread" methods are wait-free, each
//   for the one thread it names.

#include <jack/jack.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/spsc_ring.h"

namespace cacophony::sound {

class MidiOut;
class MidiClockGrid;

// JACK refused a step; the caller words it.
struct JackError : std::runtime_error {
  enum class Step {
    no_server,       // no server running (the sink never starts one)
    no_answer,       // the server did not let the client in within kOpenPatience (stopped, wedged)
    open_client,     // the server refused the client; `status` is JACK's jack_status_t
    register_port,   // `port` ("out" or "in") could not be registered
    set_callback,    // the process callback could not be set
    activate,        // the client could not be activated
    connect_output,  // `port` (ours, "cacophony:out") could not be connected to `peer`
    connect_input,   // `peer` could not be connected to `port` (ours, "cacophony:in")
  };
  explicit JackError(Step step, std::string port = {}, std::string peer = {}, unsigned status = 0)
      : std::runtime_error("JACK refused"),
        step(step),
        port(std::move(port)),
        peer(std::move(peer)),
        status(status) {}
  Step step;
  std::string port;
  std::string peer;
  unsigned status;
};

// A beat as it sounded.
struct BeatEvent {
  std::int64_t beat = 0;         // 0, 1, 2, ...
  int volume = 0;                // 0..100
  std::uint32_t jack_frame = 0;  // its onset on the server's frame clock
  Onset onset;                   // where the grid placed it (frame: counted from the first played)
};

class JackSink {
 public:
  static constexpr std::size_t kRing = 1024;
  // Input frames between the callback and the meter: about 2.7 s at 48 kHz.
  static constexpr std::size_t kInputRing = std::size_t{1} << 17;
  using InputRing = SpscRing<float, kInputRing>;

  // How long opening the client waits for the server: a server that answers at all lets a client
  // in within a few hundred milliseconds, even on a loaded machine under a sanitizer.
  static constexpr std::chrono::milliseconds kOpenPatience{5000};
  // Opens client `name` on the default server ($JACK_DEFAULT_SERVER, else "default") and
  // registers `out`, and `in` too when `with_input`. Throws JackError: no_server without a
  // server; no_answer when the server does not let the client in within kOpenPatience (libjack
  // would wait for ever: the opening is left to a thread of its own, which closes the client if
  // it ever comes); open_client, register_port or set_callback on other failures.
  explicit JackSink(const std::string& name, bool with_input = false);
  // Stops the sink (stop()). Must not run once stop() has given up, nor when it could (a server
  // that may be wedged): call stop() first, and keep the sink if it returns false.
  ~JackSink();
  JackSink(const JackSink&) = delete;
  JackSink& operator=(const JackSink&) = delete;

  int rate() const;
  // The client, for what reads its transport (transport_grid.h); real-time safe.
  jack_client_t* client() const { return client_; }
  // The full name of `out`, e.g. "cacophony:out".
  std::string port_name() const;
  // The server's physical playback ports ("system:playback_1", ...), maybe none.
  std::vector<std::string> playback_ports() const;

  // Adds the MIDI port `midi_out` (midi_out.h): each period the callback lets `midi` write it,
  // and passes it the clicks the engine starts (none while muted); stop() lets it send its Stop
  // first. Before start(); `midi` must outlive the sink or stop(). Throws JackError
  // (register_port).
  void attach_midi(MidiOut& midi);
  // Adds the MIDI input port `midi_in` for `clock` (midi_clock_grid.h), the engine's grid: each
  // playing period the callback hands it the port's events before the engine asks it for clicks.
  // Before start(); throws JackError (register_port).
  void attach_clock_in(MidiClockGrid& clock);
  // Activates the client with `engine` (which must outlive the sink or stop()) and sets its beat
  // hook; `out` plays silence until play(). Once only; throws JackError (activate) when JACK
  // refuses.
  void start(Engine& engine);
  // Connects `out` to `port`; throws JackError (connect_output) when JACK refuses. After
  // start().
  void connect(const std::string& port);
  // Connects the output port `port` to `in`; throws JackError (connect_input) when JACK refuses,
  // std::logic_error when there is no `in`. After start().
  void connect_input(const std::string& port);
  bool has_input() const { return in_port_ != nullptr; }
  // The full name of `in`, e.g. "cacophony:in"; empty without one.
  std::string input_port_name() const;
  // Starts the engine, after the connections: its first frame goes out in the first period that
  // begins after the connections are in the server's graph (a period or two from now), so that
  // nothing of the first click is lost.
  void play();
  // How long stop() waits for the server.
  static constexpr std::chrono::milliseconds kPatience{1000};
  // With MIDI attached, first lets its callback send MIDI's Stop (MidiOut::finish, up to
  // kPatience more). Deactivates and closes the client, on a thread of its own, and waits for it
  // up to kPatience:
  // true when done, after which no callback runs. False when the server did not answer in time
  // (stopped or wedged): the client is left to that thread, and its callback may still run on the
  // sink, the engine and the engine's grid, so none of them may ever be destroyed (the caller
  // leaks them and exits). Idempotent: a second call returns the first one's answer at once.
  // Afterwards only the consumer's and the meter thread's methods may be called.
  bool stop();

  // For the consumer thread.
  bool pop(BeatEvent& event) { return events_.pop(event); }
  std::int64_t beats_started() const { return beats_started_.load(std::memory_order_acquire); }
  // The onset frame of the latest beat started.
  std::int64_t last_onset() const { return last_onset_.load(std::memory_order_relaxed); }
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  bool server_gone() const { return server_gone_.load(std::memory_order_acquire); }
  std::int64_t dropped_events() const { return dropped_.load(std::memory_order_relaxed); }

  // For the meter thread: the next input frame, false when none is waiting (or there is no `in`).
  bool pop_input(float& sample) { return input_ && input_->pop(sample); }
  // The latency JACK reports between `out` and what it is connected to, and between `in` and
  // its sources, in frames (the maxima of the ports' latency ranges). After connecting.
  std::int64_t reported_round_trip() const;
  std::int64_t dropped_input() const { return dropped_input_.load(std::memory_order_relaxed); }

 private:
  static int on_process(jack_nframes_t frames, void* self);
  static void on_beat(void* self, std::int64_t count, const Onset& onset);
  BlockTime block_time(jack_nframes_t frames) const;
  static void on_shutdown(void* self);

  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
  jack_port_t* in_port_ = nullptr;
  std::unique_ptr<InputRing> input_;  // with `in` only
  Engine* engine_ = nullptr;
  MidiOut* midi_ = nullptr;
  MidiClockGrid* clock_in_ = nullptr;
  bool active_ = false;
  bool stopped_ = false;
  bool let_go_ = true;  // stop()'s answer

  // Set by the callback for on_beat, in the same thread.
  std::int64_t block_start_ = 0;
  jack_nframes_t block_jack_frame_ = 0;

  SpscRing<BeatEvent, kRing> events_;
  std::atomic<std::int64_t> beats_started_{0};
  std::atomic<std::int64_t> last_onset_{0};
  std::atomic<bool> playing_{false};
  std::atomic<jack_nframes_t> play_from_{0};  // the server's frame time to start at
  std::atomic<bool> finished_{false};
  std::atomic<bool> server_gone_{false};
  std::atomic<std::int64_t> dropped_{0};
  std::atomic<std::int64_t> dropped_input_{0};
};

}  // namespace cacophony::sound
