// Issue 22, output files and paths (app/io/output_file.h, app/io/signals.h): a FIFO without a
// reader is refused and a stalled one answers a stop signal; an output never replaces an input nor
// another output, by any name; temporaries are names only we could have made; a replaced file keeps
// its mode; closed descriptors 0-2 and a closed pipe on stdout; messages that name files.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
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
using cacophony::test_support::has;
using cacophony::test_support::Process;
using cacophony::test_support::run_cacophony;
using cacophony::test_support::signal_mask;
using cacophony::test_support::slurp;
using cacophony::test_support::wait_until_caught;

const std::string kRun = "run async_naive --time simulated ";
const std::string kError = "cacophony: error: ";

// A recording to analyze, and to name as an input: one bar of clicks.
void make_take(const Folder& dir, const std::string& name) {
  const CommandResult r = run_cacophony("render 1 4/4 120 --out " + dir.at(name));
  ASSERT_EQ(r.code, 0) << r.out;
}

// Runs `args` in `dir`, bounded: a hang shows as exit code 124 (timeout's), not a stuck test.
CommandResult bounded(const Folder& dir, const std::string& args) {
  return run_cacophony(args, "cd " + dir.path().string() + " && timeout -s KILL 20 ");
}

TEST(ReliabilityOutputs, AFifoWithNoReaderIsRefusedAtOnceByEveryCommand) {
  Folder dir("reliability_outputs_");
  make_take(dir, "take.wav");
  ASSERT_EQ(mkfifo(dir.at("fifo.flac").c_str(), 0666), 0);
  ASSERT_EQ(mkfifo(dir.at("cacophony-report.html").c_str(), 0666), 0);
  const std::string refused = kError + "cannot write 'fifo.flac': a FIFO with no reader\n";
  for (const std::string& args : std::vector<std::string>{
           kRun + "--json fifo.flac", kRun + "--report fifo.flac", kRun + "--trace fifo.flac",
           "explore async_naive --schedules 2 --json fifo.flac",
           "render --bpm 120 --beats 4 --out fifo.flac",
           "analyze take.wav 4/4 120 --json fifo.flac", "practice 4/4 120 --report fifo.flac"}) {
    const CommandResult r = bounded(dir, args);
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_EQ(r.out, refused) << args;
  }
  // The main job's default report.
  const CommandResult main_job = bounded(dir, "--time simulated --beats 1");
  EXPECT_EQ(main_job.code, 2);
  EXPECT_EQ(main_job.out, kError + "cannot write 'cacophony-report.html': a FIFO with no reader\n");
}

