// Issue 22, reliability of practice and play on a JACK server of the test's own: a server that
// hangs (before they start, or while they play), a server that goes away, the calibration file that
// is not a file or can't be written, and tempos typed into play.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/files.h"
#include "support/folder.h"
#include "support/jack_server.h"
#include "support/process.h"
#include "support/pty_process.h"

namespace {

using namespace cacophony::test_support;
using namespace std::chrono_literals;

bool exited_with(int status, int code) {
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

struct Folder : cacophony::test_support::Folder {
  Folder() : cacophony::test_support::Folder("cacophony_reliability_live_") {}
};

// ThreadSanitizer's own second of sleep at exit is turned off (a later option wins), so that the
// time a stop takes is the program's.
std::string no_exit_sleep() {
  const char* tsan = std::getenv("TSAN_OPTIONS");
  return "TSAN_OPTIONS=" + std::string(tsan ? tsan : "") + " atexit_sleep_ms=0";
}

// JackSink's contract: once stop() gives up on a wedged server, the client's callback may still
// run on the sink, the engine, its grids and the muted bars they read, so none may be destroyed.
// practice destroyed them all; now it leaves them, as play does, and reports what it measured.
TEST(ReliabilityLive, AWedgedServerDoesNotKeepPracticeFromStopping) {
  START_SERVER(server);
  Folder dir;
  Process practice({CACOPHONY_BINARY, "practice", "4/4", "240", "--mute", "1/1"},
                   Output::file(temp_path("practice-wedged.out")), Input::null,
                   {server.env(), no_exit_sleep(), "XDG_CONFIG_HOME=" + dir.at("config")});
  ASSERT_TRUE(practice.wait_for_output("bar 1: ", 10s)) << practice.output();
  server.signal(SIGSTOP);
  std::this_thread::sleep_for(100ms);
  const auto asked = std::chrono::steady_clock::now();
  practice.signal(SIGINT);
  const int status = practice.wait(5s);
  const auto took = std::chrono::steady_clock::now() - asked;
  server.signal(SIGCONT);
  EXPECT_TRUE(server.wait_ready(10s)) << "the server recovers";
  ASSERT_NE(status, -1) << "practice hung on the wedged server";
  const std::string out = practice.output();
  EXPECT_TRUE(exited_with(status, 130)) << out;
  EXPECT_LT(took, 3s);
  const std::size_t left = out.find("cacophony: the JACK server does not answer: leaving it\n");
  EXPECT_NE(left, std::string::npos) << out;
  EXPECT_GT(out.find("\noverall: "), left) << "what was measured is reported after\n" << out;
}

// A server wedged before play or practice starts let neither open its client: libjack waited for
// ever, and so did they. Now the opening gives up after JackSink::kOpenPatience (5 s), in one line
// and exit code 1, as for a server gone.
TEST(ReliabilityLive, AServerWedgedBeforeTheStartIsSaidInOneLine) {
  START_SERVER(server);
  server.signal(SIGSTOP);
  for (const std::string command : {"play", "practice"}) {
    SCOPED_TRACE(command);
    Folder dir;
    Process started({CACOPHONY_BINARY, command, "4/4", "240"},
                    Output::file(temp_path("wedged-at-start.out")), Input::null,
                    {server.env(), no_exit_sleep(), "XDG_CONFIG_HOME=" + dir.at("config")});
    const int status = started.wait(20s);
    ASSERT_NE(status, -1) << command << " hung on the wedged server";
    EXPECT_TRUE(exited_with(status, 1)) << started.output();
    EXPECT_EQ(started.output(), "cacophony: failed: the JACK server does not answer\n");
  }
  server.signal(SIGCONT);
  EXPECT_TRUE(server.wait_ready(10s)) << "the server recovers";
}

// A FIFO where the calibration is kept hung practice at its start (opening it waited for a
// writer): it is said and left alone, and practice plays.
TEST(ReliabilityLive, AFifoInPlaceOfTheCalibrationIsNotWaitedFor) {
  START_SERVER(server);
  Folder dir;
  std::filesystem::create_directories(dir / "cacophony");
  const std::string fifo = dir.at("cacophony/latency-ms");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Process practice({CACOPHONY_BINARY, "practice", "1", "4/4", "240"},
                   Output::file(temp_path("practice-fifo.out")), Input::null,
                   {server.env(), "XDG_CONFIG_HOME=" + dir.path().string()});
  const int status = practice.wait(20s);
  ASSERT_NE(status, -1) << "practice hung on the FIFO";
  const std::string out = practice.output();
  EXPECT_TRUE(exited_with(status, 0)) << out;
  EXPECT_TRUE(
      out.starts_with("cacophony: " + fifo + " is not a regular file: no calibration taken\n"))
      << out;
  EXPECT_NE(out.find("\noverall: "), std::string::npos) << out;
}

// `practice --calibrate` through a loopback (its own out to its own in), with `prefix` run by the
// shell before it in a mount namespace of its own; what it said, and its exit status.
struct Calibration {
  int status;
  std::string out;
};
Calibration calibrate(const JackServer& server, const Folder& dir, const std::string& prefix) {
  const std::string command =
      prefix + "exec " + CACOPHONY_BINARY + " practice --calibrate --connect cacophony:in";
  Process shell({"unshare", "--mount", "/bin/sh", "-c", command},
                Output::file(temp_path("calibrate.out")), Input::null,
                {server.env(), "XDG_CONFIG_HOME=" + dir.path().string()});
  const int status = shell.wait(30s);
  return {status, shell.output()};
}

// A calibration that could not be kept said "kept in ..." and exited 0: the measurement was lost
// unsaid. A folder in the file's place is said, in one line, with exit code 1.
TEST(ReliabilityLive, ACalibrationThatCannotBeKeptInAFolderFails) {
  START_SERVER(server);
  Folder dir;
  std::filesystem::create_directories(dir / "cacophony/latency-ms");
  const Calibration c = calibrate(server, dir, "");
  EXPECT_TRUE(exited_with(c.status, 1)) << c.out;
  const std::vector<std::string> said = lines(c.out);
  ASSERT_FALSE(said.empty());
  EXPECT_EQ(said.back(), "cacophony: failed: the calibration was not kept: '" +
                             dir.at("cacophony/latency-ms") + "' is not a regular file");
  EXPECT_EQ(c.out.find("kept in"), std::string::npos) << c.out;
  EXPECT_TRUE(std::filesystem::is_directory(dir / "cacophony/latency-ms"));
}

// A full disk (a 4 KiB tmpfs, filled, mounted in a mount namespace of the test's own): the write
// fails, and so does the calibration, in one line, with exit code 1.
TEST(ReliabilityLive, ACalibrationThatCannotBeKeptOnAFullDiskFails) {
  START_SERVER(server);
  Folder dir;
  std::filesystem::create_directories(dir / "cacophony");
  const std::string folder = dir.at("cacophony");
  const Calibration c =
      calibrate(server, dir,
                "mount -t tmpfs -o size=4k tmpfs " + folder + " || exit 99; head -c 8192 " +
                    "/dev/zero > " + folder + "/filler 2>/dev/null; ");
  ASSERT_FALSE(exited_with(c.status, 99)) << "no tmpfs: " << c.out;
  EXPECT_TRUE(exited_with(c.status, 1)) << c.out;
  const std::vector<std::string> said = lines(c.out);
  ASSERT_FALSE(said.empty());
  EXPECT_EQ(said.back(), "cacophony: failed: the calibration was not kept: writing '" + folder +
                             "/latency-ms' failed: No space left on device");
}

// The server's going was said after an empty line: now on the line after the last click, and
// after the status line of a terminal, ended, never after a blank one.
TEST(ReliabilityLive, TheServersGoingIsSaidWithoutABlankLine) {
  {
    START_SERVER(server);
    Process play({CACOPHONY_BINARY, "play", "--bpm", "240"}, Output::file(temp_path("gone.out")),
                 Input::null, {server.env()});
    ASSERT_TRUE(play.wait_for_output("beat #1 ", 10s)) << play.output();
    server.signal(SIGTERM);
    const int status = play.wait(10s);
    const std::string out = play.output();
    EXPECT_TRUE(exited_with(status, 1)) << out;
    EXPECT_TRUE(out.ends_with(")\ncacophony: failed: the JACK server went away\n")) << out;
  }
  {
    START_SERVER(server);
    PtyProcess play({CACOPHONY_BINARY, "play", "--bpm", "240"}, {server.env()});
    ASSERT_TRUE(play.started());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (play.output().find(" bpm  vol ") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    server.signal(SIGTERM);
    const int status = play.wait(10s);
    const std::string out = play.output();
    EXPECT_TRUE(exited_with(status, 1)) << out;
    // The status line, then its end (a terminal's \r\n), then the message on its own line.
    EXPECT_NE(out.find("\x1b[K\r\ncacophony: failed: the JACK server went away\r\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("\r\n\r\n"), std::string::npos) << out;
  }
}

// A tempo typed into play is read as the options read numbers: 0x10 set 16 bpm, as strtod read
// it, though --bpm refuses hex.
TEST(ReliabilityLive, ATypedTempoIsANumberAsTheOptionsTakeIt) {
  START_SERVER(server);
  Process play({CACOPHONY_BINARY, "play", "--bpm", "240"}, Output::file(temp_path("typed.out")),
               Input::pipe, {server.env()});
  ASSERT_TRUE(play.wait_for_output("beat #1 ", 10s)) << play.output();
  ASSERT_TRUE(play.type("0x10\ninf\n  90.5\n"));
  EXPECT_TRUE(play.wait_for_output(" at 90.5 bpm: ", 10s)) << play.output();
  play.signal(SIGINT);
  EXPECT_TRUE(exited_with(play.wait(10s), 130));
  const std::string out = play.output();
  for (const char* typed : {"0x10", "inf"})
    EXPECT_NE(out.find(std::string("cacophony: '") + typed +
                       "' is not a command: type a tempo in [1, 1000], start or stop\n"),
              std::string::npos)
        << typed << "\n"
        << out;
  EXPECT_EQ(out.find(" at 16 bpm: "), std::string::npos) << out;
}

}  // namespace
