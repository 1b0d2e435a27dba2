// `explore` on the command line: the verdicts, the JSON, the report page, and `run --replay` of a
// schedule it reported giving the same anomaly.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/command.h"
#include "support/folder.h"
#include "support/page_data.h"

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
  ASSERT_EQ(naive.at("outcomes").size(), 10u);
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

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The part of `page` between `from` and the next `to`, after `at`.
std::string between(const std::string& page, const std::string& from, const std::string& to,
                    std::size_t at = 0) {
  const auto start = page.find(from, at);
  if (start == std::string::npos) return {};
  const auto stop = page.find(to, start + from.size());
  return page.substr(start + from.size(), stop - start - from.size());
}

// "68.5%": a count's share of the schedules, as the page prints it.
std::string share(std::size_t count, std::size_t schedules) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%",
                100.0 * static_cast<double>(count) / static_cast<double>(schedules));
  return text;
}

TEST(ExploreCli, ReportShowsPerChartTheCountsOfTheJson) {
  Folder dir;
  const CommandResult r =
      run_cacophony("explore async_naive async_with_mutex --schedules 200 --json " +
                    dir.at("x.json") + " --report " + dir.at("p.html"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("wrote " + dir.at("p.html")), std::string::npos) << r.out;
  const nlohmann::json all = nlohmann::json::parse(slurp(dir / "x.json"));
  const std::string page = slurp(dir / "p.html");
  const nlohmann::json charts =
      cacophony::test_support::page_data(page, "cacophony-data").at("charts");
  ASSERT_EQ(all.size(), 2u);
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_NE(page.find("Strategy <b>random</b>"), std::string::npos);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const nlohmann::json& x = charts[i].at("exploration");
    EXPECT_EQ(charts[i].at("id"), all[i].at("id"));
    for (const char* key : {"strategy", "schedules", "exhausted", "outcomes"})
      EXPECT_EQ(x.at(key), all[i].at(key)) << key;
    // Every class's count and share, rendered in the chart's table and in the table above.
    const std::string id = all[i].at("id");
    const std::string chart = between(page, "<details class=\"chart\" id=\"" + id, "</details>");
    const std::string summary = between(page, "<a href=\"#" + id, "</tr>");
    const std::size_t schedules = all[i].at("schedules");
    for (const auto& o : all[i].at("outcomes")) {
      const std::string name = o.at("class");
      const std::size_t n = o.at("count");
      const std::string row = between(chart, "data-class=\"" + name + "\">", "</tr>");
      EXPECT_NE(row.find(">" + name + "</th><td>" + std::to_string(n) + "/" +
                         std::to_string(schedules) + "</td><td>" + share(n, schedules) + "<"),
                std::string::npos)
          << id << " " << name << ": " << row;
      if (n > 0) {
        EXPECT_NE(row.find("<code>" + o.at("first_schedule").get<std::string>() + "</code>"),
                  std::string::npos)
            << row;
      }
      EXPECT_NE(summary.find("data-class=\"" + name + "\">" + std::to_string(n) + " (" +
                             share(n, schedules) + ")</td>"),
                std::string::npos)
          << id << " " << name << ": " << summary;
    }
  }
  EXPECT_GT(charts[0].at("exploration").at("outcomes")[0].at("count"), 0);  // naive loses beats
  EXPECT_EQ(charts[1].at("exploration").at("outcomes")[0].at("count"), 0);  // the mutex never
}

