#pragma once
// Test helpers over /proc: whether some process has a file open in a folder, as /proc shows its
// descriptors (an unnamed file, O_TMPFILE, shows as "FOLDER/#INODE (deleted)": a render writing
// its output before the file has a name); which signals a process catches or ignores; its name and
// state; and a wait, bounded, until something holds.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace cacophony::test_support {

inline bool open_in(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  const std::string prefix = folder.string() + "/";
  std::error_code ec;
  for (const auto& process : fs::directory_iterator("/proc", ec)) {
    try {
      std::error_code gone;
      for (const auto& fd : fs::directory_iterator(process.path() / "fd", gone))
        if (fs::read_symlink(fd.path(), gone).string().starts_with(prefix)) return true;
    } catch (const fs::filesystem_error&) {
      // it ended while we looked
    }
  }
  return false;
}

// The signal masks /proc shows for `pid` (SigCgt: caught, SigIgn: ignored), as bits.
inline std::uint64_t signal_mask(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with(field + ":"))
      return std::stoull(line.substr(field.size() + 1), nullptr, 16);
  return 0;
}

inline bool has(std::uint64_t mask, int signal) {
  return (mask >> (signal - 1)) & 1;
}

// Waits, up to `limit`, until `holds()`; whether it does.
template <typename Predicate>
bool wait_until(std::chrono::milliseconds limit, Predicate holds) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!holds()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Waits, up to `limit`, until `pid` catches `signal`: a process that is still starting (slow
// under a sanitizer on a loaded machine) would die of it instead.
inline bool wait_until_caught(pid_t pid, int signal, std::chrono::seconds limit) {
  return wait_until(limit, [&] { return has(signal_mask(pid, "SigCgt"), signal); });
}

// `pid`'s name and state as its /proc stat gives them (comm, and R, S, Z...); an empty name and a
// state of 0 when it is gone.
inline std::pair<std::string, char> name_and_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string fields;
  if (!std::getline(stat, fields)) return {"", 0};
  const auto open = fields.find('('), close = fields.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= fields.size())
    return {"", 0};
  return {fields.substr(open + 1, close - open - 1), fields[close + 2]};
}

}  // namespace cacophony::test_support
