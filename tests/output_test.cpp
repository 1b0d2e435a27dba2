// Output files and standard output, for every command (app/io/output_file.h): a regular file is
// replaced atomically and nothing else is; devices, FIFOs and "-" are written through; write
// failures are exit code 1, ambiguous options exit code 2. Run as root: the tests make device
// nodes.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/command.h"
#include "support/files.h"
#include "support/folder.h"
#include "support/proc.h"
#include "support/process.h"

namespace {

namespace fs = std::filesystem;
using cacophony::test_support::CommandResult;
using cacophony::test_support::Folder;
using cacophony::test_support::open_in;
using cacophony::test_support::Process;
using cacophony::test_support::slurp;

CommandResult cacophony(const std::string& args) {
  return cacophony::test_support::run_cacophony(args);
}

int lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

// A character device like /dev/null (1, 3) or /dev/full (1, 7), made here.
void make_device(const std::string& path, unsigned minor) {
  ASSERT_EQ(mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)), 0)
      << path << ": mknod needs root";
}

bool is_device(const std::string& path, unsigned minor) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, minor);
}

const std::string kRun = "run async_naive --time simulated ";

TEST(Output, DeviceNodesAreWrittenThroughNeverReplaced) {
  Folder dir("cacophony_output_");
  make_device(dir.at("null"), 3);
  make_device(dir.at("null.wav"), 3);
  const CommandResult json = cacophony("--time simulated --no-report --json " + dir.at("null"));
  EXPECT_EQ(json.code, 0) << json.out;
  EXPECT_TRUE(is_device(dir.at("null"), 3));
  const CommandResult render = cacophony("render --bpm 120 --beats 4 --out " + dir.at("null.wav"));
  EXPECT_EQ(render.code, 0) << render.out;
  EXPECT_TRUE(is_device(dir.at("null.wav"), 3));
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"null", "null.wav"}));
}

TEST(Output, AFullDeviceFailsWithExitCodeOneAndStays) {
  Folder dir("cacophony_output_");
  make_device(dir.at("full"), 7);
  make_device(dir.at("full.wav"), 7);
  for (const std::string& args :
       {kRun + "--report " + dir.at("full"), kRun + "--trace " + dir.at("full"),
        kRun + "--json " + dir.at("full"),
        "render --bpm 120 --beats 4 --out " + dir.at("full.wav")}) {
    const CommandResult r = cacophony(args + " 2>&1 >/dev/null");
    EXPECT_EQ(r.code, 1) << args << "\n" << r.out;
    EXPECT_EQ(lines(r.out), 1) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("cacophony: failed: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("No space left on device"), std::string::npos) << r.out;
  }
  EXPECT_TRUE(is_device(dir.at("full"), 7));
  EXPECT_TRUE(is_device(dir.at("full.wav"), 7));
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"full", "full.wav"}));
}

TEST(Output, DevStdoutIsWrittenThrough) {
  const CommandResult r = cacophony(kRun + "--json /dev/stdout");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\"id\": \"async_naive\""), std::string::npos) << r.out;
  EXPECT_TRUE(fs::is_symlink("/dev/stdout"));

  // Standard output redirected to a file: the JSON follows what was printed; nothing is replaced.
  Folder dir("cacophony_output_");
  const CommandResult to_file = cacophony(kRun + "--json /dev/stdout > " + dir.at("out"));
  EXPECT_EQ(to_file.code, 0) << to_file.out;
  const std::string out = slurp(dir.at("out"));
  const auto header = out.find("cacophony: 1 scenario at");
  const auto json = out.find("\"id\": \"async_naive\"");
  ASSERT_NE(header, std::string::npos) << out;
  ASSERT_NE(json, std::string::npos) << out;
  EXPECT_LT(header, json);
  EXPECT_NE(out.find("wrote /dev/stdout"), std::string::npos) << out;
}

