#include "live/live_input.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>

#include "io/terminal_text.h"
#include "io/voice.h"
#include "options/options.h"

namespace cacophony::cli {
namespace {

constexpr std::size_t kMaxLine = 256;  // bytes, without the newline
constexpr std::size_t kReadBudget = 4096;
constexpr std::chrono::milliseconds kTimeBudget{5};
constexpr char kEscape = 0x1b;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

void LiveInput::say(std::string message) {
  message_ = std::move(message);
  said_at_ = std::chrono::steady_clock::now();
}

const std::string& LiveInput::message() const {
  static const std::string none;
  return std::chrono::steady_clock::now() - said_at_ < kMessageShownFor ? message_ : none;
}

void LiveInput::poll() {
  const auto until = std::chrono::steady_clock::now() + kTimeBudget;
  std::size_t budget = kReadBudget;
  while (!quit_ && std::chrono::steady_clock::now() < until) {
    if (next_ == read_ && !read_some(budget)) break;
    const char c = chunk_[next_++];
    if (keys_)
      take_key(c);
    else
      take_line_byte(c);
  }
  // An escape with nothing after it in its read is the Esc key itself: keys come whole.
  if (keys_ && escape_ == 1 && next_ == read_) quit_ = true;
}

// Reads what is waiting, at most `budget` bytes (which it lowers); false when nothing was read.
bool LiveInput::read_some(std::size_t& budget) {
  if (closed_ || budget == 0) return false;
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  if (::poll(&fd, 1, 0) <= 0 || !(fd.revents & (POLLIN | POLLHUP))) return false;
  const ssize_t n = ::read(STDIN_FILENO, chunk_.data(), std::min(budget, chunk_.size()));
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  next_ = 0;
  read_ = static_cast<std::size_t>(n);
  budget -= read_;
  return true;
}

// A line over kMaxLine is said once and dropped up to its newline.
void LiveInput::take_line_byte(char c) {
  if (c == '\n') {
    if (!overlong_) run_line(line_);
    line_.clear();
    overlong_ = false;
    return;
  }
  if (overlong_) return;
  if (line_.size() < kMaxLine) {
    line_.push_back(c);
    return;
  }
  overlong_ = true;
  note(fmt::format("a line over {} bytes is not a command: ignored", kMaxLine));
}

void LiveInput::run_line(std::string line) {
  ++taken_;
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  if (line.empty()) return;
  std::string why;
  if (line == "start" || line == "stop") {
    why = control_.set_playing(line == "start");
  } else {
    // Leading blanks go as trailing ones did; the number itself is read as the options read it.
    const std::size_t from = line.find_first_not_of(" \t");
    const std::optional<double> bpm = read_number(std::string_view(line).substr(from));
    if (!bpm) {
      note(fmt::format("'{}' is not a command: type a tempo in [{:g}, {:g}], start or stop",
                       escaped(line, Keep::ascii), control_.min_tempo(), control_.max_tempo()));
      return;
    }
    why = control_.set_tempo(*bpm);
  }
  if (!why.empty()) note(fmt::format("'{}': {}", escaped(line, Keep::ascii), why));
}

void LiveInput::take_key(char c) {
  if (escape_ == 1) {
    escape_ = c == '[' ? 2 : 0;
    if (escape_ == 0) quit_ = true;  // Esc, then another key
    return;
  }
  if (escape_ == 2) {
    escape_ = 0;
    run_arrow(c);
    return;
  }
  if (c == kEscape) {
    escape_ = 1;
    return;
  }
  run_key(c);
}

void LiveInput::run_arrow(char c) {
  ++taken_;
  const double delta = c == 'A' ? 10 : c == 'B' ? -10 : c == 'C' ? 1 : c == 'D' ? -1 : 0;
  if (delta != 0) say(control_.nudge_tempo(delta));
}

void LiveInput::run_key(char c) {
  ++taken_;
  if (c >= '1' && c <= '9') {
    say(control_.set_beats(c - '0'));
    return;
  }
  switch (c) {
    case 's':
      say(control_.next_subdivision());
      break;
    case ' ':
      say(control_.toggle_playing());
      break;
    case 't':
      say(control_.tap(now_seconds()));
      break;
    case '+':
    case '=':
      say(control_.nudge_volume(5));
      break;
    case '-':
      say(control_.nudge_volume(-5));
      break;
    case 'm':
      control_.toggle_mute();
      break;
    case 'n':
      say(control_.step_song(1));
      break;
    case 'p':
      say(control_.step_song(-1));
      break;
    case 'q':
      quit_ = true;
      break;
    default:
      break;
  }
}

}  // namespace cacophony::cli
