#include "io/standard_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace cacophony::cli {

void keep_standard_descriptors_open() {
  for (int wanted = STDIN_FILENO; wanted <= STDERR_FILENO; ++wanted) {
    if (fcntl(wanted, F_GETFD) != -1 || errno != EBADF) continue;
    // The lowest free descriptor, `wanted` itself; dup2 covers a libc that would differ.
    const int fd = open("/dev/null", O_RDONLY);
    if (fd > wanted) {
      dup2(fd, wanted);
      close(fd);
    }
  }
}

}  // namespace cacophony::cli
