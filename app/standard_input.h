#pragma once
// Standard input, made safe before anything opens a file.

namespace cacophony::cli {

// When fd 0 is closed (`<&-`), opens /dev/null on it: otherwise the next file opened (libjack's
// shared-memory database, say) would get fd 0 and `play --link` would read it as typed commands.
// For main(), first thing, while the process has a single thread.
void keep_standard_input_open();

}  // namespace cacophony::cli
