#include "io/voice.h"

#include <cstdio>

namespace cacophony::cli {
namespace {

std::string& name() {
  static std::string program = "cacophony";
  return program;
}

}  // namespace

void set_program_name(int argc, char** argv) {
  if (argc < 1 || !argv[0] || !*argv[0]) return;
  const std::string_view path(argv[0]);
  name() = std::string(path.substr(path.rfind('/') + 1));
}

const std::string& program_name() {
  return name();
}

void say(std::string_view kind, std::string_view message) {
  std::fprintf(stderr, "%s: %.*s: %.*s\n", name().c_str(), static_cast<int>(kind.size()),
               kind.data(), static_cast<int>(message.size()), message.data());
}

void note(std::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", name().c_str(), static_cast<int>(message.size()),
               message.data());
}

}  // namespace cacophony::cli
