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
// - The volume arrives through Engine::set_volume (an atomic) from a MeterThread, which asks the
//   meter for beat n+1 as soon as the callback reports that beat n has started. When two beats
//   start in the same period, the second keeps the first's volume.
// - The sink never starts a server (JackNoStartServer): with none running, the constructor throws
//   NoJackServer.
// - With an input (for `--meter jack`) it also registers the input port `in`; the callback copies
//   its frames into a second SPSC ring of floats, dropping (and counting) what does not fit, and a
//   JackMeter drains that ring into libebur128 on the meter thread.

#include <jack/jack.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/meter.h"

namespace cacophony::sound {

struct NoJackServer : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A wait-free queue between exactly one producer thread and one consumer thread. Holds up to
// Capacity - 1 items; Capacity is a power of two.
template <typename T, std::size_t Capacity>
class SpscRing {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0);

 public:
  // Producer only. False (and nothing stored) when full.
  bool push(const T& item) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t next = (head + 1) & (Capacity - 1);
    if (next == tail_.load(std::memory_order_acquire)) return false;
    items_[head] = item;
    head_.store(next, std::memory_order_release);
    return true;
  }
  // Consumer only. False when empty.
  bool pop(T& item) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    item = items_[tail];
    tail_.store((tail + 1) & (Capacity - 1), std::memory_order_release);
    return true;
  }

 private:
  std::array<T, Capacity> items_{};
  alignas(64) std::atomic<std::size_t> head_{0};  // next slot to write
  alignas(64) std::atomic<std::size_t> tail_{0};  // next slot to read
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

  // Opens client `name` on the default server ($JACK_DEFAULT_SERVER, else "default") and
  // registers `out`, and `in` too when `with_input`. Throws NoJackServer without a server,
  // std::runtime_error on other failures.
  explicit JackSink(const std::string& name, bool with_input = false);
  ~JackSink();
  JackSink(const JackSink&) = delete;
  JackSink& operator=(const JackSink&) = delete;

  int rate() const;
  // The full name of `out`, e.g. "cacophony:out".
  std::string port_name() const;
  // The server's physical playback ports ("system:playback_1", ...), maybe none.
  std::vector<std::string> playback_ports() const;

  // Activates the client with `engine` (which must outlive the sink or stop()) and sets its beat
  // hook; `out` plays silence until play(). Once only.
  void start(Engine& engine);
  // Connects `out` to `port`; throws std::runtime_error when JACK refuses. After start().
  void connect(const std::string& port);
  // Connects the output port `port` to `in`; throws std::runtime_error when JACK refuses or there
  // is no `in`. After start().
  void connect_input(const std::string& port);
  bool has_input() const { return in_port_ != nullptr; }
  // The full name of `in`, e.g. "cacophony:in"; empty without one.
  std::string input_port_name() const;
  // Starts the engine, after the connections: its first frame goes out in the first period that
  // begins after the connections are in the server's graph (a period or two from now), so that
  // nothing of the first click is lost.
  void play();
  // Deactivates the client: no callback runs after it returns. Idempotent.
  void stop();

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
  bool active_ = false;

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

// `--meter jack`: the EBU R128 momentary loudness (the last 400 ms) of what reaches the sink's
// `in`, turned into a volume by loudness_to_volume. Drained on the meter thread only.
class JackMeter final : public Meter {
 public:
  // `sink` must have an input and outlive the meter; throws std::runtime_error when libebur128
  // refuses the rate.
  explicit JackMeter(JackSink& sink);
  ~JackMeter() override;
  JackMeter(const JackMeter&) = delete;
  JackMeter& operator=(const JackMeter&) = delete;

  // Feeds libebur128 with every input frame that has arrived.
  void poll() override;
  // The momentary loudness, in LUFS, of the last 400 ms that arrived (-inf for silence).
  double loudness();
  int volume_at(std::int64_t beat, std::int64_t frame, int rate) override;

 private:
  static constexpr std::size_t kBlock = 1024;

  JackSink& sink_;
  struct State;  // libebur128's
  std::unique_ptr<State> state_;
  std::array<float, kBlock> block_{};
};

// Feeds the engine's volume from a meter, on its own thread, one beat ahead of the sound.
class MeterThread {
 public:
  // Sets the volume of the first beat before returning, then follows `sink`.
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
