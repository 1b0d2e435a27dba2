// `link`: watch an Ableton Link session: peers, tempo, beat and phase on one line, live.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cacophony/link/session.h"
#include "commands.h"
#include "io/signals.h"
#include "options/options.h"

namespace cacophony::cli {
namespace {

struct RawLink {
  std::string bpm = "120";
  std::string quantum = "4";
  std::string seconds;
  bool start_stop_sync = false;
};

std::string status_line(const link::Status& s, double quantum, bool start_stop_sync) {
  std::string line =
      fmt::format("peers {}{} | {:.2f} bpm | beat {:.2f} | phase {:.2f}/{:g}", s.peers,
                  s.peers == 0 ? " (alone)" : "", s.bpm, s.beat, s.phase, quantum);
  if (start_stop_sync) line += s.playing ? " | playing" : " | stopped";
  return line;
}

int link_command(const RawLink& raw) {
  const Bpm bpm = parse_bpm(raw.bpm);
  if (bpm.value() < link::kMinBpm || bpm.value() > link::kMaxBpm)
    throw UsageError(fmt::format("--bpm must be in [{:.0f}, {:.0f}], got {}", link::kMinBpm,
                                 link::kMaxBpm, bpm.value()));
  const auto quantum = static_cast<double>(parse_count("--quantum", raw.quantum, 1, 16));
  const std::int64_t seconds =
      raw.seconds.empty() ? 0 : parse_count("--seconds", raw.seconds, 1, 31'536'000);
  catch_stop_signals({SIGINT, SIGTERM});

  link::Session session(static_cast<double>(bpm.value()), quantum, raw.start_stop_sync);
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::seconds(seconds);
  std::size_t width = 0;
  while (!stop_requested() && (seconds == 0 || std::chrono::steady_clock::now() < until)) {
    std::string line = status_line(session.status(), quantum, raw.start_stop_sync);
    // One line, rewritten in place: pad over what a longer line left behind.
    const std::size_t length = line.size();
    if (line.size() < width) line.append(width - line.size(), ' ');
    width = length;
    std::printf("\r%s", line.c_str());
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("\n");
  return stop_requested() ? 130 : 0;
}

}  // namespace

void add_link_command(CLI::App& app, Action& action) {
  auto raw = std::make_shared<RawLink>();
  CLI::App* cmd = app.add_subcommand(
      "link",
      "Watch an Ableton Link session: peers, tempo, beat and phase, one line updated in place");
  cmd->add_option("--bpm", raw->bpm, "Tempo to start a session at when there is none, 20..999")
      ->capture_default_str();
  cmd->add_option("--quantum", raw->quantum, "Beats in a bar, 1..16 (the phase counts within it)")
      ->capture_default_str();
  cmd->add_option("--seconds", raw->seconds, "Watch this long (default: until Ctrl-C)");
  cmd->add_flag("--start-stop-sync", raw->start_stop_sync,
                "Show whether the session is playing (start/stop sync)");
  cmd->callback([raw, &action] { action = [raw] { return link_command(*raw); }; });
}

}  // namespace cacophony::cli
