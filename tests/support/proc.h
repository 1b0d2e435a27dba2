#pragma once
// Test helper: whether some process has a file open in a folder, as /proc shows its descriptors.
// An unnamed file (O_TMPFILE) shows as "FOLDER/#INODE (deleted)": a render writing its output
// before the file has a name.

#include <filesystem>
#include <string>
#include <system_error>

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

}  // namespace cacophony::test_support
