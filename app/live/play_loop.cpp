#include "live/play_loop.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <optional>

#include "cacophony/sound/click.h"
#include "io/signals.h"
#include "io/voice.h"
#include "live/live_control.h"
#include "live/live_input.h"
#include "live/play_link.h"
#include "live/raw_terminal.h"

namespace cacophony::cli {
namespace {

// What OSC clients are told: the control's state and the latest click's place.
remote::State osc_state(const LiveStatus& s, const sound::BeatEvent& last) {
  const int volume = s.volume.value_or(sound::kMaxVolume);
  return remote::State{s.tempo > 0 ? s.tempo : last.onset.tempo,
                       s.beats,
                       s.unit,
                       s.playing,
                       last.onset.bar,
                       last.onset.phase + 1,
                       static_cast<int>(s.peers),
                       s.pattern,
                       sound::volume_gain(volume) / sound::volume_gain(sound::kMaxVolume)};
}

bool same_settings(const remote::State& a, const remote::State& b) {
  return a.tempo == b.tempo && a.beats == b.beats && a.unit == b.unit && a.playing == b.playing &&
         a.peers == b.peers && a.pattern == b.pattern && a.gain == b.gain;
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// What a command changes; why not, if it could not.
std::string apply(LiveControl& control, const remote::Command& c) {
  using Kind = remote::Command::Kind;
  const bool klick = c.dialect == remote::Command::Dialect::klick;
  switch (c.kind) {
    case Kind::tempo:
      return control.set_tempo(c.value);
    case Kind::tap:
      return klick ? control.klick_tap(c.at.value_or(steady_seconds()))
                   : control.tap(steady_seconds());
    case Kind::start:
      return klick ? control.klick_start() : control.set_playing(true);
    case Kind::stop:
      return control.set_playing(false);
    case Kind::meter:
      return klick ? control.set_klick_meter(c.beats, c.unit) : control.set_meter(c.beats, c.unit);
    case Kind::volume:
      return control.set_volume(static_cast<int>(c.value));
    case Kind::gain:
      return control.set_gain(c.value);
    case Kind::pattern:
      return control.set_pattern(c.word);
    case Kind::song:
      return control.go_to_song(c.word);
    case Kind::next_song:
      return control.step_song(1);
    case Kind::previous_song:
      return control.step_song(-1);
    case Kind::query:  // what is answered, not changed: Loop::answer
    case Kind::registered:
    case Kind::unregistered:
    case Kind::quit:
    case Kind::ping:
      break;
  }
  return {};
}

// The loop's state: the control, its inputs and its outputs.
class Loop {
 public:
  Loop(const PlayParts& parts, LiveDisplay::Mode mode)
      : parts_(parts),
        control_(parts.rig.engine(), parts.live, parts.session, parts.steady, parts.setlist),
        input_(control_, terminal_.active()),
        display_(mode, parts.session != nullptr) {
    if (parts.session && mode == LiveDisplay::Mode::beats) console_.emplace(*parts.session);
    control_.follow_clock(parts.clock);
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
  // In beats mode, a line each time a followed MIDI clock locks or loses its lock.
  void say_clock(const LiveStatus& status);
  // Replies to a query or a ping; a quit ends the loop.
  void answer(const remote::Command& c);
  // When to look again at the latest, given the time and the next tick.
  std::chrono::steady_clock::time_point wake_by(std::chrono::steady_clock::time_point now,
                                                std::chrono::steady_clock::time_point tick);
  // Sleeps until `by`, or until a key, an OSC datagram or a stop signal comes.
  void sleep_until(std::chrono::steady_clock::time_point by);

  const PlayParts& parts_;
  RawTerminal terminal_;
  LiveControl control_;
  LiveInput input_;
  LiveDisplay display_;
  std::optional<LinkConsole> console_;
  sound::BeatEvent last_;
  std::optional<remote::State> told_;
  std::optional<bool> clock_said_;
  bool quit_ = false;  // /klick/quit came
};

void Loop::answer(const remote::Command& c) {
  using Kind = remote::Command::Kind;
  if (c.kind == Kind::quit) quit_ = true;
  if (c.kind == Kind::ping) parts_.osc->send_pong(c.from);
  if (c.kind != Kind::query) return;
  const remote::State state = osc_state(control_.status(), last_);
  if (c.dialect == remote::Command::Dialect::klick)
    parts_.osc->send_klick_state(c.from, state, c.word);
  else
    parts_.osc->send_state(c.from, state);
}

void Loop::say_clock(const LiveStatus& status) {
  if (!status.clock_locked || display_.mode() != LiveDisplay::Mode::beats) return;
  if (clock_said_ == status.clock_locked) return;
  if (*status.clock_locked)
    std::printf("clock: locked at %.2f bpm after %d pulses\n", status.tempo,
                status.clock_locked_after);
  else if (clock_said_)
    std::printf("clock: lock lost\n");
  std::fflush(stdout);
  clock_said_ = status.clock_locked;
}

void Loop::poll_osc(const LiveStatus& status) {
  if (!parts_.osc) return;
  for (const remote::Command& c : parts_.osc->poll()) {
    const std::string why = apply(control_, c);
    if (!why.empty()) parts_.osc->send_error(c.from, why);
    answer(c);
  }
  const remote::State now = osc_state(status, last_);
  if (!told_ || !same_settings(*told_, now)) parts_.osc->notify(now);
  told_ = now;
}

// How long the main thread sleeps at most when nothing it waits on (stdin's keys, an OSC
// datagram, a stop signal) comes: the display's refresh while clicks are shown; the 50 ms tick
// while lines are read or Link's changes are said; otherwise only to see the rhythm's end or the
// server's going, which the sink tells by atomics that nothing can wait on.
constexpr std::chrono::milliseconds kDisplayPeriod{33};  // about 30 Hz
constexpr std::chrono::milliseconds kTick{50};
constexpr std::chrono::milliseconds kQuietPeriod{100};

std::chrono::steady_clock::time_point Loop::wake_by(std::chrono::steady_clock::time_point now,
                                                    std::chrono::steady_clock::time_point tick) {
  auto by = now + (display_.mode() == LiveDisplay::Mode::quiet ? kQuietPeriod : kDisplayPeriod);
  if (console_ || (input_.reading() && !terminal_.active())) by = std::min(by, tick);
  return by;
}

void Loop::sleep_until(std::chrono::steady_clock::time_point by) {
  std::array<pollfd, 3> fds{};
  nfds_t n = 0;
  if (stop_signal_fd() >= 0) fds[n++] = pollfd{stop_signal_fd(), POLLIN, 0};
  if (terminal_.active() && input_.reading()) fds[n++] = pollfd{STDIN_FILENO, POLLIN, 0};
  if (parts_.osc) fds[n++] = pollfd{parts_.osc->socket_fd(), POLLIN, 0};
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(by - std::chrono::steady_clock::now());
  // EINTR (a signal) and errors alike end the sleep early: the loop looks at everything anyway.
  static_cast<void>(::poll(fds.data(), n, static_cast<int>(std::max<long>(left.count(), 0))));
}

int Loop::run() {
  auto next_tick = std::chrono::steady_clock::now();
  while (true) {
    const LiveStatus status = control_.status();
    while (parts_.rig.sink().pop(last_)) display_.click(last_, status, input_.message());
    say_clock(status);
    // Keys are read at once (a tap's time is when it is read); lines, as ever, every 50 ms.
    const auto now = std::chrono::steady_clock::now();
    const bool tick = now >= next_tick;
    if (tick) next_tick = std::max(next_tick + kTick, now);
    const long before = input_.taken();
    const bool said = !input_.message().empty();
    if (terminal_.active() || tick) input_.poll();
    // A key, or a message gone stale (no click may come to redraw the line: stopped).
    if (input_.taken() != before || (said && input_.message().empty()))
      display_.refresh(control_.status(), input_.message());
    poll_osc(status);
    if (console_ && tick) console_->poll();
    if (input_.quit() || quit_) return 0;
    if (parts_.rig.sink().finished()) return 0;
    if (stop_requested()) return 130;
    if (parts_.rig.sink().server_gone()) {
      display_.end_line();
      say("failed", "the JACK server went away");
      return 1;
    }
    sleep_until(wake_by(now, next_tick));
  }
}

void Loop::drain() {
  const LiveStatus status = control_.status();
  while (parts_.rig.sink().pop(last_)) display_.click(last_, status, input_.message());
}

}  // namespace

int play_loop(const PlayParts& parts, LiveDisplay::Mode mode) {
  Loop loop(parts, mode);
  loop.join();
  parts.rig.play();
  const int code = loop.run();
  // No callback runs after this (unless the server hangs), so the drain sees every click.
  static_cast<void>(parts.rig.stop());
  loop.drain();
  return code;
}

}  // namespace cacophony::cli
