#include "cacophony/sound/jack_sink.h"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "cacophony/sound/midi_clock_grid.h"
#include "cacophony/sound/midi_out.h"

namespace cacophony::sound {
namespace {

// libjack reports its own failures on stderr, several lines each; the sink reports them as
// exceptions instead.
void quiet(const char*) {}

double raw_now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

jack_port_t* register_port(jack_client_t* client, const char* name, unsigned long flags) {
  jack_port_t* port = jack_port_register(client, name, JACK_DEFAULT_AUDIO_TYPE, flags, 0);
  if (!port) throw JackError(JackError::Step::register_port, name);
  return port;
}

// Runs `call` on a thread of its own; true when it returned within `patience`. Otherwise the
// thread is left running: whatever `call` uses must stay alive.
bool returns_within(std::chrono::milliseconds patience, std::function<void()> call) {
  std::promise<void> done;
  std::future<void> returned = done.get_future();
  std::thread([call = std::move(call), done = std::move(done)]() mutable {
    call();
    done.set_value();
  }).detach();
  return returned.wait_for(patience) == std::future_status::ready;
}

// Opens client `name` (JackSink's constructor), waiting up to kOpenPatience for the server. The
// opening thread and the caller meet under the lock: whichever comes second either takes the
// client or, the caller having given up, closes it.
jack_client_t* open_client(const std::string& name, jack_status_t& status) {
  struct Opening {
    std::mutex lock;
    bool done = false, given_up = false;
    jack_client_t* client = nullptr;
    jack_status_t status{};
  };
  const auto opening = std::make_shared<Opening>();
  returns_within(JackSink::kOpenPatience, [opening, name] {
    jack_status_t status{};
    jack_client_t* client = jack_client_open(name.c_str(), JackNoStartServer, &status);
    const std::lock_guard hold(opening->lock);
    if (opening->given_up) {
      if (client) jack_client_close(client);
      return;
    }
    opening->done = true;
    opening->client = client;
    opening->status = status;
  });
  const std::lock_guard hold(opening->lock);
  if (!opening->done) {
    opening->given_up = true;
    throw JackError(JackError::Step::no_answer);
  }
  status = opening->status;
  return opening->client;
}

}  // namespace

JackSink::JackSink(const std::string& name, bool with_input) {
  jack_set_error_function(quiet);
  jack_set_info_function(quiet);
  jack_status_t status{};
  client_ = open_client(name, status);
  if (!client_) {
    if (status & JackServerFailed) throw JackError(JackError::Step::no_server);
    throw JackError(JackError::Step::open_client, {}, {}, static_cast<unsigned>(status));
  }
  try {
    port_ = register_port(client_, "out", JackPortIsOutput);
    if (with_input) {
      in_port_ = register_port(client_, "in", JackPortIsInput);
      input_ = std::make_unique<InputRing>();
    }
    if (jack_set_process_callback(client_, on_process, this) != 0)
      throw JackError(JackError::Step::set_callback);
  } catch (...) {
    jack_client_close(client_);
    throw;
  }
  jack_on_shutdown(client_, on_shutdown, this);
}

JackSink::~JackSink() {
  stop();
}

int JackSink::rate() const {
  return static_cast<int>(jack_get_sample_rate(client_));
}

std::string JackSink::port_name() const {
  return jack_port_name(port_);
}

std::vector<std::string> JackSink::playback_ports() const {
  std::vector<std::string> names;
  const char** ports = jack_get_ports(client_, nullptr, JACK_DEFAULT_AUDIO_TYPE,
                                      JackPortIsPhysical | JackPortIsInput);
  if (!ports) return names;
  for (const char** p = ports; *p; ++p) names.emplace_back(*p);
  jack_free(ports);
  return names;
}

void JackSink::attach_midi(MidiOut& midi) {
  if (active_) throw std::logic_error("JackSink::attach_midi: after start");
  midi.open(client_);
  midi_ = &midi;
}

void JackSink::attach_clock_in(MidiClockGrid& clock) {
  if (active_) throw std::logic_error("JackSink::attach_clock_in: after start");
  clock.open(client_);
  clock_in_ = &clock;
}

void JackSink::start(Engine& engine) {
  if (engine_) throw std::logic_error("JackSink::start: already started");
  engine_ = &engine;
  engine.set_beat_hook(on_beat, this);
  if (jack_activate(client_) != 0) throw JackError(JackError::Step::activate);
  active_ = true;
}

void JackSink::connect(const std::string& port) {
  const int rc = jack_connect(client_, jack_port_name(port_), port.c_str());
  if (rc != 0 && rc != EEXIST) throw JackError(JackError::Step::connect_output, port_name(), port);
}

void JackSink::connect_input(const std::string& port) {
  if (!in_port_) throw std::logic_error("JackSink::connect_input: no input port");
  const int rc = jack_connect(client_, port.c_str(), jack_port_name(in_port_));
  if (rc != 0 && rc != EEXIST)
    throw JackError(JackError::Step::connect_input, input_port_name(), port);
}

std::string JackSink::input_port_name() const {
  return in_port_ ? std::string(jack_port_name(in_port_)) : std::string();
}

void JackSink::play() {
  // A connection is in the graph from the first period that starts after jack_connect returned;
  // one period more covers the estimate's jitter.
  play_from_.store(jack_frame_time(client_) + jack_get_buffer_size(client_),
                   std::memory_order_relaxed);
  playing_.store(true, std::memory_order_release);
}

std::int64_t JackSink::reported_round_trip() const {
  jack_latency_range_t playback{};
  jack_port_get_latency_range(port_, JackPlaybackLatency, &playback);
  jack_latency_range_t capture{};
  if (in_port_) jack_port_get_latency_range(in_port_, JackCaptureLatency, &capture);
  return std::int64_t{playback.max} + capture.max;
}

bool JackSink::stop() {
  if (stopped_) return let_go_;
  stopped_ = true;
  // A server that went away has nothing to deactivate; its client is closed all the same.
  const bool deactivate = active_ && !server_gone();
  // MIDI's Stop goes out in a period of its own, before the client stops having periods.
  if (midi_ && deactivate) midi_->finish(kPatience);
  let_go_ = returns_within(kPatience, [client = client_, deactivate] {
    if (deactivate) jack_deactivate(client);
    jack_client_close(client);
  });
  return let_go_;
}

int JackSink::on_process(jack_nframes_t frames, void* self) {
  auto* sink = static_cast<JackSink*>(self);
  auto* out = static_cast<float*>(jack_port_get_buffer(sink->port_, frames));
  Engine* engine = sink->engine_;
  const jack_nframes_t now = jack_last_frame_time(sink->client_);
  const bool waiting =
      !engine || !sink->playing_.load(std::memory_order_acquire) ||
      (engine->position() == 0 &&
       static_cast<std::int32_t>(now - sink->play_from_.load(std::memory_order_relaxed)) < 0);
  if (waiting || sink->finished_.load(std::memory_order_relaxed)) {
    std::fill(out, out + frames, 0.0f);
    if (sink->midi_) sink->midi_->process(frames, !waiting);
    return 0;
  }
  // Input is taken from the engine's first period on, so input frame n is heard with engine
  // frame n (practice matches the two).
  if (sink->in_port_) {
    const auto* in = static_cast<const float*>(jack_port_get_buffer(sink->in_port_, frames));
    std::int64_t lost = 0;
    for (jack_nframes_t i = 0; i < frames; ++i)
      if (!sink->input_->push(in[i])) ++lost;
    if (lost > 0) sink->dropped_input_.fetch_add(lost, std::memory_order_relaxed);
  }
  sink->block_start_ = engine->position();
  sink->block_jack_frame_ = now;
  if (sink->clock_in_) sink->clock_in_->take(frames);
  // Only a grid that follows an outside clock needs to know when the period is heard.
  engine->process(out, frames,
                  engine->grid().follows_clock() ? sink->block_time(frames) : BlockTime{});
  if (sink->midi_) sink->midi_->process(frames, true);
  sink->beats_started_.store(engine->beats_started(), std::memory_order_release);
  if (engine->finished()) sink->finished_.store(true, std::memory_order_release);
  return 0;
}

BlockTime JackSink::block_time(jack_nframes_t frames) const {
  BlockTime time;
  jack_nframes_t cycle_frame = 0;
  jack_time_t cycle_us = 0;
  jack_time_t next_us = 0;
  float period_us = 0;
  if (frames == 0 ||
      jack_get_cycle_times(client_, &cycle_frame, &cycle_us, &next_us, &period_us) != 0)
    return time;
  // Before JACK's clock filter has settled the times are not to be trusted.
  const double nominal_us = 1e6 * frames / jack_get_sample_rate(client_);
  const auto period = static_cast<double>(next_us) - static_cast<double>(cycle_us);
  if (!(period > 0.5 * nominal_us && period < 2 * nominal_us)) return time;
  jack_latency_range_t latency{};
  jack_port_get_latency_range(port_, JackPlaybackLatency, &latency);
  // JACK's clock and Link's are read together, so their offset holds for this period.
  const double offset = raw_now_us() - static_cast<double>(jack_get_time());
  time.known = true;
  time.us_per_frame = period / frames;
  time.first_frame_us = static_cast<double>(cycle_us) + offset + latency.max * time.us_per_frame;
  return time;
}

void JackSink::on_beat(void* self, std::int64_t count, const Onset& onset) {
  auto* sink = static_cast<JackSink*>(self);
  const std::int64_t offset = onset.frame - sink->block_start_;
  BeatEvent event;
  event.beat = count;
  event.onset = onset;
  sink->last_onset_.store(onset.frame, std::memory_order_relaxed);
  // The engine reads the same value right after this hook: the meter thread writes only after the
  // callback has published the beat.
  event.volume = std::clamp(sink->engine_->volume(), kMinVolume, kMaxVolume);
  event.jack_frame = sink->block_jack_frame_ + static_cast<jack_nframes_t>(offset);
  if (sink->midi_ && !sink->engine_->muted()) sink->midi_->note(onset);
  if (!sink->events_.push(event)) sink->dropped_.fetch_add(1, std::memory_order_relaxed);
}

void JackSink::on_shutdown(void* self) {
  static_cast<JackSink*>(self)->server_gone_.store(true, std::memory_order_release);
}

}  // namespace cacophony::sound
