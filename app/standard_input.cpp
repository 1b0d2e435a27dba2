#include "standard_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace cacophony::cli {

void keep_standard_input_open() {
  if (fcntl(STDIN_FILENO, F_GETFD) != -1 || errno != EBADF) return;
  // The lowest free descriptor, fd 0 itself; dup2 covers a libc that would differ.
  const int fd = open("/dev/null", O_RDONLY);
  if (fd > STDIN_FILENO) {
    dup2(fd, STDIN_FILENO);
    close(fd);
  }
}

}  // namespace cacophony::cli
