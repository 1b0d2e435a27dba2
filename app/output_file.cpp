#include "output_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <string_view>
#include <utility>

#include "options.h"

namespace cacophony::cli {
namespace {

// The named temporaries alive now, in fixed storage that a signal handler can read.
constexpr std::size_t kSlots = 8;
std::array<std::array<char, PATH_MAX>, kSlots> temporaries{};
std::array<std::atomic<bool>, kSlots> held{};

extern "C" void on_fatal_signal(int signal) {
  remove_temporaries_now();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// Removes the temporaries, then dies as it would have, on each ending signal nobody else catches;
// a command's stop handler (signals.h) calls remove_temporaries_now() itself before it exits.
void remove_temporaries_on_signals() {
  for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) {
    struct sigaction now {};
    if (sigaction(signal, nullptr, &now) == 0 && now.sa_handler == SIG_DFL)
      std::signal(signal, on_fatal_signal);
  }
}

void hold(const std::string& path) {
  remove_temporaries_on_signals();
  for (std::size_t i = 0; i < kSlots; ++i)
    if (!held[i].load() && path.size() < PATH_MAX) {
      std::memcpy(temporaries[i].data(), path.c_str(), path.size() + 1);
      held[i].store(true);
      return;
    }
}

void release(const std::string& path) {
  for (std::size_t i = 0; i < kSlots; ++i)
    if (held[i].load() && path == temporaries[i].data()) held[i].store(false);
}

// Why standard output first failed (errno), before its buffer was dropped; 0: it hasn't.
int stdout_error = 0;

std::string cannot_write(const std::string& path, int error) {
  return fmt::format("cannot write '{}': {}", path, std::strerror(error));
}

// The file a chain of symlinks ends at (the path itself when it is no link); it may not exist.
std::filesystem::path final_target(std::filesystem::path path) {
  namespace fs = std::filesystem;
  for (int links = 0; fs::is_symlink(fs::symlink_status(path)); ++links) {
    if (links == 40) throw UsageError(cannot_write(path.string(), ELOOP));
    const fs::path to = fs::read_symlink(path);
    path = to.is_absolute() ? to : path.parent_path() / to;
  }
  return path;
}

// The descriptor a path names, as /dev/stdout, /dev/fd/N or /proc/self/fd/N do, when it is open;
// -1 for any other path.
int descriptor_named(const std::string& path) {
  if (path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  for (const std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (!path.starts_with(prefix)) continue;
    int fd = -1;
    const char* end = path.data() + path.size();
    const auto [ptr, ec] = std::from_chars(path.data() + prefix.size(), end, fd);
    if (ec == std::errc() && ptr == end && fcntl(fd, F_GETFD) != -1) return fd;
  }
  return -1;
}

std::string folder_of(const std::string& path) {
  const std::string folder = std::filesystem::path(path).parent_path().string();
  return folder.empty() ? "." : folder;
}

}  // namespace

void remove_temporaries_now() {
  for (std::size_t i = 0; i < kSlots; ++i)
    if (held[i].load()) unlink(temporaries[i].data());
}

bool flush(std::FILE* stream) {
  if (std::fflush(stream) == 0) return true;
  if (stream == stdout && stdout_error == 0) stdout_error = errno;
  return false;
}

int finish_standard_output(int code) {
  const bool failed_before = std::ferror(stdout) != 0;
  if (std::fclose(stdout) != 0 && stdout_error == 0) stdout_error = errno;
  if (failed_before || stdout_error != 0) {
    std::fprintf(stderr, "cacophony: failed: write error on standard output%s%s\n",
                 stdout_error ? ": " : "", stdout_error ? std::strerror(stdout_error) : "");
    return code ? code : 1;
  }
  if (std::fflush(stderr) != 0 || std::ferror(stderr)) return code ? code : 1;
  return code;
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  // Standard output, or a descriptor named by path: written through at its own offset, after what
  // the command printed, as a shell's redirection is; never replaced, even when it is a file.
  const int named = path_ == "-" ? STDOUT_FILENO : descriptor_named(path_);
  if (named == STDOUT_FILENO) {
    fd_ = STDOUT_FILENO;
    return;
  }
  if (named >= 0) {
    fd_ = fcntl(named, F_DUPFD_CLOEXEC, 0);
    if (fd_ < 0) throw UsageError(cannot_write(path_, errno));
    return;
  }
  struct stat st {};
  const bool exists = stat(path_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    throw UsageError(fmt::format("cannot write '{}': it is a folder", path_));
  if (!exists || S_ISREG(st.st_mode)) {
    open_regular();
    return;
  }
  fd_ = open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) throw UsageError(cannot_write(path_, errno));
}

void OutputFile::open_regular() {
  target_ = final_target(path_).string();
  fd_ = open(folder_of(target_).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  int error = errno;
  if (fd_ < 0 && (error == EOPNOTSUPP || error == EISDIR || error == EINVAL)) {
    // No O_TMPFILE on this file system: a named temporary, whatever an earlier pid left there.
    temporary_ = fmt::format("{}.{}.tmp", target_, getpid());
    unlink(temporary_.c_str());
    fd_ = open(temporary_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
    error = errno;
    if (fd_ >= 0) hold(temporary_);
    if (fd_ < 0) temporary_.clear();
  }
  if (fd_ < 0) throw UsageError(cannot_write(path_, error));
}

OutputFile::~OutputFile() {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) close(fd_);
  if (temporary_.empty()) return;
  unlink(temporary_.c_str());
  release(temporary_);
}

std::string OutputFile::name() const {
  return path_ == "-" ? "standard output" : path_;
}

WriteError OutputFile::failure(int error) const {
  const std::string what = path_ == "-" ? name() : fmt::format("'{}'", path_);
  return WriteError(fmt::format("writing {} failed: {}", what, std::strerror(error)));
}

void OutputFile::write(std::string_view text) {
  // What the command printed before must come first.
  if (fd_ == STDOUT_FILENO && !flush(stdout)) throw failure(errno);
  while (!text.empty()) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw failure(errno);
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void OutputFile::commit() {
  if (!target_.empty()) link_into_place();
  const int fd = std::exchange(fd_, -1);
  if (fd != STDOUT_FILENO && close(fd) != 0) throw failure(errno);
  if (target_.empty()) return;
  if (rename(temporary_.c_str(), target_.c_str()) != 0)
    throw WriteError(cannot_write(path_, errno));
  release(std::exchange(temporary_, {}));
}

// Gives the unnamed file a temporary name beside the target, for rename() to put it in place
// atomically (linkat can't replace a file).
void OutputFile::link_into_place() {
  if (!temporary_.empty()) return;
  temporary_ = fmt::format("{}.{}.tmp", target_, getpid());
  unlink(temporary_.c_str());
  hold(temporary_);
  const std::string self = fmt::format("/proc/self/fd/{}", fd_);
  if (linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temporary_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
    const int error = errno;
    release(std::exchange(temporary_, {}));
    throw WriteError(cannot_write(path_, error));
  }
}

void check_distinct(std::initializer_list<NamedOutput> outputs) {
  const auto same = [](const std::string& a, const std::string& b) {
    std::error_code ec;
    return a == b ||
           (a != "-" && b != "-" &&
            std::filesystem::weakly_canonical(a, ec) == std::filesystem::weakly_canonical(b, ec));
  };
  for (auto i = outputs.begin(); i != outputs.end(); ++i)
    for (auto j = std::next(i); j != outputs.end(); ++j)
      if (!i->path->empty() && !j->path->empty() && same(*i->path, *j->path))
        throw UsageError(
            fmt::format("{} and {} name the same file '{}'", i->flag, j->flag, *j->path));
}

OutputFiles::OutputFiles(std::initializer_list<NamedOutput> outputs) {
  check_distinct(outputs);
  for (const NamedOutput& o : outputs) {
    if (o.path->empty()) continue;
    files_.emplace_back(o.flag, std::make_unique<OutputFile>(*o.path));
    if (*o.path == "-") log_ = stderr;
  }
}

OutputFile* OutputFiles::get(std::string_view flag) const {
  for (const auto& [name, file] : files_)
    if (name == flag) return file.get();
  return nullptr;
}

void OutputFiles::finish(OutputFile& file, std::string_view last) const {
  file.write(last);
  file.commit();
  std::fprintf(log_, "wrote %s\n", file.name().c_str());
}

}  // namespace cacophony::cli
