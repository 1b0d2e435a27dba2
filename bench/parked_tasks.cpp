// Resident memory of parked tasks: N tasks park on one channel, then are released and joined.
// Prints, for one run, the time per spawn and per join and the resident bytes each parked task
// adds (VmRSS; page tables, VmPTE, apart), read from /proc/self/status while all N are parked,
// and what stays resident once they all ended.
//
//   cacophony_parked_bench [tasks=1000000] [real|simulated] [stack KiB] [procs=1]

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "cacophony/runtime/channel.h"
#include "cacophony/runtime/wait_group.h"

namespace {

using namespace cacophony::runtime;
using Clock = std::chrono::steady_clock;

// A "Vm...:" line of /proc/self/status, in KiB.
long status_kib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with(key)) return std::stol(line.substr(key.size()));
  return -1;
}

long maps() {
  std::ifstream in("/proc/self/maps");
  long n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

double ns_per(Clock::duration d, long n) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) /
         static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  const long tasks = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const std::string mode = argc > 2 ? argv[2] : "real";
  if (argc > 3 && std::atol(argv[3]) > 0)
    Runtime::set_stack_size(static_cast<std::size_t>(std::atol(argv[3])) * 1024);
  const long procs = argc > 4 ? std::atol(argv[4]) : 1;
  if (tasks < 1 || (mode != "real" && mode != "simulated") || procs < 1 ||
      procs > Runtime::kMaxProcs) {
    std::fprintf(stderr, "usage: %s [tasks] [real|simulated] [stack KiB, 0: default] [procs]\n",
                 argv[0]);
    return 2;
  }
  Runtime::set_procs(static_cast<unsigned>(procs));
  auto rt = Runtime::create(mode == "real" ? TimeMode::real : TimeMode::simulated, 1);
  rt->run([&] {
    Chan<int> release;
    WaitGroup done;
    std::atomic<long> arrived{0};
    const long rss = status_kib("VmRSS:"), pte = status_kib("VmPTE:");
    const auto start = Clock::now();
    done.add(static_cast<int>(tasks));
    for (long i = 0; i < tasks; ++i)
      go([release, &done, &arrived]() mutable {
        arrived.fetch_add(1, std::memory_order_relaxed);
        release.recv();
        done.done();
      });
    const auto spawned = Clock::now();
    while (arrived.load() < tasks) yield();  // every task runs to its recv() and parks
    const long parked_rss = status_kib("VmRSS:"), parked_pte = status_kib("VmPTE:");
    const long parked_maps = maps();
    const auto joining = Clock::now();
    release.close();
    done.wait();
    const auto joined = Clock::now();
    const long ended_rss = status_kib("VmRSS:");
    std::printf(
        "%ld tasks, %s time on %u worker%s, %zu KiB stacks: %.0f ns per spawn, %.0f ns per release "
        "and join, "
        "%.0f resident bytes per parked task (+%.0f of page tables), %ld memory maps; %.0f bytes "
        "per task still resident once all ended\n",
        tasks, mode.c_str(), Runtime::procs(), Runtime::procs() == 1 ? "" : "s",
        Runtime::stack_size() / 1024, ns_per(spawned - start, tasks),
        ns_per(joined - joining, tasks),
        static_cast<double>(parked_rss - rss) * 1024 / static_cast<double>(tasks),
        static_cast<double>(parked_pte - pte) * 1024 / static_cast<double>(tasks), parked_maps,
        static_cast<double>(ended_rss - rss) * 1024 / static_cast<double>(tasks));
  });
  return 0;
}