// The command line the page gives for the run a chart draws draws the same run.
TEST(ExploreCli, TheReportsReplayLineDrawsTheSameRun) {
  Folder dir;
  const CommandResult r = run_cacophony(
      "explore async_naive --schedules 50 --beats 9 --bpm 3000 --report " + dir.at("p.html"));
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string page = slurp(dir / "p.html");
  const nlohmann::json chart =
      cacophony::test_support::page_data(page, "cacophony-data")["charts"][0];
  const nlohmann::json& shown = chart.at("exploration").at("shown");
  ASSERT_TRUE(shown.is_object()) << chart.at("exploration");
  const std::string row =
      between(page, "data-class=\"" + shown.at("class").get<std::string>() + "\">", "</tr>",
              page.find("<table class=\"outcomes\">"));
  const std::string command = between(row, "<code class=\"command\">", "</code>");
  ASSERT_EQ(
      command.rfind(
          "cacophony run async_naive --replay " + shown.at("schedule").get<std::string>() + " ", 0),
      0u)
      << row;
  const CommandResult replay =
      run_cacophony(command.substr(std::string("cacophony ").size()), "cd " + dir.at("") + " && ");
  ASSERT_EQ(replay.code, 0) << command << "\n" << replay.out;
  const nlohmann::json again =
      cacophony::test_support::page_data(slurp(dir / "async_naive.html"), "cacophony-data");
  ASSERT_EQ(again.at("charts").size(), 1u);
  EXPECT_FALSE(chart.at("items").empty());
  EXPECT_EQ(again["charts"][0].at("items"), chart.at("items")) << command;
}

