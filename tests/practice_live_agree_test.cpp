// Live practice agrees with itself (issue 24), on a dummy JACK server with cacophony:out looped
// back to cacophony:in: every bar gets its line, the last and one a stop cut short included; each
// line gives the figures of the JSON's bar; beat 1.1 is heard; the count-in played back is no
// extra; --calibrate prints the round trip it measured and no bar of hits.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/files.h"
#include "support/folder.h"
#include "support/jack_server.h"
#include "support/process.h"

namespace {

using namespace cacophony::test_support;
using namespace std::chrono_literals;

struct Folder : cacophony::test_support::Folder {
  Folder() : cacophony::test_support::Folder("cacophony_practice_agree_") {}
};

// The JSON's bar as practice's line gives it (app/options/practice_options.cpp's bar_line).
std::string line_of(const nlohmann::json& bar) {
  const auto value = [&bar](const char* key) {
    return bar[key].is_null() ? 0.0 : bar[key].get<double>();
  };
  const double mean = value("mean_offset_ms");
  char text[320];
  int n = std::snprintf(text, sizeof text, "bar %lld%s: %zu hits, %zu missed, %zu extra",
                        bar["bar"].get<long long>(), bar["muted"].get<bool>() ? " (muted)" : "",
                        bar["hits"].get<std::size_t>(), bar["missed"].get<std::size_t>(),
                        bar["extra"].get<std::size_t>());
  if (bar["hits"].get<std::size_t>() == 0) return text;
  char offset[64];
  if (std::abs(mean) < 0.05)
    std::snprintf(offset, sizeof offset, "on the beat");
  else
    std::snprintf(offset, sizeof offset, "%.1f ms %s", std::abs(mean), mean < 0 ? "early" : "late");
  std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n),
                "; %s on average%s, steadiness ±%.1f ms; %.0f%% within ±10 ms, %.0f%% within "
                "±25 ms",
                offset,
                mean <= -2  ? " (rushing)"
                : mean >= 2 ? " (dragging)"
                            : "",
                value("sd_ms"), value("within_10ms") * 100, value("within_25ms") * 100);
  return text;
}

// A figure as the calibration line gives it: two decimals.
std::string fmt_two(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", v);
  return text;
}

std::vector<std::string> bar_lines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("bar ")) lines.push_back(line);
  return lines;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(
      std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

bool exited(int status, int code) {
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

// Every bar of the JSON has its line, in order, with the same figures.
void expect_lines_are_the_jsons_bars(const std::string& out, const nlohmann::json& take) {
  std::vector<std::string> expected;
  for (const nlohmann::json& bar : take["bars"]) expected.push_back(line_of(bar));
  EXPECT_EQ(bar_lines(out), expected) << out;
}

TEST(PracticeLiveAgree, EveryBarsLineIsTheJsonsAndBeatOneIsHeard) {
  START_SERVER(server);
  Folder dir;
  Process practice({CACOPHONY_BINARY, "practice", "2", "4/4", "120", "--connect", "cacophony:in",
                    "--json", dir.at("take.json")},
                   Output::file(temp_path("agree.out")), Input::null,
                   {server.env(), "XDG_CONFIG_HOME=" + dir.at("config")});
  ASSERT_TRUE(exited(practice.wait(30s), 0)) << practice.output();
  const nlohmann::json take = read_json(dir.at("take.json"));
  ASSERT_EQ(take["bars"].size(), 2u) << practice.output();
  expect_lines_are_the_jsons_bars(practice.output(), take);
  // The loopback plays every click back: none is missed, beat 1.1 least of all.
  EXPECT_EQ(take["missed"].size(), 0u) << take["missed"].dump();
  ASSERT_FALSE(take["hits"].empty());
  EXPECT_EQ(take["hits"][0]["bar"], 1);
  EXPECT_EQ(take["hits"][0]["beat"], 1);
}

// The count-in's clicks, played back too, are the click, not the player: no extras.
TEST(PracticeLiveAgree, TheCountInPlayedBackIsNoExtra) {
  START_SERVER(server);
  Folder dir;
  Process practice({CACOPHONY_BINARY, "practice", "2", "4/4", "120", "--count-in", "1", "--connect",
                    "cacophony:in", "--json", dir.at("take.json")},
                   Output::file(temp_path("count_in.out")), Input::null,
                   {server.env(), "XDG_CONFIG_HOME=" + dir.at("config")});
  ASSERT_TRUE(exited(practice.wait(30s), 0)) << practice.output();
  const nlohmann::json take = read_json(dir.at("take.json"));
  expect_lines_are_the_jsons_bars(practice.output(), take);
  EXPECT_EQ(take["extra"].size(), 0u) << take["extra"].dump();
  EXPECT_EQ(take["missed"].size(), 0u) << take["missed"].dump();
  EXPECT_EQ(take["hits"].size(), 8u) << practice.output();
}

// Ctrl-C in bar 3 of an endless rhythm: bar 3, cut short, has its line as the JSON has it.
TEST(PracticeLiveAgree, ABarAStopCutShortHasItsLineToo) {
  START_SERVER(server);
  Folder dir;
  Process practice({CACOPHONY_BINARY, "practice", "4/4", "240", "--connect", "cacophony:in",
                    "--json", dir.at("take.json")},
                   Output::file(temp_path("cut.out")), Input::null,
                   {server.env(), "XDG_CONFIG_HOME=" + dir.at("config")});
  // Bars 1 and 2 (1 s each) printed as they end, whatever the machine's load.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (bar_lines(practice.output()).size() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(bar_lines(practice.output()).size(), 2u) << practice.output();
  practice.signal(SIGINT);
  ASSERT_TRUE(exited(practice.wait(10s), 130)) << practice.output();
  const nlohmann::json take = read_json(dir.at("take.json"));
  ASSERT_GE(take["bars"].size(), 3u) << practice.output();
  expect_lines_are_the_jsons_bars(practice.output(), take);
}

TEST(PracticeLiveAgree, CalibratePrintsTheRoundTripNotABarOfHits) {
  START_SERVER(server);
  Folder dir;
  Process calibrate({CACOPHONY_BINARY, "practice", "--calibrate", "--connect", "cacophony:in"},
                    Output::file(temp_path("calibrate.out")), Input::null,
                    {server.env(), "XDG_CONFIG_HOME=" + dir.at("config")});
  ASSERT_TRUE(exited(calibrate.wait(30s), 0)) << calibrate.output();
  // One line: the round trip, the clicks it came from and their spread, and where it was kept
  // (read with sscanf, not std::regex: gcc 12's ASan build warns inside std::regex).
  const std::string out = calibrate.output();
  double trip = 0, spread = 0, jack = 0, kept = 0;
  int read = 0;
  ASSERT_EQ(std::sscanf(out.c_str(),
                        "round trip %lf ms (8 clicks, spread %lf ms; JACK reports %lf ms): %lf ms "
                        "kept in %n",
                        &trip, &spread, &jack, &kept, &read),
            4)
      << out;
  EXPECT_EQ(out.substr(static_cast<std::size_t>(read)),
            dir.at("config") + "/cacophony/latency-ms\n");
  EXPECT_EQ(fmt_two(trip), fmt_two(kept)) << out;
  EXPECT_NE(out.find(fmt_two(trip) + " ms ("), std::string::npos) << out;
}

}  // namespace
