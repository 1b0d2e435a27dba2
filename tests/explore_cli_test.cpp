// `explore` on the command line: the verdicts, the JSON, and `run --replay` of a schedule it
// reported giving the same anomaly.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/command.h"
#include "support/folder.h"

namespace {

using cacophony::test_support::CommandResult;
using cacophony::test_support::run_cacophony;

struct Folder : cacophony::test_support::Folder {
  Folder() : cacophony::test_support::Folder("cacophony_explore_cli_") {}
};

TEST(ExploreCli, JsonHoldsEveryClassAndReplayReproducesTheFirst) {
  Folder dir;
  const CommandResult r = run_cacophony(
      "explore async_naive async_with_mutex --schedules 300 --json " + dir.at("x.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("async_naive: disorder in "), std::string::npos) << r.out;
  std::ifstream in(dir / "x.json");
  const nlohmann::json all = nlohmann::json::parse(in);
  ASSERT_EQ(all.size(), 2u);
  const nlohmann::json& naive = all[0];
  EXPECT_EQ(naive.at("id"), "async_naive");
  EXPECT_EQ(naive.at("strategy"), "random");
  EXPECT_EQ(naive.at("schedules"), 300);
  ASSERT_EQ(naive.at("outcomes").size(), 7u);
  std::string first;
  for (const auto& o : naive.at("outcomes")) {
    EXPECT_TRUE(o.contains("class") && o.contains("count") && o.contains("first_schedule"));
    if (o.at("class") == "disorder") first = o.at("first_schedule");
  }
  EXPECT_TRUE(naive.at("metrics").at("out_of_order").contains("median"));
  for (const auto& o : all[1].at("outcomes"))
    if (o.at("class") == "lost" || o.at("class") == "disorder") {
      EXPECT_EQ(o.at("count"), 0);
    }
  ASSERT_FALSE(first.empty());
  const CommandResult replay = run_cacophony("run async_naive --replay " + first);
  EXPECT_EQ(replay.code, 0) << replay.out;
  EXPECT_EQ(replay.out.find("disorder 0 "), std::string::npos) << first << "\n" << replay.out;
}

TEST(ExploreCli, BadInputIsOneLineAndExitCode2) {
  for (const char* args :
       {"explore", "explore nope", "explore async_naive --strategy lifo",
        "explore async_naive --schedules 0", "explore async_naive --depth 0",
        "run async_naive --replay x", "run async_naive --replay random:1:1 --time threads"}) {
    const CommandResult r = run_cacophony(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
  }
}

}  // namespace