// Waits until the pipe behind `fd` (which this test never reads) has filled up: over half its
// capacity, and nothing more coming for half a second (pieces that don't fill a page leave some
// capacity unused). The writer is blocked then.
bool wait_until_full(int fd) {
  const int capacity = fcntl(fd, F_GETPIPE_SZ);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int queued = 0, before = -1, steady = 0;
  while (ioctl(fd, FIONREAD, &queued) == 0 && std::chrono::steady_clock::now() < deadline) {
    steady = queued == before ? steady + 1 : 0;
    if (queued > capacity / 2 && steady == 10) return true;
    before = queued;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A writer blocked on a FIFO whose reader stopped reading, given `signals` one after another.
int stalled_writer_status(const std::vector<std::string>& args, const std::string& fifo,
                          const std::vector<int>& signals) {
  EXPECT_EQ(mkfifo(fifo.c_str(), 0666), 0);
  // Open for reading and writing: a reader that never reads, without waiting for a writer.
  const int stalled = open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  EXPECT_GE(stalled, 0);
  Process writer(args, cacophony::test_support::Output::file(fifo + ".log"));
  EXPECT_TRUE(wait_until_full(stalled)) << args[1];
  for (int s : signals) {
    writer.signal(s);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const int status = writer.wait(std::chrono::seconds(10));
  close(stalled);
  return status;
}

TEST(ReliabilityOutputs, AStalledFifoAnswersAStopSignalWithExitCode130) {
  for (int signal : {SIGINT, SIGTERM}) {
    Folder dir("reliability_outputs_");
    const int status =
        stalled_writer_status({CACOPHONY_BINARY, "run", "async_naive", "--time", "simulated",
                               "--beats", "3000", "--report", dir.at("fifo")},
                              dir.at("fifo"), {signal});
    ASSERT_NE(status, -1) << strsignal(signal) << ": still blocked";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << strsignal(signal);
  }
  // render's writes go through libsndfile, which retries an interrupted write: one stop still
  // ends it (it used to ignore two).
  for (int signal : {SIGINT, SIGTERM}) {
    Folder dir("reliability_outputs_");
    const int status =
        stalled_writer_status({CACOPHONY_BINARY, "render", "--bpm", "60", "--beats", "200000",
                               "--rate", "8000", "--out", dir.at("fifo.flac")},
                              dir.at("fifo.flac"), {signal});
    ASSERT_NE(status, -1) << strsignal(signal) << ": render still blocked";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << strsignal(signal);
  }
}

// Every spelling of `file` (in `dir`, the commands running there): plain, ./, absolute, through a
// symlink and through a hard link.
std::vector<std::string> spellings(const Folder& dir, const std::string& file) {
  fs::create_symlink(file, dir / ("sym-" + file));
  fs::create_hard_link(dir / file, dir / ("hard-" + file));
  return {file, "./" + file, dir.at(file), "sym-" + file, "hard-" + file};
}

TEST(ReliabilityOutputs, AnOutputNeverReplacesAnInputByAnyName) {
  Folder dir("reliability_outputs_");
  make_take(dir, "take.wav");
  make_take(dir, "other.wav");
  const std::string take = slurp(dir.at("take.wav"));
  for (const std::string& name : spellings(dir, "take.wav")) {
    for (const std::string flag : {"--json", "--report"}) {
      const CommandResult r = bounded(dir, "analyze take.wav 4/4 120 " + flag + " " + name);
      EXPECT_EQ(r.code, 2) << name;
      EXPECT_EQ(r.out, kError + flag + " '" + name +
                           "' is the take 'take.wav': an output never replaces an input\n");
    }
    const CommandResult click =
        bounded(dir, "analyze other.wav 4/4 120 --click-track take.wav --json " + name);
    EXPECT_NE(click.out.find("is --click-track 'take.wav'"), std::string::npos) << click.out;
    for (const std::string& input : std::vector<std::string>{
             "--follow file:take.wav --mix", "--follow file:take.wav", "--sounds take.wav",
             "--sounds " + dir.at("hard-take.wav") + ",take.wav"}) {
      const CommandResult r =
          bounded(dir, "render --bpm 120 --beats 4 " + input + " --out " + name);
      EXPECT_EQ(r.code, 2) << input << " " << name;
      EXPECT_EQ(r.out.rfind(kError + "--out '" + name + "' is ", 0), 0) << r.out;
    }
    EXPECT_EQ(slurp(dir.at("take.wav")), take) << name;
  }
  std::ofstream(dir.at("song.wav")) << "4 4/4 120\n";  // a tempo map, named like a recording
  const CommandResult map = bounded(dir, "render --map song.wav --out ./song.wav");
  EXPECT_EQ(map.code, 2);
  EXPECT_EQ(map.out, kError +
                         "--out './song.wav' is --map 'song.wav': an output never replaces "
                         "an input\n");
  EXPECT_EQ(slurp(dir.at("song.wav")), "4 4/4 120\n");
}

TEST(ReliabilityOutputs, TwoOutputsOnOneFileAreCaughtByAnyNameInEveryCommand) {
  Folder dir("reliability_outputs_");
  make_take(dir, "take.wav");
  std::ofstream(dir.at("x.json")) << "old\n";
  fs::create_hard_link(dir / "x.json", dir / "hard.json");
  for (const std::string& pair : std::vector<std::string>{
           "--json x.json --report " + dir.at("x.json"), "--json x.json --report hard.json",
           "--json new.json --report " + dir.at("new.json"), "--json - --report -"}) {
    for (const std::string& command :
         {kRun, std::string("analyze take.wav 4/4 120 "), std::string("practice 4/4 120 ")}) {
      const CommandResult r = bounded(dir, command + pair);
      EXPECT_EQ(r.code, 2) << command << pair << "\n" << r.out;
      EXPECT_EQ(r.out.rfind(kError + "--json and --report name the same file '", 0), 0) << r.out;
    }
  }
  EXPECT_EQ(slurp(dir.at("x.json")), "old\n");
  EXPECT_FALSE(fs::exists(dir / "new.json"));
}

TEST(ReliabilityOutputs, AnalyzeWithAFileOnStandardOutputSendsItsLinesToStandardError) {
  Folder dir("reliability_outputs_");
  make_take(dir, "take.wav");
  const CommandResult json = bounded(dir, "analyze take.wav 1 4/4 120 --json - 2>/dev/null");
  EXPECT_EQ(json.code, 0) << json.out;
  EXPECT_TRUE(nlohmann::json::parse(json.out).is_object()) << json.out;
  const CommandResult lines = bounded(dir, "analyze take.wav 1 4/4 120 --json - 2>&1 >/dev/null");
  // After the note of where the rhythm starts (found, as no --start is given).
  EXPECT_EQ(lines.out.rfind("cacophony: the rhythm starts at 0.000 s in the take (", 0), 0);
  EXPECT_NE(lines.out.find(")\nbar 1: "), std::string::npos) << lines.out;
}

TEST(ReliabilityOutputs, PracticeRefusesABadOutputBeforeItPlays) {
  // Without a JACK server: the output is refused first, not the server, so no take is lost.
  Folder dir("reliability_outputs_");
  const CommandResult r = bounded(dir, "practice 4/4 120 --json nodir/x.json");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, kError + "cannot write 'nodir/x.json': No such file or directory\n");
}

TEST(ReliabilityOutputs, AUsersOwnTemporaryLookingFileIsNeverTouched) {
  Folder dir("reliability_outputs_");
  // exec keeps the shell's pid: the name the old code made, and deleted, was p.json.PID.tmp.
  const CommandResult r =
      run_cacophony(kRun + "--json p.json >/dev/null",
                    "cd " + dir.path().string() + " && echo mine > p.json.$$.tmp && exec ");
  EXPECT_EQ(r.code, 0) << r.out;
  std::vector<std::string> names = dir.names();
  ASSERT_EQ(names.size(), 2u) << r.out;
  EXPECT_EQ(names[0], "p.json");
  EXPECT_TRUE(names[1].starts_with("p.json.") && names[1].ends_with(".tmp")) << names[1];
  EXPECT_EQ(slurp(dir.at(names[1])), "mine\n");
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.at("p.json")))[0]["id"], "async_naive");
}

