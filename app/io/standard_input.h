#pragma once
// Standard input, output and error, made safe before anything opens a file.

namespace cacophony::cli {

// Opens /dev/null on each of descriptors 0-2 that is closed (`<&-`, `>&-`, `2>&-`): otherwise the
// next file opened would get its number, and the program's own lines would go into an output file
// (`--json F >&-`), or `play --link` would read libjack's shared-memory database as typed
// commands. Standard input reads as empty; standard output and error are opened read-only, so
// that writing to them fails (EBADF) and finish_standard_output() reports it, as GNU tools do.
// For main(), first thing, while the process has a single thread.
void keep_standard_descriptors_open();

}  // namespace cacophony::cli
