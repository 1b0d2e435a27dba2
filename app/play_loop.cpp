#include "play_loop.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "live_control.h"
#include "live_input.h"
#include "play_link.h"
#include "raw_terminal.h"
#include "signals.h"
#include "voice.h"

namespace cacophony::cli {
namespace {

// What OSC clients are told: the control's state and the latest click's place.
remote::State osc_state(const LiveStatus& s, const sound::BeatEvent& last) {
  return remote::State{s.tempo > 0 ? s.tempo : last.onset.tempo,
                       s.beats,
                       s.unit,
                       s.playing,
                       last.onset.bar,
                       last.onset.phase + 1,
                       static_cast<int>(s.peers)};
}

bool same_settings(const remote::State& a, const remote::State& b) {
  return a.tempo == b.tempo && a.beats == b.beats && a.unit == b.unit && a.playing == b.playing &&
         a.peers == b.peers;
}

std::string apply(LiveControl& control, const remote::Command& c) {
  using Kind = remote::Command::Kind;
  switch (c.kind) {
    case Kind::tempo:
      return control.set_tempo(c.value);
    case Kind::tap:
      return control.tap(
          std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
              .count());
    case Kind::start:
    case Kind::stop:
      return control.set_playing(c.kind == Kind::start);
    case Kind::meter:
      return control.set_meter(c.beats, c.unit);
    case Kind::volume:
      return control.set_volume(static_cast<int>(c.value));
    case Kind::query:
    case Kind::registered:
      break;
  }
  return {};
}

// The loop's state: the control, its inputs and its outputs.
class Loop {
 public:
  Loop(const PlayParts& parts, LiveDisplay::Mode mode)
      : parts_(parts),
        control_(parts.engine, parts.live, parts.session, parts.steady),
        input_(control_, terminal_.active()),
        display_(mode, parts.session != nullptr) {
    if (parts.session && mode == LiveDisplay::Mode::beats) console_.emplace(*parts.session);
  }

  void join() {
    if (console_)
      console_->join();
    else if (parts_.session)
      LinkConsole(*parts_.session).join();
  }

  int run();
  void drain();

 private:
  void poll_osc(const LiveStatus& status);

  const PlayParts& parts_;
  RawTerminal terminal_;
  LiveControl control_;
  LiveInput input_;
  LiveDisplay display_;
  std::optional<LinkConsole> console_;
  sound::BeatEvent last_;
  std::optional<remote::State> told_;
};

void Loop::poll_osc(const LiveStatus& status) {
  if (!parts_.osc) return;
  for (const remote::Command& c : parts_.osc->poll()) {
    const std::string why = apply(control_, c);
    if (!why.empty()) parts_.osc->send_error(c.from, why);
    if (c.kind == remote::Command::Kind::query)
      parts_.osc->send_state(c.from, osc_state(control_.status(), last_));
  }
  const remote::State now = osc_state(status, last_);
  if (!told_ || !same_settings(*told_, now)) parts_.osc->notify(now);
  told_ = now;
}

int Loop::run() {
  auto next_tick = std::chrono::steady_clock::now();
  while (true) {
    const LiveStatus status = control_.status();
    while (parts_.sink.pop(last_)) display_.click(last_, status, input_.message());
    // Keys are read at once (a tap's time is when it is read); lines, as ever, every 50 ms.
    const bool tick = std::chrono::steady_clock::now() >= next_tick;
    if (tick) next_tick += std::chrono::milliseconds(50);
    const long before = input_.taken();
    if (terminal_.active() || tick) input_.poll();
    if (input_.taken() != before) display_.refresh(control_.status(), input_.message());
    poll_osc(status);
    if (console_ && tick) console_->poll();
    if (input_.quit()) return 0;
    if (parts_.sink.finished()) return 0;
    if (stop_requested()) return 130;
    if (parts_.sink.server_gone()) {
      display_.end_line();
      say("failed", "the JACK server went away");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Loop::drain() {
  const LiveStatus status = control_.status();
  while (parts_.sink.pop(last_)) display_.click(last_, status, input_.message());
}

}  // namespace

int play_loop(const PlayParts& parts, LiveDisplay::Mode mode) {
  Loop loop(parts, mode);
  loop.join();
  parts.sink.play();
  const int code = loop.run();
  // No callback runs after this (unless the server hangs), so the drain sees every click.
  static_cast<void>(parts.sink.stop());
  loop.drain();
  return code;
}

}  // namespace cacophony::cli
