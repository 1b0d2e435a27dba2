#include "io/terminal_text.h"

#include <fmt/format.h>

namespace cacophony::cli {

std::string escaped(std::string_view text, Keep keep) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool shown = byte >= 0x20 && byte != 0x7F && (keep == Keep::utf8 || byte < 0x80);
    if (shown)
      out += c;
    else
      out += fmt::format("\\x{:02x}", byte);
  }
  return out;
}

}  // namespace cacophony::cli