TEST(ExploreCli, BadInputIsOneLineAndExitCode2) {
  for (const char* args :
       {"explore", "explore nope", "explore async_naive --strategy lifo",
        "explore async_naive --schedules 0", "explore async_naive --depth 0",
        "explore async_naive --report ''", "explore async_naive --report /no/such/folder/p.html",
        "explore async_naive --json /tmp/same.html --report /tmp/../tmp/same.html",
        "run async_naive --replay x", "run async_naive --replay random:1:1 --time threads"}) {
    const CommandResult r = run_cacophony(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
  }
}

TEST(ExploreCli, VaryOrderSaysItsOrdersAndDfsSaysWhenItRanThemAll) {
  Folder dir;
  const CommandResult order =
      run_cacophony("explore async_naive --vary order --schedules 200 --json " + dir.at("o.json"));
  ASSERT_EQ(order.code, 0) << order.out;
  EXPECT_NE(order.out.find("200 schedules (random, vary order), 199 distinct task orders;"),
            std::string::npos)
      << order.out;
  std::ifstream in(dir / "o.json");
  const nlohmann::json x = nlohmann::json::parse(in).at(0);
  EXPECT_EQ(x.at("vary"), "order");
  EXPECT_EQ(x.at("distinct_orders"), 199);
  EXPECT_EQ(x.at("metrics").at("choice_points").at("min"), 16);
  const CommandResult all =
      run_cacophony("explore async_naive --vary order --strategy dfs --beats 3");
  EXPECT_NE(all.out.find("32 schedules (dfs, vary order), all 28 orders;"), std::string::npos)
      << all.out;
  const CommandResult bound =
      run_cacophony("explore async_naive --vary order --strategy dfs --schedules 10");
  EXPECT_NE(bound.out.find("(stopped at the bound of 10 schedules)"), std::string::npos)
      << bound.out;
  const CommandResult bad = run_cacophony("explore async_naive --vary tempo");
  EXPECT_EQ(bad.code, 2) << bad.out;
}

TEST(ExploreCli, TheMainJobSaysHowOftenEachAnomalyOccurs) {
  Folder dir;
  const CommandResult r = run_cacophony("run async_naive sync_ticker --time simulated --json " +
                                        dir.at("r.json") + " --report " + dir.at("r.html"));
  ASSERT_EQ(r.code, 0) << r.out;
  // At the default seed the one run shows no disorder; the hundred schedules do.
  EXPECT_NE(r.out.find("disorder 0 "), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("   how often, 100 schedules: lost 74/100  disorder 93/100  overlap 100/100\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("   how often, 100 schedules: clean in every one\n"), std::string::npos)
      << r.out;
  std::ifstream in(dir / "r.json");
  const nlohmann::json figures = nlohmann::json::parse(in);
  EXPECT_EQ(figures.at(0).at("how_often").at("disorder"), 93);
  EXPECT_EQ(figures.at(0).at("how_often").at("schedules"), 100);
  const std::string page = slurp(dir / "r.html");
  EXPECT_NE(page.find("data-class=\"disorder\""), std::string::npos);
  EXPECT_NE(page.find("disorder 93/100 (93%)"), std::string::npos);
}

}  // namespace

namespace schedule_words {

std::size_t count(const std::string& text, const std::string& piece) {
  std::size_t n = 0;
  for (auto at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) ++n;
  return n;
}

// The lines of `text` that contain `piece`, joined.
std::string lines_with(const std::string& text, const std::string& piece) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (line.find(piece) != std::string::npos) out += line + "\n";
  return out;
}

TEST(ExploreCli, TwoVsPrintEverySwitchBetweenTasksAmongTheBeats) {
  const CommandResult one = run_cacophony("run bedtime_go_pause --beats 5 --time simulated -v");
  const CommandResult two = run_cacophony("run bedtime_go_pause --beats 5 --time simulated -vv");
  ASSERT_EQ(two.code, 0) << two.out;
  EXPECT_EQ(count(one.out, " -> task "), 0u) << one.out;
  // The main task starts the run and comes back after its pause; each of the five steps is a
  // task that runs twice: to its measurement, and after it to play its beat.
  EXPECT_NE(two.out.find("        0.000 ms  -> task 0 (the main task)\n"), std::string::npos)
      << two.out;
  for (int task = 1; task <= 5; ++task)
    EXPECT_EQ(count(two.out, " -> task " + std::to_string(task) + " (go at bedtime_go_pause.cpp:"),
              2u)
        << two.out;
  EXPECT_EQ(count(two.out, " -> task 0 (the main task)"), 2u) << two.out;
  EXPECT_NE(two.out.find("        5.000 ms  -> task 1 (go at bedtime_go_pause.cpp:"),
            std::string::npos)
      << two.out;
  // The beats are the same lines as with -v, in the same order.
  EXPECT_EQ(count(two.out, " ms  beat #"), 5u) << two.out;
  EXPECT_EQ(lines_with(two.out, " ms  beat #"), lines_with(one.out, " ms  beat #")) << two.out;
}

TEST(ExploreCli, ExplainTellsTheScheduleInWordsAndAReplayIsToldTheSame) {
  const std::string run = "run async_naive --beats 3 --time simulated --explain";
  const CommandResult fifo = run_cacophony(run);
  ASSERT_EQ(fifo.code, 0) << fifo.out;
  EXPECT_NE(fifo.out.find("   step 1: task 0 (the main task) ran before task 1 (go at "),
            std::string::npos)
      << fifo.out;
  const CommandResult a = run_cacophony("run async_naive --beats 3 --replay random:1:5 --explain");
  const CommandResult b = run_cacophony("run async_naive --beats 3 --replay random:1:5 --explain");
  ASSERT_EQ(a.code, 0) << a.out;
  EXPECT_EQ(a.out, b.out);
  const std::string steps = lines_with(a.out, "   step ");
  EXPECT_GT(count(steps, "\n"), 3u) << a.out;
  EXPECT_NE(steps, lines_with(fifo.out, "   step ")) << a.out;
  EXPECT_NE(a.out.find("   schedule, " + std::to_string(count(steps, "\n")) + " choices:\n"),
            std::string::npos)
      << a.out;
}

TEST(ExploreCli, ScheduleWordsNeedSimulatedTime) {
  for (const char* args : {"run async_naive -vv", "run async_naive --explain --time threads"}) {
    const CommandResult r = run_cacophony(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("tells a simulated run's schedule: add --time simulated"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(count(r.out, "\n"), 1u) << r.out;
  }
}

}  // namespace schedule_words
