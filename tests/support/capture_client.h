#pragma once
// Test helper: a JACK client with one input port that keeps every frame it is given, in memory
// reserved up front (40 s; beyond that it says it overflowed instead of recording), with the
// server's frame time of each period and of its first xruns, so that what a player sent is
// compared as heard, on the server's frame clock.

#include <jack/jack.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "jack_server.h"

namespace cacophony::test_support {

class Capture {
 public:
  static constexpr std::size_t kFrames = static_cast<std::size_t>(kRate) * 40;

  explicit Capture(const std::string& server, const std::string& name = "capture")
      : samples_(kFrames), times_(kFrames / 64) {
    jack_status_t status{};
    client_ = jack_client_open(name.c_str(),
                               static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                               &status, server.c_str());
    if (!client_) return;
    port_ = jack_port_register(client_, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    jack_set_process_callback(client_, on_process, this);
    jack_set_xrun_callback(client_, on_xrun, this);
    jack_activate(client_);
  }
  ~Capture() {
    if (!client_) return;
    stop();
    jack_client_close(client_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  bool ok() const { return client_ && port_; }
  std::string port() const { return jack_port_name(port_); }
  void stop() {
    if (active_) jack_deactivate(client_);
    active_ = false;
  }
  // Connects the output port `port` to this client's input.
  bool connect_from(const std::string& port) {
    return jack_connect(client_, port.c_str(), jack_port_name(port_)) == 0;
  }
  bool port_exists(const std::string& name) const {
    return jack_port_by_name(client_, name.c_str()) != nullptr;
  }

  // After stop().
  std::vector<float> samples() const {
    return {samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(frames_.load())};
  }
  std::vector<jack_nframes_t> times() const {
    return {times_.begin(), times_.begin() + static_cast<std::ptrdiff_t>(periods_.load())};
  }
  // The server's frame time of captured sample `index` (every period holds the same frames).
  jack_nframes_t jack_frame(std::size_t index) const {
    const jack_nframes_t period = jack_get_buffer_size(client_);
    return times_[index / period] + static_cast<jack_nframes_t>(index % period);
  }
  // The server's frame time now.
  jack_nframes_t now() const { return jack_frame_time(client_); }
  int xruns() const { return xruns_.load(); }
  // The server's frame time at each xrun (the first kXrunsKept).
  std::vector<jack_nframes_t> xrun_times() const {
    std::vector<jack_nframes_t> out;
    for (int i = 0; i < std::min(xruns(), kXrunsKept); ++i)
      out.push_back(xrun_times_[static_cast<std::size_t>(i)].load());
    return out;
  }
  // How many frames had been captured at the last xrun.
  std::size_t last_xrun_frames() const { return last_xrun_frames_.load(); }
  bool overflowed() const { return overflowed_.load(); }
  std::size_t frames() const { return frames_.load(std::memory_order_acquire); }
  bool heard_something() const { return heard_.load(std::memory_order_acquire); }

 private:
  static int on_process(jack_nframes_t n, void* self) {
    auto* c = static_cast<Capture*>(self);
    const auto* in = static_cast<const float*>(jack_port_get_buffer(c->port_, n));
    const std::size_t at = c->frames_.load(std::memory_order_relaxed);
    const std::size_t period = c->periods_.load(std::memory_order_relaxed);
    if (at + n > c->samples_.size() || period >= c->times_.size()) {
      c->overflowed_.store(true);
      return 0;
    }
    for (jack_nframes_t i = 0; i < n; ++i) {
      c->samples_[at + i] = in[i];
      if (in[i] != 0.0f) c->heard_.store(true, std::memory_order_relaxed);
    }
    c->times_[period] = jack_last_frame_time(c->client_);
    c->periods_.store(period + 1, std::memory_order_release);
    c->frames_.store(at + n, std::memory_order_release);
    return 0;
  }
  static int on_xrun(void* self) {
    auto* c = static_cast<Capture*>(self);
    const int n = c->xruns_.fetch_add(1);
    c->last_xrun_frames_.store(c->frames_.load());
    if (n < kXrunsKept)
      c->xrun_times_[static_cast<std::size_t>(n)].store(jack_frame_time(c->client_));
    return 0;
  }

  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
  bool active_ = true;
  std::vector<float> samples_;
  std::vector<jack_nframes_t> times_;
  std::atomic<std::size_t> frames_{0};
  std::atomic<std::size_t> periods_{0};
  static constexpr int kXrunsKept = 64;
  std::atomic<int> xruns_{0};
  std::array<std::atomic<jack_nframes_t>, kXrunsKept> xrun_times_{};
  std::atomic<std::size_t> last_xrun_frames_{0};
  std::atomic<bool> overflowed_{false};
  std::atomic<bool> heard_{false};
};

}  // namespace cacophony::test_support
