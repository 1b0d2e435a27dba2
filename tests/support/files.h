#pragma once
// Test helpers for small files and text: a file's whole text (empty when it cannot be read), text
// cut into lines, and a path in the temporary folder unique to this test process (removed when it
// ends).

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace cacophony::test_support {

inline std::string slurp(const std::string& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, f)) text.append(buffer, n);
    std::fclose(f);
  }
  return text;
}

// The lines of `text`, without their '\n'; a last line without one counts too.
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < text.size()) {
    std::size_t end = text.find('\n', from);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(from, end - from));
    from = end + 1;
  }
  return out;
}

// The files temp_path() named, removed when the test process ends (a render each run would
// otherwise pile up in the temporary folder).
struct TempPaths {
  std::vector<std::string> paths;
  TempPaths() = default;
  TempPaths(const TempPaths&) = delete;
  TempPaths& operator=(const TempPaths&) = delete;
  ~TempPaths() {
    std::error_code ignored;
    for (const std::string& p : paths) std::filesystem::remove(p, ignored);
  }
};

// ctest runs each test in a process of its own, so the pid keeps parallel tests apart.
inline std::string temp_path(const std::string& what) {
  static TempPaths made;
  made.paths.push_back((std::filesystem::temp_directory_path() /
                        ("cacophony-jack-" + std::to_string(getpid()) + "-" + what))
                           .string());
  return made.paths.back();
}

}  // namespace cacophony::test_support
