// Issue 22, live: `play` prints the clicks `render` counts for a rhythm with rests, on the live
// grid (a steady rhythm) and on the rhythm's own (with a count-in), against a dummy jackd.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "support/command.h"
#include "support/files.h"
#include "support/folder.h"
#include "support/jack_server.h"
#include "support/process.h"

namespace {

using namespace cacophony::test_support;

// The clicks render says it wrote for `rhythm`.
long long rendered_clicks(const std::string& rhythm, const std::string& wav) {
  const CommandResult r = run_cacophony("render " + rhythm + " --out " + wav);
  EXPECT_EQ(r.code, 0) << r.out;
  long long clicks = -1;
  const std::size_t at = r.out.find(": ");
  if (at != std::string::npos) std::sscanf(r.out.c_str() + at, ": %lld clicks", &clicks);
  return clicks;
}

// The lines play printed for `rhythm` (one a click, stdout not a terminal), to its end.
std::size_t played_clicks(const JackServer& server, const std::string& rhythm,
                          const std::string& out) {
  Process play({"/bin/sh", "-c", std::string(CACOPHONY_BINARY) + " play " + rhythm},
               Output::file(out, false), Input::null, {server.env()});
  const int status = play.wait(30s);
  if (status == -1) play.signal(SIGKILL);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) << rhythm << "\n"
                                                                             << play.output();
  return lines(play.output()).size();
}

TEST(ReliabilityUsageLive, PlayPrintsTheClicksRenderCountsOfARhythmWithRests) {
  START_SERVER(server);
  Folder dir("reliability_usage_live_");
  for (const char* rhythm : {"1 4/4 600 X...", "2 4/4 600 ....", "2 4/4 600 .x.X --subdivide 2",
                             "1 4/4 600 X... --count-in 0"}) {
    const long long rendered = rendered_clicks(rhythm, dir.at("click.wav"));
    EXPECT_EQ(static_cast<long long>(played_clicks(server, rhythm, dir.at("play.out"))), rendered)
        << rhythm;
  }
  EXPECT_EQ(rendered_clicks("1 4/4 600 X...", dir.at("click.wav")), 1);
  // A count-in of two beats takes the pattern too: X and a rest.
  EXPECT_EQ(rendered_clicks("1 4/4 600 X... --count-in 0", dir.at("click.wav")), 2);
}

}  // namespace
