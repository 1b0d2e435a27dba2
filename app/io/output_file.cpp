#include "io/output_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
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

#include "io/signals.h"
#include "io/terminal_text.h"
#include "io/voice.h"
#include "options/options.h"

namespace cacophony::cli {
namespace {

// The named temporaries alive now, as their folder's descriptor and a short name, in fixed
// storage that a signal handler can read: no path is ever too long to be held.
constexpr std::size_t kSlots = 64;
constexpr std::size_t kNameBytes = 32;
struct Held {
  std::atomic<bool> used{false};
  int folder = -1;
  std::array<char, kNameBytes> name{};
};
std::array<Held, kSlots> held;

extern "C" void on_fatal_signal(int signal) {
  remove_temporaries_now();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

std::size_t hold(int folder, const std::string& name) {
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (held[i].used.load()) continue;
    held[i].folder = folder;
    std::memcpy(held[i].name.data(), name.c_str(), name.size() + 1);
    held[i].used.store(true);
    return i;
  }
  // Never silent: a temporary nobody would remove is worse than no output.
  throw WriteError(fmt::format("more than {} output files at once", kSlots));
}

void release(std::size_t slot) {
  held[slot].used.store(false);
}

// A name nobody else would pick: ".cacophony-" and 12 random hex digits, ".tmp" (31 bytes).
std::string random_name() {
  std::array<unsigned char, 6> bytes{};
  if (getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
    throw WriteError(fmt::format("no random bytes for a temporary name: {}", std::strerror(errno)));
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return ".cacophony-" + hex + ".tmp";
}

// Why standard output first failed (errno), before its buffer was dropped; 0: it hasn't.
int stdout_error = 0;

std::string cannot_write(const std::string& path, int error) {
  return fmt::format("cannot write '{}': {}", path, std::strerror(error));
}

// The file a chain of symlinks from `given` ends at (the path itself when it is no link); it may
// not exist. A name too long, a loop, a folder that can't be searched: UsageError.
std::string final_target(const std::string& given) {
  std::string path = given;
  for (int links = 0;; ++links) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return path;
      throw UsageError(cannot_write(given, errno));
    }
    if (!S_ISLNK(st.st_mode)) return path;
    if (links == 40) throw UsageError(cannot_write(given, ELOOP));
    std::array<char, PATH_MAX> to{};
    const ssize_t n = readlink(path.c_str(), to.data(), to.size() - 1);
    if (n < 0) throw UsageError(cannot_write(given, errno));
    const std::filesystem::path link(std::string(to.data(), static_cast<std::size_t>(n)));
    path = link.is_absolute() ? link.string()
                              : (std::filesystem::path(path).parent_path() / link).string();
  }
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

// The folder a regular output goes in, open: readable where it can be, to be fsync()ed.
int open_folder(const std::string& path, const std::string& given) {
  const std::string folder = folder_of(path);
  int fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == EACCES) fd = open(folder.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw UsageError(cannot_write(given, errno));
  return fd;
}

// Whether two paths name one existing file (any path, symlink or hard link to it).
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// Whether two outputs name one file: the same existing file, or, for a file not made yet, the
// same absolute path once normalized.
bool same_output(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (a == "-" || b == "-") return false;
  if (same_file(a, b)) return true;
  std::error_code ec;
  const auto normal = [&ec](const std::string& p) {
    return std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
  };
  return normal(a) == normal(b);
}

// The files the command reads: what each is, and its path.
std::vector<std::pair<std::string, std::string>>& inputs() {
  static std::vector<std::pair<std::string, std::string>> declared;
  return declared;
}

void check_not_input(const NamedOutput& output) {
  struct stat st {};
  if (*output.path == "-" || stat(output.path->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  for (const auto& [what, path] : inputs())
    if (same_file(*output.path, path))
      throw UsageError(fmt::format("{} '{}' is {} '{}': an output never replaces an input",
                                   flag(output.output), *output.path, what, path));
}

}  // namespace

void remove_temporaries_now() {
  for (Held& h : held)
    if (h.used.load()) unlinkat(h.folder, h.name.data(), 0);
}

void remove_temporaries_on_signals() {
  for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    struct sigaction now {};
    if (sigaction(signal, nullptr, &now) == 0 && now.sa_handler == SIG_DFL)
      std::signal(signal, on_fatal_signal);
  }
}

void declare_input(std::string what, std::string path) {
  inputs().emplace_back(std::move(what), std::move(path));
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
    say("failed", fmt::format("write error on standard output{}{}", stdout_error ? ": " : "",
                              stdout_error ? std::strerror(stdout_error) : ""));
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
  if (stat(path_.c_str(), &st) != 0 && errno != ENOENT)
    throw UsageError(cannot_write(path_, errno));
  const bool exists = st.st_mode != 0;
  if (exists && S_ISDIR(st.st_mode))
    throw UsageError(fmt::format("cannot write '{}': it is a folder", path_));
  if (!exists || S_ISREG(st.st_mode)) {
    open_regular();
    return;
  }
  // A FIFO is opened without waiting for a reader, then written to blocking.
  const int nonblocking = S_ISFIFO(st.st_mode) ? O_NONBLOCK : 0;
  fd_ = open(path_.c_str(), O_WRONLY | O_CLOEXEC | nonblocking);
  if (fd_ < 0 && errno == ENXIO && nonblocking)
    throw UsageError(fmt::format("cannot write '{}': a FIFO with no reader", path_));
  if (fd_ < 0) throw UsageError(cannot_write(path_, errno));
  if (nonblocking) fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
}

void OutputFile::open_regular() {
  const std::string target = final_target(path_);
  name_ = std::filesystem::path(target).filename().string();
  folder_ = open_folder(target, path_);
  fd_ = openat(folder_, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  const int error = errno;
  if (fd_ < 0 && (error == EOPNOTSUPP || error == EISDIR || error == EINVAL))
    open_named_temporary();
  else if (fd_ < 0)
    throw UsageError(cannot_write(path_, error));
}

// No O_TMPFILE on this file system: a named temporary of our own, held for the signal handlers.
void OutputFile::open_named_temporary() {
  for (int tries = 0; fd_ < 0 && tries < 100; ++tries) {
    const std::string name = random_name();
    fd_ = openat(folder_, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      temporary_ = name;
      slot_ = hold(folder_, temporary_);
    } else if (errno != EEXIST) {
      throw UsageError(cannot_write(path_, errno));
    }
  }
  if (fd_ < 0) throw UsageError(cannot_write(path_, EEXIST));
}

OutputFile::~OutputFile() {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) close(fd_);
  if (!temporary_.empty()) {
    unlinkat(folder_, temporary_.c_str(), 0);
    release(slot_);
  }
  if (folder_ >= 0) close(folder_);
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
  // A stop signal that comes while a write blocks (a reader that stopped reading) cuts the write
  // short, or fails it with EINTR when nothing was written yet.
  const int stops = stop_signals().load();
  while (!text.empty()) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    const bool cut =
        (n < 0 && errno == EINTR) || (n >= 0 && static_cast<std::size_t>(n) < text.size());
    if (cut && stop_signals().load() != stops) throw Interrupted();
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw failure(errno);
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void OutputFile::commit() {
  if (folder_ >= 0) {
    sync_with_mode();
    link_into_place();
  }
  const int fd = std::exchange(fd_, -1);
  if (fd != STDOUT_FILENO && close(fd) != 0) throw failure(errno);
  if (folder_ < 0) return;
  if (renameat(folder_, temporary_.c_str(), folder_, name_.c_str()) != 0)
    throw WriteError(cannot_write(path_, errno));
  release(slot_);
  temporary_.clear();
  fsync(folder_);  // best effort: the new name survives a power loss where the file system can
}

// The new file takes the mode of the file it replaces, and its content is on disk before it takes
// the name.
void OutputFile::sync_with_mode() {
  struct stat old {};
  if (fstatat(folder_, name_.c_str(), &old, 0) == 0 && S_ISREG(old.st_mode) &&
      fchmod(fd_, old.st_mode & 07777) != 0)
    throw failure(errno);
  // EINVAL: a file system without fsync, where there is nothing more to wait for.
  if (fsync(fd_) != 0 && errno != EINVAL) throw failure(errno);
}

// Gives the unnamed file a temporary name of our own beside the target, for renameat() to put it
// in place atomically (linkat can't replace a file).
void OutputFile::link_into_place() {
  if (!temporary_.empty()) return;
  const std::string self = fmt::format("/proc/self/fd/{}", fd_);
  for (int tries = 0; tries < 100; ++tries) {
    const std::string name = random_name();
    if (linkat(AT_FDCWD, self.c_str(), folder_, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      temporary_ = name;
      slot_ = hold(folder_, temporary_);
      return;
    }
    if (errno != EEXIST) throw WriteError(cannot_write(path_, errno));
  }
  throw WriteError(cannot_write(path_, EEXIST));
}

void check_distinct(std::initializer_list<NamedOutput> outputs) {
  for (auto i = outputs.begin(); i != outputs.end(); ++i)
    for (auto j = std::next(i); j != outputs.end(); ++j)
      if (!i->path->empty() && !j->path->empty() && same_output(*i->path, *j->path))
        throw UsageError(fmt::format("{} and {} name the same file '{}'", flag(i->output),
                                     flag(j->output), *j->path));
}

OutputFiles::OutputFiles(std::initializer_list<NamedOutput> outputs) {
  check_distinct(outputs);
  for (const NamedOutput& o : outputs)
    if (!o.path->empty()) check_not_input(o);
  for (const NamedOutput& o : outputs) {
    if (o.path->empty()) continue;
    files_.emplace_back(o.output, std::make_unique<OutputFile>(*o.path));
    if (*o.path == "-") log_ = stderr;
  }
}

std::string_view flag(Output output) {
  switch (output) {
    case Output::json:
      return "--json";
    case Output::report:
      return "--report";
    case Output::trace:
      return "--trace";
    case Output::out:
      return "--out";
    case Output::csv:
      return "--csv";
  }
  return "";
}

OutputFile* OutputFiles::get(Output output) const {
  for (const auto& [which, file] : files_)
    if (which == output) return file.get();
  return nullptr;
}

void OutputFiles::finish(OutputFile& file, std::string_view last) const {
  file.write(last);
  file.commit();
  std::fprintf(log_, "wrote %s\n", escaped(file.name(), Keep::utf8).c_str());
}

}  // namespace cacophony::cli
