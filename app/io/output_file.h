#pragma once
// The one way a command writes an output file (--json, --report, --csv, --trace, render --out).
//
// Guarantees
// - A regular file, or a path that doesn't exist yet, is replaced atomically: the text goes to an
//   unnamed file in the target's folder (O_TMPFILE) that takes the target's name only at commit().
//   Until then nothing shows in the folder, so not even SIGKILL leaves a temporary file behind.
//   Where the file system has no O_TMPFILE, a temporary `.cacophony-RANDOM.tmp` beside the target,
//   created with O_EXCL, is used instead, and removed on every signal that ends the process (INT,
//   TERM, HUP, QUIT; see remove_temporaries_on_signals()). A name we did not create is never
//   removed. The new file gets the mode of the file it replaces, and is fsync()ed before it takes
//   the name (the folder after, as far as it can be).
// - A symlink is followed: its final target is written (replaced atomically if regular); the link
//   stays.
// - A device, a FIFO or "-" (standard output) is written through, never replaced; so is an open
//   descriptor named by path (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), at its own
//   offset, even when it is a regular file (`--json /dev/stdout > F` keeps what was printed). A
//   FIFO without a reader is refused at once (UsageError), never waited on.
// - Opening fails with UsageError (exit 2) when the output can't be written at all (a folder, no
//   such folder, no permission, a name too long, a symlink loop). Every later write, sync, link,
//   rename and close is checked: a failure throws WriteError (exit 1) and the previous content of a
//   regular target survives. A write blocked (a FIFO whose reader stopped reading) that a stop
//   signal interrupts throws Interrupted (signals.h, exit 130).
// - Without commit(), the new content is dropped (a written-through output keeps what it got).

#include <cstdio>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cacophony::cli {

// Writing an output failed while running: one line, exit code 1.
struct WriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class OutputFile {
 public:
  // Opens `path` as above; "-" is standard output.
  explicit OutputFile(std::string path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  // Open for writing, at offset 0 unless written through.
  int fd() const { return fd_; }
  // How messages name it: the path as given, or "standard output".
  std::string name() const;
  // Writes all of `text`.
  void write(std::string_view text);
  // Closes the output and gives a regular target its new content.
  void commit();

 private:
  void open_regular();
  void open_named_temporary();
  void link_into_place();
  void sync_with_mode();
  WriteError failure(int error) const;

  std::string path_;  // as given
  // A regular output: its folder (open), and its final name there, symlinks followed.
  int folder_ = -1;
  std::string name_;
  std::string temporary_;  // the temporary's name in folder_, once it has one
  std::size_t slot_ = 0;   // where the temporary is held for the signal handler
  int fd_ = -1;
};

// The outputs a command may be asked for, one per option: a command asks OutputFiles for one by
// name, so that a misspelt one does not compile.
enum class Output { json, report, trace, out, csv };
// The option that asks for `output`: "--json", "--report", "--trace", "--out", "--csv".
std::string_view flag(Output output);

// An output a command was asked for: which one and its path ("" when not asked for).
struct NamedOutput {
  Output output;
  const std::string* path;
};

// Two outputs on one file would silently overwrite each other: throws UsageError naming both
// flags. "-" and the same file reached by another path (relative, absolute, through a symlink or
// a hard link) count as the same.
void check_distinct(std::initializer_list<NamedOutput> outputs);

// Declares a file the command reads (`what` names it for messages: "the take", "--map"), before
// its outputs are opened: OutputFiles refuses an output that is the same file (by device and
// inode, so any path or hard link to it), so that an output never replaces an input. For the
// main thread, once per input; the declarations last as long as the process.
void declare_input(std::string what, std::string path);

// The files a command was asked to write (run, explore, analyze, practice, render): checked
// distinct and against its inputs, each opened before the command's work so that a bad path
// costs none, and the command's own lines sent to standard error when one of them is standard
// output.
class OutputFiles {
 public:
  explicit OutputFiles(std::initializer_list<NamedOutput> outputs);
  // The file of `output`, or nullptr when it was not asked for.
  OutputFile* get(Output output) const;
  // Where the command's own lines go: standard output, unless a file goes there.
  FILE* log() const { return log_; }
  // Writes `last` to `file`, commits it and says so on log().
  void finish(OutputFile& file, std::string_view last) const;

 private:
  std::vector<std::pair<Output, std::unique_ptr<OutputFile>>> files_;
  FILE* log_ = stdout;
};

// Flushes `stream`, as a command does after each line it prints; false when that fails, and
// the first failure on standard output is kept for finish_standard_output().
bool flush(std::FILE* stream);

// Standard output's fate, as GNU tools check it at exit: when what was printed could not all be
// written, says so on stderr ("write error on standard output: REASON") and fails the command
// (exit code 1, unless `code` already fails it); a failing standard error fails it too.
int finish_standard_output(int code);

// Removes the named temporaries of every OutputFile not committed yet. Async-signal-safe: for a
// signal handler about to end the process.
void remove_temporaries_now();

// Installs, for each ending signal (INT, TERM, HUP, QUIT) not ignored, a handler that removes the
// temporaries and then dies of the signal as it would have. For main(), once, before any output is
// opened; a command's stop handler (signals.h) replaces it for INT and TERM and removes the
// temporaries itself.
void remove_temporaries_on_signals();

}  // namespace cacophony::cli