TEST(ReliabilityOutputs, AReplacedOutputKeepsItsMode) {
  Folder dir("reliability_outputs_");
  for (const fs::perms mode : {fs::perms(0600), fs::perms(0640), fs::perms(0755)}) {
    std::ofstream(dir.at("p.json")) << "old\n";
    fs::permissions(dir / "p.json", mode);
    const CommandResult r = run_cacophony(kRun + "--json " + dir.at("p.json"));
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(fs::status(dir / "p.json").permissions(), mode);
    EXPECT_EQ(nlohmann::json::parse(slurp(dir.at("p.json")))[0]["id"], "async_naive");
  }
}

TEST(ReliabilityOutputs, ClosedStandardDescriptorsNeverReceiveTheOutputFile) {
  Folder dir("reliability_outputs_");
  // Standard output closed: the file gets only its JSON; the lines that could not be printed are
  // a write error (exit 1), as GNU tools report `>&-`.
  const CommandResult out = run_cacophony(kRun + "--json " + dir.at("cs.json") + " >&-");
  EXPECT_EQ(out.code, 1);
  EXPECT_EQ(out.out, "cacophony: failed: write error on standard output: Bad file descriptor\n");
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.at("cs.json")))[0]["id"], "async_naive");
  // Standard error closed: nothing is lost but what would have gone there.
  const CommandResult err = run_cacophony(kRun + "--json " + dir.at("ce.json") + " 2>&-");
  EXPECT_EQ(err.code, 0) << err.out;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.at("ce.json")))[0]["id"], "async_naive");
  // Both, and standard input.
  const CommandResult all =
      run_cacophony(kRun + "--json " + dir.at("ca.json") + " <&- >&- 2>&-; echo code $?");
  EXPECT_EQ(all.out, "code 1\n");
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.at("ca.json")))[0]["id"], "async_naive");
}

// Runs cacophony with `args`, its standard output a pipe whose reader has gone, its standard
// error to `log`; the wait status.
int with_closed_pipe(const std::vector<std::string>& args, const std::string& log) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  close(fds[0]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  std::string binary = CACOPHONY_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The test runner may ignore SIGPIPE itself; the child gets the default, as from a shell.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

// `run -v --json f | head -1`: SIGPIPE is ignored, so the command is not killed halfway. f is
// written and committed whole; the lines that could not be printed fail the command with exit
// code 1 and one line, as any other write error on standard output does (finish_standard_output):
// a pipeline with pipefail then learns that not everything was read.
TEST(ReliabilityOutputs, AClosedPipeOnStandardOutputStillWritesTheFiles) {
  Folder dir("reliability_outputs_");
  const int status = with_closed_pipe(
      {"run", "async_naive", "--time", "simulated", "-v", "--json", dir.at("f.json")},
      dir.at("log"));
  ASSERT_TRUE(WIFEXITED(status)) << "killed by " << strsignal(WTERMSIG(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(slurp(dir.at("log")),
            "cacophony: failed: write error on standard output: Broken pipe\n");
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.at("f.json")))[0]["id"], "async_naive");
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"f.json", "log"}));
}

