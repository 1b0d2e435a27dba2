#include "play_link.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "terminal_text.h"

namespace cacophony::cli {
namespace {

std::string peers_text(std::size_t peers) {
  return fmt::format("{} peer{}", peers, peers == 1 ? "" : "s");
}

}  // namespace

// What `play --link` says about its session: once on joining, then on every change.
class LinkConsole::Report {
 public:
  explicit Report(const link::Session& session) : session_(session) {}

  // Waits up to `patience` for peers, then says whom it plays with.
  link::Status join(std::chrono::milliseconds patience) {
    const auto until = std::chrono::steady_clock::now() + patience;
    link::Status s = session_.status();
    while (s.peers == 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      s = session_.status();
    }
    if (s.peers == 0)
      std::printf("link: no peers: playing alone at %.2f bpm\n", s.bpm);
    else
      std::printf("link: joined %s at %.2f bpm\n", peers_text(s.peers).c_str(), s.bpm);
    std::fflush(stdout);
    last_ = s;
    return s;
  }

  void update() {
    const link::Status s = session_.status();
    if (s.peers != last_.peers) std::printf("link: %s\n", peers_text(s.peers).c_str());
    if (std::abs(s.bpm - last_.bpm) >= 0.005) std::printf("link: tempo %.2f bpm\n", s.bpm);
    if (s.playing != last_.playing) std::printf("link: %s\n", s.playing ? "started" : "stopped");
    std::fflush(stdout);
    last_ = s;
  }

 private:
  const link::Session& session_;
  link::Status last_;
};

// Lines typed on stdin while playing with --link: a tempo, `start` or `stop`. Read without
// blocking and within a budget of bytes and time per call, so that input that never pauses (a
// pipe from `yes`, /dev/zero) holds up neither the play loop nor its signals, nor grows memory.
class LinkConsole::Commands {
 public:
  explicit Commands(link::Session& session) : session_(session) {}

  void poll_input() {
    const auto until = std::chrono::steady_clock::now() + kTimeBudget;
    std::size_t budget = kReadBudget;
    while (std::chrono::steady_clock::now() < until) {
      if (next_ == read_ && !read_some(budget)) return;
      take(chunk_[next_++]);
    }
  }

 private:
  static constexpr std::size_t kMaxLine = 256;  // bytes, without the newline
  static constexpr std::size_t kReadBudget = 4096;
  static constexpr std::chrono::milliseconds kTimeBudget{5};

  // Reads what is waiting, at most `budget` bytes (which it lowers); false when nothing was read.
  bool read_some(std::size_t& budget) {
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
  void take(char c) {
    if (c == '\n') {
      if (!overlong_) run(line_);
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
    std::fprintf(stderr, "cacophony: a line over %zu bytes is not a command: ignored\n", kMaxLine);
  }

  void run(std::string line) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (line.empty()) return;
    if (line == "start" || line == "stop") {
      if (!session_.start_stop_sync())
        std::fprintf(stderr, "cacophony: '%s' needs --start-stop-sync\n", line.c_str());
      else
        session_.set_playing(line == "start");
      return;
    }
    char* end = nullptr;
    const double bpm = std::strtod(line.c_str(), &end);
    if (end != line.c_str() + line.size() || !(bpm >= link::kMinBpm && bpm <= link::kMaxBpm)) {
      std::fprintf(stderr,
                   "cacophony: '%s' is not a command: type a tempo in [%.0f, %.0f], start or "
                   "stop\n",
                   escaped(line, Keep::ascii).c_str(), link::kMinBpm, link::kMaxBpm);
      return;
    }
    session_.set_tempo(bpm);
  }

  link::Session& session_;
  std::array<char, 1024> chunk_{};
  std::size_t next_ = 0;  // chunk_[next_, read_) is read and not yet taken
  std::size_t read_ = 0;
  std::string line_;
  bool overlong_ = false;
  bool closed_ = false;
};

LinkConsole::LinkConsole(link::Session& session)
    : session_(session),
      report_(std::make_unique<Report>(session)),
      commands_(std::make_unique<Commands>(session)) {}

LinkConsole::~LinkConsole() = default;

void LinkConsole::join() {
  const link::Status joined = report_->join(std::chrono::seconds(1));
  // Alone, starting is ours to do; in a session, its peers' start and stop are followed.
  if (session_.start_stop_sync() && joined.peers == 0) session_.set_playing(true);
  // Link shares start and stop as they happen: a peer that joins learns of the next one.
  if (session_.start_stop_sync() && joined.peers > 0 && !joined.playing)
    std::printf("link: waiting for a peer to start or stop (type start to start them all)\n");
}

void LinkConsole::poll() {
  commands_->poll_input();
  report_->update();
}

}  // namespace cacophony::cli
