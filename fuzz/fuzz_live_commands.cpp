// Fuzzes the commands typed on stdin for `play --link`: each input is written to a pipe that
// becomes standard input, then a fresh LinkConsole reads it to its end. One Link session, alone,
// serves every input (joining a network per input would be slow).

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "cacophony/link/session.h"
#include "play_link.h"

using namespace cacophony;

// A pipe holds 64 KiB: a longer input would block its own writer.
constexpr std::size_t kMaxInput = 60000;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static link::Session session(120.0, 4.0, true);
  if (size > kMaxInput) return 0;
  int fds[2];
  if (::pipe(fds) != 0) std::abort();
  if (size > 0 && ::write(fds[1], data, size) != static_cast<ssize_t>(size)) std::abort();
  ::close(fds[1]);
  if (::dup2(fds[0], STDIN_FILENO) < 0) std::abort();
  ::close(fds[0]);
  {
    cli::LinkConsole console(session);
    console.poll();
  }
  // fd 0 stays taken between inputs: a free fd 0 would go to one of Link's sockets, and the next
  // input's dup2 would replace that socket.
  const int null = ::open("/dev/null", O_RDONLY);
  if (null < 0 || ::dup2(null, STDIN_FILENO) < 0) std::abort();
  ::close(null);
  return 0;
}
