// `practice` on a dummy JACK server: after `practice --calibrate` over a loopback, a player client
// plays a take of real drum hits at known offsets from the click it hears into cacophony:in, and
// practice measures each offset within ±3 ms; with --speakers, the click bleeding into that input
// too is not taken for the player.

#include <gtest/gtest.h>
#include <jack/jack.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/audio.h"
#include "support/capture_client.h"
#include "support/files.h"
#include "support/folder.h"
#include "support/jack_server.h"
#include "support/onsets.h"
#include "support/process.h"

namespace {

using namespace cacophony::test_support;
using namespace std::chrono_literals;

constexpr const char* kSnare = "/usr/share/hydrogen/data/drumkits/GMRockKit/Snare-Hard.wav";

// A drum sample at 48 kHz (hydrogen's kits are 44.1 kHz), by linear interpolation, its first
// 250 ms faded out over the last 50 (the sample rings for a second, into the next beats).
std::vector<float> snare_at_48k() {
  const Audio a = read_audio(kSnare);
  std::vector<float> out;
  const double step = static_cast<double>(a.rate) / 48000;
  for (double x = 0; x + 1 < static_cast<double>(a.samples.size()); x += step) {
    const auto i = static_cast<std::size_t>(x);
    const double f = x - static_cast<double>(i);
    out.push_back(static_cast<float>(a.samples[i] * (1 - f) + a.samples[i + 1] * f));
  }
  out.resize(std::min<std::size_t>(out.size(), 12000));
  for (std::size_t i = 9600; i < out.size(); ++i)
    out[i] *= static_cast<float>(out.size() - i) / static_cast<float>(out.size() - 9600);
  return out;
}

// A take of the snare at 48 kHz, one stroke a beat at 120 (24000 frames a beat), each `offsets_ms`
// from its beat; a NaN offset is a beat the player skips.
std::vector<float> snare_take(const std::vector<double>& offsets_ms) {
  const std::vector<float> snare = snare_at_48k();
  std::vector<float> take(24000 * (offsets_ms.size() + 1), 0.0f);
  for (std::size_t k = 0; k < offsets_ms.size(); ++k) {
    if (std::isnan(offsets_ms[k])) continue;
    const auto at = static_cast<long>(24000 * k) + std::lround(offsets_ms[k] * 48);
    for (std::size_t i = 0;
         i < snare.size() && at + static_cast<long>(i) < static_cast<long>(take.size()); ++i)
      if (at + static_cast<long>(i) >= 0) take[static_cast<std::size_t>(at) + i] += snare[i];
  }
  return take;
}

// A JACK client that listens to cacophony:out and, from the first click it hears, plays `take`
// into cacophony:in: what a drummer with headphones does. With `bleed` > 0, what it plays in is
// heard through a microphone near speakers: the click it hears, times `bleed`, `delay` frames
// later, is added.
class Drummer {
 public:
  Drummer(const std::string& server, std::vector<float> take, float bleed = 0,
          std::size_t delay = 0)
      : take_(std::move(take)), bleed_(bleed), line_(delay + 1, 0.0f) {
    jack_status_t status{};
    client_ =
        jack_client_open("drummer", static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                         &status, server.c_str());
    if (!client_) return;
    in_ = jack_port_register(client_, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    out_ = jack_port_register(client_, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client_, on_process, this);
    active_ = jack_activate(client_) == 0;
  }
  ~Drummer() {
    if (!client_) return;
    if (active_) jack_deactivate(client_);
    jack_client_close(client_);
  }
  Drummer(const Drummer&) = delete;
  Drummer& operator=(const Drummer&) = delete;

  bool ok() const { return client_ && in_ && out_ && active_; }
  // Connects once cacophony's ports exist; false when they did not appear within 10 s.
  bool connect() const {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto joined = [](int rc) { return rc == 0 || rc == EEXIST; };
      if (joined(jack_connect(client_, "cacophony:out", jack_port_name(in_))) &&
          joined(jack_connect(client_, jack_port_name(out_), "cacophony:in")))
        return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  bool heard_the_click() const { return started_.load(); }

 private:
  static int on_process(jack_nframes_t n, void* self) {
    auto* d = static_cast<Drummer*>(self);
    const auto* in = static_cast<const float*>(jack_port_get_buffer(d->in_, n));
    auto* out = static_cast<float*>(jack_port_get_buffer(d->out_, n));
    for (jack_nframes_t i = 0; i < n; ++i) {
      if (!d->started_.load(std::memory_order_relaxed) && in[i] != 0.0f)
        d->started_.store(true, std::memory_order_relaxed);  // the first click: take frame 0
      const bool playing = d->started_.load(std::memory_order_relaxed) && d->at_ < d->take_.size();
      d->line_[d->in_line_] = in[i];  // the delay line: its oldest sample is the next one
      d->in_line_ = (d->in_line_ + 1) % d->line_.size();
      out[i] = (playing ? d->take_[d->at_++] : 0.0f) + d->bleed_ * d->line_[d->in_line_];
    }
    return 0;
  }

  std::vector<float> take_;
  std::size_t at_ = 0;
  float bleed_;
  std::vector<float> line_;  // the click heard, delayed
  std::size_t in_line_ = 0;
  std::atomic<bool> started_{false};
  jack_client_t* client_ = nullptr;
  jack_port_t* in_ = nullptr;
  jack_port_t* out_ = nullptr;
  bool active_ = false;
};

struct Folder : cacophony::test_support::Folder {
  Folder() : cacophony::test_support::Folder("cacophony_practice_live_") {}
};

// `practice --calibrate` over a loopback, its round trip kept where `config` (XDG_CONFIG_HOME=...)
// says.
void calibrate(const JackServer& server, const std::string& config) {
  Process calibrate({CACOPHONY_BINARY, "practice", "--calibrate", "--connect", "cacophony:in"},
                    Output::file(temp_path("calibrate.out")), Input::null, {server.env(), config});
  const int status = calibrate.wait(30s);
  ASSERT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << calibrate.output();
  EXPECT_TRUE(
      std::filesystem::exists(config.substr(config.find('=') + 1) + "/cacophony/latency-ms"));
}

TEST(PracticeLive, AfterCalibrationOffsetsMatchWithin3Ms) {
  START_SERVER(server);
  Folder dir;
  const std::string config = "XDG_CONFIG_HOME=" + dir.at("config");
  ASSERT_NO_FATAL_FAILURE(calibrate(server, config));
  // Two bars of 4/4 at 120: early, late and exact hits.
  const std::vector<double> offsets_ms = {0, -12, 18, 5, -7, 25, -3, 10};
  Drummer drummer(server.name(), snare_take(offsets_ms));
  ASSERT_TRUE(drummer.ok());
  // The click goes to the drummer only, as in the calibration it went to cacophony:in only: the
  // latency JACK reports is the same for both.
  Process practice({CACOPHONY_BINARY, "practice", "2", "4/4", "120", "--connect", "drummer:in",
                    "--json", dir.at("take.json")},
                   Output::file(temp_path("practice.out")), Input::null, {server.env(), config});
  ASSERT_TRUE(drummer.connect());
  const int status = practice.wait(30s);
  ASSERT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << practice.output();
  EXPECT_TRUE(drummer.heard_the_click());
  std::ifstream json(dir / "take.json");
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  // Each hit's "offset_ms", in order.
  std::vector<double> measured;
  for (std::size_t at = text.find("\"offset_ms\""); at != std::string::npos;
       at = text.find("\"offset_ms\"", at + 1))
    measured.push_back(std::stod(text.substr(text.find(':', at) + 1)));
  ASSERT_EQ(measured.size(), offsets_ms.size()) << practice.output() << text;
  double worst = 0;
  for (std::size_t k = 0; k < measured.size(); ++k) {
    EXPECT_NEAR(measured[k], offsets_ms[k], 3.0) << "hit " << k << "\n" << practice.output();
    worst = std::max(worst, std::abs(measured[k] - offsets_ms[k]));
  }
  std::fprintf(stderr, "live practice: offsets within %.2f ms of the known ones\n", worst);
}

// Practising with speakers: the microphone hears the click too, 6 dB under what goes out and 3 ms
// later (a metre away). With --speakers the click is no hit: the strokes are measured as without
// it, and the beat the player skips is missed (the click alone sounds there).
TEST(PracticeLive, WithSpeakersTheClickHeardIsNotThePlayer) {
  START_SERVER(server);
  Folder dir;
  const std::string config = "XDG_CONFIG_HOME=" + dir.at("config");
  ASSERT_NO_FATAL_FAILURE(calibrate(server, config));
  const std::vector<double> offsets_ms = {0, -12, 18, 5, -7, NAN, -3, 10};
  Drummer drummer(server.name(), snare_take(offsets_ms), 0.5f, 144);
  ASSERT_TRUE(drummer.ok());
  Process practice({CACOPHONY_BINARY, "practice", "2", "4/4", "120", "--speakers", "--connect",
                    "drummer:in", "--json", dir.at("take.json")},
                   Output::file(temp_path("speakers.out")), Input::null, {server.env(), config});
  ASSERT_TRUE(drummer.connect());
  const int status = practice.wait(30s);
  ASSERT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << practice.output();
  // The delay found is said: the round trip, and the 3 ms from the speaker.
  const std::string out = practice.output();
  const auto said = out.find("the click was heard ");
  ASSERT_NE(said, std::string::npos) << out;
  const double heard = std::stod(out.substr(said + 20));
  const double round_trip = std::stod(out.substr(out.find("round trip taken: ", said) + 18));
  EXPECT_NEAR(heard - round_trip, 3.0, 0.5) << out;
  std::fprintf(stderr,
               "with speakers: the click heard %.2f ms after it went out, round trip %.2f\n", heard,
               round_trip);
  std::ifstream file(dir / "take.json");
  const nlohmann::json take = nlohmann::json::parse(file);
  EXPECT_EQ(take["summary"]["extra"], 0) << practice.output();
  ASSERT_EQ(take["missed"].size(), 1u) << practice.output();
  EXPECT_EQ(take["missed"][0]["bar"], 2);
  EXPECT_EQ(take["missed"][0]["beat"], 2);
  ASSERT_EQ(take["hits"].size(), 7u) << practice.output();
  for (const nlohmann::json& hit : take["hits"]) {
    const std::size_t k =
        (hit["bar"].get<std::size_t>() - 1) * 4 + hit["beat"].get<std::size_t>() - 1;
    ASSERT_LT(k, offsets_ms.size());
    EXPECT_NEAR(hit["offset_ms"].get<double>(), offsets_ms[k], 3.0) << "beat " << k;
  }
}

// Gap training: the click sounds in bars 1 and 3 and not in 2 and 4 (--mute 1/1); Ctrl-C in bar 4
// still writes what was measured, and exits 130.
TEST(PracticeLive, MutedBarsAreSilentAndCtrlCWritesWhatWasMeasured) {
  START_SERVER(server);
  Folder dir;
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());
  Process practice({CACOPHONY_BINARY, "practice", "4/4", "240", "--mute", "1/1", "--connect",
                    capture.port(), "--json", dir.at("take.json")},
                   Output::file(temp_path("muted.out")), Input::null, {server.env()});
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!capture.heard_something() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(capture.heard_something());
  std::this_thread::sleep_for(3500ms);  // into bar 4: a bar of 4/4 at 240 lasts 1 s
  practice.signal(SIGINT);
  const int status = practice.wait(10s);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 130) << practice.output();
  capture.stop();
  const std::vector<std::size_t> at = onsets(capture.samples(), 100);
  ASSERT_GE(at.size(), 8u);
  // Bars 1 and 3 are heard, 12000 frames a beat; bar 3 starts two bars after bar 1.
  for (std::size_t i = 1; i < 4; ++i) EXPECT_EQ(at[i] - at[i - 1], 12000u) << i;
  EXPECT_EQ(at[4] - at[0], 96000u) << "bar 2 was silent";
  EXPECT_TRUE(std::filesystem::exists(dir / "take.json")) << practice.output();
  EXPECT_NE(practice.output().find("overall:"), std::string::npos) << practice.output();
}

}  // namespace
