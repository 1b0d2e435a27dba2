// The command line: bad input gets one clear line and exit code 2; good input works.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/command.h"

namespace {

using Result = cacophony::test_support::CommandResult;

Result cacophony(const std::string& args) {
  return cacophony::test_support::run_cacophony(args);
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(Cli, BadValuesGetOneLineAndExitCodeTwo) {
  const std::string bpm_range = "--bpm: bpm must lie in (0, 6000], got ";
  const std::string bpm_word = "--bpm: bpm must be a whole number in (0, 6000], got ";
  const std::string beats = "--beats must be a whole number in [1, 10000000], got ";
  const std::string help = " (see cacophony --help)";
  const std::string stack =
      "--stack-size must be 16k..1024m (bytes, or k or m for KiB or MiB), got ";
  // Each bad input, and what is said after "cacophony: error: ".
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--bpm 0", bpm_range + "0"},
      {"--bpm -1", bpm_range + "-1"},
      {"--bpm 6001", bpm_range + "6001"},
      {"--bpm abc", bpm_word + "'abc'"},
      {"--bpm 1e99", bpm_word + "'1e99'"},
      {"--bpm nan", bpm_word + "'nan'"},
      {"--beats -3", beats + "'-3'"},
      {"--beats 0", beats + "'0'"},
      {"--beats 99999999999", beats + "'99999999999'"},
      {"--beats x", beats + "'x'"},
      {"--seed -1", "--seed must be a whole number in [0, 2^64), got '-1'"},
      {"--delay long", "--delay must be short, random or triangular, got 'long'"},
      {"--time warp", "--time must be real, threads or simulated, got 'warp'"},
      {"--unknown", "The following argument was not expected: --unknown" + help},
      {"run", "id is required" + help},
      {"run no_such_scenario", "unknown scenario 'no_such_scenario' (see cacophony list)"},
      {"run async_naive --bpm 0", bpm_range + "0"},
      {"--stack-size 16383", stack + "'16383'"},
      {"run async_naive --stack-size 2g", stack + "'2g'"},
      {"--stack-size 1025m", stack + "'1025m'"},
      {"--stack-size 64q", stack + "'64q'"},
      {"frobnicate", "The following argument was not expected: frobnicate" + help}};
  for (const auto& [args, said] : cases) {
    // In simulated time, should one of them be taken after all; --time warp is its own case.
    const bool timed = args.find("--time") != std::string::npos;
    const Result r = cacophony(args + (timed ? "" : " --time simulated"));
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_EQ(r.out, "cacophony: error: " + said + "\n") << args;
  }
}

TEST(Cli, AnUnwritableJsonPathFailsBeforeAnyWork) {
  const Result r = cacophony("--time simulated --json /nonexistent-folder/out.json");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines(r.out), 1) << r.out;
}

// The exit-code table (0 success, 1 failure while running, 2 bad usage or input, 130
// interrupted), command by command. `play` needs a server: tests/jack_test.cpp and link_test.cpp
// check its 0, 1 and 130, and here its 2 with none running.
TEST(Cli, EveryCommandFollowsTheExitCodeTable) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cacophony-exit-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink("/dev/full", dir / "full.wav");
  const std::string in_dir = "cd '" + dir.string() + "' && ";
  const std::string interrupt = "timeout --preserve-status -s INT 1 ";
  struct Case {
    const char* args;
    std::string prefix;
    int code;
  };
  const std::vector<Case> cases = {
      {"--time simulated --no-report", "", 0},
      {"--time simulated --no-report --beats 0", "", 2},
      {"--time simulated --no-report --json /dev/full", "", 1},
      {"--no-report --beats 150", interrupt, 130},
      {"run sync_ticker --time simulated", "", 0},
      {"run no_such_scenario", "", 2},
      {"run sync_ticker --time simulated > /dev/full", "", 1},
      {"run sync_ticker --beats 150", interrupt, 130},
      {"list", "", 0},
      {"list extra", "", 2},
      {"list > /dev/full", "", 1},
      {"pipeline", "", 0},
      {"pipeline extra", "", 2},
      {"pipeline > /dev/full", "", 1},
      {"render --bpm 120 --beats 2 --out click.wav", in_dir, 0},
      {"render --bpm 0 --beats 2 --out click.wav", in_dir, 2},
      {"render --bpm 120 --beats 2 --out full.wav", in_dir, 1},
      {"link --bpm 1", "", 2},
      {"link", interrupt, 130},
      {"link --seconds 1 > /dev/full", "", 1},
      {"play --bpm 120", "JACK_DEFAULT_SERVER=cacophony-none ", 2},
  };
  for (const Case& c : cases) {
    const Result r = cacophony::test_support::run_cacophony(c.args, c.prefix);
    EXPECT_EQ(r.code, c.code) << c.prefix << "cacophony " << c.args << "\n" << r.out;
  }
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "full.wav"));
  std::filesystem::remove_all(dir);
}

