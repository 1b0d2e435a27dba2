#pragma once
// The sound layer's rule for files it reads: only a regular file is opened (opening a FIFO would
// block, and a device never ends). Private to the layer.

#include <filesystem>
#include <system_error>

#include "cacophony/sound/error.h"

namespace cacophony::sound {

// Throws BadRecording (missing, folder or not_regular) unless `path` is a regular file; a path
// that can't even be looked at (a symlink loop, a name too long) is unreadable, with the reason.
inline void check_regular(const std::filesystem::path& path) {
  using Why = BadRecording::Why;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_regular_file(status)) return;
  if (std::filesystem::is_directory(status)) throw BadRecording(path, Why::folder);
  if (std::filesystem::exists(status)) throw BadRecording(path, Why::not_regular);
  if (status.type() != std::filesystem::file_type::not_found && ec)
    throw BadRecording(path, Why::unreadable, ec.message());
  throw BadRecording(path, Why::missing);
}

}  // namespace cacophony::sound
