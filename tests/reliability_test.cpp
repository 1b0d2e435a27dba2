// Issue 22, reliability (practice, signals, OSC), without JACK: practice's bar-by-bar figures
// against the whole take's, the onset detector's promise of what is settled, OSC's refusal of a
// port no reply can reach, and explore and analyze stopped by a signal.

#include <gtest/gtest.h>
#include <lo/lo.h>
#include <signal.h>
#include <sndfile.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/practice/practice.h"
#include "cacophony/remote/osc.h"
#include "cacophony/rhythm/parse.h"
#include "support/audio.h"
#include "support/files.h"
#include "support/folder.h"
#include "support/proc.h"
#include "support/process.h"

namespace {

using namespace cacophony;
using namespace cacophony::test_support;
using namespace std::chrono_literals;

constexpr int kRate = 48000;

bool exited_with(int status, int code) {
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

// A take's hits around `grid`, heard `latency` frames late: most positions hit within ±140 ms,
// some missed, some flammed, extras anywhere (also before the grid), in order of frame.
std::vector<practice::Hit> made_up_hits(const std::vector<practice::Position>& grid,
                                        std::int64_t latency) {
  std::mt19937_64 gen(22);
  std::normal_distribution<double> offset_ms(0, 35);
  std::uniform_real_distribution<double> chance(0, 1);
  std::vector<practice::Hit> hits{{latency - 9000, 0.5f}};
  for (const practice::Position& p : grid) {
    if (chance(gen) < 0.1) continue;
    const double ms = std::clamp(offset_ms(gen), -140.0, 140.0);
    const std::int64_t at = p.frame + latency + std::llround(ms * kRate / 1000);
    hits.push_back({at, 0.5f});
    if (chance(gen) < 0.1) hits.push_back({at + 700, 0.3f});  // a flam's second stroke
    if (chance(gen) < 0.15) hits.push_back({at + std::llround(chance(gen) * 20000), 0.2f});
  }
  std::sort(hits.begin(), hits.end(),
            [](const practice::Hit& a, const practice::Hit& b) { return a.frame < b.frame; });
  return hits;
}

// Practice shows each bar as it ends; measuring the take so far at each bar cost the whole take
// again every bar. Bar by bar, the figures are the whole take's, each bar given once, in order,
// as soon as every hit up to the next bar is known, and the last bar (with no next) never.
TEST(ReliabilityPractice, BarByBarFiguresAreTheWholeTakes) {
  const rhythm::Performance performance =
      rhythm::parse_words(std::vector<std::string>{"24", "4/4", "150"});
  const std::vector<practice::Position> grid =
      practice::positions(performance, kRate, practice::MutePlan{2, 1, 0, 1});
  const double latency_ms = 12.5;
  const std::vector<practice::Hit> hits = made_up_hits(grid, 600);
  const practice::Result whole = practice::measure(grid, hits, kRate, latency_ms, 150);
  ASSERT_EQ(whole.bars.size(), 24u);

  practice::BarMeasure measure(grid, kRate, latency_ms, 150);
  std::vector<practice::BarFigures> bars;
  std::size_t given = 0;
  for (std::int64_t settled = 0; settled < grid.back().frame + kRate; settled += 1000) {
    for (; given < hits.size() && hits[given].frame < settled; ++given) measure.add(hits[given]);
    for (const practice::BarFigures& bar : measure.complete(settled)) {
      // Complete once the next bar's first position is heard (600 frames of latency).
      const auto next = std::find_if(grid.begin(), grid.end(), [&](const practice::Position& p) {
        return p.bar == bar.bar + 1;
      });
      ASSERT_NE(next, grid.end());
      EXPECT_GT(settled - 600, next->frame);
      EXPECT_LE(settled - 1000 - 600, next->frame) << "bar " << bar.bar << " came late";
      bars.push_back(bar);
    }
  }
  ASSERT_EQ(bars.size(), 23u);
  std::size_t compared_hits = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    SCOPED_TRACE("bar " + std::to_string(i + 1));
    const practice::BarFigures& want = whole.bars[i];
    EXPECT_EQ(bars[i].bar, want.bar);
    EXPECT_EQ(bars[i].muted, want.muted);
    EXPECT_EQ(bars[i].figures.hits, want.figures.hits);
    EXPECT_EQ(bars[i].figures.missed, want.figures.missed);
    EXPECT_EQ(bars[i].figures.extra, want.figures.extra);
    EXPECT_EQ(bars[i].figures.mean_offset_ms, want.figures.mean_offset_ms);
    EXPECT_EQ(bars[i].figures.sd_ms, want.figures.sd_ms);
    EXPECT_EQ(bars[i].figures.within_10ms, want.figures.within_10ms);
    EXPECT_EQ(bars[i].figures.within_25ms, want.figures.within_25ms);
    compared_hits += want.figures.hits;
  }
  // The take is one to learn from: hits, misses, extras and muted bars all occur.
  EXPECT_GT(compared_hits, 60u);
  EXPECT_GT(whole.missed.size(), 3u);
  EXPECT_GT(whole.extra.size(), 5u);
  EXPECT_TRUE(bars[2].muted);
}

// A signal of decaying noise bursts over quiet noise, 4 a second, slightly uneven.
std::vector<float> bursts(double seconds) {
  std::mt19937_64 gen(5);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> out(static_cast<std::size_t>(seconds * kRate));
  for (float& v : out) v = 0.003f * gauss(gen);
  for (std::size_t at = 6000; at + kRate / 4 < out.size(); at += 12000 + (at % 7) * 300)
    for (std::size_t i = 0; i < 4800; ++i)
      out[at + i] += 0.5f * gauss(gen) * std::exp(-static_cast<float>(i) / 1200.0f);
  return out;
}

// settled() promises that no later hit comes before it: BarMeasure counts on it.
TEST(ReliabilityPractice, NoHitComesBeforeWhatTheDetectorCalledSettled) {
  const std::vector<float> signal = bursts(12);
  practice::OnsetDetector detector(kRate);
  std::vector<practice::Hit> hits;
  std::int64_t settled = 0;
  std::int64_t latest = 0;
  for (std::size_t at = 0; at < signal.size(); at += 1000) {
    const std::size_t before = hits.size();
    detector.feed(signal.data() + at, std::min<std::size_t>(1000, signal.size() - at), hits);
    for (std::size_t h = before; h < hits.size(); ++h)
      EXPECT_GE(hits[h].frame, settled) << "a hit before what was settled, fed up to " << at;
    settled = std::max(settled, detector.settled());
    latest = settled;
  }
  detector.finish(hits);
  EXPECT_EQ(hits.size(), practice::detect_hits(signal, kRate).size());
  EXPECT_GE(hits.size(), 40u);
  // It keeps up: settled trails the signal by well under the 150 ms a window reaches.
  EXPECT_GT(latest, static_cast<std::int64_t>(signal.size()) - kRate / 6);
}

void quiet(int, const char*, const char*) {}

// A reply goes to the port a client registers: 0, or a number beyond 65535, can't be one. Such a
// register gets the error reply every bad message gets, and registers nothing.
TEST(ReliabilityOsc, RegisterRefusesAPortNoReplyCanReach) {
  remote::OscRemote osc("127.0.0.1", 0);
  lo_server client = lo_server_new_with_proto(nullptr, LO_UDP, quiet);
  ASSERT_NE(client, nullptr);
  std::vector<std::string> errors;
  lo_server_add_method(
      client, "/cacophony/error", "s",
      [](const char*, const char*, lo_arg** argv, int, lo_message, void* seen) {
        static_cast<std::vector<std::string>*>(seen)->push_back(&argv[0]->s);
        return 0;
      },
      &errors);
  lo_address target = lo_address_new("127.0.0.1", std::to_string(osc.port()).c_str());
  const std::string wanted = "register: the URL's port must be a number in 1..65535";
  for (const std::string& port : {std::string("0"), std::string(5000, '9'), std::string("65536")}) {
    SCOPED_TRACE(port.substr(0, 10));
    errors.clear();
    lo_message message = lo_message_new();
    lo_message_add_string(message, ("osc.udp://127.0.0.1:" + port + "/").c_str());
    lo_send_message_from(target, client, "/cacophony/register", message);
    lo_message_free(message);
    std::vector<remote::Command> commands;
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (errors.empty() && std::chrono::steady_clock::now() < deadline) {
      for (remote::Command& c : osc.poll()) commands.push_back(std::move(c));
      lo_server_recv_noblock(client, 5);
    }
    EXPECT_EQ(errors, std::vector<std::string>{wanted});
    EXPECT_TRUE(commands.empty());
    EXPECT_EQ(osc.clients(), 0u);
  }
  lo_address_free(target);
  lo_server_free(client);
}

struct Folder : test_support::Folder {
  Folder() : test_support::Folder("cacophony_reliability_") {}
};

// Ten million schedules take hours: Ctrl-C or SIGTERM stops explore between two of them, at
// once, with 130, and what was explored is written, marked interrupted.
TEST(ReliabilitySignals, ExploreStopsBetweenSchedulesAndWritesWhatItExplored) {
  for (const int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    Folder dir;
    Process explore({CACOPHONY_BINARY, "explore", "async_naive", "sync_ticker", "--schedules",
                     "10000000", "--json", dir.at("x.json"), "--report", dir.at("x.html")},
                    Output::file(temp_path("explore-stopped.out")));
    std::this_thread::sleep_for(1s);
    const auto asked = std::chrono::steady_clock::now();
    explore.signal(sig);
    const int status = explore.wait(10s);
    ASSERT_NE(status, -1) << "explore did not stop";
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
    EXPECT_TRUE(exited_with(status, 130)) << explore.output();
    const std::string out = explore.output();
    const std::size_t verdict = out.find(" schedules (random, vary both, interrupted), ");
    ASSERT_NE(verdict, std::string::npos) << out;
    EXPECT_EQ(out.rfind("\nasync_naive: ", verdict), out.rfind('\n', verdict - 1)) << out;
    EXPECT_NE(out.find("\nwrote " + dir.at("x.json") + "\nwrote " + dir.at("x.html") + "\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("sync_ticker"), std::string::npos) << "the second scenario never began";
    const std::string json = slurp(dir.at("x.json"));
    EXPECT_NE(json.find("\"interrupted\": true"), std::string::npos) << json;
    EXPECT_EQ(json.find("sync_ticker"), std::string::npos) << json;
    EXPECT_NE(slurp(dir.at("x.html")).find("(random, vary both, interrupted)"), std::string::npos);
    EXPECT_EQ(dir.names(), (std::vector<std::string>{"x.html", "x.json"}));
  }
}

// Writes `seconds` of quiet noise with a burst every second, 16-bit mono at 48 kHz.
void write_take(const std::string& path, int seconds) {
  std::vector<float> second(kRate, 0.0f);
  std::mt19937_64 gen(3);
  std::normal_distribution<float> gauss(0.0f, 0.003f);
  for (std::size_t i = 0; i < second.size(); ++i)
    second[i] = gauss(gen) + (i < 4800 ? 0.5f * std::exp(-static_cast<float>(i) / 1200.0f) : 0.0f);
  write_repeated(path, kRate, second, seconds, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
}

// analyze died of SIGTERM (143 to a shell) where every other command exits with 130.
TEST(ReliabilitySignals, AnalyzeStoppedBySigtermOrSigintExitsWith130) {
  Folder dir;
  write_take(dir.at("long.wav"), 600);  // 10 minutes, 55 MB
  for (const int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(sig);
    Process analyze({CACOPHONY_BINARY, "analyze", dir.at("long.wav"), "4/4", "60", "--json",
                     dir.at("long.json")},
                    Output::file(temp_path("analyze-stopped.out")));
    ASSERT_TRUE(test_support::wait_until_caught(analyze.pid(), sig, 20s)) << "no handler";
    std::this_thread::sleep_for(500ms);  // well into the take
    analyze.signal(sig);
    const int status = analyze.wait(10s);
    ASSERT_NE(status, -1) << "analyze did not stop";
    EXPECT_TRUE(exited_with(status, 130)) << status << " " << analyze.output();
    EXPECT_EQ(analyze.output(), "");
    EXPECT_EQ(dir.names(), std::vector<std::string>{"long.wav"}) << "nothing half-written";
  }
}

}  // namespace