TEST(Cli, HelpTellsTheCommands) {
  const Result r = cacophony("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* word : {"run", "list", "pipeline", "--bpm", "--beats", "--seed", "--time"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
}

TEST(Cli, HelpEndsWithTheExitCodeTable) {
  const Result r = cacophony("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* row : {"Exit codes:", "0    success", "1    failure while running",
                          "2    bad usage or input", "130  interrupted"})
    EXPECT_NE(r.out.find(row), std::string::npos) << row << "\n" << r.out;
}

// Issue 11: a 1 MB command line was echoed back whole, control bytes and all.
TEST(Cli, ErrorsEchoLittleAndNoControlBytes) {
  const Result word = cacophony("--bpm \"$(head -c 100000 /dev/zero | tr '\\0' x)\"");
  EXPECT_EQ(word.code, 2);
  EXPECT_LT(word.out.size(), 400u) << word.out.size();
  EXPECT_NE(word.out.find("… (99802 more bytes)"), std::string::npos) << word.out;
  const Result many = cacophony("list $(seq 1 80000)");
  EXPECT_EQ(many.code, 2);
  EXPECT_EQ(lines(many.out), 1);
  EXPECT_LT(many.out.size(), 1200u) << many.out.size();
  const Result control = cacophony("--time \"$(printf 'a\\033[31mb\\rc')\"");
  EXPECT_EQ(control.code, 2);
  EXPECT_EQ(control.out.find('\033'), std::string::npos) << control.out;
  EXPECT_EQ(control.out.find('\r'), std::string::npos) << control.out;
  EXPECT_NE(control.out.find("a\\x1b[31mb\\x0dc"), std::string::npos) << control.out;
}

TEST(Cli, ListShowsTheFourteenChartsAndThePostsFour) {
  const Result r = cacophony("list");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(lines(r.out), 18);
  EXPECT_NE(r.out.find("async_with_channels_services"), std::string::npos);
}

TEST(Cli, PipelinePrintsTheExpectedOutput) {
  const Result r = cacophony("pipeline");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "elppa\nmucuc\nreb\nnoino\nabbac\neg\nrebua\nenig\n");
}

TEST(Cli, RunWritesTheFiguresAsJson) {
  const auto path = std::filesystem::temp_directory_path() / "cacophony_cli_test.json";
  const Result r =
      cacophony("run async_naive sync_ticker --time simulated --seed 3 --json " + path.string());
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(path);
  const auto json = nlohmann::json::parse(in);
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["id"], "async_naive");
  EXPECT_EQ(json[1]["order"], 5);
  for (const char* key :
       {"id", "order", "beats_expected", "beats_performed", "beats_after_return", "lost_beats",
        "skipped_beats", "duplicate_beats", "beyond_beats", "out_of_order", "interval_ms", "lag_ms",
        "onset_error_us", "stale_volume_beats", "overlapping_measurements", "measurements",
        "busy_wait_cpu_ms", "return_ms"})
    EXPECT_TRUE(json[0].contains(key)) << key;
  EXPECT_EQ(json[1]["lag_ms"]["first"], 15.0);
  std::filesystem::remove(path);
}

// --rt: granted to root (CAP_SYS_NICE); refused with one line and exit code 2 to a user without
// it and with an RLIMIT_RTPRIO of 0 (nobody, every capability dropped).
TEST(Cli, RtRaisesTheClocksThreadWhereTheSystemAllowsIt) {
  const std::string run = "run sync_ticker_fire_immediately --beats 4 --rt";
  for (const char* time : {" --time real", " --time threads"}) {
    const Result root = cacophony(run + time);
    EXPECT_EQ(root.code, 0) << root.out;
    EXPECT_NE(root.out.find(", real-time priority 10\n"), std::string::npos) << root.out;
  }
  // Lowering a limit is always allowed; raising RLIMIT_RTPRIO's hard limit needs
  // CAP_SYS_RESOURCE, which this machine's root lacks, so the limit's own path is not tested.
  const Result refused = cacophony::test_support::run_cacophony(
      run,
      "cd /tmp && prlimit --rtprio=0 setpriv --reuid=65534 --regid=65534 --clear-groups "
      "--inh-caps=-all ");
  EXPECT_EQ(refused.code, 2) << refused.out;
  EXPECT_EQ(lines(refused.out), 1) << refused.out;
  EXPECT_NE(refused.out.find("--rt: this system refuses real-time priority 10 (Operation not "
                             "permitted)"),
            std::string::npos)
      << refused.out;
  const Result simulated = cacophony(run + " --time simulated");
  EXPECT_EQ(simulated.code, 2) << simulated.out;
  EXPECT_NE(simulated.out.find("add --time real or --time threads"), std::string::npos);
}

}  // namespace