// Runs cacophony with `args` writing to the FIFO `fifo`, read here meanwhile; what came through
// it. The reader is there before the writer starts: a FIFO without one is refused.
std::string through_fifo(const std::vector<std::string>& args, const std::string& fifo) {
  const int reader = open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  EXPECT_GE(reader, 0);
  std::vector<std::string> argv{CACOPHONY_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  Process writer(argv, cacophony::test_support::Output::file(fifo + ".log"));
  std::string got;
  char buffer[4096];
  for (bool ended = false;;) {
    const ssize_t n = read(reader, buffer, sizeof buffer);
    if (n > 0) {
      got.append(buffer, static_cast<std::size_t>(n));
    } else if (ended) {
      break;
    } else {
      ended = writer.wait(std::chrono::milliseconds(5)) != -1;
    }
  }
  EXPECT_EQ(writer.wait(), 0);
  close(reader);
  return got;
}

TEST(Output, AFifoIsWrittenThroughNeverReplaced) {
  Folder dir("cacophony_output_");
  ASSERT_EQ(mkfifo(dir.at("fifo").c_str(), 0666), 0);
  const std::string json = through_fifo(
      {"run", "async_naive", "--time", "simulated", "--json", dir.at("fifo")}, dir.at("fifo"));
  struct stat st {};
  ASSERT_EQ(lstat(dir.at("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(nlohmann::json::parse(json)[0]["id"], "async_naive");

  // A render streams into one too, as FLAC (a WAV header needs a seek back).
  ASSERT_EQ(mkfifo(dir.at("fifo.flac").c_str(), 0666), 0);
  const std::string flac =
      through_fifo({"render", "--bpm", "120", "--beats", "4", "--out", dir.at("fifo.flac")},
                   dir.at("fifo.flac"));
  ASSERT_EQ(lstat(dir.at("fifo.flac").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(flac.substr(0, 4), "fLaC");
}

TEST(Output, ASymlinkIsFollowedAndKept) {
  Folder dir("cacophony_output_");
  std::ofstream(dir.at("target.json")) << "old\n";
  fs::create_symlink("target.json", dir.at("link.json"));
  fs::create_symlink("new.json", dir.at("dangling.json"));
  for (const char* link : {"link.json", "dangling.json"}) {
    const CommandResult r = cacophony(kRun + "--json " + dir.at(link));
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(fs::is_symlink(dir.at(link))) << link;
  }
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.at("target.json")))[0]["id"], "async_naive");
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.at("new.json")))[0]["id"], "async_naive");
  EXPECT_EQ(dir.names(),
            (std::vector<std::string>{"dangling.json", "link.json", "new.json", "target.json"}));
}

TEST(Output, DashIsStandardOutputAndTheLinesGoToStandardError) {
  const CommandResult json = cacophony(kRun + "--json - 2>/dev/null");
  EXPECT_EQ(json.code, 0) << json.out;
  EXPECT_EQ(nlohmann::json::parse(json.out)[0]["id"], "async_naive") << json.out;
  const CommandResult log = cacophony(kRun + "--json - 2>&1 >/dev/null");
  EXPECT_EQ(log.code, 0) << log.out;
  EXPECT_NE(log.out.find("cacophony: 1 scenario at 6000 bpm"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find(" 9 async_naive "), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("wrote standard output"), std::string::npos) << log.out;
  EXPECT_FALSE(fs::exists("-"));
}

TEST(Output, WriteErrorsOnStandardOutputAreExitCodeOne) {
  for (const std::string& args :
       std::vector<std::string>{"list", "pipeline", kRun, kRun + "-v", "--help"}) {
    const CommandResult r = cacophony(args + " >/dev/full");
    EXPECT_EQ(r.code, 1) << args << "\n" << r.out;
    EXPECT_EQ(lines(r.out), 1) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("cacophony: failed: "), std::string::npos) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("No space left on device"), std::string::npos) << args << "\n" << r.out;
  }
}

TEST(Output, WritingTheJsonToAFullStandardOutputIsExitCodeOne) {
  const CommandResult r = cacophony(kRun + "--json - >/dev/full");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(r.out.ends_with(
      "\ncacophony: failed: writing standard output failed: No space left on device\n"))
      << r.out;
}

