// play's and practice's main threads sleep (issue 23): it waits in poll(2) on what can happen (a
// key, an OSC datagram, a stop signal) and otherwise wakes only at the display's rate, where it
// used to wake every 2 ms (about 500 times a second). Wake-ups are its voluntary context switches,
// read from /proc; the bounds leave a loaded two-core machine (and a sanitizer) much room, yet fail
// at 500.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "support/files.h"
#include "support/folder.h"
#include "support/jack_server.h"
#include "support/process.h"

namespace {

using namespace cacophony::test_support;

// The voluntary context switches of process `pid`'s main thread so far; -1 when it is gone.
long wakeups(pid_t pid) {
  const std::string path =
      "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/status";
  std::ifstream status(path);
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("voluntary_ctxt_switches:"))
      return std::stol(line.substr(line.find(':') + 1));
  return -1;
}

// The main thread's wake-ups a second over 2 s of play, once it has been playing for a second.
double wakeups_per_second(Process& play) {
  std::this_thread::sleep_for(1s);
  const long before = wakeups(play.pid());
  std::this_thread::sleep_for(2s);
  const long after = wakeups(play.pid());
  EXPECT_GE(before, 0) << "play ended early";
  EXPECT_GE(after, 0) << "play ended early";
  return static_cast<double>(after - before) / 2;
}

// Interrupts `live`, which must end as a stop signal asks (130), at once: the signal wakes it.
void expect_stops_at_once(Process& live) {
  const auto asked = std::chrono::steady_clock::now();
  live.signal(SIGINT);
  const int status = live.wait(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 2s);
  ASSERT_NE(status, -1) << "it did not stop";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
}

TEST(LiveRig, QuietPlaysMainThreadSleeps) {
  START_SERVER(server);
  Process play({CACOPHONY_BINARY, "play", "4/4", "120", "--quiet"},
               Output::file(temp_path("rig-quiet.out")), Input::null, {server.env()});
  EXPECT_LT(wakeups_per_second(play), 50) << play.output();
  expect_stops_at_once(play);
  EXPECT_EQ(play.output(), "");
}

// Printing each click (stdout not a terminal), it wakes at the display's rate, about 30 Hz.
TEST(LiveRig, PrintingPlaysMainThreadWakesAtTheDisplaysRate) {
  START_SERVER(server);
  Process play({CACOPHONY_BINARY, "play", "4/4", "120"}, Output::file(temp_path("rig-beats.out")),
               Input::null, {server.env()});
  EXPECT_LT(wakeups_per_second(play), 100) << play.output();
  expect_stops_at_once(play);
  EXPECT_NE(play.output().find("1.1 at 120 bpm: beat #0 at 80 power (frame 0)\n"),
            std::string::npos)
      << play.output();
}

// practice's main thread slept 5 ms a round (200 wake-ups a second); now 20 ms, and a stop
// signal still ends it at once, with what was measured.
TEST(LiveRig, PracticesMainThreadSleeps) {
  START_SERVER(server);
  Folder dir("cacophony-rig-practice");
  Process practice({CACOPHONY_BINARY, "practice", "4/4", "240"},
                   Output::file(temp_path("rig-practice.out")), Input::null,
                   {server.env(), "XDG_CONFIG_HOME=" + dir.at("config")});
  EXPECT_LT(wakeups_per_second(practice), 100) << practice.output();
  expect_stops_at_once(practice);
  EXPECT_NE(practice.output().find("bar 1: "), std::string::npos) << practice.output();
}

}  // namespace
