#include "play_link.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

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
// blocking, so the play loop keeps its pace.
class LinkConsole::Commands {
 public:
  explicit Commands(link::Session& session) : session_(session) {}

  void poll_input() {
    if (closed_) return;
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    while (::poll(&fd, 1, 0) > 0 && (fd.revents & (POLLIN | POLLHUP))) {
      char chunk[256];
      const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n <= 0) {
        closed_ = true;
        return;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
      for (auto eol = buffer_.find('\n'); eol != std::string::npos; eol = buffer_.find('\n')) {
        run(buffer_.substr(0, eol));
        buffer_.erase(0, eol + 1);
      }
    }
  }

 private:
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
    if (end == line.c_str() || *end != '\0' || !(bpm >= link::kMinBpm && bpm <= link::kMaxBpm)) {
      std::fprintf(stderr,
                   "cacophony: '%s' is not a command: type a tempo in [%.0f, %.0f], start or "
                   "stop\n",
                   line.c_str(), link::kMinBpm, link::kMaxBpm);
      return;
    }
    session_.set_tempo(bpm);
  }

  link::Session& session_;
  std::string buffer_;
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
