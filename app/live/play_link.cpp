#include "live/play_link.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
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

LinkConsole::LinkConsole(link::Session& session)
    : session_(session), report_(std::make_unique<Report>(session)) {}

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
  report_->update();
}

}  // namespace cacophony::cli