TEST(Output, AmbiguousOptionsAreUsageErrors) {
  Folder dir("cacophony_output_");
  const std::string x = dir.at("x");
  for (const std::string& args : std::vector<std::string>{
           "--time simulated --json ''", "--time simulated --no-report --report ''",
           kRun + "--trace ''", "--time simulated --json " + x + " --report " + x,
           kRun + "--json " + x + " --trace " + dir.at("./x"), kRun + "--json - --trace -",
           "--time simulated --no-report --report " + x}) {
    const CommandResult r = cacophony(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(lines(r.out), 1) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("cacophony: error: "), std::string::npos) << args << "\n" << r.out;
  }
  EXPECT_TRUE(dir.names().empty());
}

// chattr +i for a file's life: undone before the folder goes.
class Immutable {
 public:
  explicit Immutable(std::string path) : path_(std::move(path)) {
    set_ = cacophony::test_support::succeeds({"chattr", "+i", path_});
  }
  ~Immutable() {
    if (set_) cacophony::test_support::succeeds({"chattr", "-i", path_});
  }
  bool set() const { return set_; }

 private:
  std::string path_;
  bool set_ = false;
};

TEST(Output, AnImmutableTargetIsExitCodeOneForEveryCommandAndKeepsItsContent) {
  Folder dir("cacophony_output_");
  std::ofstream(dir.at("old.json")) << "old\n";
  std::ofstream(dir.at("old.wav")) << "old\n";
  const Immutable json(dir.at("old.json")), wav(dir.at("old.wav"));
  if (!json.set() || !wav.set()) GTEST_SKIP() << "chattr +i does not work on " << dir.path();
  for (const std::string& args : {kRun + "--json " + dir.at("old.json"),
                                  "render --bpm 120 --beats 4 --out " + dir.at("old.wav")}) {
    const CommandResult r = cacophony(args + " 2>&1 >/dev/null");
    EXPECT_EQ(r.code, 1) << args << "\n" << r.out;
    EXPECT_EQ(lines(r.out), 1) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("cacophony: failed: "), std::string::npos) << r.out;
  }
  EXPECT_EQ(slurp(dir.at("old.json")), "old\n");
  EXPECT_EQ(slurp(dir.at("old.wav")), "old\n");
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"old.json", "old.wav"}));
}

// 200 000 s at 8 kHz: far longer than the test waits. Its stdout and stderr go to `log`, if any.
Process long_render(const std::string& out, const std::string& log = "") {
  using cacophony::test_support::Output;
  return Process({CACOPHONY_BINARY, "render", "--bpm", "60", "--beats", "200000", "--rate", "8000",
                  "--out", out},
                 log.empty() ? Output{} : Output::file(log));
}

bool wait_until_open_in(const fs::path& dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!open_in(dir))
    if (std::chrono::steady_clock::now() > deadline) return false;
  return true;
}

// (SIGPIPE is ignored: a closed pipe is a write error, see reliability_outputs_test.cpp.)
TEST(Output, ARenderKilledLeavesNoTemporaryFile) {
  for (int signal : {SIGKILL, SIGHUP}) {
    Folder dir("cacophony_output_");
    Process rendering = long_render(dir.at("out.wav"));
    ASSERT_TRUE(wait_until_open_in(dir.path())) << strsignal(signal);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    rendering.signal(signal);
    const int status = rendering.wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal) << strsignal(signal);
    EXPECT_TRUE(dir.names().empty()) << strsignal(signal) << " left " << dir.names().front();
  }
}

TEST(Output, NoProgressLinesWhenStandardErrorIsNotATerminal) {
  Folder dir("cacophony_output_");
  const std::string log = dir.at("log");
  Process rendering = long_render(dir.at("out.wav"), log);
  ASSERT_TRUE(wait_until_open_in(dir.path()));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // progress starts after 1 s
  rendering.signal(SIGINT);
  const int status = rendering.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130);
  const std::string text = slurp(log);
  EXPECT_NE(text.find("wrote "), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_EQ(text.find("render:"), std::string::npos) << text;
}

}  // namespace