TEST(ReliabilityOutputs, TheWroteLineEscapesControlBytes) {
  Folder dir("reliability_outputs_");
  const CommandResult r = bounded(dir, kRun + "--json \"$(printf 'a\\033[2Jb.json')\"");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\nwrote a\\x1b[2Jb.json\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << r.out;
  const CommandResult render =
      bounded(dir, "render --bpm 120 --beats 1 --out \"$(printf 'c\\001.wav')\"");
  EXPECT_EQ(render.code, 0) << render.out;
  EXPECT_EQ(render.out.rfind("wrote c\\x01.wav: 1 clicks", 0), 0) << render.out;
}

TEST(ReliabilityOutputs, RenderSaysWhyANameHasNoFormat) {
  Folder dir("reliability_outputs_");
  const CommandResult hidden = bounded(dir, "render --bpm 120 --beats 1 --out .wav");
  EXPECT_EQ(hidden.code, 2);
  EXPECT_EQ(hidden.out,
            kError + "cannot write '.wav': the file needs a name before .wav (e.g. click.wav)\n");
  const CommandResult dash = bounded(dir, "render --bpm 120 --beats 1 --out -");
  EXPECT_EQ(dash.code, 2);
  EXPECT_EQ(dash.out, kError +
                          "cannot write '-': render writes a file, not standard output: give a "
                          "name whose extension picks the format, e.g. click.wav (a FIFO named "
                          "X.flac streams)\n");
  EXPECT_TRUE(dir.names().empty());
}

TEST(ReliabilityOutputs, ANameTooLongOrASymlinkLoopIsAPlainReasonForInputsAndOutputs) {
  Folder dir("reliability_outputs_");
  make_take(dir, "take.wav");
  fs::create_symlink("loop.wav", dir / "loop.wav");
  const std::string long_name(300, 'n');
  const auto check = [&](const std::string& args, const std::string& verb,
                         const std::string& reason) {
    const CommandResult r = bounded(dir, args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(r.out.rfind(kError + verb + " '", 0), 0) << r.out;
    // A long name is cut in the message, its closing quote with it.
    EXPECT_TRUE(r.out.ends_with(" " + reason + "\n")) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  };
  for (const std::string reason : {"File name too long", "Too many levels of symbolic links"}) {
    const std::string name = reason[0] == 'F' ? long_name + ".wav" : "loop.wav";
    check(kRun + "--json " + name, "cannot write", reason);
    check("render --bpm 120 --beats 1 --out " + name, "cannot write", reason);
    check("analyze take.wav 4/4 120 --report " + name, "cannot write", reason);
    check("analyze " + name + " 4/4 120", "cannot read", reason);
    check("render --bpm 120 --beats 1 --out o.wav --sounds " + name, "cannot read", reason);
    check("render --bpm 120 --beats 1 --out o.wav --follow file:" + name, "cannot read", reason);
  }
}

TEST(ReliabilityOutputs, TheProcessSetsUpItsSignalsAtStartNotWhenAFileIsOpened) {
  Folder dir("reliability_outputs_");
  // A long render into a new file (an unnamed O_TMPFILE, held by no registry until its commit),
  // in the background: its pid.
  const CommandResult started = run_cacophony("render --bpm 60 --beats 200000 --rate 8000 --out " +
                                              dir.at("out.wav") + " >/dev/null 2>&1 & echo $!");
  const pid_t pid = std::stoi(started.out);
  // catch_stop_signals (SIGINT) comes after the process's own set-up.
  wait_until_caught(pid, SIGINT, std::chrono::seconds(20));
  const std::uint64_t caught = signal_mask(pid, "SigCgt");
  const std::uint64_t ignored = signal_mask(pid, "SigIgn");
  kill(pid, SIGKILL);
  // Caught, unless ignored from the start (nohup) and so left alone.
  for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
    EXPECT_TRUE(has(caught, signal) || (signal > SIGINT && has(ignored, signal))) << signal;
  EXPECT_TRUE(has(ignored, SIGPIPE));
}

}  // namespace
