// One voice (app/io/voice.h): the program says everything under the name it was called by, and the
// report page marks a run's figures by one set of thresholds.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>

#include "cacophony/analysis/metrics.h"
#include "cacophony/harness/harness.h"
#include "cacophony/report/page.h"
#include "cacophony/scenario/scenario.h"
#include "support/files.h"
#include "support/folder.h"
#include "support/process.h"

namespace cacophony {
namespace {

using namespace std::chrono_literals;
using test_support::Output;
using test_support::Process;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// cacophony called by another name, as a program of one's own is: a link named "my_own".
class OneVoice : public ::testing::Test {
 protected:
  OneVoice() { std::filesystem::create_symlink(CACOPHONY_BINARY, dir_ / "my_own"); }

  struct Said {
    int code;
    std::string out;  // stdout and stderr
  };
  Said say(const std::string& args) const {
    Process shell({"/bin/sh", "-c", "cd " + dir_.at("") + " && ./my_own " + args}, Output::pipe());
    std::string out = shell.read_all();
    const int status = shell.wait();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::move(out)};
  }

  test_support::Folder dir_{"cacophony_voice_"};
};

TEST_F(OneVoice, ErrorsAndFailuresNameTheProgram) {
  Said r = say("--bogus");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out,
            "my_own: error: The following argument was not expected: --bogus (see my_own "
            "--help)\n");
  r = say("run no_such");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "my_own: error: unknown scenario 'no_such' (see my_own list)\n");
  r = say("run async_naive --replay bogus");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out,
            "my_own: error: --replay takes a schedule that `my_own explore` printed (e.g. "
            "random:3:17), got 'bogus'\n");
  r = say("list > /dev/full");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "my_own: failed: write error on standard output: No space left on device\n");
}

TEST_F(OneVoice, RunsHeaderAndItsStopNoteNameTheProgram) {
  Process run({(dir_ / "my_own").string(), "run", "async_naive", "sync_ticker", "--beats", "100000",
               "--procs", "2"},
              Output::file(test_support::temp_path("voice-run.out")));
  ASSERT_TRUE(run.wait_for_output(
      "my_own: 2 scenarios at 6000 bpm, 100000 beats, seed 1, real time on 2 worker threads\n",
      10s))
      << run.output();
  run.signal(SIGINT);
  ASSERT_TRUE(run.wait_for_output(
      "\nmy_own: stopping after this scenario (Ctrl-C again to abort at once)\n", 10s))
      << run.output();
  run.signal(SIGINT);
  const int status = run.wait(10s);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
  EXPECT_EQ(lower(run.output()).find("cacophony"), std::string::npos) << run.output();
}

TEST_F(OneVoice, ExploreAndItsPageTellTheReaderThisProgramsCommands) {
  const Said r = say("explore async_naive --schedules 20 --report x.html");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("wrote x.html"), std::string::npos) << r.out;
  EXPECT_EQ(lower(r.out).find("cacophony"), std::string::npos) << r.out;
  const std::string page = test_support::slurp(dir_.at("x.html"));
  EXPECT_NE(page.find("(<code>my_own explore</code>)"), std::string::npos);
  EXPECT_NE(page.find("my_own run async_naive --replay "), std::string::npos);
  for (const char* told : {"cacophony run", "cacophony explore", "cacophony list"})
    EXPECT_EQ(lower(page).find(told), std::string::npos) << told;
}

// The thresholds a figure is marked bad by: over them in every figure, and then just at them.
TEST(ReportMarks, TheChartsFiguresAndTheSummaryMarkTheSameFiguresBad) {
  RunOptions options;
  options.time = runtime::TimeMode::simulated;
  const cacophony::Run run = run_scenario(*find_scenario("sync_ticker"), options);
  Metrics over = measure(run);
  over.lost_beats = 1;
  over.skipped_beats = 1;
  over.duplicate_beats = 1;
  over.beyond_beats = 1;
  over.out_of_order = 1;
  over.lag_ms.max = 1.01;
  over.stale_volume_beats = 1;
  over.overlapping_measurements = 1;
  over.busy_wait_cpu_ms = 0.051;
  std::string page = report_page({run}, {over}, options);
  EXPECT_EQ(count(page, "<li class=\"bad\""), 9u);
  EXPECT_EQ(count(page, "<td class=\"bad\""), 9u);
  Metrics at = over;
  at.lost_beats = 0;
  at.skipped_beats = 0;
  at.duplicate_beats = 0;
  at.beyond_beats = 0;
  at.out_of_order = 0;
  at.lag_ms.max = 1.0;
  at.stale_volume_beats = 0;
  at.overlapping_measurements = 0;
  at.busy_wait_cpu_ms = 0.05;
  page = report_page({run}, {at}, options);
  EXPECT_EQ(count(page, "class=\"bad\""), 0u);
}

}  // namespace
}  // namespace cacophony
